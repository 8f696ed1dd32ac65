package app

import "testing"

// TestYamlKey: each input path of an issued document is named by the key
// of the record (or of segur.yaml) it comes from, 0-based like the
// record's problems, never by segur's own structures.
func TestYamlKey(t *testing.T) {
	for _, tc := range []struct {
		path             string
		key              string
		inConfig, direct bool
	}{
		{"Facture.Segur.HT", "facture.montant_ht", false, true},
		{"Facture.AvanceSplit", "facture.montant_ht", false, false},
		{"Facture.Total.TTC", "facture.montant_ht", false, false},
		{"Facture.Date", "facture.date", false, true},
		{"FactureNumero", "facture.numero", false, true},
		{"DateFin", "realisation.date_fin", false, true},
		{"Realisation.DateFin", "realisation.date_fin", false, true},
		{"Realisation.CertificatsDMP[2]", "realisation.certificats_dmp[1]", false, true},
		{"Realisation.MSSProDirect", "realisation.scenarios", false, false},
		{"Client.Adresse[2]", "client.adresse[1]", false, true},
		{"Client.Responsable.Nom", "client.responsable.nom", false, true},
		{"Beneficiaires[1].RPPS", "beneficiaires[0].rpps", false, true},
		{"Beneficiaires[3]", "beneficiaires[2]", false, true},
		{"Fournisseur.RaisonSociale", "fournisseur.raison_sociale", true, true},
		{"Fournisseur.Adresse[1]", "fournisseur.adresse[0]", true, true},
		{"TVA.Taux", "commande.taux_tva", false, true},
		{"TVA.Mention", "fournisseur.tva", true, false},
		{"Commande.Date", "commande.date", false, true},
		{"Commande.Scenario.DMP", "commande", false, false},
		{"Ref.NumeroASP", "numero_asp", false, true},
		{"Solution.Version", "solution", true, false},
	} {
		key, inConfig, direct := yamlKey(tc.path)
		if key != tc.key || inConfig != tc.inConfig || direct != tc.direct {
			t.Errorf("yamlKey(%q) = %q %v %v, want %q %v %v", tc.path, key, inConfig, direct, tc.key, tc.inConfig, tc.direct)
		}
	}
}

func TestShownValue(t *testing.T) {
	for in, want := range map[string]string{
		`"716.66"`:               "716.66",
		`"2023-01-20T00:00:00Z"`: "2023-01-20",
		`"Lyon"`:                 "Lyon",
		`""`:                     "(vide)",
		"(absent)":               "(absent)",
		"true":                   "true",
		`["a","b"]`:              `["a","b"]`,
	} {
		if got := shownValue(in); got != want {
			t.Errorf("shownValue(%s) = %q, want %q", in, got, want)
		}
	}
}
