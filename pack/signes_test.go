package pack

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A signed document verified by pack is copied into the zip from its file;
// if the file changed since its verification, the zip is refused.
func TestZipRefusesAFileChangedSinceVerified(t *testing.T) {
	p := filepath.Join(t.TempDir(), "va.pdf")
	if err := os.WriteFile(p, []byte("%PDF-1.7 signed"), 0o644); err != nil {
		t.Fatal(err)
	}
	verified := sum([]byte("%PDF-1.7 signed"))
	var b bytes.Buffer
	if err := WriteZip(&b, []Entry{{Name: "va.pdf", Path: p, SHA256: verified}}); err != nil {
		t.Fatalf("unchanged file: %v", err)
	}
	if err := os.WriteFile(p, []byte("%PDF-1.7 changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteZip(&b, []Entry{{Name: "va.pdf", Path: p, SHA256: verified}})
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("changed file: got %v, want a refusal", err)
	}
}
