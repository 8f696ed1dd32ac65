package render

import (
	"errors"
	"fmt"
	"strings"

	"github.com/segur-sons/segur/dossier"
)

// MOM returns the déclaration de mise en ordre de marche of d (seed 000,
// « Modèle de MOM »), written and signed by the fournisseur: one page per
// entry of d.Justificatif.Pages, all in one PDF. Which flows are direct, who signs and
// which beneficiaries each page lists come from the dossier; the wording
// comes from the dispositif's textes.
func (r *Renderer) MOM(d *dossier.Dossier) ([]byte, error) {
	flows, err := justificatifFlows(d)
	if err != nil {
		return nil, err
	}
	doc, err := r.newDoc(d, dossier.MOM)
	if err != nil {
		return nil, err
	}
	for i, p := range d.Justificatif.Pages {
		if i > 0 {
			doc.PageBreak()
		}
		momHeading(doc, d)
		justificatifReferences(doc, d)
		momDeclarant(doc, d, p)
		momAttestations(doc, d, flows[:len(flows)-1])
		doc.KeepTogether(func() {
			momFlux(doc, flows[len(flows)-1])
			accompagnementAttestation(doc, d)
			mssAddresses(doc, d)
			// Dated the day of the facture it cites (never before it).
			// The fournisseur signs the MOM: « Fait à » is where it signs.
			doc.Paragraph(fmt.Sprintf("Fait à %s, le %s", orBlank(d.Parties.LieuFournisseur, blankPlace), Date(d.Facture.Date.Time)))
			momSignature(doc, p.Signataire)
		})
	}
	b, err := doc.Bytes()
	if err != nil {
		return nil, fmt.Errorf("MOM: %w", err)
	}
	return r.finish(d, dossier.MOM, b, doc.Spots())
}

// momHeading is the title and the case the MOM covers (textes.mom_cas).
func momHeading(doc *Doc, d *dossier.Dossier) {
	doc.Title(kindTitle[dossier.MOM])
	doc.Lines([]string{d.Dispositif.Textes.MOMCas, ""})
}

// momDeclarant is the fournisseur's signatory, the beneficiaries the page
// covers and the facture the MOM belongs to.
func momDeclarant(doc *Doc, d *dossier.Dossier, p dossier.Page) {
	identification(doc, d, p, soussigne(d, p.Signataire), "Fournisseur")
	doc.Paragraph("Numéro de facture associé à la présente MOM : " + justificatifFacture(d))
}

// momAttestations is the introduction then, for each flow, its heading and
// the fournisseur's attestation. A flow that the dossier does not send
// directly (Va2: only the DMP decides the MOM) gets no attestation: the
// fournisseur cannot attest sendings it does not make.
func momAttestations(doc *Doc, d *dossier.Dossier, flows []justificatifFlow) {
	doc.Paragraph(d.Dispositif.Textes.MOMIntroduction)
	for _, f := range flows {
		momFlux(doc, f)
	}
}

// momFlux is one flow's heading and the fournisseur's attestation.
func momFlux(doc *Doc, f justificatifFlow) {
	doc.Lines([]string{"– " + f.texte.Intitule})
	if f.direct {
		doc.Paragraph(f.texte.MOM)
	} else {
		doc.Paragraph(f.texte.MOMTiers)
	}
}

// momSignature is the fournisseur's signature block.
func momSignature(doc *Doc, s dossier.Signataire) {
	doc.SignatureField(fieldFournisseur, []string{
		"Pour " + orBlank(s.Organisation, blankName),
		joinNonEmpty(", ", s.FullName(), s.Qualite),
		"Signature et cachet :",
	})
}

// justificatifFlow is one of the three flows of a MOM or VA: its wording and whether
// the dossier says it is sent directly by the Prestation Ségur software.
type justificatifFlow struct {
	texte  dossier.TexteFlux
	direct bool
}

// justificatifFlows checks that d has what a MOM or VA needs and returns
// its three flows, in the dispositif's order, each with the dossier's
// verdict (DMPDirect, MSSProDirect, MSSCitoyenDirect).
func justificatifFlows(d *dossier.Dossier) ([]justificatifFlow, error) {
	switch {
	case d.Dispositif == nil:
		return nil, errors.New("dispositif inconnu")
	case len(d.Justificatif.Pages) == 0:
		return nil, errors.New("aucune page de signature dans le dossier")
	case d.Facture.Numero == "":
		return nil, errors.New("pas de numéro de facture")
	case d.Realisation.DateFin.IsZero():
		return nil, errors.New("pas de bloc « realisation »")
	}
	direct := map[string]bool{"dmp": d.Realisation.DMPDirect, "mss_pro": d.Realisation.MSSProDirect, "mss_citoyen": d.Realisation.MSSCitoyenDirect}
	var flows []justificatifFlow
	seen := map[string]bool{}
	prestation := ""
	if d.Prestation != nil {
		prestation = d.Prestation.ID
	}
	for _, t := range d.Dispositif.Textes.Flux {
		t = t.For(prestation)
		v, ok := direct[t.ID]
		if !ok || seen[t.ID] {
			return nil, fmt.Errorf("dispositif %s : flux « %s » inattendu dans les textes", d.Dispositif.ID, t.ID)
		}
		seen[t.ID] = true
		flows = append(flows, justificatifFlow{texte: t, direct: v})
	}
	if len(flows) != len(direct) {
		return nil, fmt.Errorf("dispositif %s : %d flux dans les textes, 3 attendus (dmp, mss_pro, mss_citoyen)", d.Dispositif.ID, len(flows))
	}
	return flows, nil
}

// justificatifReferences are the dossier's references and the solution,
// under the title.
func justificatifReferences(doc *Doc, d *dossier.Dossier) {
	references(doc, d)
	if s := solution(d); s != "" {
		doc.KeyValue("Solution", s)
	}
	if p := prestationLibelle(d); p != "" {
		doc.KeyValue("Prestation", p)
	}
}

// mssAddresses are the MSSanté boxes the client sends from (to
// professionals, to patients), for the flows sent directly; the others have
// none in the dossier.
func mssAddresses(doc *Doc, d *dossier.Dossier) {
	// Printed in every scenario (seed 004 L1: the effective address, which
	// the checks after payment rely on), through another software too.
	addr := func(a string, direct bool) string {
		switch {
		case direct:
			return a
		case a != "":
			return a + " (envois assurés par un logiciel distinct)"
		}
		return "— (envois assurés par un logiciel distinct)"
	}
	doc.KeyValue("MSSanté professionnels", addr(d.Realisation.AdresseMSSPro, d.Realisation.MSSProDirect))
	doc.KeyValue("MSSanté patients", addr(d.Realisation.AdresseMSSCitoyen, d.Realisation.MSSCitoyenDirect))
}

// identification is who signs the page (« Je, soussigné » as the heading,
// then name, first name, quality and the organisation they sign for) and
// the beneficiaries the page covers with their identifiers: RPPS, or
// FINESS géographique after the structure's FINESS juridique. A field the
// dossier leaves empty is a line to fill in by hand; so is the name of a
// mandataire known only by its organisation.
func identification(doc *Doc, d *dossier.Dossier, p dossier.Page, heading, orgLabel string) {
	doc.Section(heading)
	s := p.Signataire
	nom := s.Nom
	if nom == s.Organisation && s.Prenom == "" {
		nom = ""
	}
	doc.KeyValue("Nom", orBlank(nom, blankName))
	doc.KeyValue("Prénom", orBlank(s.Prenom, blankName))
	doc.KeyValue("Qualité", orBlank(s.Qualite, blankName))
	cl := &d.Parties.Client
	juridique := ""
	if cl.FinessJuridique != "" {
		juridique = "FINESS juridique " + cl.FinessJuridique
	}
	switch {
	case juridique != "" && s.Organisation == cl.Nom:
		doc.KeyValue(orgLabel, s.Organisation+" – "+juridique)
	default:
		if s.Organisation != "" {
			doc.KeyValue(orgLabel, s.Organisation)
		}
		if juridique != "" {
			doc.KeyValue("Structure", cl.Nom+" – "+juridique)
		}
	}
	label := "Bénéficiaire final"
	if len(p.Beneficiaires) > 1 {
		label = "Bénéficiaires finaux"
	}
	for i, b := range p.Beneficiaires {
		if i > 0 {
			label = ""
		}
		doc.KeyValue(label, beneficiaireLine(d, b))
	}
}

// justificatifFacture is the facture a MOM or VA belongs to; in mode
// avance-solde, the solde facture and, after it, the avance facture.
func justificatifFacture(d *dossier.Dossier) string {
	f := d.Facture
	if f.Avance.Numero != "" {
		return fmt.Sprintf("%s (facture de solde ; facture d'avance %s)", f.Numero, f.Avance.Numero)
	}
	return f.Numero
}

// soussigne is « Je, soussigné : », agreed with the signatory's civilité
// (the dispositif's wording).
func soussigne(d *dossier.Dossier, s dossier.Signataire) string {
	t := d.Dispositif.Textes
	switch s.Civilite {
	case dossier.Madame:
		return t.SoussigneFeminin
	case dossier.Monsieur:
		return t.SoussigneMasculin
	}
	return t.SoussigneInconnu
}

// accompagnementAttestation attests the threshold of the Va2 financement
// complémentaire, when the dossier has one (seed 002 §6.2.2).
func accompagnementAttestation(doc *Doc, d *dossier.Dossier) {
	if a := d.Dispositif.AccompagnementRenforce; d.Commande.Accompagnement.HT.IsPositive() && a.Attestation != "" {
		doc.Lines([]string{"– " + a.Intitule, a.Attestation})
	}
}

// Blanks left for the signatory to fill in by hand.
const (
	blankName  = "________________________________"
	blankPlace = "____________________"
	blankDate  = "____ / ____ / ________"
)

func orBlank(s, blank string) string {
	if strings.TrimSpace(s) == "" {
		return blank
	}
	return s
}
