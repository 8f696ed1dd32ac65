package app

import (
	"context"
	"fmt"
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
	at := map[string]string{}
	for _, p := range res.Problems {
		if p.Level == dossier.Erreur {
			blocked[p.Numero] = p.Code
			at[p.Numero] = fmt.Sprintf("%s:%d", filepath.Base(p.File), p.Line)
		}
	}
	want := map[string]string{"00205": "BDC_SIGNATAIRE_INCONNU", "00206": "BDC_MODIFIEE_APRES_SIGNATURE", "00207": "BDC_NON_SIGNEE"}
	// Each blocked at its record's numero_editeur line (file:line).
	wantAt := map[string]string{"00205": "bdc-autre-signataire.yaml:4", "00206": "bdc-modifie.yaml:4", "00207": "bdc-non-signe.yaml:3"}
	for n, code := range want {
		if blocked[n] != code || at[n] != wantAt[n] {
			t.Errorf("%s: got %q at %s, want %s at %s (%v)", n, blocked[n], at[n], code, wantAt[n], res.Problems)
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

// TestAvanceThenSoldeWithoutRetypingTheNumeroASP: a dossier goes avance →
// ASP answer imported → solde, its numéro ASP never typed: the avance dépôt
// is recorded in the registre, the ASP's answer gives the numéro, and the
// solde record, which leaves numero_asp out, gets it in its JSON line.
func TestAvanceThenSoldeWithoutRetypingTheNumeroASP(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	dir := t.TempDir()
	reg := filepath.Join(dir, "registre.sqlite")
	cfg, err := filepath.Abs("../fixtures/segur.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The avance.
	if _, err := Pack(context.Background(), PackOptions{
		Inputs:    Inputs{Paths: []string{"../fixtures/avances/liberal.yaml"}, Config: cfg, Registre: reg},
		Out:       filepath.Join(dir, "avance"),
		Signes:    "../fixtures/signes",
		DateDepot: time.Date(2022, 11, 15, 12, 0, 0, 0, time.UTC),
		Phase:     DepotAvance,
	}); err != nil {
		t.Fatal(err)
	}
	// The ASP's answer.
	answer := filepath.Join(dir, "retour.json")
	if err := os.WriteFile(answer, []byte(`{"impId": 1, "numeroAns": "2201140317", "siret": "74784908100019", "lignesImport": [
  {"numLigne": 1, "typeAction": "C", "numeroASP": "FINMDV000201", "numeroEditeur": "00201", "codeTraitement": null, "libelleTraitement": null}]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	imp, err := ImportASP(context.Background(), Inputs{Config: cfg, Registre: reg}, answer)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Numeros != 1 {
		t.Fatalf("import: %+v", imp)
	}
	// The solde, without numero_asp.
	src, err := os.ReadFile("../fixtures/avances/liberal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	solde := strings.Replace(string(src), "avance:\n  montant_ht: 358.33\n  montant_demande_ht: 107.50\n", `avance:
  beneficiaires: ["10766476625"]
  montant_ht: 358.33
  montant_verse_ht: 107.50
  statut: paiement_effectue

realisation:
  date_fin: 2023-02-20
  scenarios:
    dmp: {direct: true}
    mss_pro: {direct: true, adresse: helene.rousseau@medecin.mssante.fr}
    mss_citoyen: {direct: true, adresse: helene.rousseau@medecin.mssante.fr}

facture:
  numero: F2023-00201
  date: 2023-03-01
`, 1)
	if strings.Contains(solde, "numero_asp") || solde == string(src) {
		t.Fatal("the solde record is not what the test means")
	}
	rec := filepath.Join(dir, "solde", "dossier.yaml")
	os.MkdirAll(filepath.Dir(rec), 0o755)
	if err := os.WriteFile(rec, []byte(solde), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Pack(context.Background(), PackOptions{
		Inputs:    Inputs{Paths: []string{rec}, Config: cfg, Registre: reg},
		Out:       filepath.Join(dir, "out"),
		DateDepot: time.Date(2023, 4, 28, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ready != 1 {
		t.Fatalf("the solde is not ready: %v", res.Problems)
	}
	js, err := os.ReadFile(filepath.Join(dir, "out", "depot", "MDV-LGC-Va1-SOLDE-2201140317-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"numeroASP": "FINMDV000201"`) {
		t.Errorf("the solde's JSON lacks the numéro ASP the ASP gave:\n%s", js)
	}
}
