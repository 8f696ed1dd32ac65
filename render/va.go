package render

import (
	"fmt"

	"github.com/segur-sons/segur/dossier"
)

// VA returns the attestation de vérification d'aptitude of d (seed 000,
// « Modèle de VA »), signed by the client: one page per entry of d.Justificatif.Pages
// (one per beneficiary, or one listing every beneficiary for the
// mandataire), all in one PDF. Each flow gets its two boxes, exactly one
// ticked, as the dossier says (DMPDirect, MSSProDirect, MSSCitoyenDirect).
//
// The date is left blank: the client dates the VA when signing it, which
// is after the end of the prestation and may be days later; a printed date
// would state a signing day nobody knows.
func (r *Renderer) VA(d *dossier.Dossier) ([]byte, error) {
	flows, err := justificatifFlows(d)
	if err != nil {
		return nil, err
	}
	doc, err := r.newDoc(d, dossier.VA)
	if err != nil {
		return nil, err
	}
	for i, p := range d.Justificatif.Pages {
		if i > 0 {
			doc.PageBreak()
		}
		doc.Title(kindTitle[dossier.VA])
		justificatifReferences(doc, d)
		vaSignataire(doc, d, p)
		vaAttestations(doc, d, flows[:len(flows)-1])
		// The last statement, the place and date and the box are one
		// block: a signature never stands alone on a page.
		doc.KeepTogether(func() {
			vaFlux(doc, d, flows[len(flows)-1])
			accompagnementAttestation(doc, d)
			mssAddresses(doc, d)
			doc.Paragraph(fmt.Sprintf("Fait à %s, le %s", orBlank(d.Parties.Lieu, blankPlace), blankDate))
			vaSignature(doc, p)
		})
	}
	b, err := doc.Bytes()
	if err != nil {
		return nil, fmt.Errorf("VA: %w", err)
	}
	return r.finish(d, dossier.VA, b, doc.Spots())
}

// vaSignataire is who signs the page, the beneficiaries it covers and the
// facture the VA belongs to.
func vaSignataire(doc *Doc, d *dossier.Dossier, p dossier.Page) {
	identification(doc, d, p, soussigne(d, p.Signataire), "Organisme")
	doc.Paragraph("Numéro de facture associé à la présente VA : " + justificatifFacture(d))
}

// vaAttestations is the introduction then, for each flow given, its
// heading and its two boxes: the direct statement ticked when the flow is
// direct, the third-party one otherwise.
func vaAttestations(doc *Doc, d *dossier.Dossier, flows []justificatifFlow) {
	doc.Paragraph(d.Dispositif.Textes.VAIntroduction)
	for _, f := range flows {
		vaFlux(doc, d, f)
	}
}

// vaFlux is one flow's heading and its two boxes, pre-ticked from the
// installed scenario.
func vaFlux(doc *Doc, d *dossier.Dossier, f justificatifFlow) {
	doc.Lines([]string{"– " + f.texte.Intitule, d.Dispositif.Textes.VACocher})
	doc.Check(f.direct, f.texte.Direct)
	doc.Check(!f.direct, f.texte.Tiers)
}

// vaSignature is the client's signature block, with the accepted modes.
func vaSignature(doc *Doc, p dossier.Page) {
	s := p.Signataire
	who := s.FullName()
	if s.Nom == s.Organisation && s.Prenom == "" {
		who = "" // a mandataire: its representative writes their name
	}
	doc.SignatureField(FieldName(p), []string{
		joinNonEmpty(", ", orBlank(who, blankPlace), s.Qualite, s.Organisation),
		signatureModes,
		"Signature :",
	})
}
