package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segur-sons/segur/internal/golden"
)

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

// runIn runs the CLI in-process. Arguments naming files of the repository
// are given with repo; the repository's folder is taken out of the outputs,
// so that paths in messages read fixtures/…, as a user in the repository
// would see them. The working directory is never changed. In-process runs
// share urfave/cli's package-level flags (Apply writes their defaults), so
// the tests that use runIn do not run in parallel.
func runIn(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"segur"}, args...), &out, &errb)
	strip := func(s string) string { return strings.ReplaceAll(s, repoRoot+string(filepath.Separator), "") }
	return code, strip(out.String()), strip(errb.String())
}

func TestValidateFixtures(t *testing.T) {
	code, out, errOut := runIn(t, "validate", "--date-depot", "2023-04-28", repo("fixtures/"))
	if code != exitRejected {
		t.Errorf("exit code: got %d, want %d (stderr: %s)", code, exitRejected, errOut)
	}
	checkGolden(t, "validate-fixtures.golden", []byte(out))
	for _, banned := range []string{"panic", "goroutine", "*dossier.", "reflect.", "yaml: "} {
		if strings.Contains(out+errOut, banned) {
			t.Errorf("output contains %q: no Go internals may reach the user", banned)
		}
	}
}

func TestValidateDossiersAreClean(t *testing.T) {
	code, out, _ := runIn(t, "validate", "--date-depot", "2023-04-28", "--config", repo("fixtures/segur.yaml"), repo("fixtures/dossiers"))
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
	code, out, _ := runIn(t, "validate", "--phase", "commande", "--config", repo("fixtures/segur.yaml"), repo("fixtures/commandes"))
	if code != exitOK {
		t.Errorf("exit code: got %d, want 0; output:\n%s", code, out)
	}
}

func TestCommandCannotRun(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"a missing path", []string{"validate", "--config", repo("fixtures/segur.yaml"), "nowhere/"}},
		{"a missing segur.yaml", []string{"validate", "--config", "nowhere.yaml", repo("fixtures/dossiers")}},
		{"an unknown phase", []string{"validate", "--phase", "avance", repo("fixtures/")}},
		{"an unknown flag", []string{"validate", "--bogus", repo("fixtures/")}},
		{"no path at all", []string{"validate", "--config", repo("fixtures/segur.yaml")}},
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
