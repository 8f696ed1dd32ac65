package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// segur check compares a dépôt with the registre: clean after a pack; a
// pair changed since written, a pair the registre never recorded, a
// document of dossiers/ that is not the issued one, and a dossier réalisé
// in the registre that no pair deposited are each reported with their code.
func TestCheckComparesTheDepotWithTheRegistre(t *testing.T) {
	old := testClock
	t.Cleanup(func() { testClock = old })
	testClock = "2023-04-28T10:00:00Z"
	dir := t.TempDir()
	reg := filepath.Join(dir, "registre.sqlite")
	withRegistre := []string{"--sans-registre=false", "--registre", reg}
	cfg := []string{"--config", repo("fixtures/segur.yaml")}
	q1 := quarterDir(t, filepath.Join(dir, "q1"), map[string][2]any{
		"00042.yaml": {"liberal-mom.yaml", [][2]string{}},
		"00045.yaml": {"cas1-perimetre-identique.yaml", [][2]string{}}, // its VA is not signed: blocked
	})
	out := filepath.Join(dir, "out")
	pack := func(out string, extra []string, records string) {
		t.Helper()
		args := append(append(append([]string{"pack", "--date-depot", "2023-04-28", "-o", out}, cfg...), extra...), records)
		if code, stdout, stderr := runIn(t, args...); code != exitOK && code != exitRejected {
			t.Fatalf("pack: exit %d\n%s%s", code, stdout, stderr)
		}
	}
	check := func(out string, extra ...string) (int, string, string) {
		t.Helper()
		return runIn(t, append(append([]string{"check"}, extra...), out)...)
	}
	registreCodes := []string{"DEPOT_MODIFIE", "PAIRE_HORS_REGISTRE", "DOCUMENT_MODIFIE", "DOSSIER_PRET_SANS_PAIRE"}
	pack(out, withRegistre, q1)

	code, stdout, stderr := check(out, withRegistre...)
	if !strings.Contains(stderr, "dépôt comparé au registre") {
		t.Fatalf("check did not compare with the registre: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, c := range registreCodes {
		if strings.Contains(stdout, "["+c+"]") {
			t.Errorf("check right after pack: %s\n%s", c, stdout)
		}
	}
	// Without --registre, the one in the output folder is not there, the
	// one beside fixtures/segur.yaml neither: nothing is compared (and
	// nothing created).
	if _, stdout, stderr := check(out, "--sans-registre=false", "--config", repo("fixtures/segur.yaml")); strings.Contains(stderr, "comparé au registre") {
		t.Errorf("a registre was found where none is:\n%s%s", stdout, stderr)
	}
	if _, err := os.Stat(repo("fixtures/registre.sqlite")); err == nil {
		t.Fatal("check created fixtures/registre.sqlite")
	}

	// Another quarter's folder: 00045, réalisé in the registre and in no
	// pair, is not blocked by that folder's rapport.json: named.
	q2 := quarterDir(t, filepath.Join(dir, "q2"), map[string][2]any{
		"00043.yaml": {"liberal-va.yaml", [][2]string{}},
	})
	out2 := filepath.Join(dir, "out2")
	pack(out2, withRegistre, q2)
	_, stdout, _ = check(out2, withRegistre...)
	if !strings.Contains(stdout, "[DOSSIER_PRET_SANS_PAIRE]") || !strings.Contains(stdout, "00045") {
		t.Errorf("00045 réalisé and in no pair is not named:\n%s", stdout)
	}

	// A pair changed since written, a document changed, a pair the
	// registre never saw.
	zips, _ := filepath.Glob(filepath.Join(out, "depot", "*.zip"))
	if len(zips) != 1 {
		t.Fatalf("depot/: %v", zips)
	}
	f, err := os.OpenFile(zips[0], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("x"))
	f.Close()
	bdc := filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-BDC-00042.pdf")
	data, err := os.ReadFile(bdc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bdc, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "sans")
	pack(other, []string{"--sans-registre"}, quarterDir(t, filepath.Join(dir, "q3"), map[string][2]any{
		"00044.yaml": {"facture-taux-8-5.yaml", [][2]string{}},
	}))
	strays, _ := filepath.Glob(filepath.Join(other, "depot", "*"))
	for _, s := range strays {
		data, _ := os.ReadFile(s)
		name := strings.Replace(filepath.Base(s), "-01.", "-07.", 1)
		if err := os.WriteFile(filepath.Join(out, "depot", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, _ = check(out, withRegistre...)
	if code != exitRejected {
		t.Errorf("check of a changed dépôt: exit %d, want %d", code, exitRejected)
	}
	for _, want := range []string{
		"[DEPOT_MODIFIE]", filepath.Base(zips[0]) + " a changé depuis que segur pack l'a écrit",
		"[DOCUMENT_MODIFIE]", "MDV-LGC-Va1-BDC-00042.pdf n'est pas le document émis",
		"[PAIRE_HORS_REGISTRE]", "-07 n'est pas dans le registre",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check: no %q:\n%s", want, stdout)
		}
	}
}
