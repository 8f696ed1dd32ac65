package pack

import (
	"strings"
	"testing"

	"github.com/segur-sons/segur/dossier"
	"github.com/shopspring/decimal"
)

// TestLineFromData: identDMP is null when the dispositif's data says so
// (BIO-LOINC), even with a direct DMP flow; an amount among the
// dispositif's fields is written as a number, like montantSegurHTFacture.
func TestLineFromData(t *testing.T) {
	d := &dossier.Dossier{
		Ref:         dossier.Ref{NumeroASP: "FINBIO000062", NumeroEditeur: "00062"},
		Realisation: dossier.Installation{DMPDirect: true},
		JSON: dossier.LigneJSON{
			CommandePour: "STRUCTURE", Beneficiaires: []string{"330063538"},
			IdentDMPNull: true, IdentDMP: []string{"X"},
			Extra: []dossier.ChampValeur{{Cle: "montant", Valeur: decimal.RequireFromString("12.5")}, {Cle: "rien", Valeur: nil}},
		},
	}
	raw, err := Line(d, 1).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"identDMP":null`, `"montant":12.50`, `"rien":null`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("got %s, want %s in it", raw, want)
		}
	}
}
