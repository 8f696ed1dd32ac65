//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackNeverReplacesADepotWithLessCLI (issue #22, item 1): from the
// command line, the records file made unreadable (/dev/zero) exits 2 and
// leaves depot/ as it was; the dossier blocked (its pièce gone) exits 2
// naming it; --retirer 00061 lets it go.
func TestPackNeverReplacesADepotWithLessCLI(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	proj, _ := project(t, "../annexes/cr.pdf")
	out := t.TempDir()
	args := []string{"pack", "--date-depot", "2023-03-01", "--signes", filepath.Join(proj, "signes"), "-o", out, filepath.Join(proj, "dossiers")}
	if code, stdout, stderr := runIn(t, args...); code != exitOK {
		t.Fatalf("the good dépôt: exit %d\n%s%s", code, stdout, stderr)
	}
	list := func() []string {
		es, _ := os.ReadDir(filepath.Join(out, "depot"))
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}
	before := list()
	if len(before) != 2 {
		t.Fatalf("depot/: %v", before)
	}
	rec := filepath.Join(proj, "dossiers", "bio-sgl.yaml")
	good, _ := os.ReadFile(rec)
	os.Remove(rec)
	os.Symlink("/dev/zero", rec)
	code, stdout, stderr := runIn(t, args...)
	if code != exitCannot || !strings.Contains(stdout+stderr, "aucun dossier lisible") || strings.Join(list(), " ") != strings.Join(before, " ") {
		t.Errorf("records file /dev/zero: exit %d, depot/ %v\n%s%s", code, list(), stdout, stderr)
	}
	os.Remove(rec)
	os.WriteFile(rec, good, 0o644)
	os.Remove(filepath.Join(proj, "annexes", "cr.pdf"))
	code, stdout, stderr = runIn(t, args...)
	if code != exitCannot || !strings.Contains(stderr, "00061") || !strings.Contains(stderr, "--retirer 00061") || strings.Join(list(), " ") != strings.Join(before, " ") {
		t.Errorf("the dossier blocked: exit %d, depot/ %v\n%s%s", code, list(), stdout, stderr)
	}
	code, stdout, stderr = runIn(t, append([]string{args[0], "--retirer", "00061"}, args[1:]...)...)
	if code != exitRejected || len(list()) != 0 {
		t.Errorf("with --retirer 00061: exit %d, depot/ %v\n%s%s", code, list(), stdout, stderr)
	}
}
