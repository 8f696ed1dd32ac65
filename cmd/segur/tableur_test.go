package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The template staff get, filled with its examples, imports to records
// that validate accepts; exporter sums them; the same import again writes
// nothing new and replaces nothing.
func TestModeleImporterValidateExporter(t *testing.T) {
	dir := t.TempDir()
	code, modele, errOut := runIn(t, "modele-tableur")
	if code != 0 || !strings.HasPrefix(modele, "PK") {
		t.Fatalf("modele-tableur: %d %s", code, errOut)
	}
	xlsx := filepath.Join(dir, "commandes.xlsx")
	cfg, err := os.ReadFile(repo("fixtures/segur.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// segur.yaml beside the records, its certificate left out.
	cfg = bytes.Split(cfg, []byte("\nsignature:"))[0]
	if err := os.WriteFile(filepath.Join(dir, "segur.yaml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(xlsx, []byte(modele), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "commandes")
	code, stdout, errOut := runIn(t, "importer", xlsx, "-o", out)
	if code != 0 || !strings.Contains(errOut, "5 dossier(s) lu(s) : 5 écrit(s)") || !strings.Contains(errOut, "lu : commandes.xlsx, feuille « Commandes »") {
		t.Fatalf("importer: %d\n%s\n%s", code, stdout, errOut)
	}
	// The only message is the Va2 draft's warning, at its cell.
	if lines := strings.Split(strings.TrimSpace(stdout), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "cellule B10 (Dispositif): 00051:") || !strings.HasSuffix(lines[0], "[DISPOSITIF_PROVISOIRE]") {
		t.Errorf("importer messages: %q", stdout)
	}
	code, _, errOut = runIn(t, "validate", "--date-depot", "2023-04-28", out)
	if code != 0 || !strings.Contains(errOut, "5 dossier(s) lu(s), 5 correct(s), 0 rejeté(s)") {
		t.Errorf("validate: %d %s", code, errOut)
	}
	code, _, errOut = runIn(t, "importer", xlsx, "-o", out)
	if code != 0 || !strings.Contains(errOut, "0 écrit(s), 5 inchangé(s)") {
		t.Errorf("importer again: %d %s", code, errOut)
	}
	sum := filepath.Join(dir, "trimestre.xlsx")
	code, _, errOut = runIn(t, "exporter", "--date-depot", "2023-04-28", out, "-o", sum)
	if code != 0 || !strings.Contains(errOut, "total") {
		t.Fatalf("exporter: %d %s", code, errOut)
	}
	f, err := excelize.OpenFile(sum)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Totaux", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	last := rows[len(rows)-1]
	if last[0] != "Total" || last[2] != "5" || last[3] != "4604.57" {
		t.Errorf("totals: %q", rows)
	}
}

// A broken cell: the dossier is not written, the message names the cell,
// the exit code says a dossier was rejected.
func TestImporterBrokenCell(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "c.csv")
	data := "Numéro éditeur;Dispositif;Date de commande\r\n00042;MDV-LGC-Va1;31/02/2022\r\n00043;MDV-LGC-Va1;03/02/2022\r\n"
	if err := os.WriteFile(csv, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runIn(t, "importer", csv, "-o", filepath.Join(dir, "out"))
	if code != exitRejected || !strings.Contains(out, "c.csv, cellule C2 (Date de commande): 00042: « 31/02/2022 » n'est pas une date du calendrier (JJ/MM/AAAA) [TABLEUR_DATE]") {
		t.Fatalf("%d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "encodage UTF-8, séparateur « ; »") || !strings.Contains(errOut, "1 écrit(s)") {
		t.Errorf("summary: %s", errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "00042.yaml")); err == nil {
		t.Errorf("broken dossier written")
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runIn(t, "version")
	if code != 0 || !strings.HasPrefix(out, "segur "+Version+"\ncommit ") {
		t.Errorf("%d %q", code, out)
	}
}
