package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/segur-sons/segur/rapport"
)

// rapport.html shows every dossier of rapport.json with a status that
// agrees with it, and a-signer/ holds exactly the VAs still to sign, with
// a liste.csv Excel opens: UTF-8 BOM, « ; », one line per VA.
func TestPackWritesRapportHTMLAndASigner(t *testing.T) {
	p := packedFixtures(t)
	if p.code != exitRejected {
		t.Fatalf("exit %d: %s", p.code, p.stderr)
	}
	dir := copyTree(t, p.dir) // packed into again below
	data, err := os.ReadFile(filepath.Join(dir, "rapport.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rap rapport.Rapport
	if err := json.Unmarshal(data, &rap); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "rapport.html"))
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`<tr id="d-([0-9A-Za-z]*)" data-etat="([^"]+)">`).FindAllStringSubmatch(string(page), -1)
	if len(rows) != len(rap.Dossiers) {
		t.Fatalf("rapport.html: %d rows, rapport.json: %d dossiers", len(rows), len(rap.Dossiers))
	}
	agree := map[rapport.Statut][]rapport.Etat{rapport.StatutPret: {rapport.EtatPret, rapport.EtatAvertissement}, rapport.StatutBloque: {rapport.EtatASigner, rapport.EtatBloque}}
	for i, d := range rap.Dossiers {
		if rows[i][1] != d.NumeroEditeur || !slices.Contains(agree[d.Statut], rapport.Etat(rows[i][2])) {
			t.Errorf("row %d: html %s « %s », json %s %s", i, rows[i][1], rows[i][2], d.NumeroEditeur, d.Statut)
		}
	}
	for _, forbidden := range []string{"<script src", "<link", "http://", "https://"} {
		if strings.Contains(string(page), forbidden) {
			t.Errorf("rapport.html is not self-contained: it has %q", forbidden)
		}
	}

	entries, err := os.ReadDir(filepath.Join(dir, "a-signer"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"MDV-LGC-Va1-VA-00045.pdf", "liste.csv"}; !slices.Equal(names, want) {
		t.Errorf("a-signer/: %v, want %v", names, want)
	}
	va, _ := os.ReadFile(filepath.Join(dir, "a-signer", "MDV-LGC-Va1-VA-00045.pdf"))
	rendered, _ := os.ReadFile(filepath.Join(dir, "dossiers", "00045", "MDV-LGC-Va1-VA-00045.pdf"))
	if len(va) == 0 || !bytes.Equal(va, rendered) {
		t.Error("a-signer/ does not hold the rendered, unsigned VA")
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "a-signer", "liste.csv"))
	if !bytes.HasPrefix(csv, []byte("\ufeff")) {
		t.Error("liste.csv has no UTF-8 BOM: Excel would garble the accents")
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(string(csv), "\ufeff")), "\r\n")
	want := []string{
		"numéro éditeur;client;fichier à faire signer;signataires;e-mail;en attente depuis (fin de la prestation)",
		"00045;Centre de santé municipal de Villeurbanne;MDV-LGC-Va1-VA-00045.pdf;Nathalie Lambert (Directrice du centre de santé, Centre de santé municipal de Villeurbanne);cds@villeurbanne-sante.example;2023-02-24",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("liste.csv:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	// Once signed (here by hand and scanned: pdftoppm, img2pdf), the VA
	// leaves a-signer/.
	for _, tool := range []string{"pdftoppm", "img2pdf"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s absent (.ci/run l'installe)", tool)
		}
	}
	signes := copyTree(t, repo("fixtures/signes"))
	tmp := t.TempDir()
	if out, err := exec.Command("pdftoppm", "-r", "70", "-png", filepath.Join(dir, "a-signer", "MDV-LGC-Va1-VA-00045.pdf"), filepath.Join(tmp, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(tmp, "p*.png"))
	if out, err := exec.Command("img2pdf", append(pages, "-o", filepath.Join(signes, "MDV-LGC-Va1-VA-00045.pdf"))...).CombinedOutput(); err != nil {
		t.Fatalf("img2pdf: %v %s", err, out)
	}
	if code, _, stderr := runIn(t, "pack", "--date-depot", "2023-03-01", "--signes", signes, "-o", dir, repo("fixtures/dossiers")); code == exitCannot {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "a-signer", "MDV-LGC-Va1-VA-00045.pdf")); err == nil {
		t.Error("the signed VA is still in a-signer/")
	}
}
