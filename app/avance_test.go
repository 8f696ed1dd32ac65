package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
)

// TestPackAvance: the avance dépôt of fixtures/avances, with the BDCs the
// clients signed in fixtures/signes: the dossiers whose BDC is signed by
// every expected signatory are packed, by dispositif, in -AVANCE- pairs;
// a BDC missing, signed by someone else or changed after its signature
// blocks its dossier with its code; the provisional keys are listed once.
func TestPackAvance(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	out := t.TempDir()
	res, err := Pack(context.Background(), PackOptions{
		Inputs:    Inputs{Paths: []string{"../fixtures/avances"}, Config: "../fixtures/segur.yaml"},
		Out:       out,
		Signes:    "../fixtures/signes",
		DateDepot: time.Date(2022, 11, 15, 12, 0, 0, 0, time.UTC),
		Phase:     DepotAvance,
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"MDV-LGC-Va1-AVANCE-2201140317-01", "MDV-LGC-Va2-AVANCE-2509150842-01"}; !slices.Equal(res.Pairs, want) {
		t.Errorf("pairs %v, want %v", res.Pairs, want)
	}
	blocked := map[string]string{}
	for _, p := range res.Problems {
		if p.Level == dossier.Erreur {
			blocked[p.Numero] = p.Code
		}
	}
	want := map[string]string{"00205": "BDC_SIGNATAIRE_INCONNU", "00206": "BDC_MODIFIEE_APRES_SIGNATURE", "00207": "BDC_NON_SIGNEE"}
	for n, code := range want {
		if blocked[n] != code {
			t.Errorf("%s: got %q, want %s (%v)", n, blocked[n], code, res.Problems)
		}
	}
	if res.Ready != 4 || len(blocked) != len(want) {
		t.Errorf("%d ready, blocked %v", res.Ready, blocked)
	}
	for _, k := range []string{"commande.dateCommande", "commande.regimeTVA", "scenarioInstallation.operateurMessagerie"} {
		if !slices.Contains(res.Provisoires, k) {
			t.Errorf("provisional keys %v lack %s", res.Provisoires, k)
		}
	}
	for _, f := range []string{"MDV-LGC-Va1-AVANCE-2201140317-01.json", "MDV-LGC-Va1-AVANCE-2201140317-01.zip"} {
		if _, err := os.Stat(filepath.Join(out, "depot", f)); err != nil {
			t.Error(err)
		}
	}
}

// TestCheckReadsAnAvanceBack: segur check reads the avance dépôt back
// clean, and finds keys out of the profile's order, a line too many for
// one file's numbering, and a pièce missing from the zip.
func TestCheckReadsAnAvanceBack(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	out := t.TempDir()
	if _, err := Pack(context.Background(), PackOptions{
		Inputs:    Inputs{Paths: []string{"../fixtures/avances"}, Config: "../fixtures/segur.yaml"},
		Out:       out,
		Signes:    "../fixtures/signes",
		DateDepot: time.Date(2022, 11, 15, 12, 0, 0, 0, time.UTC),
		Phase:     DepotAvance,
	}); err != nil {
		t.Fatal(err)
	}
	res, err := Check(context.Background(), CheckOptions{Dir: out})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 0 {
		t.Fatalf("the avance dépôt does not read back clean: %v", res.Problems)
	}
	jsonPath := filepath.Join(out, "depot", "MDV-LGC-Va1-AVANCE-2201140317-01.json")
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	swapped := strings.Replace(string(data), `"dateCommande": "03/10/2022",
        "regimeTVA": "TTC",`, `"regimeTVA": "TTC",
        "dateCommande": "03/10/2022",`, 1)
	swapped = strings.Replace(swapped, `"numLigne": 2,`, `"numLigne": 7,`, 1)
	swapped = strings.Replace(swapped, `"nomFichier": "MDV-LGC-Va1-BDC-00201.pdf"`, `"nomFichier": "MDV-LGC-Va1-BDC-00299.pdf"`, 1)
	if swapped == string(data) {
		t.Fatal("the test's replacements did not apply")
	}
	if err := os.WriteFile(jsonPath, []byte(swapped), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = Check(context.Background(), CheckOptions{Dir: out})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Problems {
		got = append(got, p.Code+" "+p.Field)
	}
	for _, want := range []string{
		"JSON_INVALIDE lignesImport[0].commande.dateCommande",
		"JSON_INVALIDE lignesImport[1].numLigne",
		"PIECE_ABSENTE MDV-LGC-Va1-BDC-00299.pdf",
		"PIECE_EN_TROP MDV-LGC-Va1-BDC-00201.pdf",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("check of a changed avance: %v lacks %q", got, want)
		}
	}
}
