package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fillSkeleton fills what `segur nouveau` leaves for the order (numéro,
// BDC, client, beneficiary), and nothing else: the avance, réalisation and
// facture blocks stay as the skeleton has them, empty.
func fillSkeleton(t *testing.T, skel string) string {
	t.Helper()
	for _, f := range []struct{ re, by string }{
		{`(?m)^numero_editeur: ""`, `numero_editeur: "NE0042"`},
		{`(?m)^  numero: ""( +#.*\(C\))`, `  numero: "BDC-2026-042"$1`},
		{`(?m)^  date: ~( +#.*\(C\))`, `  date: 2026-03-02$1`},
		{`(?m)^  nom: ""( +#.*\(C\))`, `  nom: "Cabinet Lumière"$1`},
		{`(?m)^  adresse: \["", ""\]`, `  adresse: ["3 rue des Lilas", "69003 Lyon"]`},
		{`(?m)^  - rpps: ""`, `  - rpps: "10003456783"`},
		{`(?m)^    nom: ""`, `    nom: "Lumière"`},
	} {
		re := regexp.MustCompile(f.re)
		if !re.MatchString(skel) {
			t.Fatalf("the skeleton has no line matching %s:\n%s", f.re, skel)
		}
		skel = re.ReplaceAllString(skel, f.by)
	}
	return skel
}

// TestNouveauToBDC goes from `segur nouveau` to a BDC: the skeleton, filled
// only where the order needs it, passes validate --phase commande and
// render --phase commande writes its BDC (and nothing else), which names
// the numéro and the client.
func TestNouveauToBDC(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed: apt-get install -y poppler-utils")
	}
	dir := t.TempDir()
	code, skel, errOut := runIn(t, "nouveau", "--dispositif", "MDV-LGC-Va1", "--client", "liberal")
	if code != 0 {
		t.Fatalf("segur nouveau: exit %d: %s", code, errOut)
	}
	for _, block := range []string{"\navance:", "\nrealisation:", "\nfacture:"} {
		if !strings.Contains(skel, block) {
			t.Fatalf("the skeleton has no %q block, the test no longer tests empty blocks", block)
		}
	}
	rec := filepath.Join(dir, "dossier.yaml")
	if err := os.WriteFile(rec, []byte(fillSkeleton(t, skel)), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := repo("fixtures/segur.yaml")
	if code, out, errOut := runIn(t, "validate", "--phase", "commande", "--config", cfg, rec); code != 0 {
		t.Fatalf("validate --phase commande: exit %d\n%s%s", code, out, errOut)
	}
	out := filepath.Join(dir, "out")
	code, stdout, errOut := runIn(t, "render", "--phase", "commande", "--config", cfg, "-o", out, rec)
	if code != 0 {
		t.Fatalf("render --phase commande: exit %d\n%s%s", code, stdout, errOut)
	}
	if strings.Contains(stdout, "[CHAMP_MANQUANT]") || strings.Contains(stdout, "[MONTANT_NUL]") {
		t.Errorf("render --phase commande checks the solde:\n%s", stdout)
	}
	var files []string
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".pdf") {
			files = append(files, filepath.Base(p))
		}
		return nil
	})
	if len(files) != 1 || files[0] != "MDV-LGC-Va1-BDC-NE0042.pdf" {
		t.Fatalf("render --phase commande wrote %v, want the BDC alone", files)
	}
	txt, err := exec.Command("pdftotext", filepath.Join(out, "dossiers", "NE0042", files[0]), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Bon de commande", "NE0042", "BDC-2026-042", "Cabinet Lumière", "02/03/2026"} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("the BDC's text has no %q:\n%s", want, txt)
		}
	}
}

func TestRenderPhaseRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"an unknown phase", []string{"--phase", "facture"}, "commande ou solde attendu"},
		{"a VA at the order", []string{"--phase", "commande", "--doc", "bdc,va"}, "seul le bon de commande"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"render", "-o", t.TempDir()}, tc.args...)
			code, out, errOut := runIn(t, append(args, repo("fixtures/commandes"))...)
			if code == 0 || !strings.Contains(out+errOut, tc.want) {
				t.Errorf("exit %d, want an error saying %q:\n%s%s", code, tc.want, out, errOut)
			}
		})
	}
}
