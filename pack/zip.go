package pack

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Entry is one file of a zip of pièces justificatives: its content is Data,
// or else the file at Path, read when the zip is written.
type Entry struct {
	Name     string    // flat file name, e.g. MDV-LGC-Va1-FACTURE-00042.pdf
	Data     []byte    // content, or nil to read Path
	Path     string    // file to copy when Data is nil
	Modified time.Time // from the record, never the clock
}

func (e Entry) copyTo(w io.Writer) error {
	if e.Data != nil {
		_, err := w.Write(e.Data)
		return err
	}
	f, err := os.Open(e.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// WriteZip writes entries as a flat zip, sorted by name, each with its
// modification time in UTC, so that the same entries give the same bytes.
func WriteZip(w io.Writer, entries []Entry) error {
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	for i, e := range sorted {
		if e.Name == "" || strings.ContainsAny(e.Name, `/\`) {
			return fmt.Errorf("pack: zip: invalid entry name %q", e.Name)
		}
		if i > 0 && sorted[i-1].Name == e.Name {
			return fmt.Errorf("pack: zip: entry %s twice", e.Name)
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
			return fmt.Errorf("pack: zip %s: %w", e.Name, err)
		}
		if err := e.copyTo(fw); err != nil {
			return fmt.Errorf("pack: zip %s: %w", e.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("pack: zip: %w", err)
	}
	return nil
}
