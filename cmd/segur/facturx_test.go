package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackFacturXThenCheck packs the fixtures for the fournisseur that
// opted in to Factur-X, reads the dépôt back (check compares each embedded
// XML with the printed facture and the JSON), and prints one XML.
func TestPackFacturXThenCheck(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := packFixtures(t, out, "--config", repo("fixtures/facturx/segur.yaml"))
	if code != exitRejected {
		t.Fatalf("pack exit code: got %d, want %d\n%s%s", code, exitRejected, stdout, stderr)
	}
	if code, stdout, stderr := runIn(t, "check", out); code != exitOK {
		t.Fatalf("check exit code: got %d, want 0\n%s%s", code, stdout, stderr)
	}
	facture := filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-FACTURE-00042.pdf")
	code, stdout, stderr = runIn(t, "facturx", facture)
	if code != exitOK || !strings.HasPrefix(stdout, "<?xml") || !strings.Contains(stdout, "<ram:ID>F2023-00042</ram:ID>") ||
		!strings.Contains(stdout, "<ram:DuePayableAmount>601.99</ram:DuePayableAmount>") {
		t.Fatalf("facturx: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if stderr != "" {
		t.Errorf("facturx printed problems: %s", stderr)
	}
	// The same facture packed for a fournisseur without the option is a
	// plain PDF: the command says so, in French, with exit code 2.
	plain := t.TempDir()
	packFixtures(t, plain)
	code, _, stderr = runIn(t, "facturx", filepath.Join(plain, "dossiers", "00042", "MDV-LGC-Va1-FACTURE-00042.pdf"))
	if code != exitCannot || !strings.Contains(stderr, "pas Factur-X") {
		t.Errorf("plain facture: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runIn(t, "facturx"); code != exitCannot || !strings.Contains(stderr, "indiquez une facture PDF") {
		t.Errorf("no argument: exit %d, %s", code, stderr)
	}
}

func TestFactureFormatIsChecked(t *testing.T) {
	data, err := os.ReadFile(repo("fixtures/facturx/segur.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), "format: factur-x", "format: ubl", 1)
	dir := t.TempDir()
	p := filepath.Join(dir, "segur.yaml")
	if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runIn(t, "validate", "--config", p, repo("fixtures/dossiers/liberal-mom.yaml"))
	out := stdout + stderr
	if code == exitOK || !strings.Contains(out, "facture.format") || !strings.Contains(out, "« ubl » inconnu") || !strings.Contains(out, "[VALEUR_INVALIDE]") ||
		!strings.Contains(out, "segur.yaml:41:11:") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
