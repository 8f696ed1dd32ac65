package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
)

var day = time.Date(2023, 4, 28, 12, 0, 0, 0, time.UTC)

// TestUseCasesRefuseBeforeAnyWork: what stops a use case is an *Error with
// its French message, and segur.yaml's problems to print first.
func TestUseCasesRefuseBeforeAnyWork(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	badConfig := filepath.Join(t.TempDir(), "segur.yaml")
	if err := os.WriteFile(badConfig, []byte("fournisseur:\n  raison_sociale: X\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(t.TempDir(), "fichier")
	os.WriteFile(notDir, nil, 0o644)
	tests := []struct {
		name     string
		run      func() error
		msg      string
		config   bool // ErrInvalidConfig
		problems bool
	}{
		{"no record file", func() error {
			_, err := Validate(context.Background(), ValidateOptions{Inputs: Inputs{Paths: []string{empty}, Config: "../fixtures/segur.yaml"}})
			return err
		}, "aucun fichier d'enregistrements", false, false},
		{"segur.yaml with errors", func() error {
			_, err := Validate(context.Background(), ValidateOptions{Inputs: Inputs{Paths: []string{"../fixtures/dossiers"}, Config: badConfig}})
			return err
		}, "est invalide : corrigez-le", true, true},
		{"--signes not a folder", func() error {
			_, err := Pack(context.Background(), PackOptions{Inputs: Inputs{Paths: []string{"../fixtures/dossiers"}}, Signes: notDir, Out: t.TempDir()})
			return err
		}, "n'est pas un dossier lisible", false, false},
		{"an unknown dépôt", func() error {
			_, err := Pack(context.Background(), PackOptions{Inputs: Inputs{Paths: []string{"../fixtures/dossiers"}}, Phase: DepotAvance + 1, Out: t.TempDir()})
			return err
		}, "phase de dépôt inconnue", false, false},
		{"nothing to read back", func() error {
			_, err := Check(context.Background(), CheckOptions{Dir: empty})
			return err
		}, "pas de dossier depot/", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v, want an error saying %q", err, tt.msg)
			}
			if errors.Is(err, ErrInvalidConfig) != tt.config {
				t.Errorf("errors.Is(ErrInvalidConfig) = %v, want %v", !tt.config, tt.config)
			}
			var ae *Error
			if got := errors.As(err, &ae) && len(ae.Problems) > 0; got != tt.problems {
				t.Errorf("problems given: %v, want %v", got, tt.problems)
			}
		})
	}
}

// TestValidateCountsWhatItPrints: the counts of the summary line are those
// of the problems returned.
func TestValidateCountsWhatItPrints(t *testing.T) {
	t.Parallel()
	res, err := Validate(context.Background(), ValidateOptions{
		Inputs: Inputs{Paths: []string{"../fixtures/dossiers", "../fixtures/erreurs"}, Config: "../fixtures/segur.yaml"},
		Phase:  dossier.PhaseSolde, DateDepot: day,
	})
	if err != nil {
		t.Fatal(err)
	}
	rejected := map[string]bool{}
	warnings := 0
	for _, p := range res.Problems {
		if p.Level == dossier.Erreur {
			rejected[p.File+"\x00"+p.Numero] = true
		} else {
			warnings++
		}
	}
	if res.Dossiers < 16 || res.Rejected == 0 || res.Rejected >= res.Dossiers || res.Warnings != warnings {
		t.Errorf("got %d dossiers, %d rejected, %d warnings (%d warnings listed)", res.Dossiers, res.Rejected, res.Warnings, warnings)
	}
	if len(rejected) < res.Rejected {
		t.Errorf("%d dossiers rejected, but errors for only %d", res.Rejected, len(rejected))
	}
}

// TestFindConfig: segur.yaml is found beside the first path or in its
// parents.
func TestFindConfig(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"../fixtures/dossiers", "../fixtures/dossiers/liberal-va.yaml"} {
		got, err := FindConfig([]string{p})
		if err != nil || filepath.Clean(got) != filepath.Clean("../fixtures/segur.yaml") {
			t.Errorf("FindConfig(%s) = %q, %v; want ../fixtures/segur.yaml", p, got, err)
		}
	}
	if _, err := FindConfig([]string{t.TempDir()}); err == nil {
		t.Error("FindConfig of a folder without segur.yaml above: got no error")
	}
}

// fixtureRecords copies the named records of fixtures/dossiers into a
// folder of their own, which the test may change, and returns it.
func fixtureRecords(t *testing.T, names ...string) string {
	t.Helper()
	recs := filepath.Join(t.TempDir(), "dossiers")
	if err := os.MkdirAll(recs, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join("../fixtures/dossiers", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(recs, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return recs
}

// fixturePack are the options of a pack of recs into out with the
// fixtures' segur.yaml, on the goldens' dépôt date.
func fixturePack(recs, out string) PackOptions {
	return PackOptions{
		Inputs:    Inputs{Paths: []string{recs}, Config: "../fixtures/segur.yaml"},
		Out:       out,
		DateDepot: time.Date(2023, 4, 28, 12, 0, 0, 0, time.UTC),
	}
}
