package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// numerotationConfig writes fixtures/segur.yaml with facture.numerotation
// set into dir.
func numerotationConfig(t *testing.T, dir string) string {
	t.Helper()
	src, err := os.ReadFile(repo("fixtures/segur.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(src), "certificat: certs/fournisseur.p12", "certificat: "+repo("fixtures/certs/fournisseur.p12"), 1)
	s += "\nfacture:\n  numerotation: \"F{AAAA}-{N:05}\"\n"
	path := filepath.Join(dir, "segur.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// With facture.numerotation, segur gives each facture the next number of
// the fournisseur's gapless series when it issues it (the MOM cites it),
// gives it back afterwards, and consumes nothing for a record that gives
// its own number, a run without the registre, or segur render.
func TestFactureNumerotation(t *testing.T) {
	old := testClock
	t.Cleanup(func() { testClock = old })
	dir := t.TempDir()
	cfg := numerotationConfig(t, dir)
	reg := filepath.Join(dir, "registre.sqlite")
	out := filepath.Join(dir, "out")
	pack := func(records string, extra ...string) (int, string, string) {
		args := append([]string{"pack", "--sans-registre=false", "--registre", reg, "--config", cfg, "--date-depot", "2023-04-28", "--jobs", "1", "-o", out}, extra...)
		return runIn(t, append(args, records)...)
	}
	text := func(numero, kind string) string {
		return pdfText(t, filepath.Join(out, "dossiers", numero, "MDV-LGC-Va1-"+kind+"-"+numero+".pdf"))
	}
	testClock = "2023-04-28T10:00:00Z"
	q1 := quarterDir(t, filepath.Join(dir, "q1"), map[string][2]any{
		"00042.yaml": {"liberal-mom.yaml", [][2]string{{"  numero: F2023-00042\n", ""}}},
		"00046.yaml": {"cas2-beneficiaire-retire.yaml", [][2]string{{"  numero: F2023-00046\n  date: 2023-01-09", "  date: 2023-02-20"}}},
	})
	// validate accepts records without facture.numero.
	if code, stdout, _ := runIn(t, "validate", "--sans-registre", "--config", cfg, "--date-depot", "2023-04-28", q1); code != exitOK || strings.Contains(stdout, "facture.numero") {
		t.Fatalf("validate: %d\n%s", code, stdout)
	}
	// Without the registre, nothing can be numbered: said, nothing issued.
	code, stdout, _ := runIn(t, "pack", "--sans-registre", "--config", cfg, "--date-depot", "2023-04-28", "-o", filepath.Join(dir, "essai"), q1)
	if code != exitRejected || !strings.Contains(stdout, "[FACTURE_A_NUMEROTER]") {
		t.Errorf("pack --sans-registre: %d\n%s", code, stdout)
	}
	// segur render issues the BDC only: the facture waits for its number.
	code, stdout, _ = runIn(t, "render", "--registre", reg, "--config", cfg, "--date-depot", "2023-04-28", "-o", filepath.Join(dir, "rendu"), q1)
	if !strings.Contains(stdout, "[FACTURE_A_NUMEROTER]") {
		t.Errorf("render: %d\n%s", code, stdout)
	}

	code, stdout, stderr := pack(q1)
	if code != exitOK {
		t.Fatalf("pack: %d\n%s%s", code, stdout, stderr)
	}
	for numero, want := range map[string]string{"00042": "F2023-00001", "00046": "F2023-00002"} {
		if f := text(numero, "FACTURE"); !strings.Contains(f, "Facture n° "+want) {
			t.Errorf("facture of %s: want %s\n%s", numero, want, f)
		}
	}
	if m := text("00042", "MOM"); !strings.Contains(m, "Numéro de facture associé à la présente MOM : F2023-00001") {
		t.Errorf("MOM of 00042:\n%s", m)
	}

	// What was issued agrees with the records: validate finds nothing
	// (the MOM cites the number segur gave).
	if code, stdout, _ := runIn(t, "validate", "--sans-registre=false", "--registre", reg, "--config", cfg, "--date-depot", "2023-04-28", q1); code != exitOK {
		t.Errorf("validate after pack: %d\n%s", code, stdout)
	}

	// A day later: given back, nothing taken; a record giving its own
	// number is refused, consuming nothing; the next new facture takes 3.
	testClock = "2023-04-29T10:00:00Z"
	q2 := quarterDir(t, filepath.Join(dir, "q2"), map[string][2]any{
		"00045.yaml": {"cas1-perimetre-identique.yaml", [][2]string{}},
	})
	code, stdout, stderr = pack(q2)
	if code != exitRejected || !strings.Contains(stdout, "[FACTURE_NUMERO_DONNE]") || !strings.Contains(stdout, "F2023-00045") {
		t.Errorf("record with its own number: %d\n%s%s", code, stdout, stderr)
	}
	// validate says it before pack, at the key.
	code, stdout, _ = runIn(t, "validate", "--sans-registre=false", "--registre", reg, "--config", cfg, "--date-depot", "2023-04-28", q2)
	if code != exitRejected || !strings.Contains(stdout, ": 00045: facture.numero: facture.numero « F2023-00045 »") || !strings.Contains(stdout, "[FACTURE_NUMERO_DONNE]") {
		t.Errorf("validate of a record with its own number: %d\n%s", code, stdout)
	}
	q3 := quarterDir(t, filepath.Join(dir, "q3"), map[string][2]any{
		"00045.yaml": {"cas1-perimetre-identique.yaml", [][2]string{{"  numero: F2023-00045\n", ""}}},
	})
	os.Rename(filepath.Join(q1, "00042.yaml"), filepath.Join(q3, "00042.yaml"))
	// 00045 has a VA, not signed yet: blocked, but its facture is issued
	// and the VA handed out cites its number.
	if code, stdout, stderr = pack(q3); code != exitRejected || !strings.Contains(stdout, "[VA_NON_SIGNEE]") {
		t.Fatalf("pack q3: %d\n%s%s", code, stdout, stderr)
	}
	if v := pdfText(t, filepath.Join(out, "dossiers", "00045", "MDV-LGC-Va1-VA-00045.pdf")); !strings.Contains(v, "F2023-00003") {
		t.Errorf("the VA handed out does not cite its facture F2023-00003:\n%s", v)
	}
	if f := text("00045", "FACTURE"); !strings.Contains(f, "Facture n° F2023-00003") {
		t.Errorf("facture of 00045 after a refused run:\n%s", f)
	}
	if f := text("00042", "FACTURE"); !strings.Contains(f, "Facture n° F2023-00001") {
		t.Errorf("facture of 00042 given back:\n%s", f)
	}

	// The avoir takes the next number of the same series; --numero is
	// refused then.
	avoirs := filepath.Join(dir, "avoirs")
	if code, _, stderr := runIn(t, "avoir", "--registre", reg, "--config", cfg, "-o", avoirs, "--motif", "erreur", "--numero", "A1", "00042"); code == exitOK || !strings.Contains(stderr, "AVOIR_NUMERO") {
		t.Errorf("avoir --numero with a numérotation: %d %s", code, stderr)
	}
	code, stdout, stderr = runIn(t, "avoir", "--registre", reg, "--config", cfg, "-o", avoirs, "--motif", "erreur de bénéficiaire", "--date", "2023-04-29", "00042")
	if code != exitOK || filepath.Base(strings.TrimSpace(stdout)) != "MDV-LGC-Va1-AVOIR-00042-F2023-00004.pdf" {
		t.Errorf("avoir: %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runIn(t, "etat", "--registre", reg, "--config", cfg, "00042")
	if code != exitOK || !strings.Contains(stdout, "document AVOIR F2023-00004") || !strings.Contains(stdout, "annulé par l'avoir F2023-00004") {
		t.Errorf("etat 00042:\n%s", stdout)
	}
}

// Within one run, the new factures segur numbers take their numbers in
// (date, numéro éditeur) order, whatever the workers' order: none is
// refused FACTURE_ANTERIEURE because a later-dated one was numbered first,
// the numbers are gapless, and --jobs 1 and --jobs 4 give the same.
func TestFactureNumerotationDateOrder(t *testing.T) {
	old := testClock
	t.Cleanup(func() { testClock = old })
	testClock = "2023-04-28T10:00:00Z"
	// Record order (numéro éditeur) is not date order: 00046 is the
	// earliest, 00049 the latest.
	records := map[string][2]any{
		"00042.yaml": {"liberal-mom.yaml", [][2]string{{"  numero: F2023-00042\n", ""}}},              // 2023-02-10
		"00045.yaml": {"cas1-perimetre-identique.yaml", [][2]string{{"  numero: F2023-00045\n", ""}}}, // 2023-02-28
		"00046.yaml": {"cas2-beneficiaire-retire.yaml", [][2]string{{"  numero: F2023-00046\n", ""}}}, // 2023-01-09
		"00055.yaml": {"avertissements.yaml", [][2]string{{"  numero: F2023-00055\n", ""}}},           // 2023-02-20
		"00049.yaml": {"cas6-mandataire-ajoute.yaml", [][2]string{{"  numero: F2023-00049\n", ""}}},   // 2023-03-13
		"00054.yaml": {"facture-taux-8-5.yaml", [][2]string{{"  numero: F2023-00054\n", ""}}},         // 2023-02-14
	}
	want := map[string]string{"00046": "F2023-00001", "00042": "F2023-00002", "00054": "F2023-00003", "00055": "F2023-00004", "00045": "F2023-00005", "00049": "F2023-00006"}
	for _, jobs := range []string{"1", "4"} {
		t.Run("jobs "+jobs, func(t *testing.T) {
			dir := t.TempDir()
			cfg := numerotationConfig(t, dir)
			q := quarterDir(t, filepath.Join(dir, "q"), records)
			out := filepath.Join(dir, "out")
			_, stdout, stderr := runIn(t, "pack", "--sans-registre=false", "--registre", filepath.Join(dir, "registre.sqlite"), "--config", cfg,
				"--date-depot", "2023-04-28", "--jobs", jobs, "-o", out, q)
			if strings.Contains(stdout, "FACTURE_ANTERIEURE") {
				t.Errorf("a facture refused for the workers' order:\n%s%s", stdout, stderr)
			}
			for numero, n := range want {
				f := pdfText(t, filepath.Join(out, "dossiers", numero, "MDV-LGC-Va1-FACTURE-"+numero+".pdf"))
				if !strings.Contains(f, "Facture n° "+n+"\n") && !strings.Contains(f, "Facture n° "+n+" ") {
					t.Errorf("facture of %s: want %s\n%s", numero, n, f)
				}
			}
		})
	}
}
