package dossier

import (
	"slices"
	"testing"

	"github.com/segur-sons/segur/templates"
	"github.com/shopspring/decimal"
)

// avancesMap is an AvancesConnues from a map, as the registre gives them.
type avancesMap map[string]*AvanceConnue

func (m avancesMap) Avance(numero string) *AvanceConnue { return m[numero] }

// TestSoldeTakesTheAvanceFromTheRegistre: a solde record without its
// numéro ASP nor its avance block takes them from what is known of the
// avance (the registre after the ASP's answer), and its beneficiaries are
// compared with the avance's as when the record gives them.
func TestSoldeTakesTheAvanceFromTheRegistre(t *testing.T) {
	t.Parallel()
	reg, err := LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg, probs := ParseConfig("segur.yaml", []byte(testConfig), reg, testFiles)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	montant := decimal.RequireFromString("716.66")
	known := func(ids ...string) avancesMap {
		return avancesMap{"00042": {NumeroASP: "FINMDV000042", Beneficiaires: ids, MontantHT: &montant, Statut: AvanceStatutPaye}}
	}
	rec := record(map[string]string{"numero_asp": "", "avance": ""})
	tests := []struct {
		name    string
		avances AvancesConnues
		want    []string
		asp     string
	}{
		{"the same beneficiaries as at the avance", known("10003461034", "10100000008"), nil, "FINMDV000042"},
		{"a beneficiary the avance did not declare", known("10003461034"), []string{"BENEFICIAIRE_AJOUTE"}, "FINMDV000042"},
		{"a beneficiary the avance declared, gone", known("10003461034", "10100000008", "10373261667"), []string{"attention:BENEFICIAIRE_RETIRE"}, "FINMDV000042"},
		{"nothing known: the record must say it", avancesMap{}, []string{"CHAMP_MANQUANT", "CHAMP_MANQUANT"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ds := Check(cfg, reg, Decode("dossier.yaml", []byte(rec)), Options{Phase: PhaseSolde, DateDepot: depot, Files: testFiles, Avances: tt.avances})
			if got := codes(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v (%v)", got, tt.want, ds[0].Problems)
			}
			if ds[0].Ref.NumeroASP != tt.asp {
				t.Errorf("numéro ASP %q, want %q", ds[0].Ref.NumeroASP, tt.asp)
			}
		})
	}
	// A numéro ASP the record gives is kept.
	own := record(map[string]string{"numero_asp": "numero_asp: FINMDV000043", "avance": ""})
	ds := Check(cfg, reg, Decode("dossier.yaml", []byte(own)), Options{Phase: PhaseSolde, DateDepot: depot, Files: testFiles, Avances: known("10003461034", "10100000008")})
	if ds[0].Ref.NumeroASP != "FINMDV000043" {
		t.Errorf("the record's numéro ASP was replaced: %q", ds[0].Ref.NumeroASP)
	}
}
