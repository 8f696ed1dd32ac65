package render

import (
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/signature"
)

// A preview carries « APERÇU » on every page of every document — the pages
// appended from other files (a traité, the avance facture as issued)
// included — and is never signed, even with the fournisseur's certificate.
func TestApercuOnEveryPage(t *testing.T) {
	requirePoppler(t)
	s, err := signature.Load("../fixtures/certs/fournisseur.p12", "segur-test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := testRenderer(t)
	r.assets.Signer = s
	r.assets.Apercu = true
	cases := []struct {
		file  string
		kinds []dossier.Kind
	}{
		{"liberal-mom", []dossier.Kind{dossier.BDC, dossier.MOM, dossier.FACTURE}},
		{"liberal-va", []dossier.Kind{dossier.BDC, dossier.VA, dossier.FACTURE}},
		{"cas4-finess-remplace-avec-traite", []dossier.Kind{dossier.FACTURE}},
		{"avance-solde-deux-factures", []dossier.Kind{dossier.FACTURE}},
	}
	for _, c := range cases {
		d := fixture(t, "dossiers", c.file)[0]
		for _, k := range c.kinds {
			t.Run(c.file+"/"+string(k), func(t *testing.T) {
				pdf, err := r.Render(d, k)
				if err != nil {
					t.Fatal(err)
				}
				writeLook(t, "apercu-"+c.file+"-"+string(k)+".pdf", pdf)
				if signature.HasSignature(pdf) {
					t.Error("a preview is signed, want no signature")
				}
				pages := strings.Split(strings.TrimRight(pdftotext(t, pdf), "\f"), "\f")
				for i, p := range pages {
					if !strings.Contains(p, "APERÇU") {
						t.Errorf("page %d/%d: no « APERÇU »:\n%s", i+1, len(pages), p)
					}
				}
				if c.file == "liberal-mom" && k == dossier.BDC && !strings.Contains(flatText(pages[0]), ApercuMark) {
					t.Errorf("page 1: no banner « %s »", ApercuMark)
				}
			})
		}
	}
	// Without Apercu, no mark.
	r.assets.Apercu = false
	r.assets.Signer = nil
	pdf, err := r.Render(fixture(t, "dossiers", "liberal-mom")[0], dossier.BDC)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(pdftotext(t, pdf), "APERÇU") {
		t.Error("a document that is not a preview carries « APERÇU »")
	}
}
