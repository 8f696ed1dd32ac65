package pdfops

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/phpdave11/gofpdf"
)

func TestDisk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"ok.pdf": b.Bytes(), "scan.pdf": []byte("%PDF-1.7 illisible"), "cr.hl7": []byte("MSH|")}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var d Disk
	tests := []struct {
		name           string
		isFile, usable bool
	}{
		{"ok.pdf", true, true},
		{"scan.pdf", true, false},
		{"cr.hl7", true, false},
		{"absent.pdf", false, false},
		{".", false, false}, // a folder
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name)
		if got := d.IsFile(path); got != tt.isFile {
			t.Errorf("IsFile(%s) = %v, want %v", tt.name, got, tt.isFile)
		}
		if got := d.ReadablePDF(path); got != tt.usable {
			t.Errorf("ReadablePDF(%s) = %v, want %v", tt.name, got, tt.usable)
		}
	}
}
