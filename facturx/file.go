package facturx

import (
	"errors"
	"fmt"

	"github.com/segur-sons/segur/internal/safeio"
)

// MaxPDF bounds the PDF file ReadFile reads.
const MaxPDF = 256 << 20

// ReadFile returns the factur-x.xml embedded in the PDF file at path. It
// refuses anything but a regular file of at most MaxPDF bytes; messages
// are in French, for staff.
func ReadFile(path string) ([]byte, error) {
	// safeio opens without blocking (a FIFO never hangs) and refuses what
	// is not a regular file within MaxPDF.
	pdf, err := safeio.ReadFile(path, safeio.Kind{Name: "PDF Factur-X", Max: MaxPDF})
	if err != nil {
		return nil, errors.New(safeio.Message(err))
	}
	x, err := Extract(pdf)
	if err != nil {
		return nil, fmt.Errorf("« %s » : %v", path, err)
	}
	return x, nil
}
