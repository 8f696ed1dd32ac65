package web

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUploadGenuineToolSignatures (issue 20): the VAs of fixtures/outils,
// signed by pdfsig, @signpdf, pdf-lib, PDFBox, podofosign, and by two
// signatories with two tools (tools/realsign), are accepted by the page's
// upload and saved as sent.
func TestUploadGenuineToolSignatures(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	files, err := filepath.Glob("../fixtures/outils/*.pdf")
	if err != nil || len(files) < 6 {
		t.Fatalf("fixtures/outils: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			numero, _, _ := strings.Cut(filepath.Base(file), "-")
			// Confirmed: 00048's VA is already in fixtures/signes, and
			// each file replaces the previous one.
			code, body := f.upload(t, numero, data, true)
			if code != 200 {
				t.Fatalf("upload refused: %d %s", code, body)
			}
			saved, err := os.ReadFile(filepath.Join(f.signes, "MDV-LGC-Va1-VA-"+numero+".pdf"))
			if err != nil || !bytes.Equal(saved, data) {
				t.Errorf("saved VA differs from the upload (%v)", err)
			}
		})
	}
}
