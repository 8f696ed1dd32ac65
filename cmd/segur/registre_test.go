package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segur-sons/segur/registre"
	"github.com/segur-sons/segur/tools/sigtest"
)

// quarterDir writes records into a folder of dir: name → the fixture
// file it copies and the replacements made in it.
// registreRun is the set-up of the tests of the registre across runs: a
// folder with the registre and the output folder, the fixtures' segur.yaml,
// and testClock given back after the test.
type registreRun struct {
	t                  *testing.T
	dir, reg, out, cfg string
}

func newRegistreRun(t *testing.T) *registreRun {
	old := testClock
	t.Cleanup(func() { testClock = old })
	dir := t.TempDir()
	return &registreRun{t: t, dir: dir, reg: filepath.Join(dir, "registre.sqlite"), out: filepath.Join(dir, "out"), cfg: repo("fixtures/segur.yaml")}
}

// pack packs records into the output folder with the registre, on the
// goldens' dépôt date.
func (r *registreRun) pack(records string, extra ...string) (int, string, string) {
	args := append([]string{"pack", "--sans-registre=false", "--registre", r.reg, "--config", r.cfg, "--date-depot", "2023-04-28", "-o", r.out}, extra...)
	return runIn(r.t, append(args, records)...)
}

// etat runs segur etat on the registre.
func (r *registreRun) etat(args ...string) (int, string, string) {
	return runIn(r.t, append([]string{"etat", "--registre", r.reg, "--config", r.cfg}, args...)...)
}

func quarterDir(t *testing.T, dir string, files map[string][2]any) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, f := range files {
		src, err := os.ReadFile(repo("fixtures/dossiers/" + f[0].(string)))
		if err != nil {
			t.Fatal(err)
		}
		s := string(src)
		for _, r := range f[1].([][2]string) {
			if !strings.Contains(s, r[0]) {
				t.Fatalf("%s: « %s » not found", f[0], r[0])
			}
			s = strings.ReplaceAll(s, r[0], r[1])
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// hashes are the SHA-256 of every document under out/dossiers/.
func hashes(t *testing.T, out string) map[string]string {
	t.Helper()
	h := map[string]string{}
	filepath.WalkDir(filepath.Join(out, "dossiers"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".pdf") {
			data, _ := os.ReadFile(p)
			h[strings.TrimPrefix(p, out)] = registre.Hash(data)
		}
		return nil
	})
	return h
}

func depotFiles(t *testing.T, out string) []string {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(out, "depot"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// The issue's « done when »: two packs a day apart give back every issued
// PDF byte for byte (the MOM keeps the signing time of its issue), the
// second packs no dossier already deposited, --redeposer makes pair -02;
// a facture number reused, a retired beneficiary financed again and a
// changed amount on an issued facture are each blocked with their code;
// the ASP's answer fills the numéros ASP and a rejected line shows in
// segur etat.
func TestRegistreAcrossRuns(t *testing.T) {
	r := newRegistreRun(t)
	dir, reg, out, pack := r.dir, r.reg, r.out, r.pack
	q1 := quarterDir(t, filepath.Join(dir, "q1"), map[string][2]any{
		"00042.yaml": {"liberal-mom.yaml", [][2]string{}},
		"00046.yaml": {"cas2-beneficiaire-retire.yaml", [][2]string{}},
	})

	testClock = "2023-04-28T10:00:00Z"
	_, stdout, stderr := pack(q1)
	if strings.Contains(stderr, "sans registre") {
		t.Fatalf("run without the registre: %s", stderr)
	}
	first := hashes(t, out)
	if len(first) < 4 {
		t.Fatalf("documents of the first run: %v\n%s%s", first, stdout, stderr)
	}
	if got := depotFiles(t, out); strings.Join(got, " ") != "MDV-LGC-Va1-SOLDE-2201140317-01.json MDV-LGC-Va1-SOLDE-2201140317-01.zip" {
		t.Fatalf("first dépôt: %v\n%s%s", got, stdout, stderr)
	}
	mom := filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-MOM-00042.pdf")
	momBytes, _ := os.ReadFile(mom)

	// A day later: every document is given back, nothing is re-signed,
	// the dossier already deposited is not deposited again.
	testClock = "2023-04-29T10:00:00Z"
	_, stdout, stderr = pack(q1)
	second := hashes(t, out)
	for name, h := range first {
		if second[name] != h {
			t.Errorf("%s changed between two runs a day apart", name)
		}
	}
	if got := depotFiles(t, out); len(got) != 0 {
		t.Errorf("second dépôt holds %v: the dossier was already deposited", got)
	}
	if !strings.Contains(stdout, "DOSSIER_DEJA_DEPOSE") || !strings.Contains(stderr, "déjà déposé") {
		t.Errorf("the dossier left out is not said:\n%s%s", stdout, stderr)
	}
	data, _ := os.ReadFile(mom)
	if string(data) != string(momBytes) {
		t.Error("the MOM was signed again")
	}
	if ps := sigtest.Pdfsig(t, data); !strings.Contains(ps, "Apr 28 2023") || !strings.Contains(ps, "Signature is Valid") {
		t.Errorf("pdfsig of the MOM after the second run (signed on 28/04/2023 10:00 UTC):\n%s", ps)
	}

	// What was issued agrees with the records: validate finds nothing.
	if code, stdout, _ := runIn(t, "validate", "--sans-registre=false", "--registre", reg, "--config", repo("fixtures/segur.yaml"), "--date-depot", "2023-04-28", q1); code != exitOK {
		t.Errorf("validate after pack: %d\n%s", code, stdout)
	}

	// Asked again after a rejection: a new pair, numbered after the first.
	_, stdout, stderr = pack(q1, "--redeposer", "00042")
	if got := depotFiles(t, out); strings.Join(got, " ") != "MDV-LGC-Va1-SOLDE-2201140317-02.json MDV-LGC-Va1-SOLDE-2201140317-02.zip" {
		t.Errorf("--redeposer: %v\n%s%s", got, stdout, stderr)
	}

	// Later quarters: each rule across quarters blocks its dossier.
	for _, tc := range []struct {
		name  string
		files map[string][2]any
		code  string
		names []string
		field string // where validate places it: « numero: key: »
	}{
		{"facture number reused", map[string][2]any{"00143.yaml": {"liberal-mom.yaml", [][2]string{{`"00042"`, `"00143"`}, {"FINMDV000042", "FINMDV000143"}, {"BDC-2022-00042", "BDC-2023-00143"}}}}, "FACTURE_DOUBLON", []string{"00143", "00042", "10/02/2023"}, ":64:11: 00143: facture.numero: "},
		{"retired beneficiary", map[string][2]any{"00142.yaml": {"liberal-mom.yaml", [][2]string{{`"00042"`, `"00142"`}, {"FINMDV000042", "FINMDV000142"}, {"BDC-2022-00042", "BDC-2023-00142"}, {"F2023-00042", "F2023-00142"}, {"10660451559", "10373261667"}}}}, "BENEFICIAIRE_DEJA_RETIRE", []string{"10373261667", "00046", "00142"}, ":33:3: 00142: beneficiaires: "},
		{"amount changed on an issued facture", map[string][2]any{"00042.yaml": {"liberal-mom.yaml", [][2]string{{"  montant_ht: 716.66\n  mode: unique", "  montant_ht: 700.00\n  mode: unique"}}}}, "DOCUMENT_EMIS_MODIFIE", []string{"00042", "F2023-00042", "avoir"}, ":66:15: 00042: facture.montant_ht: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := quarterDir(t, filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")), tc.files)
			code, stdout, stderr := pack(q)
			if code != exitRejected {
				t.Errorf("exit %d, want %d\n%s%s", code, exitRejected, stdout, stderr)
			}
			var line string
			for _, l := range strings.Split(stdout, "\n") {
				if strings.Contains(l, "["+tc.code+"]") && !strings.HasPrefix(l, "attention") {
					line = l
				}
			}
			if line == "" {
				t.Fatalf("no %s error:\n%s%s", tc.code, stdout, stderr)
			}
			for _, n := range tc.names {
				if !strings.Contains(line, n) {
					t.Errorf("%q does not name %s", line, n)
				}
			}
			// validate says it too, from the registre, recording nothing.
			code, stdout, _ = runIn(t, "validate", "--sans-registre=false", "--registre", reg, "--config", repo("fixtures/segur.yaml"), "--date-depot", "2023-04-28", q)
			found := false
			for _, l := range strings.Split(stdout, "\n") {
				found = found || strings.Contains(l, "["+tc.code+"]") && strings.Contains(l, tc.field) && !strings.HasPrefix(l, "attention")
			}
			if code != exitRejected || !found {
				t.Errorf("validate: exit %d, want [%s] at %q\n%s", code, tc.code, tc.field, stdout)
			}
		})
	}

	// The ASP's answer: numéros ASP recorded, a rejected line in etat.
	code, stdout, stderr := runIn(t, "asp", "importer", "--registre", reg, "--config", repo("fixtures/segur.yaml"), repo("fixtures/asp/retour-solde.json"))
	if code != exitOK || !strings.Contains(stdout, "00046: rejeté par l'ASP") {
		t.Fatalf("asp importer: %d\n%s%s", code, stdout, stderr)
	}
	// Once imported, the numéro ASP may be left out of a record; a
	// different one is an error.
	q3 := quarterDir(t, filepath.Join(dir, "q3"), map[string][2]any{
		"00042.yaml": {"liberal-mom.yaml", [][2]string{{"numero_asp: FINMDV000042\n", ""}}},
		"00045.yaml": {"cas1-perimetre-identique.yaml", [][2]string{{"FINMDV000045", "FINMDV000099"}}},
	})
	_, stdout, stderr = pack(q3)
	if strings.Contains(stdout, "00042: numero_asp") || !strings.Contains(stdout, "DOSSIER_DEJA_DEPOSE") {
		t.Errorf("a record without its numéro ASP, known to the registre:\n%s%s", stdout, stderr)
	}
	if !strings.Contains(stdout, "[NUMERO_ASP_DIFFERENT]") || !strings.Contains(stdout, "FINMDV000045") {
		t.Errorf("a record with another numéro ASP than the ASP's:\n%s%s", stdout, stderr)
	}
	code, stdout, _ = runIn(t, "etat", "--registre", reg, "--config", repo("fixtures/segur.yaml"))
	if code != exitOK || !strings.Contains(stdout, "00046\trejeté [ERR_MONTANT] Le montant Ségur HT") || !strings.Contains(stdout, "FINMDV000042") {
		t.Errorf("etat:\n%s", stdout)
	}
	code, stdout, _ = runIn(t, "etat", "--csv", "--registre", reg, "--config", repo("fixtures/segur.yaml"), "00042")
	if code != exitOK || !strings.HasPrefix(stdout, "numero_editeur;etat;") || !strings.Contains(stdout, "00042;commandé;") {
		t.Errorf("etat --csv 00042:\n%s", stdout)
	}
	code, _, stderr = runIn(t, "registre", "verifier", "--registre", reg, "--config", repo("fixtures/segur.yaml"))
	if code != exitOK || !strings.Contains(stderr, "intact") {
		t.Errorf("registre verifier: %d %s", code, stderr)
	}
	backup := filepath.Join(dir, "copie.sqlite")
	if code, _, stderr = runIn(t, "registre", "sauvegarder", "--registre", reg, "--config", repo("fixtures/segur.yaml"), backup); code != exitOK {
		t.Errorf("registre sauvegarder: %d %s", code, stderr)
	}
	if code, _, stderr = runIn(t, "registre", "verifier", "--registre", backup, "--config", repo("fixtures/segur.yaml")); code != exitOK {
		t.Errorf("the copy: %d %s", code, stderr)
	}
	// A file that is not a registre: exit 2, never replaced.
	foreign := filepath.Join(dir, "autre.sqlite")
	os.WriteFile(foreign, []byte("pas un registre"), 0o644)
	code, _, stderr = runIn(t, "etat", "--registre", foreign, "--config", repo("fixtures/segur.yaml"))
	if code != exitCannot || !strings.Contains(stderr, "REGISTRE_ETRANGER") {
		t.Errorf("foreign registre: %d %s", code, stderr)
	}
}
