package render

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/facturx"
	"github.com/segur-sons/segur/internal/pdfin"
)

// TestAvoir: an avoir cites the facture it cancels (number and date),
// carries its own number, date and motif, repeats the cancelled facture's
// lines and totals as amounts to deduct, and is a plain PDF unless the
// facture was Factur-X.
func TestAvoir(t *testing.T) {
	requirePdftotext(t)
	r := testRenderer(t)
	a := Avoir{Numero: "A2023-00001", Date: time.Date(2023, 5, 2, 0, 0, 0, 0, time.UTC), Motif: "montant de la Prestation Ségur erroné"}
	cases := []struct {
		name     string
		d        *dossier.Dossier
		want     []string
		unwanted []string
	}{
		{
			name: "a single facture at 20 %",
			d:    fixture(t, "dossiers", "liberal-mom")[0],
			want: []string{"Avoir n° A2023-00001", "Date d'émission 02/05/2023", "Facture initiale annulée n° F2023-00042 du 10/02/2023",
				"Motif montant de la Prestation Ségur erroné", avoirAnnulation, "Total HT à déduire 716,66 €", "TVA à 20 % à déduire 143,33 €",
				"Total TTC de l'avoir 859,99 €", avoirReglement, "Médisoft Santé SAS", "SIREN 747849081", "Cabinet médical des Lilas", "N° éditeur 00042",
				"n° BDC-2022-00042", mentionEtat, "MDV-LGC-Va1-AVOIR-00042-A2023-00001.pdf"},
			unwanted: []string{"Facture n°", "Net à payer", "Conditions de paiement"},
		},
		{
			name:     "mode avance-solde: the solde facture is the one cancelled",
			d:        fixture(t, "dossiers", "avance-solde-deux-factures")[0],
			want:     []string{"Facture initiale annulée n° F2023-00053 du 15/03/2023", "Total HT à déduire 250,83 €", "Total TTC de l'avoir 301,00 €"},
			unwanted: []string{"F2022-00053-A"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pdf, err := r.Avoir(tc.d, a)
			if err != nil {
				t.Fatal(err)
			}
			if err := pdfin.Validate(bytes.NewReader(pdf)); err != nil {
				t.Errorf("pdfcpu strict: %v", err)
			}
			if _, err := facturx.Extract(pdf); err == nil {
				t.Error("an avoir of a plain PDF facture embeds a Factur-X XML")
			}
			text := spaces.ReplaceAllString(pdftotext(t, pdf), " ")
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("missing %q in\n%s", w, text)
				}
			}
			for _, w := range tc.unwanted {
				if strings.Contains(text, w) {
					t.Errorf("unwanted %q", w)
				}
			}
		})
	}

	// Refused: no motif, dated before the facture it cancels.
	d := fixture(t, "dossiers", "liberal-mom")[0]
	for _, bad := range []Avoir{{Numero: "A1", Date: a.Date}, {Numero: "A1", Date: time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC), Motif: "x"}} {
		if _, err := r.Avoir(d, bad); err == nil {
			t.Errorf("avoir %+v accepted", bad)
		}
	}
}

// TestAvoirFacturX: the avoir of a Factur-X facture is Factur-X too, of
// type 381, with the cancelled facture's amounts (positive: the type
// carries the sign), citing it (BT-25, BT-26), nothing prepaid, and passes
// the EN 16931 rules segur checks and the PDF/A-3 structure.
func TestAvoirFacturX(t *testing.T) {
	r := testRenderer(t)
	a := Avoir{Numero: "A2026-00002", Date: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Motif: "erreur de bénéficiaire"}
	n := 0
	for _, d := range facturXDossiers(t) {
		base := filepath.Base(d.Ref.Source.File)
		if base != "liberal-mom.yaml" && base != "avance-solde-deux-factures-taux-0.yaml" && base != "va2-maj-va2.yaml" {
			continue
		}
		n++
		t.Run(base, func(t *testing.T) {
			pdf, err := r.Avoir(d, a)
			if err != nil {
				t.Fatal(err)
			}
			want, err := AvoirXML(d, a)
			if err != nil {
				t.Fatal(err)
			}
			got, err := facturx.Extract(pdf)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("facturx.Extract: %v", err)
			}
			s, err := facturx.Parse(want)
			if err != nil {
				t.Fatal(err)
			}
			if msgs := facturx.Verify(s); len(msgs) > 0 {
				t.Errorf("EN 16931:\n%s", strings.Join(msgs, "\n"))
			}
			if msgs := facturx.CheckStructure(pdf); len(msgs) > 0 {
				t.Errorf("structure:\n%s", strings.Join(msgs, "\n"))
			}
			total := d.Facture.Total
			if d.Facture.Mode == dossier.ModeAvanceSolde {
				total = d.Facture.Solde
			}
			if s.TypeCode != "381" || s.Numero != a.Numero || !s.GrandTotal.Equal(total.TTC) || !s.TaxBasis.Equal(total.HT) ||
				!s.Prepaid.IsZero() || !s.Due.Equal(total.TTC) {
				t.Errorf("avoir XML: type %s n° %s HT %s TTC %s prepaid %s due %s; facture HT %s TTC %s", s.TypeCode, s.Numero, s.TaxBasis, s.GrandTotal, s.Prepaid, s.Due, total.HT, total.TTC)
			}
			_, ref, _ := strings.Cut(string(want), "<ram:InvoiceReferencedDocument>")
			if !strings.Contains(ref, "<ram:IssuerAssignedID>"+d.Facture.Numero+"</ram:IssuerAssignedID>") || !strings.Contains(ref, d.Facture.Date.Format("20060102")) {
				t.Errorf("the XML does not cite facture %s of %s:\n%s", d.Facture.Numero, d.Facture.Date.ISO(), want)
			}
			if strings.Contains(string(want), "DueDateDateTime") {
				t.Error("the avoir carries the facture's due date")
			}
		})
	}
	if n != 3 {
		t.Fatalf("%d Factur-X fixtures tried, want 3", n)
	}
}
