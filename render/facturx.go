package render

import (
	"fmt"
	"strings"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/facturx"
)

// facturX turns the facture PDF into a Factur-X (PDF/A-3b) file when the
// fournisseur opted in (segur.yaml facture.format), with the XML of the
// last facture of the PDF: the single facture, or the solde facture in mode
// avance-solde. The XML reuses the wording and amounts the PDF prints.
func facturX(d *dossier.Dossier, parts []facturePart, pdf []byte) ([]byte, error) {
	if !facturx.Enabled(d) {
		return pdf, nil
	}
	xml, err := factureXML(d, parts)
	if err != nil {
		return nil, err
	}
	out, err := facturx.PDFA3(pdf, xml, documentDate(d, dossier.FACTURE))
	if err != nil {
		return nil, fmt.Errorf("facture Factur-X: %w", err)
	}
	// A traité appended after the facture comes from outside: it may hold
	// what PDF/A forbids (fonts not embedded…). Never ship such a file as
	// Factur-X.
	if msgs := facturx.CheckStructure(out); len(msgs) > 0 {
		return nil, fmt.Errorf("la facture Factur-X n'est pas conforme PDF/A-3 (%s) : si un traité de fusion est joint, fournissez-le en PDF/A", strings.Join(msgs, " ; "))
	}
	return out, nil
}

// FactureXML returns the Factur-X XML that the facture of d embeds.
func FactureXML(d *dossier.Dossier) ([]byte, error) {
	parts, err := factureParts(d)
	if err != nil {
		return nil, err
	}
	return factureXML(d, parts)
}

func factureXML(d *dossier.Dossier, parts []facturePart) ([]byte, error) {
	if err := loadMentions(); err != nil {
		return nil, err
	}
	p := parts[len(parts)-1]
	part := facturx.Part{Numero: p.numero, Date: p.date.Time, Total: p.total}
	if p.kind != factureAvance {
		part.Paid, part.Echeance = facturx.AmountPaid(d), d.Facture.Echeance.Time
	}
	for _, l := range p.lines {
		part.Lines = append(part.Lines, facturx.Line{Label: l.label, HT: l.ht})
	}
	if len(parts) > 1 {
		part.Previous, part.PreviousDate = parts[0].numero, parts[0].date.Time
	}
	f := &d.Parties.Fournisseur
	var penalites, escompte string
	if f.Paiement != nil {
		penalites, escompte = penalitesText(f.Paiement), escompteText(f.Paiement)
	}
	t := facturx.Texts{
		SellerLegal: fmt.Sprintf("%s au capital de %s – RCS %s", f.FormeJuridique, euros0(f.Capital), f.RCS),
		Terms:       echeanceText(d, p),
		Penalites:   penalites,
		Indemnite:   indemniteRecouvrement,
		Escompte:    escompte,
		General:     []string{natureOperations},
	}
	if f.OptionDebits {
		t.General = append(t.General, optionDebits)
	}
	if p.kind == factureAvance {
		t.General = append(t.General, segurNotesAvance(d)...)
	} else {
		t.General = append(t.General, segurNotes(d)...)
	}
	xml, err := facturx.CII(d, part, t)
	if err != nil {
		return nil, fmt.Errorf("facture Factur-X: %w", err)
	}
	return xml, nil
}

// segurNotes are the Ségur mentions of the facture, as printed.
func segurNotes(d *dossier.Dossier) []string {
	notes := []string{fmt.Sprintf("Dispositif : %s – %s", d.Ref.Dispositif, d.Dispositif.Libelle)}
	if d.Ref.NumeroASP != "" {
		notes = append(notes, "N° de dossier ASP : "+d.Ref.NumeroASP)
	}
	notes = append(notes,
		"N° éditeur : "+d.Ref.NumeroEditeur,
		fmt.Sprintf("Bon de commande : n° %s du %s", d.Commande.Numero, Date(d.Commande.Date.Time)),
	)
	for i, id := range d.JSON.Beneficiaires {
		notes = append(notes, fmt.Sprintf("Bénéficiaire n° %d : %s", i+1, factureBeneficiaire(d, i, id)))
	}
	notes = append(notes, "Solution : "+solution(d))
	if p := d.Justificatif.Profils; len(p) > 0 {
		notes = append(notes, profilReferencement+" : "+strings.Join(p, ", "))
	}
	if pl := prestationLibelle(d); pl != "" {
		notes = append(notes, "Type de Prestation Ségur : "+pl)
	}
	notes = append(notes, "Envoi au DMP : "+fluxLabel(d.Realisation.DMPDirect, ""))
	if d.Realisation.DMPDirect && len(d.Realisation.CertificatsDMP) > 0 {
		notes = append(notes, "Certificat(s) serveur DMP : "+strings.Join(d.Realisation.CertificatsDMP, ", "))
	}
	notes = append(notes,
		"MSS vers les professionnels : "+fluxLabel(d.Realisation.MSSProDirect, d.Realisation.AdresseMSSPro),
		"MSS vers les patients : "+fluxLabel(d.Realisation.MSSCitoyenDirect, d.Realisation.AdresseMSSCitoyen),
	)
	notes = append(notes, segurLines(d)...)
	if d.TVA.Taux.IsZero() {
		notes = append(notes, d.TVA.Mention)
	}
	notes = append(notes, mentionEtat+".")
	for i, n := range notes {
		notes[i] = strings.TrimSpace(n)
	}
	return notes
}

// segurNotesAvance are the Ségur mentions of the avance facture of the
// avance dépôt, as factureSegurAvance prints them.
func segurNotesAvance(d *dossier.Dossier) []string {
	notes := []string{
		fmt.Sprintf("Dispositif : %s – %s", d.Ref.Dispositif, d.Dispositif.Libelle),
		"N° éditeur : " + d.Ref.NumeroEditeur,
	}
	for i, b := range d.Parties.Beneficiaires {
		notes = append(notes, fmt.Sprintf("Bénéficiaire n° %d : %s", i+1, beneficiaireLine(d, b)))
	}
	notes = append(notes, "Solution : "+solution(d))
	if p := d.Justificatif.Profils; len(p) > 0 {
		notes = append(notes, profilReferencement+" : "+strings.Join(p, ", "))
	}
	if pl := prestationLibelle(d); pl != "" {
		notes = append(notes, "Type de Prestation Ségur : "+pl)
	}
	if d.TVA.Taux.IsZero() {
		notes = append(notes, d.TVA.Mention)
	}
	notes = append(notes, mentionEtat+".")
	for i, n := range notes {
		notes[i] = strings.TrimSpace(n)
	}
	return notes
}

// facturXTotals are the rows a facture covering avance and solde adds
// under its totals: the avance already paid and the amount due, as the
// Factur-X XML states them (TotalPrepaidAmount, DuePayableAmount) — on the
// plain facture too, so that both say the same.
func facturXTotals(d *dossier.Dossier, p facturePart) [][]string {
	if p.kind == factureAvance {
		return nil
	}
	paid := facturx.AmountPaid(d)
	if !paid.IsPositive() {
		return nil
	}
	label := "Avance déjà versée (TTC)"
	if d.TVA.Taux.IsZero() {
		label = "Avance déjà versée"
	}
	return [][]string{
		{label, Euros(paid)},
		{"Net à payer", Euros(p.total.TTC.Sub(paid))},
	}
}
