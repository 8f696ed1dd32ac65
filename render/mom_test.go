package render

import (
	"strings"
	"testing"

	"github.com/segur-sons/segur/dossier"
)

func TestMOM(t *testing.T) {
	t.Parallel()
	for _, c := range []justificatifCase{
		{"a libéral MOM has one page per médecin", "liberal-mom", 2},
		{"a structure MOM has one page per site", "structure-plusieurs-sites", 3},
		{"a mandataire added since the avance gives one MOM listing every médecin", "cas6-mandataire-ajoute", 1},
		{"a Va2 MOM attests only the flows sent directly", "va2-maj-va2", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, pages := renderJustificatif(t, c, dossier.MOM)
			flows, err := justificatifFlows(d)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range d.Justificatif.Pages {
				text := pages[i]
				flat := squash(text)
				checkPageCommon(t, d, i, p, text)
				if strings.Contains(text, BoxEmpty) || strings.Contains(text, BoxTicked) {
					t.Errorf("page %d: got a check box, want none in a MOM:\n%s", i+1, text)
				}
				for _, w := range []string{squash(d.Dispositif.Textes.MOMCas), squash(d.Dispositif.Textes.MOMIntroduction), "Je, soussignée :"} {
					if !strings.Contains(flat, w) {
						t.Errorf("page %d: got no %q", i+1, w)
					}
				}
				for j, f := range flows {
					seg, ok := flowSegment(flat, flows, j)
					if !ok {
						t.Errorf("page %d, flow %s: got no heading %q", i+1, f.texte.ID, f.texte.Intitule)
						continue
					}
					if got, want := strings.Contains(seg, squash(f.texte.MOM)), f.direct; got != want {
						t.Errorf("page %d, flow %s: got the MOM attestation printed %v, want %v (direct: %v)", i+1, f.texte.ID, got, want, f.direct)
					}
					if got, want := f.texte.MOMTiers != "" && strings.Contains(seg, squash(f.texte.MOMTiers)), !f.direct; got != want {
						t.Errorf("page %d, flow %s: got « sans objet » printed %v, want %v (direct: %v)", i+1, f.texte.ID, got, want, f.direct)
					}
				}
				// Dated the day of the facture it cites, never before.
				if want := "le " + Date(d.Facture.Date.Time); !strings.Contains(flat, want) {
					t.Errorf("page %d: got no %q (date of the facture)", i+1, want)
				}
				if d.Prestation != nil && d.Prestation.ID == "maj-va2" && strings.Contains(flat, "vague 1 et vague 2") {
					t.Errorf("page %d: a « Mise à jour vague 2 » MOM carries a clause of the other prestation:\n%s", i+1, text)
				}
			}
		})
	}
}

// flowSegment is the text of flow j on a flattened page: from its heading
// to the next flow's heading, or to the MSS addresses after the last one.
func flowSegment(flat string, flows []justificatifFlow, j int) (string, bool) {
	_, rest, ok := strings.Cut(flat, squash(flows[j].texte.Intitule))
	if !ok {
		return "", false
	}
	end := "MSSanté professionnels"
	if j+1 < len(flows) {
		end = squash(flows[j+1].texte.Intitule)
	}
	seg, _, _ := strings.Cut(rest, end)
	return seg, true
}
