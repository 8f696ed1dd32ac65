package pdfops

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/segur-sons/segur/internal/contenu"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/safeio"
)

// Disk is the dossier.FileChecker of the disk: a pièce is checked where it
// lies, bounded (a regular file within its size limit: a FIFO or a device is
// never opened for reading), and a PDF is readable when it passes pdfin.Accept,
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
	f.Close() // read-only: closing it loses nothing
	return true
}

// ReadablePDF reports whether path is a PDF that AcceptFile accepts.
func (Disk) ReadablePDF(path string) bool {
	return AcceptFile(path) == nil
}

// AcceptFile reads the regular file at path within the size limit of a
// client PDF and applies pdfin.Accept (which bounds its parsing).
func AcceptFile(path string) error {
	data, err := safeio.ReadFile(path, safeio.PDF)
	if err != nil {
		return err
	}
	return pdfin.Accept(data)
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
		f.Close() // read-only: closing it loses nothing
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

// ContentProblem reads the pièce at path (bounded) and says why its bytes
// refuse it: PIECE_INTERDITE with what it is (a key, a certificate, a
// SQLite database), PIECE_CONTENU when they are not of kind (set, from
// templates/contenus.yaml); "" when they fit or it cannot be read (the
// caller's other checks say why).
func (Disk) ContentProblem(path, kind string) (string, string) {
	data, err := safeio.ReadFile(path, safeio.Piece)
	if err != nil {
		return "", ""
	}
	return ContentProblem(data, kind)
}

// ContentProblem is Disk.ContentProblem on bytes already read (pack reads
// a pièce once, by handle, and checks those bytes).
func ContentProblem(data []byte, kind string) (string, string) {
	if why := contenu.Forbidden(data); why != "" {
		return "PIECE_INTERDITE", why
	}
	if kind != "" && !contenu.Is(kind, data) {
		return "PIECE_CONTENU", fmt.Sprintf("son extension annonce %s mais le fichier contient %s : indiquez le vrai fichier, ou renommez-le selon ce qu'il contient", kindName[kind], contenu.Describe(data))
	}
	return "", ""
}

// kindName names each content kind for people.
var kindName = map[string]string{
	contenu.PDF:   "un PDF",
	contenu.OOXML: "un classeur Excel (xlsx)",
	contenu.ODF:   "un classeur OpenDocument (ods)",
	contenu.OLE:   "un classeur Excel ancien format (xls)",
	contenu.Texte: "du texte (CSV)",
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
