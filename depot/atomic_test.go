package depot

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
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

// TestWriteStagedNeverChangesWhatIsLinked: in a staged folder, a new file
// is written in place (0644, whatever the umask), but a file linked from
// the current folders, a link to a file outside and a folder that is a
// link are never written through: the current folders and the outside
// file keep their bytes.
func TestWriteStagedNeverChangesWhatIsLinked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	live, stage := filepath.Join(dir, "dossiers", "00042"), filepath.Join(dir, "nouveau", "dossiers", "00042")
	for _, d := range []string{live, stage} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	read := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// A new file, and a new file in a folder not made yet.
	for _, p := range []string{filepath.Join(stage, "neuf.pdf"), filepath.Join(dir, "nouveau", "dossiers", "00043", "neuf.pdf")} {
		if err := WriteStaged(p, []byte("neuf")); err != nil {
			t.Fatal(err)
		}
		if got := read(p); got != "neuf" {
			t.Errorf("%s: got %q", p, got)
		}
		if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 && runtime.GOOS != "windows" {
			t.Errorf("%s: mode %v, want 0644", p, st.Mode().Perm())
		}
	}
	// The previous run's file, linked into the stage.
	old := filepath.Join(live, "FACTURE.pdf")
	os.WriteFile(old, []byte("ancien"), 0o644)
	staged := filepath.Join(stage, "FACTURE.pdf")
	if err := os.Link(old, staged); err != nil {
		t.Skip("no hard links here:", err)
	}
	if err := WriteStaged(staged, []byte("nouveau")); err != nil {
		t.Fatal(err)
	}
	if got, live := read(staged), read(old); got != "nouveau" || live != "ancien" {
		t.Errorf("staged %q, current %q: want « nouveau », « ancien »", got, live)
	}
	// A link to a file outside.
	outside := filepath.Join(dir, "ailleurs.txt")
	os.WriteFile(outside, []byte("dehors"), 0o644)
	if err := os.Symlink(outside, filepath.Join(stage, "VA.pdf")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	WriteStaged(filepath.Join(stage, "VA.pdf"), []byte("nouveau")) // replaces the link, or refuses: never writes through
	if got := read(outside); got != "dehors" {
		t.Errorf("written through a link: the outside file holds %q", got)
	}
	// A folder that is a link.
	if err := os.Symlink(dir, filepath.Join(dir, "nouveau", "dossiers", "00044")); err != nil {
		t.Fatal(err)
	}
	if err := WriteStaged(filepath.Join(dir, "nouveau", "dossiers", "00044", "neuf.txt"), []byte("x")); !errors.Is(err, ErrSymlink) {
		t.Errorf("through a folder that is a link: got %v, want ErrSymlink", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "neuf.txt")); err == nil {
		t.Errorf("a file was written through a folder that is a link")
	}
}
