package pack

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/segur-sons/segur/internal/safeio"
)

// Entry is one file of a zip of pièces justificatives: its content is Data,
// or else the file at Path, read when the zip is written.
type Entry struct {
	Name     string    // flat file name, e.g. MDV-LGC-Va1-FACTURE-00042.pdf
	Data     []byte    // content, or nil to read Path
	Path     string    // file to copy when Data is nil (and File is nil)
	File     *os.File  // when set, the handle opened and checked earlier: copied from its start, never reopened by name
	SHA256   string    // when set, what Path's content must hash to (the bytes checked): a file changed since is refused
	Modified time.Time // from the record, never the clock

	budget *handleBudget            // File counts in it (given back when closed)
	reopen func() (*os.File, error) // a pièce beyond the budget: opened again, confined, when the zip is written
}

// ErrChanged is returned when a file changed between its check and its
// copy into the zip.
var ErrChanged = errors.New("le fichier a été modifié pendant la production : relancez segur pack")

func (e Entry) copyTo(w io.Writer) error {
	if e.Data != nil {
		_, err := w.Write(e.Data)
		return err
	}
	f := e.File
	if f != nil {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
	} else {
		var err error
		if e.reopen != nil {
			f, err = e.reopen()
		} else {
			f, err = safeio.Open(e.Path, safeio.Piece)
		}
		if err != nil {
			return err
		}
		defer f.Close() // read-only: closing it loses nothing
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(f, safeio.Piece.Max+1)); err != nil {
		return err
	}
	if e.SHA256 != "" && hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
		return fmt.Errorf("%s : %w", e.Path, ErrChanged)
	}
	return nil
}

// WriteZip writes entries as a flat zip, sorted by name, each with its
// modification time in UTC, so that the same entries give the same bytes.
func WriteZip(w io.Writer, entries []Entry) error {
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	for i, e := range sorted {
		if e.Name == "" || strings.ContainsAny(e.Name, `/\`) {
			return fmt.Errorf("nom d'entrée de zip invalide « %s »", e.Name)
		}
		if i > 0 && sorted[i-1].Name == e.Name {
			return fmt.Errorf("entrée %s deux fois dans le zip", e.Name)
		}
		// A PDF's streams are compressed already: deflating it again costs
		// time for a few per cent; other pièces are deflated.
		method := zip.Deflate
		if strings.EqualFold(filepath.Ext(e.Name), ".pdf") {
			method = zip.Store
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{
			Name:     e.Name,
			Method:   method,
			Modified: e.Modified.UTC(),
		})
		if err != nil {
			return fmt.Errorf("pièce %s : %w", e.Name, err)
		}
		if err := e.copyTo(fw); err != nil {
			return fmt.Errorf("pièce %s : %w", e.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zip : %w", err)
	}
	return nil
}
