package render

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/golden"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/pdfops"
)

// requirePoppler fails (never skips) when pdftotext is missing: the text of
// the documents is what the ASP reads, so it must be checked.
func requirePoppler(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext is required to read the documents back (install poppler-utils): %v", err)
	}
}

// pdfLayoutText is the text of pdf as pdftotext -layout gives it.
func pdfLayoutText(t *testing.T, pdf []byte) string {
	t.Helper()
	requirePoppler(t)
	return pdftotext(t, pdf, "-layout")
}

// flatText joins the lines and collapses white space, so that a mention
// wrapped on several lines is found as one string.
func flatText(s string) string {
	return spaces.ReplaceAllString(s, " ")
}

// renderTwiceValid renders twice, requires identical bytes and a strictly
// valid PDF, and writes the PDF under $SEGUR_LOOK as look.
func renderTwiceValid(t *testing.T, look string, render func() ([]byte, error)) []byte {
	t.Helper()
	first, err := render()
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	second, err := render()
	if err != nil {
		t.Fatalf("second render: %v", err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("two renders of the same dossier: got different bytes (%d and %d bytes), want identical", len(first), len(second))
	}
	if err := pdfin.Validate(bytes.NewReader(first)); err != nil {
		t.Errorf("pdfin.Validate (strict): got %v, want nil", err)
	}
	writeLook(t, look, first)
	return first
}

// compareTextGolden compares text with testdata/<name>.txt, or rewrites it
// with -update (go test ./render -run 'BDC|Facture|VA|MOM' -update).
func compareTextGolden(t *testing.T, name, text string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".txt"), []byte(text))
}

// checkMentions reports every want missing from text and every unwanted
// string present in it.
func checkMentions(t *testing.T, raw string, want, unwanted []string) {
	t.Helper()
	text := flatText(raw)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("text: got no %q, want it in:\n%s", w, raw)
		}
	}
	for _, u := range unwanted {
		if strings.Contains(text, u) {
			t.Errorf("text: got %q, want it absent", u)
		}
	}
}

// variant checks fixtures/<dir>/<name>.yaml edited by rec, against
// fixtures/segur.yaml edited by cfg, for the cases no fixture covers (TVA
// rate 0, option débits, accompagnement renforcé, mandataire).
func variant(t *testing.T, dir, name string, cfgEdit, recEdit func(string) string) *dossier.Dossier {
	t.Helper()
	reg := testRegistry(t)
	cfgPath := filepath.Join("..", "fixtures", dossier.ConfigName)
	cfgText, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, probs := dossier.ParseConfig(cfgPath, []byte(cfgEdit(string(cfgText))), reg, pdfops.Disk{})
	if dossier.HasError(probs) {
		t.Fatalf("edited segur.yaml: %v", probs)
	}
	recPath := filepath.Join("..", "fixtures", dir, name+".yaml")
	recText, err := os.ReadFile(recPath)
	if err != nil {
		t.Fatal(err)
	}
	phase := dossier.PhaseSolde
	if dir == "commandes" {
		phase = dossier.PhaseCommande
	}
	ds := dossier.Check(cfg, reg, dossier.Decode(recPath, []byte(recEdit(string(recText)))), dossier.Options{Phase: phase, Files: pdfops.Disk{}})
	if len(ds) != 1 || ds[0].Blocked() {
		t.Fatalf("edited %s/%s: got %d dossiers, want 1 without error: %v", dir, name, len(ds), ds[0].Problems)
	}
	return ds[0]
}

// replacer returns an edit that replaces each old string by its new one and
// fails the test when an old string is not found.
func replacer(t *testing.T, oldNew ...string) func(string) string {
	return func(s string) string {
		for i := 0; i+1 < len(oldNew); i += 2 {
			if !strings.Contains(s, oldNew[i]) {
				t.Fatalf("edit: got no %q in the fixture", oldNew[i])
			}
			s = strings.Replace(s, oldNew[i], oldNew[i+1], 1)
		}
		return s
	}
}

func same(s string) string { return s }

// franchise makes the fixtures' fournisseur a franchise en base one (no
// TVA, art. 293 B du CGI).
func franchise(t *testing.T, oldNew ...string) func(string) string {
	return replacer(t, append([]string{"  option_debits: false\n", "  option_debits: false\n  tva: {regime: franchise, mention: \"TVA non applicable, art. 293 B du CGI\", code_exoneration: VATEX-FR-FRANCHISE}\n"}, oldNew...)...)
}

// scenarioBoxes returns, for each box line of a BDC in reading order,
// whether it is ticked, and fails on a line holding both marks.
func scenarioBoxes(t *testing.T, raw string) []bool {
	t.Helper()
	var boxes []bool
	for _, line := range strings.Split(raw, "\n") {
		ticked, empty := strings.Count(line, BoxTicked), strings.Count(line, BoxEmpty)
		switch {
		case ticked+empty > 1:
			t.Errorf("line %q: got %d boxes, want one box a line", line, ticked+empty)
		case ticked == 1:
			boxes = append(boxes, true)
		case empty == 1:
			boxes = append(boxes, false)
		}
	}
	return boxes
}

func TestBDC(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	common := []string{
		"Bon de commande – Prestation Ségur",
		mentionEtat,
		"Reste à charge nul pour le client",
		"n'est liée à aucun autre achat, ni à un renouvellement ou réengagement contractuel, ni à la souscription d'une option",
		"Signature précédée de la mention « Bon pour accord »",
		signatureModes,
		"Pour le fournisseur : Médisoft Santé SAS",
		"Signataire : Claire Martin, Directrice générale",
		"SIRET 74784908100019",
		scenarioDirect,
		scenarioTiers,
	}
	conditional := "Bon de commande conditionné à l'obtention par le logiciel du référencement ANS"
	cases := []struct {
		name     string
		dir, fix string
		edit     func(t *testing.T) *dossier.Dossier // nil: the fixture as is
		want     []string
		unwanted []string
	}{
		{
			name: "a libéral order lists both médecins with their RPPS and is signed by each",
			dir:  "commandes", fix: "commande-liberal",
			want: []string{"BDC-2022-00071", "03/10/2022", "Médecin n° 1", "Cécile André – RPPS 10580251022", "Guillaume Rey – RPPS 10283486107",
				"Signataire : Cécile André, médecin, RPPS 10580251022", "Signataire : Guillaume Rey, médecin, RPPS 10283486107",
				"Prestation Ségur – MédiCab version 5.2", "716,66 €", "143,33 €", "859,99 €", "20 %",
				"MédiCab version 5.2 (n° de référencement ANS 2201140317)", "Fait à Toulouse, le 03/10/2022"},
			unwanted: []string{conditional, "Accompagnement renforcé", "N° de dossier ASP", "Financement vague 1", "TVA non applicable"},
		},
		{
			name: "a Va2 order signed before référencement carries the conditional mention and the Va2 data",
			dir:  "commandes", fix: "commande-va2-sous-condition",
			want: []string{"BDC-2025-00072", "05/05/2025", conditional, "sous 120 jours sur le site de l'ANS et à l'obtention subséquente du référencement",
				"Accompagnement renforcé", "0,00 €", "Total", "376,25 €", "Mise à jour vague 2", "Version installée chez le client", "5.2",
				"Oui : le client a bénéficié d'un financement Ségur vague 1.",
				"Le client déclare sur l'honneur avoir atteint le seuil durable d'alimentation du DMP fixé par l'AF vague 2 (seuil de XX documents alimentant le DMP, non encore publié), constaté sur les deux mois précédant le dépôt de la demande d'avance.",
				"Claire Dumont – RPPS 10404458100", "MédiCab version 6.0 (n° de référencement ANS 2509150842)"},
		},
		{
			name: "a structure order lists each site's FINESS géo with its médecins and is signed by the responsable",
			dir:  "dossiers", fix: "structure-plusieurs-sites",
			want: []string{"FINESS géographique 380091397", "FINESS géographique 380260976", "FINESS géographique 380024943",
				"10383153664, 10896247813", "10112416481", "FINESS juridique", "380028290",
				"Signataire : Isabelle Perrin, Médecin coordinatrice", "Pour le client : SISA Maison de santé du Vercors",
				"2 436,67 €", "487,33 €", "2 924,00 €", "N° de dossier ASP", "FINMDV000044"},
			unwanted: []string{conditional, "Accompagnement renforcé"},
		},
		{
			name: "a Va2 centre de santé order never financed in Va1 says so",
			dir:  "dossiers", fix: "va2-structure-cds",
			want: []string{"Non : le client n'a bénéficié d'aucun financement Ségur vague 1.", "Mise à jour vague 1 et vague 2",
				"centre de santé (CDS)", "Signataire : Yann Le Goff, Directeur", "2 601,50 €", "4.8"},
			unwanted: []string{conditional, "Déclaration sur l'honneur"},
		},
		{
			name: "a libéral Va1 order at 20 % shows HT, TVA and TTC",
			dir:  "dossiers", fix: "liberal-mom",
			want: []string{"BDC-2022-00042", "15/06/2022", "Sophie Garnier – RPPS 10660451559 – spécialité : Médecine générale – sophie.garnier@cabinet-lilas.example", "716,66 €"},
		},
		{
			name: "an order at 8,5 % shows the rate",
			dir:  "dossiers", fix: "facture-taux-8-5",
			want: []string{"8,5 %", "396,31 €", "33,69 €", "430,00 €"},
		},
		{
			name: "a biology order lists the laboratory site by FINESS géo",
			dir:  "dossiers", fix: "bio-sgl",
			want: []string{"BIO-SGL-Va1 – Biologie médicale", "Biolab Garonne, laboratoire de Mérignac – FINESS géographique 330063538",
				"Signataire : Hélène Lefèvre, Biologiste responsable", "4 200,00 €", "comptes rendus de biologie vers le DMP"},
		},
		{
			name: "a taken-over site keeps the FINESS declared at the avance",
			dir:  "dossiers", fix: "cas4-finess-remplace-avec-traite",
			want: []string{"FINESS géographique 740468749 (déclaré à l'avance), repris par MSP du Lac, site de Sévrier – FINESS géographique 740515010"},
		},
		{
			name: "an order from a fournisseur not liable to TVA gives HT only, with the accompagnement and the mandataire",
			dir:  "commandes", fix: "commande-va2-sous-condition-tva0",
			edit: func(t *testing.T) *dossier.Dossier {
				return variant(t, "commandes", "commande-va2-sous-condition", franchise(t), replacer(t,
					"taux_tva: 20", "taux_tva: 0",
					"accompagnement_renforce_ht: 0", "accompagnement_renforce_ht: 150",
					"signature:", "mandataire: {nom: Cabinet Gestion Santé Anjou, email: contact@gestion-anjou.example}\n\nsignature:",
				))
			},
			want: []string{"TVA non applicable, art. 293 B du CGI : l'Etat prend en charge le montant hors taxe.", "non applicable", "150,00 €", "526,25 €",
				"Mandataire", "Cabinet Gestion Santé Anjou – contact@gestion-anjou.example", conditional},
			unwanted: []string{"Montant TTC", "Taux de TVA"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d *dossier.Dossier
			if tc.edit != nil {
				d = tc.edit(t)
			} else {
				d = fixture(t, tc.dir, tc.fix)[0]
			}
			pdf := renderTwiceValid(t, "bdc-"+tc.fix+".pdf", func() ([]byte, error) { return r.Render(d, dossier.BDC) })
			raw := pdfLayoutText(t, pdf)
			want := append(append([]string{}, common...), tc.want...)
			want = append(want, d.Commande.Numero, Date(d.Commande.Date.Time), d.Solution.NumeroANS, Euros(d.Commande.Montant.HT), d.Ref.NumeroEditeur)
			for _, b := range d.Parties.Beneficiaires {
				want = append(want, b.ID())
				want = append(want, b.RPPSMedecins...)
			}
			checkMentions(t, raw, want, tc.unwanted)

			// One box ticked per flow, the one the order declares.
			sp := d.Commande.Scenario
			boxes := scenarioBoxes(t, raw)
			if len(boxes) != 6 {
				t.Fatalf("boxes: got %d, want 6 (two per flow)", len(boxes))
			}
			for i, flow := range []struct{ name, value string }{{"DMP", sp.DMP}, {"MSS professionnels", sp.MSSPro}, {"MSS patients", sp.MSSCitoyen}} {
				direct, tiers := boxes[2*i], boxes[2*i+1]
				if direct == tiers {
					t.Errorf("flow %s: got direct %v and tiers %v ticked, want exactly one ticked", flow.name, direct, tiers)
				}
				if got, want := direct, flow.value == "direct"; got != want {
					t.Errorf("flow %s: got direct box ticked %v, want %v (scenario %q)", flow.name, got, want, flow.value)
				}
			}
			checkLayout(t, pdf, 150)
			compareTextGolden(t, "bdc-"+tc.fix, raw)
		})
	}
}

// TestBDCThreeMedecins: a BDC for three médecins is two pages, the
// fournisseur's box with the others (it once made a third page of its own).
func TestBDCThreeMedecins(t *testing.T) {
	requirePoppler(t)
	d := fixture(t, "dossiers", "cas6-mandataire-ajoute")[0]
	if len(d.Parties.Beneficiaires) != 3 {
		t.Fatalf("got %d médecins, want 3", len(d.Parties.Beneficiaires))
	}
	pages := lookPages(t, "bdc-trois-medecins.pdf")(testRenderer(t).BDC(d))
	if len(pages) != 2 {
		t.Fatalf("got %d pages, want 2", len(pages))
	}
	last := squash(pages[1])
	if strings.Count(last, "Bon pour accord") != 3 || !strings.Contains(last, "Pour le fournisseur") {
		t.Errorf("page 2: want the three médecins' boxes and the fournisseur's:\n%s", pages[1])
	}
}
