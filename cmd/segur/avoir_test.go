package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pdfText is the text of a PDF file, spaces collapsed.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	b, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return regexp.MustCompile(`\s+`).ReplaceAllString(string(b), " ")
}

// The avoir path end to end: a facture issued, its amount changed in the
// record (DOCUMENT_EMIS_MODIFIE says what to do), the avoir issued once
// (citing the facture), the old number still taken, a new facture and a
// new MOM issued under a new number and deposited again; segur etat shows
// it all.
func TestAvoirThenNewFacture(t *testing.T) {
	r := newRegistreRun(t)
	dir, reg, out, cfg, pack := r.dir, r.reg, r.out, r.cfg, r.pack
	amount := [2]string{"  montant_ht: 716.66\n  mode: unique", "  montant_ht: 700.00\n  mode: unique"}

	testClock = "2023-04-28T10:00:00Z"
	q1 := quarterDir(t, filepath.Join(dir, "q1"), map[string][2]any{"00042.yaml": {"liberal-mom.yaml", [][2]string{}}})
	if code, stdout, stderr := pack(q1); code != exitOK {
		t.Fatalf("first pack: %d\n%s%s", code, stdout, stderr)
	}

	// The amount changed on the issued facture: blocked, and told how.
	testClock = "2023-05-02T09:00:00Z"
	q2 := quarterDir(t, filepath.Join(dir, "q2"), map[string][2]any{"00042.yaml": {"liberal-mom.yaml", [][2]string{amount}}})
	code, stdout, stderr := pack(q2, "--redeposer", "00042", "--retirer", "00042")
	if code != exitRejected || !strings.Contains(stdout, "[DOCUMENT_EMIS_MODIFIE]") || !strings.Contains(stdout, "segur avoir 00042") {
		t.Fatalf("changed amount: %d\n%s%s", code, stdout, stderr)
	}
	// The message names the record's key, at its line, with the values as
	// written: never segur's own structures.
	for _, tc := range []struct {
		name, at, says string
		edit           [2]string
	}{
		{"amount", "00042.yaml:66:15: 00042: facture.montant_ht: ", "facture.montant_ht (ligne 66) vaut maintenant 700 au lieu de 716.66", amount},
		{"end date", "00042.yaml:52:13: 00042: realisation.date_fin: ", "realisation.date_fin (ligne 52) vaut maintenant 2023-01-25 au lieu de 2023-01-20", [2]string{"date_fin: 2023-01-20", "date_fin: 2023-01-25"}},
	} {
		q := quarterDir(t, filepath.Join(dir, "modifie-"+strings.ReplaceAll(tc.name, " ", "-")), map[string][2]any{"00042.yaml": {"liberal-mom.yaml", [][2]string{tc.edit}}})
		_, stdout, _ := pack(q, "--redeposer", "00042", "--retirer", "00042")
		var line string
		for _, l := range strings.Split(stdout, "\n") {
			if strings.Contains(l, "[DOCUMENT_EMIS_MODIFIE]") {
				line = l
			}
		}
		if !strings.Contains(line, tc.at) || !strings.Contains(line, tc.says) {
			t.Errorf("%s: DOCUMENT_EMIS_MODIFIE must be at %q and say %q:\n%s", tc.name, tc.at, tc.says, stdout)
		}
		for _, goPath := range []string{"Facture.", "DateFin", "Realisation.", "AvanceSplit"} {
			if strings.Contains(line, goPath) {
				t.Errorf("%s: a Go path (%s) in %q", tc.name, goPath, line)
			}
		}
	}

	// Without a motif, or without a number (no numérotation in segur.yaml):
	// refused, nothing issued.
	avoirs := filepath.Join(dir, "avoirs")
	avoir := func(extra ...string) (int, string, string) {
		return runIn(t, append([]string{"avoir", "--registre", reg, "--config", cfg, "-o", avoirs}, extra...)...)
	}
	if code, _, stderr := avoir("--motif", "montant erroné", "00042"); code == exitOK || !strings.Contains(stderr, "AVOIR_NUMERO") {
		t.Errorf("avoir without --numero: %d %s", code, stderr)
	}
	code, stdout, stderr = avoir("--motif", "montant de la Prestation Ségur erroné", "--numero", "A2023-00001", "00042")
	if code != exitOK {
		t.Fatalf("avoir: %d\n%s%s", code, stdout, stderr)
	}
	file := strings.TrimSpace(stdout)
	if filepath.Base(file) != "MDV-LGC-Va1-AVOIR-00042-A2023-00001.pdf" {
		t.Errorf("avoir file %q", file)
	}
	text := pdfText(t, filepath.Join(avoirs, filepath.Base(file)))
	for _, w := range []string{"Avoir n° A2023-00001", "Date d'émission 02/05/2023", "Facture initiale annulée n° F2023-00042 du 10/02/2023",
		"montant de la Prestation Ségur erroné", "Total HT à déduire 716,66 €", "Total TTC de l'avoir 859,99 €"} {
		if !strings.Contains(text, w) {
			t.Errorf("the avoir lacks %q:\n%s", w, text)
		}
	}
	// Issued once: the facture is no longer in force.
	if code, _, stderr := avoir("--motif", "encore", "--numero", "A2023-00002", "00042"); code == exitOK || !strings.Contains(stderr, "AVOIR_SANS_FACTURE") {
		t.Errorf("second avoir: %d %s", code, stderr)
	}

	// The cancelled number stays taken.
	code, stdout, stderr = pack(q2, "--redeposer", "00042", "--retirer", "00042")
	if code != exitRejected || !strings.Contains(stdout, "[FACTURE_DOUBLON]") || !strings.Contains(stdout, "F2023-00042") {
		t.Fatalf("new facture under the cancelled number: %d\n%s%s", code, stdout, stderr)
	}
	// A new number: the new facture and a new MOM citing it, deposited again.
	q3 := quarterDir(t, filepath.Join(dir, "q3"), map[string][2]any{"00042.yaml": {"liberal-mom.yaml", [][2]string{amount, {"numero: F2023-00042", "numero: F2023-00142"}}}})
	code, stdout, stderr = pack(q3, "--redeposer", "00042")
	if code != exitOK {
		t.Fatalf("new facture: %d\n%s%s", code, stdout, stderr)
	}
	if got := depotFiles(t, out); strings.Join(got, " ") != "MDV-LGC-Va1-SOLDE-2201140317-02.json MDV-LGC-Va1-SOLDE-2201140317-02.zip" {
		t.Errorf("dépôt after the new facture: %v", got)
	}
	facture := pdfText(t, filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-FACTURE-00042.pdf"))
	mom := pdfText(t, filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-MOM-00042.pdf"))
	if !strings.Contains(facture, "Facture n° F2023-00142") || !strings.Contains(facture, "700,00 €") {
		t.Errorf("new facture:\n%s", facture)
	}
	if !strings.Contains(mom, "F2023-00142") || strings.Contains(mom, "F2023-00042") {
		t.Errorf("the MOM must cite the new facture:\n%s", mom)
	}
	// A run later gives every document back as issued.
	if code, stdout, stderr = pack(q3); code != exitOK || !strings.Contains(stdout, "DOSSIER_DEJA_DEPOSE") {
		t.Errorf("pack after: %d\n%s%s", code, stdout, stderr)
	}
	// pack copies the avoir beside the new facture, byte for byte (and
	// segur check finds it as issued).
	avoirBytes, err := os.ReadFile(filepath.Join(avoirs, "MDV-LGC-Va1-AVOIR-00042-A2023-00001.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	copied, err := os.ReadFile(filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-AVOIR-00042-A2023-00001.pdf"))
	if err != nil || string(copied) != string(avoirBytes) {
		t.Errorf("the avoir in dossiers/00042/ is not the issued one (%v)", err)
	}
	if code, stdout, stderr := runIn(t, "check", "--sans-registre=false", "--registre", reg, out); code != exitOK || strings.Contains(stdout, "DOCUMENT_MODIFIE") {
		t.Errorf("check after the avoir: %d\n%s%s", code, stdout, stderr)
	}
	os.WriteFile(filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-AVOIR-00042-A2023-00001.pdf"), append(copied, ' '), 0o644)
	if _, stdout, stderr := runIn(t, "check", "--sans-registre=false", "--registre", reg, out); !strings.Contains(stdout, "[DOCUMENT_MODIFIE]") || !strings.Contains(stdout, "AVOIR-00042-A2023-00001") {
		t.Errorf("check of a changed avoir:\n%s%s", stdout, stderr)
	}
	os.WriteFile(filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-AVOIR-00042-A2023-00001.pdf"), copied, 0o644)

	// segur registre extraire gives back any issued document by its
	// number, byte for byte; never over a file; an unknown number is said.
	extraire := func(args ...string) (int, string, string) {
		return runIn(t, append([]string{"registre", "--registre", reg, "--config", cfg, "extraire"}, args...)...)
	}
	got := filepath.Join(dir, "extrait", "avoir.pdf")
	code, stdout, stderr = extraire("A2023-00001", "-o", got)
	if data, err := os.ReadFile(got); code != exitOK || err != nil || string(data) != string(avoirBytes) || !strings.Contains(stderr, "conforme au registre") {
		t.Errorf("extraire the avoir: %d (%v)\n%s%s", code, err, stdout, stderr)
	}
	if code, _, stderr := extraire("A2023-00001", "-o", got); code == exitOK || !strings.Contains(stderr, "existe déjà") {
		t.Errorf("extraire over a file: %d %s", code, stderr)
	}
	cancelled := filepath.Join(dir, "extrait", "F2023-00042.pdf")
	if code, _, stderr := extraire("F2023-00042", "-o", cancelled); code != exitOK || !strings.Contains(pdfText(t, cancelled), "Facture n° F2023-00042") {
		t.Errorf("extraire the cancelled facture: %d %s", code, stderr)
	}
	if code, _, stderr := extraire("F2023-99999", "-o", filepath.Join(dir, "extrait", "x.pdf")); code != exitCannot || !strings.Contains(stderr, "[DOCUMENT_INTROUVABLE]") {
		t.Errorf("extraire an unknown number: %d %s", code, stderr)
	}

	code, stdout, _ = runIn(t, "etat", "--registre", reg, "--config", cfg, "00042")
	for _, w := range []string{"document FACTURE F2023-00042 du 2023-02-10", "annulé par l'avoir A2023-00001",
		"document AVOIR A2023-00001 du 2023-05-02", "annule la facture F2023-00042", "document FACTURE F2023-00142"} {
		if code != exitOK || !strings.Contains(stdout, w) {
			t.Errorf("etat 00042 lacks %q:\n%s", w, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(avoirs, "MDV-LGC-Va1-AVOIR-00042-A2023-00002.pdf")); err == nil {
		t.Error("a refused avoir left its PDF")
	}
}
