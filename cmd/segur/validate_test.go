package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
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
	// fixtures/avances are records at the avance (segur pack --phase avance).
	code, out, errOut := runIn(t, "validate", "--date-depot", "2023-04-28", repo("fixtures/dossiers"), repo("fixtures/commandes"), repo("fixtures/erreurs"))
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
		{"an unknown phase", []string{"validate", "--phase", "facture", repo("fixtures/")}},
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

// TestEachErrorFixtureShowsItsError: every file of fixtures/erreurs says
// in its first line which error it shows (« # Erreur CODE — … »);
// `segur validate` over the fixtures reports that error for that file, and
// no other error that its comments do not name.
func TestEachErrorFixtureShowsItsError(t *testing.T) {
	_, out, _ := runIn(t, "validate", "--date-depot", "2023-04-28", repo("fixtures/dossiers"), repo("fixtures/commandes"), repo("fixtures/erreurs"))
	files, err := filepath.Glob(repo("fixtures/erreurs/*.yaml"))
	if err != nil || len(files) < 40 {
		t.Fatalf("fixtures/erreurs: %d files (%v)", len(files), err)
	}
	reCode := regexp.MustCompile(`\[([A-Z_]+)\]$`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		code, ok := strings.CutPrefix(first, "# Erreur ")
		code, _, _ = strings.Cut(code, " ")
		if !ok || code == "" {
			t.Errorf("%s: the first line must be « # Erreur CODE — … », got %q", filepath.Base(f), first)
			continue
		}
		var comments strings.Builder
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "#") {
				comments.WriteString(l + "\n")
			}
		}
		prefix := "fixtures/erreurs/" + filepath.Base(f) + ":"
		found := false
		for _, l := range strings.Split(out, "\n") {
			if !strings.HasPrefix(l, prefix) { // errors only: warnings start with « attention: »
				continue
			}
			m := reCode.FindStringSubmatch(l)
			if m == nil {
				t.Errorf("%s: an error line without its code: %s", filepath.Base(f), l)
				continue
			}
			if m[1] == code {
				found = true
			} else if !strings.Contains(comments.String(), m[1]) {
				t.Errorf("%s shows %s, and also an error its comments do not name: %s", filepath.Base(f), code, l)
			}
		}
		if !found {
			t.Errorf("%s: segur validate does not report %s for it", filepath.Base(f), code)
		}
	}
}

// TestEachAvanceErrorFixtureShowsItsError: every file of
// fixtures/erreurs-avance says in its first line which error it shows
// (« # Erreur CODE — … »); `segur validate --phase avance` on it, at the
// dépôt date its comments give (--date-depot, else 2022-11-15, before the
// Va1 avances closed), reports that error and no other.
func TestEachAvanceErrorFixtureShowsItsError(t *testing.T) {
	files, err := filepath.Glob(repo("fixtures/erreurs-avance/*.yaml"))
	if err != nil || len(files) < 6 {
		t.Fatalf("fixtures/erreurs-avance: %d files (%v)", len(files), err)
	}
	reDate := regexp.MustCompile(`--date-depot (\d{4}-\d{2}-\d{2})`)
	reCode := regexp.MustCompile(`\[([A-Z_]+)\]$`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		code, ok := strings.CutPrefix(first, "# Erreur ")
		code, _, _ = strings.Cut(code, " ")
		if !ok || code == "" {
			t.Errorf("%s: the first line must be « # Erreur CODE — … », got %q", filepath.Base(f), first)
			continue
		}
		day := "2022-11-15"
		if m := reDate.FindStringSubmatch(string(data)); m != nil {
			day = m[1]
		}
		_, out, _ := runIn(t, "validate", "--phase", "avance", "--date-depot", day, f)
		var errs []string
		for _, l := range strings.Split(out, "\n") {
			if m := reCode.FindStringSubmatch(l); m != nil && !strings.HasPrefix(l, "attention:") {
				errs = append(errs, m[1])
				// file:line:col: of the record, the line within the file.
				if pos := regexp.MustCompile(`^(.*/)?` + regexp.QuoteMeta("erreurs-avance/"+filepath.Base(f)) + `:(\d+):\d+: `).FindStringSubmatch(l); pos == nil || pos[2] == "0" || strings.Count(string(data), "\n") < atoi(t, pos[2]) {
					t.Errorf("%s: the error is not at a line of the file: %s", filepath.Base(f), l)
				}
			}
		}
		if len(errs) != 1 || errs[0] != code {
			t.Errorf("%s: segur validate --phase avance reports %v, want %s alone:\n%s", filepath.Base(f), errs, code, out)
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRecordsFileOfAWholeQuarter (issue 19, item 6): a records file of
// 9,5 Mo — a quarter of 10,000 dossiers in one file — is read; one past
// the 16 Mo limit is refused with FICHIER_TROP_GRAND. (The size is made
// of comments after one record: only the file's size is at stake here;
// README gives the peak memory measured on a real 10,000-dossier file.)
func TestRecordsFileOfAWholeQuarter(t *testing.T) {
	record, err := os.ReadFile(repo("fixtures/dossiers/liberal-mom.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	comment := []byte("# " + strings.Repeat("x", 97) + "\n")
	for _, tt := range []struct {
		name    string
		size    int
		refused bool
	}{
		{"a quarter of 10,000 dossiers (9,5 Mo)", 9500 << 10, false},
		{"past 16 Mo", 16<<20 + 1, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			data := slices.Clone(record)
			for len(data) < tt.size {
				data = append(data, comment...)
			}
			data = data[:tt.size]
			p := filepath.Join(dir, "trimestre.yaml")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, out, errOut := runIn(t, "validate", "--date-depot", "2023-04-28", "--config", repo("fixtures/segur.yaml"), p)
			if refused := strings.Contains(out, "[FICHIER_TROP_GRAND]"); refused != tt.refused {
				t.Errorf("FICHIER_TROP_GRAND: %v, want %v\n%s%s", refused, tt.refused, out, errOut)
			}
			if !tt.refused && !strings.Contains(errOut, "1 dossier(s) lu(s), 1 correct(s)") {
				t.Errorf("the record of the 9,5 Mo file was not read whole:\n%s%s", out, errOut)
			}
		})
	}
}
