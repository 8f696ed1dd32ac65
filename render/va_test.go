package render

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfin"
)

// justificatifCase is one fixture whose MOM or VA is rendered and read back.
type justificatifCase struct {
	name    string // what the case shows, as a sentence
	fixture string // fixtures/dossiers/<fixture>.yaml
	pages   int    // len(d.Justificatif.Pages) the fixture is meant to give
}

func TestVA(t *testing.T) {
	t.Parallel()
	for _, c := range []justificatifCase{
		{"a libéral VA with MSS citoyen by a third party is signed by the médecin", "liberal-va", 1},
		{"a structure VA has one page per site signed by the responsable", "cas1-perimetre-identique", 2},
		{"a removed mandataire gives one VA page per médecin", "cas5-mandataire-retire", 2},
		{"a mandataire declared since the avance signs one VA listing every médecin", "mandataire-va", 1},
		{"a Va2 centre de santé VA has the Va2 wording", "va2-structure-cds", 2},
		{"a BIO SGL VA shows the FINESS juridique and géographique", "bio-sgl", 1},
		{"a BIO LOINC VA ticks the third-party box of every flow", "bio-loinc", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, pages := renderJustificatif(t, c, dossier.VA)
			for i, p := range d.Justificatif.Pages {
				text := pages[i]
				checkPageCommon(t, d, i, p, text)
				if got, want := strings.Count(text, BoxTicked), 3; got != want {
					t.Errorf("page %d: got %d %s, want %d", i+1, got, BoxTicked, want)
				}
				if got, want := strings.Count(text, BoxEmpty), 3; got != want {
					t.Errorf("page %d: got %d %s, want %d", i+1, got, BoxEmpty, want)
				}
				checkBoxes(t, d, i, text)
				if got, want := strings.Count(squash(text), d.Dispositif.Textes.VACocher), 3; got != want {
					t.Errorf("page %d: got %d « %s », want %d", i+1, got, d.Dispositif.Textes.VACocher, want)
				}
			}
		})
	}
}

// renderJustificatif renders the fixture's MOM or VA through Render, checks
// what holds for any PDF of the kind (same bytes twice, strictly valid, one
// PDF page per dossier page, nothing outside the page nor overlapping, the
// golden text) and returns the dossier and the text of each page.
func renderJustificatif(t *testing.T, c justificatifCase, kind dossier.Kind) (*dossier.Dossier, []string) {
	t.Helper()
	requirePoppler(t)
	ds := fixture(t, "dossiers", c.fixture)
	if len(ds) != 1 {
		t.Fatalf("got %d dossiers in %s, want 1", len(ds), c.fixture)
	}
	d := ds[0]
	if d.Justificatif.Kind != kind {
		t.Fatalf("got justificatif %s for %s, want %s", d.Justificatif.Kind, c.fixture, kind)
	}
	if got, want := len(d.Justificatif.Pages), c.pages; got != want {
		t.Fatalf("got %d pages in the dossier, want %d", got, want)
	}
	r := testRenderer(t)
	pdf := renderTwiceValid(t, d.FileName(kind), func() ([]byte, error) { return r.Render(d, kind) })
	if n, err := pdfin.PageCount(pdf); err != nil || n != len(d.Justificatif.Pages) {
		t.Errorf("PDF pages: got %d (%v), want %d", n, err, len(d.Justificatif.Pages))
	}
	checkLayout(t, pdf, 100)
	text := pdfLayoutText(t, pdf)
	compareTextGolden(t, strings.ToLower(string(kind))+"-"+c.fixture, text)
	pages := strings.Split(strings.TrimSuffix(text, "\f"), "\f")
	if got, want := len(pages), len(d.Justificatif.Pages); got != want {
		t.Fatalf("extracted pages: got %d, want %d", got, want)
	}
	return d, pages
}

// checkPageCommon checks what every MOM and VA page shows: the signatory,
// the facture number, each beneficiary's identifiers, the MSS addresses,
// the page number.
func checkPageCommon(t *testing.T, d *dossier.Dossier, i int, p dossier.Page, text string) {
	t.Helper()
	flat := squash(text)
	want := []string{
		d.Facture.Numero,
		d.Ref.NumeroEditeur,
		d.Ref.NumeroASP,
		p.Signataire.Nom,
		p.Signataire.Prenom,
		p.Signataire.Qualite,
		p.Signataire.Organisation,
		d.Realisation.AdresseMSSPro,
		d.Realisation.AdresseMSSCitoyen,
		fmt.Sprintf("Page %d/%d", i+1, len(d.Justificatif.Pages)),
	}
	if cl := d.Parties.Client; cl.Type == dossier.Structure {
		want = append(want, "FINESS juridique "+cl.FinessJuridique)
	}
	for _, b := range p.Beneficiaires {
		if b.FinessGeo != "" {
			want = append(want, "FINESS géographique "+b.FinessGeo)
		} else {
			want = append(want, b.Name()+" – RPPS "+b.RPPS)
		}
	}
	if d.Solution != nil {
		want = append(want, d.Solution.NumeroANS)
	}
	for _, w := range want {
		if w != "" && !strings.Contains(flat, w) {
			t.Errorf("page %d: got no %q in:\n%s", i+1, w, text)
		}
	}
	if p.ID != "" && len(p.Beneficiaires) != 1 {
		t.Errorf("page %d: got %d beneficiaries on a page signed for %s, want 1", i+1, len(p.Beneficiaires), p.ID)
	}
}

// box is a check box read back from the text: ticked or not, and the start
// of its statement (the rest of its line).
type box struct {
	ticked bool
	start  string
}

// boxes returns the check boxes of a page, in order: the lines that start
// with ☒ or ☐.
func boxes(text string) []box {
	var out []box
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		for _, mark := range []string{BoxTicked, BoxEmpty} {
			if rest, ok := strings.CutPrefix(line, mark); ok {
				out = append(out, box{ticked: mark == BoxTicked, start: squash(rest)})
			}
		}
	}
	return out
}

// checkBoxes checks that each flow has its two boxes, in order, the ticked
// one beside the statement the dossier calls for (direct or third party).
func checkBoxes(t *testing.T, d *dossier.Dossier, i int, text string) {
	t.Helper()
	flows, err := justificatifFlows(d)
	if err != nil {
		t.Fatal(err)
	}
	bs := boxes(text)
	if got, want := len(bs), 2*len(flows); got != want {
		t.Fatalf("page %d: got %d lines starting with a box, want %d", i+1, got, want)
	}
	want := map[string]bool{"dmp": d.Realisation.DMPDirect, "mss_pro": d.Realisation.MSSProDirect, "mss_citoyen": d.Realisation.MSSCitoyenDirect}
	for j, f := range flows {
		direct, tiers := squash(f.texte.Direct), squash(f.texte.Tiers)
		var tickedDirect, tickedTiers int
		for _, b := range bs[2*j : 2*j+2] {
			isDirect := strings.HasPrefix(direct, b.start)
			isTiers := strings.HasPrefix(tiers, b.start)
			if isDirect == isTiers {
				t.Fatalf("page %d, flow %s: got box line %q, want the start of exactly one of its statements", i+1, f.texte.ID, b.start)
			}
			if b.ticked && isDirect {
				tickedDirect++
			}
			if b.ticked && isTiers {
				tickedTiers++
			}
		}
		wantDirect := 0
		if want[f.texte.ID] {
			wantDirect = 1
		}
		if tickedDirect != wantDirect || tickedTiers != 1-wantDirect {
			t.Errorf("page %d, flow %s: got %s beside %d direct and %d third-party statements, want %d and %d (direct: %v)",
				i+1, f.texte.ID, BoxTicked, tickedDirect, tickedTiers, wantDirect, 1-wantDirect, want[f.texte.ID])
		}
	}
}

// squash collapses white space (line breaks included) to single spaces and
// trims the ends.
func squash(s string) string {
	return strings.TrimSpace(flatText(s))
}

// TestVASignatureStaysWithItsStatement: a structure with a long name and
// seven sites gets seven VA pages, each signature box on the page of the
// statement it signs (it once gave 14 pages, each box alone on the next).
func TestVASignatureStaysWithItsStatement(t *testing.T) {
	requirePoppler(t)
	d := variant(t, "dossiers", "cas1-perimetre-identique", same, replacer(t,
		"nom: Centre de santé municipal de Villeurbanne", "nom: Centre de santé municipal pluriprofessionnel et universitaire de la Ville de Villeurbanne et de la Métropole de Lyon",
		"responsable: {nom: Lambert, prenom: Nathalie, qualite: Directrice du centre de santé}", "responsable: {nom: Lambert-Delacroix, prenom: Nathalie, qualite: Directrice générale du centre de santé municipal, civilite: madame}",
		"effectifs: 4", "effectifs: 7",
		"  - finess_geo: \"690943600\"\n    nom: Centre de santé des Gratte-Ciel\n    rpps_medecins: [\"10730334645\", \"10564875655\"]\n  - finess_geo: \"690102488\"\n    nom: Centre de santé des Buers\n    rpps_medecins: [\"10590189956\"]\n",
		`  - {finess_geo: "690941000", nom: "Centre de santé pluriprofessionnel universitaire Gratte-Ciel du Grand Lyon Métropole", rpps_medecins: ["10730334009"]}
  - {finess_geo: "690941018", nom: "Centre de santé pluriprofessionnel universitaire Buers du Grand Lyon Métropole", rpps_medecins: ["10730334017"]}
  - {finess_geo: "690941026", nom: "Centre de santé pluriprofessionnel universitaire Croix-Luizet du Grand Lyon Métropole", rpps_medecins: ["10730334025"]}
  - {finess_geo: "690941034", nom: "Centre de santé pluriprofessionnel universitaire Cusset du Grand Lyon Métropole", rpps_medecins: ["10730334033"]}
  - {finess_geo: "690941042", nom: "Centre de santé pluriprofessionnel universitaire Tonkin du Grand Lyon Métropole", rpps_medecins: ["10730334041"]}
  - {finess_geo: "690941059", nom: "Centre de santé pluriprofessionnel universitaire Charpennes du Grand Lyon Métropole", rpps_medecins: ["10730334058"]}
  - {finess_geo: "690941067", nom: "Centre de santé pluriprofessionnel universitaire Bonnevay du Grand Lyon Métropole", rpps_medecins: ["10730334066"]}
`,
		`beneficiaires: ["690943600", "690102488"]`, `beneficiaires: ["690941000", "690941018", "690941026", "690941034", "690941042", "690941059", "690941067"]`,
	))
	if len(d.Justificatif.Pages) != 7 {
		t.Fatalf("got %d signature pages, want 7", len(d.Justificatif.Pages))
	}
	pages := lookPages(t, "va-sept-sites.pdf")(testRenderer(t).VA(d))
	if len(pages) != 7 {
		t.Fatalf("got %d PDF pages, want 7 (one per site)", len(pages))
	}
	for i, text := range pages {
		flat := squash(text)
		for _, w := range []string{"Je, soussignée :", squash(d.Dispositif.Textes.Flux[2].Tiers), "Fait à Villeurbanne", "Signature :", d.Justificatif.Pages[i].ID} {
			if !strings.Contains(flat, w) {
				t.Errorf("page %d: got no %q: the statement and its signature box must share the page:\n%s", i+1, w, text)
			}
		}
	}
}

// TestJustificatifVa2Wording: the Va2 « Mise à jour vague 1 et vague 2 » VA
// attests the ten-document threshold (seed 002 L614); a MOM with the
// accompagnement renforcé attests its threshold (L602-603).
func TestJustificatifVa2Wording(t *testing.T) {
	requirePoppler(t)
	r := testRenderer(t)
	va := fixture(t, "dossiers", "va2-structure-cds")[0]
	pdf, err := r.VA(va)
	if err != nil {
		t.Fatal(err)
	}
	if text := squash(pdftotext(t, pdf)); strings.Count(text, "dix documents de santé vers le logiciel d'envoi tiers, avec INS qualifiée") != len(va.Justificatif.Pages) {
		t.Errorf("VA maj-va1-va2 via a third party: want the ten-document threshold on each page:\n%s", text)
	}
	mom := variant(t, "dossiers", "va2-maj-va2", same, replacer(t, "accompagnement_renforce_ht: 0", "accompagnement_renforce_ht: 150"))
	pdf, err = r.MOM(mom)
	if err != nil {
		t.Fatal(err)
	}
	text := squash(pdftotext(t, pdf))
	if !strings.Contains(text, squash(mom.Dispositif.AccompagnementRenforce.Attestation)) || strings.Contains(text, "dix documents") {
		t.Errorf("MOM maj-va2 with accompagnement: want its threshold attested and no clause of the other prestation:\n%s", text)
	}
}

// TestVAMandataireRepresentant: the mandataire's representative, named by
// mandataire.representant_nom/_prenom, is printed on the VA (the Nom and
// Prénom lines and the signature box); without them both are left blank.
func TestVAMandataireRepresentant(t *testing.T) {
	requirePoppler(t)
	src, err := os.ReadFile(filepath.Join("..", "fixtures", "dossiers", "mandataire-va.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const org = "  nom: Union des cabinets médicaux de Gironde\n"
	if !bytes.Contains(src, []byte(org)) {
		t.Fatalf("fixtures/dossiers/mandataire-va.yaml has no line %q", org)
	}
	rec := filepath.Join(t.TempDir(), "mandataire-representant.yaml")
	with := bytes.Replace(src, []byte(org), []byte(org+"  representant_nom: Morel\n  representant_prenom: Hélène\n"), 1)
	if err := os.WriteFile(rec, with, 0o644); err != nil {
		t.Fatal(err)
	}
	ds := checkFile(t, rec, dossier.PhaseSolde)
	if len(ds) != 1 || len(ds[0].Justificatif.Pages) != 1 {
		t.Fatalf("got %d dossiers, want 1 with one VA page", len(ds))
	}
	d := ds[0]
	if s := d.Justificatif.Pages[0].Signataire; s.Nom != "Morel" || s.Prenom != "Hélène" || s.Organisation != "Union des cabinets médicaux de Gironde" {
		t.Errorf("signataire: got %+v, want Hélène Morel for the Union des cabinets médicaux de Gironde", s)
	}
	pdf, err := testRenderer(t).Render(d, dossier.VA)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("SEGUR_VA_PNG"); dir != "" { // to look at it: pdftoppm -png -r 70
		os.WriteFile(filepath.Join(dir, "va-mandataire-representant.pdf"), pdf, 0o644)
	}
	text := pdfLayoutText(t, pdf)
	for _, re := range []string{`(?m)^Nom +Morel$`, `(?m)^Prénom +Hélène$`, `Hélène Morel, Mandataire des bénéficiaires finaux, Union des cabinets médicaux de Gironde`} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("the VA has no %s:\n%s", re, text)
		}
	}
}
