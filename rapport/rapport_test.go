package rapport

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestRapportWriteJSONIsTheWholeEncoding: the rapport written one dossier at
// a time has the bytes of encoding it whole, for every shape it takes.
func TestRapportWriteJSONIsTheWholeEncoding(t *testing.T) {
	t.Parallel()
	entry := func(n string) RapportDossier {
		return RapportDossier{NumeroEditeur: n, NumeroASP: "FINMDV0000" + n[len(n)-2:], Dispositif: "MDV-LGC-Va1",
			Fichier: "dossiers/a<b>&c.yaml", Ligne: 3, Statut: StatutBloque,
			Problemes: []Probleme{{Niveau: "erreur", Code: "VA_NON_SIGNEE", Champ: "-", Fichier: "x.yaml", Ligne: 1, Message: "« é » <&>"}},
			Fichiers:  []Fichier{{Nom: "MDV-LGC-Va1-BDC-" + n + ".pdf", SHA256: "ab"}}}
	}
	tests := []struct {
		name string
		r    Rapport
	}{
		{"no dossier read", Rapport{GenerePar: "segur 1", Dossiers: []RapportDossier{}}},
		{"dossiers left nil", Rapport{GenerePar: "segur 1", DateDepot: "2023-04-28"}},
		{"one dossier", Rapport{GenerePar: "segur 1", DateDepot: "2023-04-28", Dossiers: []RapportDossier{entry("00042")}}},
		{"three dossiers, one without problems", Rapport{GenerePar: "segur 1", Dossiers: []RapportDossier{
			entry("00042"), {NumeroEditeur: "00043", Problemes: []Probleme{}, Fichiers: []Fichier{}}, entry("00044")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(tt.r); err != nil {
				t.Fatal(err)
			}
			got, err := tt.r.JSON()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("got\n%s\nwant\n%s", got, want.Bytes())
			}
		})
	}
}

// An EtatRegistre reads as segur etat prints it: the ASP's code and label
// for a rejection, the label of a state set by hand in brackets, the
// state alone otherwise — never an empty « [] ».
func TestEtatRegistreTexte(t *testing.T) {
	for _, tc := range []struct {
		e    EtatRegistre
		want string
	}{
		{EtatRegistre{Etat: "réalisé"}, "réalisé"},
		{EtatRegistre{Etat: "rejeté", Code: "ERR_MONTANT", Libelle: "Le montant est faux"}, "rejeté [ERR_MONTANT] Le montant est faux"},
		{EtatRegistre{Etat: "solde payé", Libelle: "payé le 12/06/2023"}, "solde payé (payé le 12/06/2023)"},
		{EtatRegistre{Etat: "annulé", Libelle: "le client a renoncé"}, "annulé (le client a renoncé)"},
	} {
		if got := tc.e.Texte(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.e, got, tc.want)
		}
	}
}
