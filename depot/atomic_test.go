package depot

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileIsAtomicAndLeavesNoTemporaryFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "sous", "f.json")
	if err := WriteFile(p, []byte("un")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("deux")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "deux" {
		t.Errorf("got %q, want %q", got, "deux")
	}
	// A temporary file an interrupted run left in dossiers/<numero>/ is
	// removed; a file elsewhere that only looks like one is not segur's.
	num := filepath.Join(dir, "dossiers", "00042")
	os.MkdirAll(num, 0o755)
	stale := filepath.Join(num, "g.zip"+TmpMarker+"123")
	os.WriteFile(stale, []byte("à moitié"), 0o644)
	foreign := filepath.Join(dir, "sous", "h.zip"+TmpMarker+"123")
	os.WriteFile(foreign, []byte("à quelqu'un"), 0o644)
	lookalike := filepath.Join(num, "i.zip"+TmpMarker+"abc")
	os.WriteFile(lookalike, []byte("à quelqu'un"), 0o644)
	// And everywhere else segur writes under -o (issue 22 item 6): the
	// folder itself (rapport.json, rapport.html), depot/, a-signer/,
	// .segur/ and its next dépôt.
	orphans := []string{stale}
	for _, sub := range []string{".", "depot", "a-signer", ".segur", ".segur/nouveau/dossiers/00042"} {
		d := filepath.Join(dir, sub)
		os.MkdirAll(d, 0o755)
		p := filepath.Join(d, "rapport.html"+TmpMarker+"987")
		os.WriteFile(p, []byte("à moitié"), 0o644)
		orphans = append(orphans, p)
	}
	if err := RemoveTemps(dir); err != nil {
		t.Fatal(err)
	}
	for _, o := range orphans {
		if _, err := os.Stat(o); err == nil {
			t.Errorf("%s was left behind", o)
		}
	}
	for _, p := range []string{foreign, lookalike} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s, not made by segur, was deleted", p)
		}
	}
}

func TestLockRefusesASecondRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(dir); !errors.Is(err, ErrBusy) {
		t.Errorf("second lock: got %v, want ErrBusy", err)
	}
	unlock()
	again, err := Lock(dir)
	if err != nil {
		t.Errorf("lock after release: %v", err)
	} else {
		again()
	}
}
