package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// repoRoot is the repository's folder, absolute.
var repoRoot = func() string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return root
}()

// repo is the absolute path of p, a slash-separated path in the repository.
func repo(p string) string {
	abs := filepath.Join(repoRoot, filepath.FromSlash(p))
	if strings.HasSuffix(p, "/") {
		abs += string(filepath.Separator)
	}
	return abs
}

// shared is a value made at most once per test run, in a folder of its
// own that TestMain removes, for the tests that all need the same costly
// thing: the segur binary, a packed quarter, the fixtures' dépôt.
type shared[T any] struct {
	once sync.Once
	val  T
	err  error
}

var (
	sharedMu   sync.Mutex
	sharedDirs []string // removed by TestMain
)

// get makes the value with build, in a new folder named after prefix, the
// first time; later calls wait for it and get the same value (or error).
func (s *shared[T]) get(t *testing.T, prefix string, build func(dir string) (T, error)) T {
	t.Helper()
	s.once.Do(func() {
		dir, err := os.MkdirTemp("", prefix)
		if err != nil {
			s.err = err
			return
		}
		sharedMu.Lock()
		sharedDirs = append(sharedDirs, dir)
		sharedMu.Unlock()
		s.val, s.err = build(dir)
	})
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.val
}

var builtSegur shared[string]

// fixedClock is the tests' clock of the signatures and the registre.
const fixedClock = "2023-04-28T10:00:00Z"

// segurBinary builds the segur binary once per test run, for the tests that
// need a real process (killed mid-run, given a terminal).
func segurBinary(t *testing.T) string {
	t.Helper()
	return builtSegur.get(t, "segur-test-", func(dir string) (string, error) {
		bin := filepath.Join(dir, "segur")
		// make test keeps it between runs (bin/test): go build links it
		// again only when what it is made of changed (-buildvcs=false: not
		// at every commit either).
		if keep := os.Getenv("SEGUR_TESTBIN"); keep != "" {
			bin = filepath.Join(keep, "segur-sous-test")
		}
		if out, err := exec.Command("go", "build", "-buildvcs=false", "-ldflags", "-w -X main.testClock="+fixedClock, "-o", bin, ".").CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build: %v\n%s", err, out)
		}
		return bin, nil
	})
}

// TestMain gives the commands the password of the TEST certificate of
// fixtures/segur.yaml (fixtures/certs), as `make demo` does.
//
// The commands run without the registre (SEGUR_SANS_REGISTRE), as segur
// did before it, unless a test gives --sans-registre=false and its own
// --registre; their signatures are made at fixedClock (testClock, and the
// binary's -ldflags), so that two runs give the same bytes.
func TestMain(m *testing.M) {
	if os.Getenv(rssRelay) != "" {
		os.Exit(relayRSS())
	}
	os.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	os.Setenv("SEGUR_SANS_REGISTRE", "1")
	testClock = fixedClock
	code := m.Run()
	for _, dir := range sharedDirs {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
