package rapport

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestListeCSVNeutralisesFormulas (issue #22, item 6): a cell of
// a-signer/liste.csv that a spreadsheet would run as a formula (=, +, -,
// @, a tab or a carriage return first) is written with a ' before it; the
// other cells are unchanged.
func TestListeCSVNeutralisesFormulas(t *testing.T) {
	out := t.TempDir()
	os.MkdirAll(filepath.Join(out, "dossiers", "00045"), 0o755)
	os.WriteFile(filepath.Join(out, "dossiers", "00045", "MDV-LGC-Va1-VA-00045.pdf"), []byte("%PDF-1.7"), 0o644)
	hostile := []string{`=HYPERLINK("http://x","y")`, "+33 1 00", "-2+3", "@SUM(A1)", "\t=1", "\r=1"}
	for _, client := range append(hostile, "Cabinet Dupont") {
		rap := &Rapport{Dossiers: []RapportDossier{{
			NumeroEditeur: "00045", Statut: StatutBloque,
			Problemes: []Probleme{{Niveau: "erreur", Code: "VA_NON_SIGNEE"}},
			Info: Info{Client: client, VA: "MDV-LGC-Va1-VA-00045.pdf",
				Signataires: []Signataire{{Nom: "-Dr", Qualite: "médecin", Email: "=a@b.fr"}}},
		}}}
		if _, err := WriteForPeople(out, "", rap); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(out, "a-signer", "liste.csv"))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff")))
		r.Comma = ';'
		rows, err := r.ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("%q: %v %v", client, rows, err)
		}
		for _, cell := range rows[1] {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("client %q: cell %q would run in a spreadsheet", client, cell)
			}
		}
		want := client
		if client != "Cabinet Dupont" {
			want = "'" + client
		}
		// encoding/csv drops a carriage return when reading back.
		if rows[1][1] != strings.ReplaceAll(want, "\r", "") {
			t.Errorf("client cell %q, want %q", rows[1][1], want)
		}
	}
}
