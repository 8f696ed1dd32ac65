package app

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/internal/safeio"
)

// ArchiveName is the file name « Tout télécharger » gives its zip.
const ArchiveName = "depot.zip"

// DepotArchive is « Tout télécharger »: every upload pair of a dépôt in one
// zip, written as it is streamed from depot/, never a second copy on disk.
// Its files are opened by OpenDepotArchive, so a pack switching depot/
// while the archive is written changes nothing in it: it is the dépôt as
// it was when the archive was opened.
type DepotArchive struct {
	// Files are the names of the pairs' files, in the dépôt's order.
	Files []string
	open  []*os.File
	sizes []int64 // when opened, within safeio's bound
}

// OpenDepotArchive opens the files of out's dépôt (the ones segur made,
// from its manifest: JSON and zip of each pair). Its error is an *Error in
// French: no dépôt prepared yet, a switch under way, a file gone or not a
// regular file.
func OpenDepotArchive(out string) (*DepotArchive, error) {
	if depot.SwitchPending(out) {
		return nil, &Error{Message: "un changement du dépôt est en cours dans « " + out + " » : relancez « Préparer le dépôt » (ou segur pack) pour le terminer, puis téléchargez"}
	}
	if _, err := depot.Files(out); err != nil {
		return nil, &Error{Message: fmt.Sprintf("le dépôt de « %s » ne peut pas être lu : %s", out, safeio.Message(err))}
	}
	a := &DepotArchive{}
	dir := filepath.Join(out, depot.Dir)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, &Error{Message: fmt.Sprintf("aucun dépôt préparé dans « %s » : %s", out, safeio.Message(err))}
	}
	defer root.Close() // read-only: closing it loses nothing
	for _, n := range DepotFiles(out) {
		kind := safeio.DepotZip
		if strings.HasSuffix(n, ".json") {
			kind = safeio.DepotJSON
		}
		f, size, err := openPairFile(root, n, kind)
		if err != nil {
			a.Close() // on the way out of a failure: that failure is what is reported
			if errors.Is(err, fs.ErrNotExist) {
				return nil, &Error{Message: fmt.Sprintf("« %s » n'est plus dans %s : le dépôt a changé, rechargez la page et recommencez", n, dir)}
			}
			return nil, &Error{Message: fmt.Sprintf("« %s » ne peut pas être lu : %s", n, safeio.Message(err))}
		}
		a.Files = append(a.Files, n)
		a.open = append(a.open, f)
		a.sizes = append(a.sizes, size)
	}
	if len(a.Files) == 0 {
		return nil, &Error{Message: "aucun dépôt préparé dans « " + out + " » : préparez le dépôt (segur pack) d'abord"}
	}
	return a, nil
}

// openPairFile opens name in depot/: a regular file itself (a link put in
// its place is refused, not followed), within kind's bound.
func openPairFile(root *os.Root, name string, kind safeio.Kind) (*os.File, int64, error) {
	before, err := root.Lstat(name)
	if err != nil {
		return nil, 0, err
	}
	if !before.Mode().IsRegular() {
		return nil, 0, &fs.PathError{Op: "open", Path: name, Err: safeio.ErrNotRegular}
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	switch {
	case err != nil:
	case !os.SameFile(before, st):
		err = &fs.PathError{Op: "open", Path: name, Err: safeio.ErrNotRegular}
	case st.Size() > kind.Max:
		err = &safeio.TooLargeError{Path: name, Kind: kind, Size: st.Size()}
	}
	if err != nil {
		f.Close() // on the way out of a failure: that failure is what is reported
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// DepotFiles are the files of the upload pairs of out's dépôt, as
// OpenDepotArchive would put them in its zip (none before the first pack,
// or when the dépôt cannot be read: OpenDepotArchive says why).
func DepotFiles(out string) []string {
	names, err := depot.Files(out)
	if err != nil {
		return nil
	}
	var files []string
	for _, n := range names {
		if (strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".zip")) && filepath.Base(n) == n {
			files = append(files, n)
		}
	}
	return files
}

// WriteTo writes the zip to w, one file at a time: a pair's zip is stored
// as it is (already compressed), its JSON compressed. A failure midway
// leaves w with an incomplete zip: the caller aborts what it was sending.
func (a *DepotArchive) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	zw := zip.NewWriter(cw)
	for i, f := range a.open {
		st, err := f.Stat()
		if err != nil {
			return cw.n, err
		}
		h := &zip.FileHeader{Name: a.Files[i], Method: zip.Deflate, Modified: st.ModTime()}
		if strings.HasSuffix(a.Files[i], ".zip") {
			h.Method = zip.Store
		}
		e, err := zw.CreateHeader(h)
		if err != nil {
			return cw.n, err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return cw.n, err
		}
		// The size was checked when the file was opened; a file changed
		// since is cut to that size rather than read without end.
		if _, err := io.Copy(e, io.LimitReader(f, a.sizes[i])); err != nil {
			return cw.n, err
		}
	}
	err := zw.Close()
	return cw.n, err
}

// Close closes the dépôt's files.
func (a *DepotArchive) Close() error {
	for _, f := range a.open {
		f.Close() // read-only: closing it loses nothing
	}
	a.open = nil
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
