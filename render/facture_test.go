package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfin"
)

func TestFacture(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	// The legal mentions every facture carries (L441-9, CGI ann. II 242
	// nonies A) for the fournisseur of fixtures/segur.yaml.
	legal := []string{
		"Médisoft Santé SAS", "SAS au capital de 150 000 €", "24 quai Perrache, 69002 Lyon",
		"SIREN 747849081 – SIRET 74784908100019 – RCS Lyon 747849081", "FR14747849081",
		"Taux des pénalités de retard : trois fois le taux d'intérêt légal",
		indemniteRecouvrement,
		"Escompte pour paiement anticipé : néant",
		natureOperations,
		mentionEtat,
	}
	cases := []struct {
		name     string
		fix      string
		edit     func(t *testing.T) *dossier.Dossier // nil: the fixture as is
		want     []string
		unwanted []string
		// count is how many times a string must appear (each facture of the
		// PDF carries every mention).
		count map[string]int
	}{
		{
			name: "a libéral facture carries the ASP's amount and date as plain text",
			fix:  "liberal-mom",
			want: []string{"Facture n° F2023-00042", "Total HT de la Prestation Ségur (avance + solde) : 716,66 €",
				"dont avance (30 %) : 215,00 € HT – solde (70 %) : 501,66 € HT", "Date de finalisation de la Prestation Ségur : 20/01/2023",
				"Sophie Garnier – RPPS 10660451559", "Julien Marchand – RPPS 10839956009", "n° BDC-2022-00042 du 15/06/2022",
				"Prestation Ségur – MédiCab version 5.2", "143,33 €", "859,99 €", "TVA à 20 %", "Date d'échéance : 12/03/2023",
				"Cabinet médical des Lilas", "808858138", "cabinet.lilas@medecin.mssante.fr"},
			unwanted: []string{"TVA non applicable", optionDebits, "Adresse de facturation", "Accompagnement renforcé", "Certificat"},
		},
		{
			name:     "after a beneficiary is removed the facture splits by the avance actually paid",
			fix:      "cas2-beneficiaire-retire",
			want:     []string{"Total HT de la Prestation Ségur (avance + solde) : 716,66 €", "dont avance versée : 322,50 € HT – solde : 394,16 € HT"},
			unwanted: []string{"dont avance (30 %)"},
		},
		{
			name: "a structure facture lists each site's FINESS géo and its own échéance",
			fix:  "structure-plusieurs-sites",
			want: []string{"FINESS géographique 380091397", "FINESS géographique 380260976", "FINESS géographique 380024943",
				"Date d'échéance : 30/04/2023", "Total HT de la Prestation Ségur (avance + solde) : 2 436,67 €", "FINESS juridique"},
		},
		{
			name: "after a takeover the facture keeps the old FINESS, says who took it over, and ends with the traité",
			fix:  "cas4-finess-remplace-avec-traite",
			want: []string{"FINESS géographique 740468749 (établissement repris par MSP du Lac, site de Sévrier)",
				"MSP du Lac, site de Sévrier (FINESS géographique 740515010) a repris l'établissement FINESS géographique 740468749 déclaré à l'avance",
				"Total HT de la Prestation Ségur (avance + solde) : 2 150,00 €", "Date d'émission 28/04/2023"},
			unwanted: []string{"Bénéficiaire n° 2 MSP du Lac, site de Sévrier – FINESS géographique 740515010"},
		},
		{
			name: "in mode avance-solde one PDF holds the avance and solde factures, each with every mention, and their total",
			fix:  "avance-solde-deux-factures",
			want: []string{"FACTURE D'AVANCE n° F2022-00053-A", "FACTURE DE SOLDE n° F2023-00053", "Récapitulatif des factures de la Prestation Ségur",
				"Date d'émission 04/07/2022", "Date d'émission 15/03/2023",
				"Prestation Ségur – MédiCab version 5.2 – avance 1 107,50 €", "Prestation Ségur – MédiCab version 5.2 – solde 1 250,83 €",
				"107,50 €", "21,50 €", "129,00 €", "250,83 €", "50,17 €", "301,00 €",
				"Total des deux factures 358,33 € 71,67 € 430,00 €",
				"Adresse de facturation BP 60214, 59002 Lille Cedex", "facture d'avance n° F2022-00053-A du 04/07/2022"},
			count: map[string]int{
				// Each facture carries every ASP mention (seed 004 L55-60):
				// numéro ASP, scenarios, total, date de finalisation — on
				// the avance facture too; the recap adds the total and the
				// numéro once more.
				"Total HT de la Prestation Ségur (avance + solde) : 358,33 €":   3,
				"dont avance (30 %) : 107,50 € HT – solde (70 %) : 250,83 € HT": 2,
				"N° de dossier ASP FINMDV000053":                                3,
				"RPPS 10477739659":                                              2,
				indemniteRecouvrement:                                           2,
				natureOperations:                                                2,
				"Date de finalisation de la Prestation Ségur : 28/02/2023":      2,
				"Date de réalisation":                                           1,
				"FR14747849081":                                                 2,
			},
		},
		{
			name: "a facture at 8,5 % shows the rate and the TVA at that rate",
			fix:  "facture-taux-8-5",
			want: []string{"8,5 %", "TVA à 8,5 %", "33,69 €", "430,00 €", "Total HT de la Prestation Ségur (avance + solde) : 396,31 €"},
		},
		{
			name:     "a Va2 facture gives the prestation type, the accompagnement, the DMP certificate and the 40/60 split",
			fix:      "va2-maj-va2",
			unwanted: []string{"Accompagnement renforcé"},
			want: []string{"Mise à jour vague 2", "dont avance (40 %) : 150,50 € HT – solde (60 %) : 225,75 € HT",
				"IGC-SANTE-SRV-0007315842", "MSS vers les patients par un logiciel tiers", "Prestation Ségur – MédiCab version 6.0"},
		},
		{
			name: "a Va2 centre de santé facture says the DMP goes through a third-party software",
			fix:  "va2-structure-cds",
			want: []string{"Mise à jour vague 1 et vague 2", "Envoi au DMP par un logiciel tiers", "FINESS géographique 350268967",
				"FINESS géographique 350532859", "Total HT de la Prestation Ségur (avance + solde) : 2 601,50 €"},
			unwanted: []string{"Certificat"},
		},
		{
			name: "a biology facture names its laboratory site by FINESS géo",
			fix:  "bio-sgl",
			want: []string{"BIO-SGL-Va1", "FINESS géographique 330063538", "Total HT de la Prestation Ségur (avance + solde) : 4 200,00 €",
				"resultats@biolab-garonne.mssante.fr"},
		},
		{
			name: "a fournisseur not liable to TVA with the option débits invoices HT only, accompagnement included",
			fix:  "va2-maj-va2-tva0",
			edit: func(t *testing.T) *dossier.Dossier {
				return variant(t, "dossiers", "va2-maj-va2",
					franchise(t, "option_debits: false", "option_debits: true"),
					replacer(t, "taux_tva: 20", "taux_tva: 0", "accompagnement_renforce_ht: 0", "accompagnement_renforce_ht: 150"))
			},
			want: []string{"TVA non applicable, art. 293 B du CGI", optionDebits, "Accompagnement renforcé 1 150,00 € — 150,00 €",
				"Total à payer 526,25 €", "Accompagnement renforcé (financement complémentaire) : 150,00 € HT", "Total HT de la Prestation Ségur (avance + solde) : 376,25 €"},
			unwanted: []string{"TVA à", "Total TTC"},
		},
		{
			name: "in mode avance-solde the accompagnement renforcé goes with the solde facture",
			fix:  "va2-maj-va2-avance-solde",
			edit: func(t *testing.T) *dossier.Dossier {
				return variant(t, "dossiers", "va2-maj-va2", same, replacer(t,
					"accompagnement_renforce_ht: 0", "accompagnement_renforce_ht: 150",
					"montant_ht: 376.25\n\nsignature", "montant_ht: 376.25\n  mode: avance-solde\n  facture_avance: {numero: F2025-00051-A, date: 2025-11-03}\n\nsignature"))
			},
			want: []string{"FACTURE D'AVANCE n° F2025-00051-A", "FACTURE DE SOLDE n° F2026-00051",
				"Prestation Ségur – MédiCab version 6.0 – avance 1 150,50 €", "Prestation Ségur – MédiCab version 6.0 – solde 1 225,75 €",
				"Accompagnement renforcé 1 150,00 €", "Total des deux factures 526,25 € 105,25 € 631,50 €"},
			count: map[string]int{"Accompagnement renforcé 1 150,00 €": 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d *dossier.Dossier
			if tc.edit != nil {
				d = tc.edit(t)
			} else {
				d = fixture(t, "dossiers", tc.fix)[0]
			}
			pdf := renderTwiceValid(t, "facture-"+tc.fix+".pdf", func() ([]byte, error) { return r.Render(d, dossier.FACTURE) })
			raw := pdfLayoutText(t, pdf)

			// What the ASP's check looks for, exactly.
			want := append(append([]string{}, legal...), tc.want...)
			want = append(want, Euros(d.Facture.Segur.HT), Date(d.Facture.Date.Time), d.Ref.NumeroASP, d.Ref.NumeroEditeur,
				d.Commande.Numero, Date(d.Realisation.DateFin.Time), d.Parties.Client.Nom)
			want = append(want, d.JSON.Beneficiaires...)
			checkMentions(t, raw, want, tc.unwanted)
			text := flatText(raw)
			for s, n := range tc.count {
				if got := strings.Count(text, s); got != n {
					t.Errorf("%q: got %d times, want %d", s, got, n)
				}
			}

			if len(d.Parties.Reprises) == 0 {
				checkLayout(t, pdf, 200)
			} else {
				checkTraiteAppended(t, d, pdf)
				// The traité keeps its own margins: check the facture pages
				// alone, rendered without it.
				alone := *d
				alone.Parties.Reprises = nil
				for _, rp := range d.Parties.Reprises {
					rp.Traite = ""
					alone.Parties.Reprises = append(alone.Parties.Reprises, rp)
				}
				b, err := r.Facture(&alone)
				if err != nil {
					t.Fatalf("facture without traité: %v", err)
				}
				checkLayout(t, b, 200)
			}
			compareTextGolden(t, "facture-"+tc.fix, raw)
		})
	}
}

// checkTraiteAppended checks that the traités are the last pages of the
// facture PDF, and that the facture pages before them are laid out right.
func checkTraiteAppended(t *testing.T, d *dossier.Dossier, pdf []byte) {
	t.Helper()
	total, err := pdfin.PageCount(pdf)
	if err != nil {
		t.Fatalf("page count: %v", err)
	}
	traitePages := 0
	for _, rp := range d.Parties.Reprises {
		b, err := os.ReadFile(rp.Traite)
		if err != nil {
			t.Fatal(err)
		}
		n, err := pdfin.PageCount(b)
		if err != nil {
			t.Fatalf("traité page count: %v", err)
		}
		traitePages += n
	}
	pages, err := pdfin.Text(pdf)
	if err != nil {
		t.Fatalf("pdfin.Text: %v", err)
	}
	if len(pages) != total || total <= traitePages {
		t.Fatalf("pages: got %d (text of %d), want more than the traité's %d", total, len(pages), traitePages)
	}
	last := flatText(strings.Join(pages[total-traitePages:], "\n"))
	for _, want := range []string{"Traité de fusion-absorption", "exploité sous son propre numéro FINESS géographique"} {
		if !strings.Contains(last, want) {
			t.Errorf("last %d page(s): got no %q, want the traité there:\n%s", traitePages, want, last)
		}
	}
	if strings.Contains(last, "Facture n°") {
		t.Errorf("last %d page(s): got facture text, want the traité only", traitePages)
	}
	first := flatText(strings.Join(pages[:total-traitePages], "\n"))
	if !strings.Contains(first, "Facture n° "+d.Facture.Numero) {
		t.Errorf("first pages: got no « Facture n° %s », want the facture first", d.Facture.Numero)
	}
}

// TestFactureOfAnOrderIsRefused checks that a dossier still at the order
// gets no facture.
func TestFactureOfAnOrderIsRefused(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	d := fixture(t, "commandes", "commande-liberal")[0]
	if _, err := r.Render(d, dossier.FACTURE); err == nil {
		t.Errorf("facture of an order: got no error, want one")
	}
	if _, err := r.Facture(d); err == nil {
		t.Errorf("Facture of an order without facture block: got no error, want one")
	}
}

// TestFactureAvanceAsIssued: when the record names the avance facture's
// PDF, the facture PDF starts with it, as issued, and no avance facture is
// regenerated (seed 004: the two existing invoices in one PDF).
func TestFactureAvanceAsIssued(t *testing.T) {
	requirePoppler(t)
	doc, err := NewDoc(loadFonts(t), sampleMeta, Header{Name: "Médisoft Santé SAS"})
	if err != nil {
		t.Fatal(err)
	}
	doc.Paragraph("Facture d'avance F2022-00053-A telle qu'émise le 04/07/2022.")
	issued, err := doc.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "avance.pdf")
	if err := os.WriteFile(path, issued, 0o644); err != nil {
		t.Fatal(err)
	}
	d := variant(t, "dossiers", "avance-solde-deux-factures", same, replacer(t,
		"facture_avance: {numero: F2022-00053-A, date: 2022-07-04}",
		"facture_avance: {numero: F2022-00053-A, date: 2022-07-04, fichier: \""+filepath.ToSlash(path)+"\"}"))
	pages := lookPages(t, "facture-avance-emise.pdf")(testRenderer(t).Facture(d))
	if len(pages) != 3 || !strings.Contains(squash(pages[0]), "telle qu'émise le 04/07/2022") {
		t.Fatalf("got %d pages, want the issued avance facture first, then the solde and the summary:\n%s", len(pages), strings.Join(pages, "\n----\n"))
	}
	if all := squash(strings.Join(pages, " ")); strings.Contains(all, "FACTURE D'AVANCE n°") || !strings.Contains(all, "FACTURE DE SOLDE n° F2023-00053") {
		t.Errorf("the avance facture was regenerated, or the solde is missing:\n%s", all)
	}
}

// TestFactureFitsOnePage: a facture for up to three beneficiaries is one
// page, the Ségur amounts block included (it once spilled alone on page 2).
func TestFactureFitsOnePage(t *testing.T) {
	for _, fix := range []string{"liberal-mom", "structure-plusieurs-sites", "va2-structure-cds", "va2-maj-va2", "bio-sgl", "facture-taux-8-5", "cas2-beneficiaire-retire"} {
		d := fixture(t, "dossiers", fix)[0]
		if n := len(d.JSON.Beneficiaires); n > 3 {
			t.Fatalf("%s: %d beneficiaries, the case is for up to three", fix, n)
		}
		pdf, err := testRenderer(t).Facture(d)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := pdfin.PageCount(pdf); err != nil || n != 1 {
			t.Errorf("%s: got %d pages (%v), want 1", fix, n, err)
		}
	}
}
