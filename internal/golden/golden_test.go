package golden

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	if got, want := Diff("a\nb\nc", "a\nc\nd"), "- b\n+ d\n"; got != want {
		t.Errorf("Diff: got %q, want %q", got, want)
	}
	if got := Diff("a\nb", "a\nb"); got != "" {
		t.Errorf("Diff of equal texts: got %q, want nothing", got)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check(t, path, []byte("same\n"), false) // must not fail
	var rec recorder
	check(&rec, path, []byte("other\n"), false)
	if !rec.failed {
		t.Error("Check accepted output that differs from the golden file")
	}
	check(t, path, []byte("new\n"), true)
	if data, err := os.ReadFile(path); err != nil || string(data) != "new\n" {
		t.Errorf("with -update, the golden file holds %q (%v), want the new output", data, err)
	}
}

// recorder is a testing.TB that records a failure instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
