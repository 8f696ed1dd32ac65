package facturx

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxPDF bounds the PDF file ReadFile reads.
const MaxPDF = 256 << 20

// ReadFile returns the factur-x.xml embedded in the PDF file at path. It
// refuses anything but a regular file of at most MaxPDF bytes; messages
// are in French, for staff.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("« %s » : fichier introuvable", path)
	} else if err != nil {
		return nil, fmt.Errorf("« %s » : fichier illisible (droits d'accès ?)", path)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("« %s » n'est pas un fichier ordinaire", path)
	}
	if st.Size() > MaxPDF {
		return nil, fmt.Errorf("« %s » dépasse %d Mo", path, MaxPDF>>20)
	}
	pdf, err := io.ReadAll(io.LimitReader(f, MaxPDF+1))
	if err != nil {
		return nil, fmt.Errorf("« %s » : lecture impossible", path)
	}
	if len(pdf) > MaxPDF {
		return nil, fmt.Errorf("« %s » dépasse %d Mo", path, MaxPDF>>20)
	}
	x, err := Extract(pdf)
	if err != nil {
		return nil, fmt.Errorf("« %s » : %v", path, err)
	}
	return x, nil
}
