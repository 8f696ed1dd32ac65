package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// « solde payé » and « annulé » are set by hand (segur etat NUMERO --paye
// AAAA-MM-JJ / --annule "motif"), dated, with their cause, only where they
// make sense; an annulé dossier is never produced nor deposited again.
func TestEtatPayeAnnule(t *testing.T) {
	r := newRegistreRun(t)
	dir, reg, out, cfg, pack, etat := r.dir, r.reg, r.out, r.cfg, r.pack, r.etat
	testClock = "2023-04-28T10:00:00Z"
	q := quarterDir(t, filepath.Join(dir, "q1"), map[string][2]any{
		"00042.yaml": {"liberal-mom.yaml", [][2]string{}},
		"00046.yaml": {"cas2-beneficiaire-retire.yaml", [][2]string{}},
		"00045.yaml": {"cas1-perimetre-identique.yaml", [][2]string{}}, // its VA is not signed: réalisé, not deposited
	})
	if code, stdout, stderr := pack(q); code != exitRejected || !strings.Contains(stdout, "VA_NON_SIGNEE") {
		t.Fatalf("pack: %d\n%s%s", code, stdout, stderr)
	}
	testClock = "2023-06-20T08:00:00Z"
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"paid before its solde is deposited", []string{"00045", "--paye", "2023-06-12"}, exitCannot, "[ETAT_INCOMPATIBLE]"},
		{"unknown dossier", []string{"00099", "--paye", "2023-06-12"}, exitCannot, "[DOSSIER_INCONNU]"},
		{"paid in the future", []string{"00042", "--paye", "2023-07-01"}, exitCannot, "dans le futur"},
		{"no number", []string{"--paye", "2023-06-12"}, exitCannot, "NUMERO"},
		{"both", []string{"00042", "--paye", "2023-06-12", "--annule", "x"}, exitCannot, "pas les deux"},
		{"a bad date", []string{"00042", "--paye", "12/06/2023"}, exitCannot, "AAAA-MM-JJ"},
		{"paid", []string{"00042", "--paye", "2023-06-12"}, exitOK, "solde payé (payé le 12/06/2023) — etat --paye"},
		{"a paid dossier is not cancelled", []string{"00042", "--annule", "erreur"}, exitCannot, "[ETAT_INCOMPATIBLE]"},
		{"cancelled", []string{"00046", "--annule", "le client a renoncé"}, exitOK, "annulé (le client a renoncé) — etat --annule"},
	} {
		code, stdout, stderr := etat(tc.args...)
		if code != tc.code || !strings.Contains(stdout+stderr, tc.want) {
			t.Errorf("%s: exit %d, want %d with %q\n%s%s", tc.name, code, tc.code, tc.want, stdout, stderr)
		}
	}
	code, stdout, _ := etat()
	if code != exitOK || !strings.Contains(stdout, "00042\tsolde payé (payé le 12/06/2023)") || !strings.Contains(stdout, "00046\tannulé (le client a renoncé)") {
		t.Errorf("etat:\n%s", stdout)
	}
	// validate says it before pack, from the registre.
	code, stdout, _ = runIn(t, "validate", "--sans-registre=false", "--registre", reg, "--config", cfg, "--date-depot", "2023-04-28", q)
	if code != exitRejected || !strings.Contains(stdout, "00046.yaml:9:1: 00046: -: le dossier 00046 a été annulé") || !strings.Contains(stdout, "[DOSSIER_ANNULE]") {
		t.Errorf("validate of an annulé dossier: %d\n%s", code, stdout)
	}
	// An annulé dossier is never deposited again, even asked.
	code, stdout, stderr := pack(q, "--redeposer", "00046", "--retirer", "00046")
	if code != exitRejected || !strings.Contains(stdout, "00046") || !strings.Contains(stdout, "[DOSSIER_ANNULE]") || !strings.Contains(stdout, "le client a renoncé") {
		t.Errorf("pack of an annulé dossier: %d\n%s%s", code, stdout, stderr)
	}
	for _, f := range depotFiles(t, out) {
		t.Errorf("nothing to deposit, found %s", f)
	}
	// A paid dossier is never deposited again, even asked: DOSSIER_PAYE.
	code, stdout, stderr = pack(q, "--redeposer", "00042")
	if code != exitRejected || !strings.Contains(stdout, "00042") || !strings.Contains(stdout, "[DOSSIER_PAYE]") || !strings.Contains(stdout, "payé le 12/06/2023") {
		t.Errorf("pack of a paid dossier asked again: %d\n%s%s", code, stdout, stderr)
	}
	for _, f := range depotFiles(t, out) {
		t.Errorf("a paid dossier is not deposited again, found %s", f)
	}
}
