package rapport

import (
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/retours"
	"github.com/segur-sons/segur/signature"
)

// TestSignatures (issue 19, item 4): who still has to sign a VA, and the
// prepared e-mail that rapport.html and the page link them to — one
// function for both.
func TestSignatures(t *testing.T) {
	const va = "MDV-LGC-Va1-VA-00048.pdf"
	schmitt := Signataire{Nom: "Anne Schmitt", Qualite: "Médecin, bénéficiaire final", Email: "anne.schmitt@exemple.fr", ID: "10875011016",
		Pour: "Anne Schmitt", Attendu: "Anne Schmitt (10875011016)"}
	muller := Signataire{Nom: "François Muller", Qualite: "Médecin, bénéficiaire final", Email: "francois.muller@exemple.fr", ID: "10073697418",
		Pour: "François Muller", Attendu: "François Muller (10073697418)"}
	mandataire := Signataire{Nom: "Paul Durand", Qualite: "Mandataire des bénéficiaires finaux, SELARL Santé & Co", Email: "contact@sante-co.fr",
		Pour: "Anne Schmitt, François Muller", Attendu: "SELARL Santé & Co"}
	tests := []struct {
		name    string
		justif  dossier.Kind
		statut  Statut
		sigs    []Signataire
		preuve  *retours.Preuve
		etats   []string
		mailTo  []string // the address of each Mailto, "" for none
		pour    []string // the words each e-mail's body must hold besides the dossier and the VA
		mailsOf string   // client's name, in the body
	}{
		{"VA not checked yet: everyone is asked", "VA", StatutBloque, []Signataire{schmitt, muller}, nil,
			[]string{"en attente de signature", "en attente de signature"}, []string{schmitt.Email, muller.Email}, []string{"pour Anne Schmitt", "pour François Muller"}, "Cabinet de la Cathédrale"},
		{"one médecin signed electronically", "VA", StatutBloque, []Signataire{schmitt, muller},
			&retours.Preuve{Document: va, Type: signature.Electronic, Attendus: []string{muller.Attendu}},
			[]string{"✔ a signé sa partie", "en attente de signature"}, []string{"", muller.Email}, []string{"", "pour François Muller"}, "Cabinet de la Cathédrale"},
		{"the mandataire, client name with & and =", "VA", StatutBloque, []Signataire{mandataire},
			&retours.Preuve{Document: va, Attendus: []string{mandataire.Attendu}},
			[]string{"en attente de signature"}, []string{mandataire.Email}, []string{"pour Anne Schmitt, François Muller"}, "Santé & Co = 100% ?#"},
		{"VA signed: nobody is asked", "VA", StatutPret, []Signataire{schmitt, muller}, &retours.Preuve{Document: va, Type: signature.Electronic},
			[]string{"✔ VA signée reçue", "✔ VA signée reçue"}, []string{"", ""}, nil, "Cabinet"},
		{"a MOM: the fournisseur signs it", "MOM", StatutBloque, []Signataire{{Nom: "Jean Dupont", Email: "client@exemple.fr", Attendu: "Jean Dupont"}}, nil,
			[]string{"signe la MOM pour le fournisseur"}, []string{""}, nil, "Cabinet"},
		{"an address that would add recipients or fields", "VA", StatutBloque, []Signataire{
			{Nom: "A", Email: "a@exemple.fr,b@exemple.fr", Attendu: "A"}, {Nom: "B", Email: "b@exemple.fr?cc=c@exemple.fr", Attendu: "B"},
			{Nom: "C", Email: "C <c@exemple.fr>", Attendu: "C"}, {Nom: "D", Attendu: "D"}}, nil,
			[]string{"en attente de signature", "en attente de signature", "en attente de signature", "en attente de signature"}, []string{"", "", "", ""}, nil, "Cabinet"},
	}
	href := regexp.MustCompile(`href="(mailto:[^"]*)"`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := RapportDossier{NumeroEditeur: "00048", Dispositif: "MDV-LGC-Va1", Statut: tt.statut, Justificatif: tt.justif, Preuve: tt.preuve,
				Info: Info{Client: tt.mailsOf, Signataires: tt.sigs}}
			if tt.justif == "VA" {
				d.Info.VA = va
			}
			got := d.Signatures()
			var etats []string
			var links []string
			for i, s := range got {
				etats = append(etats, s.Etat)
				if s.Attend != (s.Etat == "en attente de signature") {
					t.Errorf("%s: Attend %v with « %s »", s.Nom, s.Attend, s.Etat)
				}
				if s.Mailto == "" {
					if tt.mailTo[i] != "" {
						t.Errorf("%s: no e-mail link, want one to %s", s.Nom, tt.mailTo[i])
					}
					continue
				}
				links = append(links, string(s.Mailto))
				u, err := url.Parse(string(s.Mailto))
				if err != nil {
					t.Fatalf("%s: %v", s.Mailto, err)
				}
				q := u.Query()
				if u.Scheme != "mailto" || u.Opaque != tt.mailTo[i] || len(q) != 2 {
					t.Errorf("e-mail link %s: want to %s with a subject and a body only", s.Mailto, tt.mailTo[i])
				}
				if want := "Dossier Ségur 00048 : VA à signer"; q.Get("subject") != want {
					t.Errorf("subject %q, want %q", q.Get("subject"), want)
				}
				body := q.Get("body")
				for _, want := range []string{"dossier Ségur 00048 (" + tt.mailsOf + ")", "fichier " + va, tt.pour[i], "sous le même nom, " + va} {
					if !strings.Contains(body, want) {
						t.Errorf("body %q does not say %q", body, want)
					}
				}
				if strings.Contains(string(s.Mailto), "+") || strings.Contains(string(s.Mailto), " ") {
					t.Errorf("%s: spaces must be %%20 (a + is a plus sign in a mailto:)", s.Mailto)
				}
			}
			if !slices.Equal(etats, tt.etats) {
				t.Errorf("states %q, want %q", etats, tt.etats)
			}
			// rapport.html links exactly these, under « reste à signer ».
			out := t.TempDir()
			if err := WriteHTML(filepath.Join(out, "rapport.html"), &Rapport{Dossiers: []RapportDossier{d}}); err != nil {
				t.Fatal(err)
			}
			page, err := os.ReadFile(filepath.Join(out, "rapport.html"))
			if err != nil {
				t.Fatal(err)
			}
			var inPage []string
			for _, m := range href.FindAllStringSubmatch(string(page), -1) {
				inPage = append(inPage, html.UnescapeString(m[1]))
			}
			if !slices.Equal(inPage, links) {
				t.Errorf("rapport.html's e-mail links:\n%q\nwant\n%q", inPage, links)
			}
			waiting := 0
			for _, s := range got {
				if s.Attend {
					waiting++
				}
			}
			if has := strings.Contains(string(page), "reste à signer :"); has != (waiting > 0) {
				t.Errorf("« reste à signer » shown: %v, want %v", has, waiting > 0)
			}
		})
	}
}
