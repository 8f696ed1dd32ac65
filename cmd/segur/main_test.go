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

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// segurBinary builds the segur binary once per test run, for the tests that
// need a real process (killed mid-run, given a terminal); TestMain removes it.
func segurBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "segur-test-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "segur")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// TestMain gives the commands the password of the TEST certificate of
// fixtures/segur.yaml (fixtures/certs), as `make demo` does.
func TestMain(m *testing.M) {
	os.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}
