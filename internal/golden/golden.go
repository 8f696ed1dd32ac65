// Package golden compares test output with the files under a package's
// testdata/, and defines -update, which rewrites them. Every test package
// of segur imports it (blank when it has no golden), so that
// `go test ./... -update` runs everywhere.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Update is set by -update: Check rewrites the golden files instead of
// comparing.
var Update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the output")

// Check compares got with the file at path (under testdata/), or rewrites
// it with -update. A difference is reported with the lines that differ.
func Check(tb testing.TB, path string, got []byte) {
	tb.Helper()
	check(tb, path, got, *Update)
}

func check(tb testing.TB, path string, got []byte, update bool) {
	tb.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("golden %s: %v (go test -update creates it)", path, err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the golden file (go test -update rewrites it, then read the diff):\n%s", path, Diff(string(want), string(got)))
	}
}

// Diff lists, in order, the lines only in want (-) and only in got (+).
func Diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	inW, inG := map[string]int{}, map[string]int{}
	for _, l := range w {
		inW[l]++
	}
	for _, l := range g {
		inG[l]++
	}
	var b strings.Builder
	for _, l := range w {
		if inG[l] == 0 {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range g {
		if inW[l] == 0 {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
