package dossier

import (
	"strings"
	"testing"
)

// TestIdentDMPBiologyMessage (issue 19, item 6): no seed publishes a
// prefix or format for the biology « numéro identifiant associé » that
// starts identDMP, so the IDENT_DMP message says so, and says what segur
// checks instead, rather than leaving the reader to guess a prefix.
func TestIdentDMPBiologyMessage(t *testing.T) {
	t.Parallel()
	bio := func(dmp string) map[string]string {
		return map[string]string{
			"dispositif": "dispositif: BIO-SGL-Va1", "numero_asp": "numero_asp: FINBIO000042",
			"commande":      baseBlocks[4].text + "\n  montant_ht: 4000.00",
			"client":        strings.Replace(strings.Replace(structureClient, "  structure_type: msp\n", "", 1), "\n  effectifs: 4", "", 1),
			"beneficiaires": "beneficiaires:\n  - {finess_geo: \"010000024\", nom: Laboratoire de Bourg}",
			"avance":        "avance: {beneficiaires: [\"010000024\"], montant_ht: 4000.00, statut: paiement_effectue}",
			"realisation":   "realisation:\n  date_fin: 2023-01-20\n  scenarios:\n    dmp: " + dmp + "\n    mss_pro: {direct: false}\n    mss_citoyen: {direct: false}\n  pieces: [cr-test.pdf]"}
	}
	tests := []struct {
		name, dmp, field string
		want             []string
	}{
		{"no identDMP given", "{direct: true}", "realisation.scenarios.dmp.ident",
			[]string{"« numéro identifiant associé » suivi des 9 caractères du FINESS géographique"}},
		{"an identDMP ending with another FINESS", `{direct: true, ident: ["LAB01010000099"]}`, "realisation.scenarios.dmp.ident[0]",
			[]string{"« LAB01010000099 » doit finir par le FINESS géographique d'un bénéficiaire (010000024)"}},
		{"the FINESS alone, no numéro before it", `{direct: true, ident: ["010000024"]}`, "realisation.scenarios.dmp.ident[0]",
			[]string{"« 010000024 » doit finir par le FINESS géographique d'un bénéficiaire (010000024)"}},
	}
	const unpublished = "le programme Ségur ne publie ni préfixe ni format pour ce numéro : segur vérifie seulement que l'identifiant finit par le FINESS géographique d'un bénéficiaire du dossier, précédé d'au moins un caractère"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var found bool
			for _, d := range checkYAMLAt(t, PhaseSolde, depot, record(bio(tt.dmp))) {
				for _, p := range d.Problems {
					if p.Code != "IDENT_DMP" {
						continue
					}
					found = true
					if p.Field != tt.field {
						t.Errorf("field %q, want %q", p.Field, tt.field)
					}
					for _, w := range append(tt.want, unpublished) {
						if !strings.Contains(p.Message, w) {
							t.Errorf("message %q does not say %q", p.Message, w)
						}
					}
				}
			}
			if !found {
				t.Fatal("no IDENT_DMP")
			}
		})
	}
	// The accepted form stays accepted.
	for _, d := range checkYAMLAt(t, PhaseSolde, depot, record(bio(`{direct: true, ident: ["LAB01010000024"]}`))) {
		for _, p := range d.Problems {
			if p.Code == "IDENT_DMP" {
				t.Errorf("a numéro followed by the FINESS is refused: %s", p.Message)
			}
		}
	}
}
