package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, diffLines(string(want), string(got)))
	}
}

// diffLines lists the lines only in want (-) or only in got (+).
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	in := func(s []string, x string) bool {
		for _, y := range s {
			if y == x {
				return true
			}
		}
		return false
	}
	var b strings.Builder
	for _, l := range w {
		if !in(g, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range g {
		if !in(w, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// runIn runs the CLI in-process from the repository root, so that paths in
// messages read fixtures/….
func runIn(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir("../.."); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	var out, errb bytes.Buffer
	code := run(append([]string{"segur"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestValidateFixtures(t *testing.T) {
	code, out, errOut := runIn(t, "validate", "--date-depot", "2023-03-01", "fixtures/")
	if code != exitRejected {
		t.Errorf("exit code: got %d, want %d (stderr: %s)", code, exitRejected, errOut)
	}
	golden(t, "validate-fixtures.golden", []byte(out))
	for _, banned := range []string{"panic", "goroutine", "*dossier.", "reflect.", "yaml: "} {
		if strings.Contains(out+errOut, banned) {
			t.Errorf("output contains %q: no Go internals may reach the user", banned)
		}
	}
}

func TestValidateDossiersAreClean(t *testing.T) {
	code, out, _ := runIn(t, "validate", "--date-depot", "2023-03-01", "--config", "fixtures/segur.yaml", "fixtures/dossiers")
	if code != exitOK {
		t.Errorf("exit code: got %d, want 0; output:\n%s", code, out)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "attention: ") {
			t.Errorf("a valid fixture has an error: %s", l)
		}
	}
}

func TestValidateCommandePhase(t *testing.T) {
	code, out, _ := runIn(t, "validate", "--phase", "commande", "--config", "fixtures/segur.yaml", "fixtures/commandes")
	if code != exitOK {
		t.Errorf("exit code: got %d, want 0; output:\n%s", code, out)
	}
}

func TestCommandCannotRun(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"a missing path", []string{"validate", "--config", "fixtures/segur.yaml", "nowhere/"}},
		{"a missing segur.yaml", []string{"validate", "--config", "nowhere.yaml", "fixtures/dossiers"}},
		{"an unknown phase", []string{"validate", "--phase", "avance", "fixtures/"}},
		{"an unknown flag", []string{"validate", "--bogus", "fixtures/"}},
		{"no path at all", []string{"validate", "--config", "fixtures/segur.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runIn(t, tt.args...)
			if code != exitCannot {
				t.Errorf("exit code: got %d, want %d", code, exitCannot)
			}
			if !strings.HasPrefix(errOut, "segur") && !strings.Contains(errOut, "segur :") {
				t.Errorf("stderr should explain: %q", errOut)
			}
		})
	}
}
