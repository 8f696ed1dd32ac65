package readback

import (
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/pack"
	"github.com/shopspring/decimal"
)

// TestIdentDMPNullFromData: BIO-LOINC's data says identDMP is always null;
// check accepts null there even when the DMP flow is direct, and refuses a
// list.
func TestIdentDMPNullFromData(t *testing.T) {
	d := &dossier.Dossier{
		Ref:         dossier.Ref{NumeroASP: "FINBIO000062", NumeroEditeur: "00062"},
		Facture:     dossier.Factures{Date: dossier.Date{Time: time.Date(2023, 2, 27, 0, 0, 0, 0, time.UTC)}, Segur: dossier.Montants{HT: decimal.RequireFromString("4000")}},
		Realisation: dossier.Installation{DMPDirect: true},
		JSON:        dossier.LigneJSON{CommandePour: "STRUCTURE", Beneficiaires: []string{"330063538"}, IdentDMPNull: true},
	}
	loinc := testRegistry(t).Get("BIO-LOINC-Va1")
	var b strings.Builder
	if err := pack.WriteSolde(&b, "1234567890", "73282932000074", []*dossier.Dossier{d}); err != nil {
		t.Fatal(err)
	}
	if _, ps := parseSoldeFor("depot/x.json", []byte(b.String()), loinc); len(ps) != 0 {
		t.Errorf("null identDMP for BIO-LOINC: got %v, want no problem", ps)
	}
	d.JSON.IdentDMPNull = false
	d.JSON.IdentDMP = []string{"X"}
	b.Reset()
	if err := pack.WriteSolde(&b, "1234567890", "73282932000074", []*dossier.Dossier{d}); err != nil {
		t.Fatal(err)
	}
	_, ps := parseSoldeFor("depot/x.json", []byte(b.String()), loinc)
	if len(ps) != 1 || ps[0].Code != "JSON_CHAMP" || !strings.Contains(ps[0].Field, "identDMP") {
		t.Errorf("a list for BIO-LOINC: got %v, want one JSON_CHAMP on identDMP", ps)
	}
}
