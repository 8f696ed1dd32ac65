package pdfops

import (
	"errors"
	"io/fs"
	"os"

	"github.com/segur-sons/segur/internal/safeio"
)

// Disk is the dossier.FileChecker of the disk: a pièce is checked where it
// lies, bounded (a regular file within its size limit: a FIFO or a device is
// never opened for reading), and a PDF is readable when it passes Accept,
// the bounded rule pack and check share. With Roots set,
// a file that resolves outside them is reported as such (Outside).
type Disk struct {
	Roots safeio.Roots
}

// IsFile reports whether path names a regular file, within the size limit
// of a pièce, that can be opened for reading.
func (Disk) IsFile(path string) bool {
	f, err := safeio.Open(path, safeio.Piece)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// ReadablePDF reports whether path is a PDF that AcceptFile accepts.
func (Disk) ReadablePDF(path string) bool {
	return AcceptFile(path) == nil
}

// AcceptFile reads the regular file at path within the size limit of a
// client PDF and applies Accept (which bounds its parsing).
func AcceptFile(path string) error {
	data, err := safeio.ReadFile(path, safeio.PDF)
	if err != nil {
		return err
	}
	return Accept(data)
}

// Outside reports whether path, resolved physically, lies outside the
// roots (never when no roots are set).
func (d Disk) Outside(path string) bool {
	if len(d.Roots) == 0 {
		return false
	}
	_, err := d.Roots.Resolve(path)
	return errors.Is(err, safeio.ErrOutside)
}

// FileProblem says why the file at path cannot be a pièce when it exists:
// PIECE_TROP_GRANDE with its size, PIECE_NON_FICHIER for a folder, a FIFO
// or a device, PIECE_ILLISIBLE otherwise; "" when it can be read or does not
// exist (the caller's « introuvable »).
func (Disk) FileProblem(path string) (string, string) {
	f, err := safeio.Open(path, safeio.Piece)
	if err == nil {
		f.Close()
		return "", ""
	}
	var tl *safeio.TooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", ""
	case errors.As(err, &tl):
		return "PIECE_TROP_GRANDE", safeio.Reason(err) + " : réduisez la pièce (scan en plus basse résolution)"
	case errors.Is(err, safeio.ErrNotRegular):
		return "PIECE_NON_FICHIER", "ce n'est pas un fichier ordinaire (dossier, tube ou périphérique) : indiquez le fichier de la pièce"
	}
	return "PIECE_ILLISIBLE", safeio.Reason(err)
}

// SameFile reports whether a and b are the same file on disk (a link or
// another name included).
func (Disk) SameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}
