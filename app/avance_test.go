package app

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/facturx"
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
// ASP answer imported → solde, its numéro ASP never typed and its avance
// never described again: the avance dépôt records in the registre what each
// line declared, the ASP's answer gives the numéro and accepts the avance,
// and the solde record, which has neither numero_asp nor an avance: block,
// gets the numéro in its JSON line and is compared with the avance's
// beneficiaries: one the avance did not declare is BENEFICIAIRE_AJOUTE at
// its line; one declared and gone is BENEFICIAIRE_RETIRE.
func TestAvanceThenSoldeWithoutRetypingTheNumeroASP(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	dir := t.TempDir()
	reg := filepath.Join(dir, "registre.sqlite")
	cfg, err := filepath.Abs("../fixtures/segur.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The avances: a libéral (one médecin) and a centre de santé (three sites).
	if _, err := Pack(context.Background(), PackOptions{
		Inputs:    Inputs{Paths: []string{"../fixtures/avances/liberal.yaml", "../fixtures/avances/structure-plusieurs-sites.yaml"}, Config: cfg, Registre: reg},
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
  {"numLigne": 1, "typeAction": "C", "numeroASP": "FINMDV000201", "numeroEditeur": "00201", "codeTraitement": null, "libelleTraitement": null},
  {"numLigne": 2, "typeAction": "C", "numeroASP": "FINMDV000202", "numeroEditeur": "00202", "codeTraitement": null, "libelleTraitement": null}]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	imp, err := ImportASP(context.Background(), Inputs{Config: cfg, Registre: reg}, answer)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Numeros != 2 {
		t.Fatalf("import: %+v", imp)
	}
	// The soldes, without numero_asp nor avance:.
	solde := func(fixture string, edit func(string) string) string {
		t.Helper()
		src, err := os.ReadFile("../fixtures/avances/" + fixture)
		if err != nil {
			t.Fatal(err)
		}
		s := string(src)
		head, _, ok := strings.Cut(s, "\navance:\n")
		if ok {
			_, tail, _ := strings.Cut(s, "\nsignature:")
			s = head + "\nsignature:" + tail
		}
		s = edit(s)
		if strings.Contains(s, "numero_asp") || strings.Contains(s, "\navance:") {
			t.Fatal("the solde record is not what the test means")
		}
		rec := filepath.Join(dir, "solde", strings.TrimSuffix(fixture, ".yaml"), "dossier.yaml")
		os.MkdirAll(filepath.Dir(rec), 0o755)
		if err := os.WriteFile(rec, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	const realise = `
realisation:
  date_fin: 2023-02-20
  scenarios:
    dmp: {direct: true}
    mss_pro: {direct: true, adresse: helene.rousseau@medecin.mssante.fr}
    mss_citoyen: {direct: true, adresse: helene.rousseau@medecin.mssante.fr}

facture:
  numero: F2023-00201
  date: 2023-03-01
`
	liberal := solde("liberal.yaml", func(s string) string { return s + realise })
	res, err := Pack(context.Background(), PackOptions{
		Inputs:    Inputs{Paths: []string{liberal}, Config: cfg, Registre: reg},
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

	// A médecin the avance did not declare, added at the solde.
	added := solde("liberal.yaml", func(s string) string { return s + realise })
	data, _ := os.ReadFile(added)
	withAdded := strings.Replace(string(data), "    specialite: medecine-generale\n", `    specialite: medecine-generale
  - rpps: "10003461034"
    nom: Dupont
    prenom: Jean
    email: j.dupont@cabinet-sala.example
    telephone: "04 78 42 10 12"
    specialite: medecine-generale
`, 1)
	if withAdded == string(data) {
		t.Fatal("the médecin was not added")
	}
	os.WriteFile(added, []byte(withAdded), 0o644)
	val, err := Validate(context.Background(), ValidateOptions{Inputs: Inputs{Paths: []string{added}, Config: cfg, Registre: reg}, Phase: dossier.PhaseSolde, DateDepot: time.Date(2023, 4, 28, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range val.Problems {
		if p.Level == dossier.Erreur {
			got = append(got, fmt.Sprintf("%s %s:%d %s", p.Code, filepath.Base(p.File), p.Line, p.Field))
		}
	}
	line := 1 + strings.Count(withAdded[:strings.Index(withAdded, `  - rpps: "10003461034"`)], "\n")
	if want := fmt.Sprintf("BENEFICIAIRE_AJOUTE dossier.yaml:%d beneficiaires[1]", line); !slices.Equal(got, []string{want}) {
		t.Errorf("a médecin added at the solde: %v, want [%s]\n%v", got, want, val.Problems)
	}

	// A site declared at the avance, gone at the solde.
	cds := solde("structure-plusieurs-sites.yaml", func(s string) string {
		s = strings.Replace(s, `  - finess_geo: "069000404"
    nom: Site de Vaise
    rpps_medecins: ["10345678048"]
`, "", 1)
		return s
	})
	val, err = Validate(context.Background(), ValidateOptions{Inputs: Inputs{Paths: []string{cds}, Config: cfg, Registre: reg}, Phase: dossier.PhaseSolde, DateDepot: time.Date(2023, 4, 28, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var retire []string
	for _, p := range val.Problems {
		if p.Code == "BENEFICIAIRE_RETIRE" {
			retire = append(retire, p.Message)
		}
		if p.Code == "BENEFICIAIRE_AJOUTE" || p.Code == "AVANCE_NON_PAYEE" || (p.Code == "CHAMP_MANQUANT" && strings.HasPrefix(p.Field, "avance")) {
			t.Errorf("the avance from the registre: %v", p)
		}
	}
	if len(retire) != 1 || !strings.Contains(retire[0], "069000404") {
		t.Errorf("a site gone at the solde: %v\n%v", retire, val.Problems)
	}
}

// TestAvanceFacturXReadsBack: with Factur-X asked, the avance facture of a
// dossier in two factures goes into the avance zip as a Factur-X (its own
// EN 16931 XML), and segur check reads it back clean, XML included.
func TestAvanceFacturXReadsBack(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	dir := t.TempDir()
	cfgText, err := os.ReadFile("../fixtures/segur.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := filepath.Abs("../fixtures/certs/fournisseur.p12")
	if err != nil {
		t.Fatal(err)
	}
	cfgEdited := strings.Replace(string(cfgText), "certificat: certs/fournisseur.p12", "certificat: "+filepath.ToSlash(cert), 1) + "\nfacture:\n  format: factur-x\n  categorie: PME\n"
	if !strings.Contains(cfgEdited, filepath.ToSlash(cert)) {
		t.Fatal("the certificate line was not found")
	}
	cfg := filepath.Join(dir, "segur.yaml")
	if err := os.WriteFile(cfg, []byte(cfgEdited), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	res, err := Pack(context.Background(), PackOptions{
		Inputs:    Inputs{Paths: []string{"../fixtures/avances/structure-plusieurs-sites.yaml"}, Config: cfg, Registre: filepath.Join(dir, "registre.sqlite")},
		Out:       out,
		Signes:    "../fixtures/signes",
		DateDepot: time.Date(2022, 11, 15, 12, 0, 0, 0, time.UTC),
		Phase:     DepotAvance,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ready != 1 {
		t.Fatalf("not ready: %v", res.Problems)
	}
	zr, err := zip.OpenReader(filepath.Join(out, "depot", "MDV-LGC-Va1-AVANCE-2201140317-01.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var facture []byte
	for _, f := range zr.File {
		if f.Name == "MDV-LGC-Va1-FACTURE-00202.pdf" {
			rc, _ := f.Open()
			facture, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	x, err := facturx.Extract(facture)
	if err != nil || !bytes.Contains(x, []byte("<ram:ID>F2022-00202-A</ram:ID>")) {
		t.Fatalf("the avance zip's facture is not the avance's Factur-X: %v", err)
	}
	chk, err := Check(context.Background(), CheckOptions{Dir: out})
	if err != nil {
		t.Fatal(err)
	}
	if len(chk.Problems) != 0 {
		t.Errorf("the avance dépôt with its Factur-X does not read back clean: %v", chk.Problems)
	}
}
