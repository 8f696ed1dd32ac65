// Package safeio reads the files segur is given with bounds: regular files
// only (a FIFO, a device or a folder is refused before anything is read
// from it, so nothing hangs), and a size limit per kind of file, so that a
// hostile or mistaken input cannot exhaust memory. Errors are in French.
package safeio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/segur-sons/segur/internal/fr"
)

// Kind is a kind of input file and its size limit.
type Kind struct {
	Name string // in French, for messages: « fichier d'enregistrements »
	Max  int64  // bytes
}

// The limits, stated in README.md (« Limites »). They are far above any
// real file and far below what would hurt a back-office PC.
var (
	// A quarter of 10,000 dossiers in one file is about 9 Mo (tools/quarter);
	// validate checks it in about 130 MiB of peak resident memory (README).
	Records   = Kind{"fichier d'enregistrements", 16 << 20}
	Config    = Kind{"fichier fournisseur", 1 << 20}
	Logo      = Kind{"logo", 4 << 20}
	RootCerts = Kind{"certificat racine", 1 << 20} // PEM roots of segur.yaml
	PDF       = Kind{"pièce PDF", 32 << 20}        // pièce, traité, VA signée
	Piece     = Kind{"pièce", 32 << 20}
	DepotJSON = Kind{"JSON de dépôt", 16 << 20}
	DepotZip  = Kind{"zip de dépôt", 512 << 20}
	Rapport   = Kind{"rapport.json", 64 << 20}
)

// ErrNotRegular is returned for a path that is not a regular file.
var ErrNotRegular = errors.New("n'est pas un fichier ordinaire")

// TooLargeError is returned for a file past its kind's limit.
type TooLargeError struct {
	Path string
	Kind Kind
	Size int64 // at least this many bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("« %s » est trop volumineux pour un %s (%s, au plus %s)", e.Path, e.Kind.Name, fr.Size(e.Size), fr.Size(e.Kind.Max))
}

// Open opens path for reading if it is a regular file within k's limit.
// The file is opened without blocking (a FIFO never hangs the open) and
// checked after opening, on the very file that will be read.
func Open(path string, k Kind) (*os.File, error) {
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	if err := check(f, path, k); err != nil {
		f.Close() // on the way out of a failure: that failure is what is reported
		return nil, err
	}
	return f, nil
}

// check refuses an open file that is not a regular file within k's limit,
// from the handle (fstat), never from the name.
func check(f *os.File, path string, k Kind) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	if st.Size() > k.Max {
		return &TooLargeError{Path: path, Kind: k, Size: st.Size()}
	}
	return nil
}

// readAll reads f to its end within k's limit (also when the file grows
// while it is read).
func readAll(f *os.File, path string, k Kind) ([]byte, error) {
	// Sized from the handle, as os.ReadFile does: one read for a file
	// that does not change, not a dozen into a buffer grown each time.
	// One byte more than the size, so that a file that grew is seen.
	n := int64(512)
	if st, err := f.Stat(); err == nil && st.Size() >= n {
		n = min(st.Size(), k.Max) + 1
	}
	data := make([]byte, 0, n)
	r := io.LimitReader(f, k.Max+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // grown by append's rule
		}
		m, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+m]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(data)) > k.Max {
		return nil, &TooLargeError{Path: path, Kind: k, Size: int64(len(data))}
	}
	return data, nil
}

// ReadFile reads the whole of path, a regular file within k's limit (also
// when the file grows while it is read).
func ReadFile(path string, k Kind) ([]byte, error) {
	f, err := Open(path, k)
	if err != nil {
		return nil, err
	}
	defer f.Close() // read-only: closing it loses nothing
	return readAll(f, path, k)
}
