package dossier

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// memFiles is a FileChecker held in memory: the rules are tested without
// disk or PDF library. The value says whether the file is a readable PDF.
type memFiles map[string]bool

func (m memFiles) IsFile(path string) bool { _, ok := m[path]; return ok }

func (m memFiles) ReadablePDF(path string) bool { return m[path] }

// testFiles are the files the test records and segur.yaml may name.
var testFiles = memFiles{
	"cr-test.pdf":   true,
	"autre.pdf":     true,
	"traite.pdf":    true,
	"illisible.pdf": false,
}

// TestDomainIsPure keeps the domain free of PDF libraries: the files a
// record names are checked through FileChecker, implemented outside. It
// asks the go command for every package dossier depends on, standard,
// ours and third-party alike.
func TestDomainIsPure(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/segur-sons/segur/dossier") {
		t.Fatalf("go list -deps did not list dossier itself: %q", deps)
	}
	for _, dep := range deps {
		if strings.Contains(strings.ToLower(dep), "pdf") {
			t.Errorf("dossier depends on %s: the domain must not import a PDF library", dep)
		}
	}
}
