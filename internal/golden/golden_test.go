package golden

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
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

// TestEveryPackageAcceptsUpdate: every package with tests imports this one
// in its tests, so that `go test ./... -update` (the documented refresh)
// runs in every package instead of failing on an unknown flag.
func TestEveryPackageAcceptsUpdate(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{len .TestGoFiles}}|{{len .XTestGoFiles}}|{{join .TestImports \" \"}} {{join .XTestImports \" \"}}", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const self = "github.com/segur-sons/segur/internal/golden"
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "|", 4)
		if len(f) != 4 || (f[1] == "0" && f[2] == "0") || f[0] == self {
			continue
		}
		seen++
		if !slices.Contains(strings.Fields(f[3]), self) {
			t.Errorf("%s: its tests do not import internal/golden: `go test ./... -update` fails there (add an update_test.go with a blank import)", f[0])
		}
	}
	if seen < 10 {
		t.Fatalf("go list saw %d packages with tests: the listing is wrong", seen)
	}
}
