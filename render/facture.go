package render

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/segur-sons/segur/asp"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/shopspring/decimal"
)

// factureKind tells a single facture from the two of mode avance-solde.
type factureKind int

const (
	factureUnique factureKind = iota
	factureAvance
	factureSolde
)

// facturePart is one facture of the PDF: its number, date, lines and totals.
type facturePart struct {
	kind   factureKind
	numero string
	date   dossier.Date
	lines  []factureLine
	total  dossier.Montants
}

// factureLine is one line of a facture, quantity 1.
type factureLine struct {
	label string
	ht    decimal.Decimal
}

// Facture renders the facture of d: one facture, or in
// mode avance-solde the avance and the solde factures followed by a summary,
// in one PDF. After a takeover the traités are appended as the last pages.
func (r *Renderer) Facture(d *dossier.Dossier) ([]byte, error) {
	if d.Facture.Numero == "" || d.Solution == nil || d.Dispositif == nil {
		return nil, errors.New("facture incomplète (numéro de facture, solution ou dispositif manquant)")
	}
	parts, err := factureParts(d)
	if err != nil {
		return nil, err
	}
	doc, err := r.newDoc(d, dossier.FACTURE)
	if err != nil {
		return nil, fmt.Errorf("facture: %w", err)
	}
	first := true
	for _, p := range parts {
		if p.kind == factureAvance && d.Facture.Avance.PDF != "" {
			continue // the avance facture as issued goes in front, below
		}
		if !first {
			doc.PageBreak()
		}
		first = false
		factureTitle(doc, p)
		factureEntete(doc, d, p)
		factureVendeur(doc, d)
		factureClient(doc, d)
		factureLignes(doc, d, p)
		facturePaiement(doc, d, p)
		factureSegur(doc, d, p)
	}
	if len(parts) > 1 {
		doc.PageBreak()
		factureRecapitulatif(doc, d, parts)
	}
	b, err := doc.Bytes()
	if err != nil {
		return nil, fmt.Errorf("facture: %w", err)
	}
	if b, err = appendTraites(d, b); err != nil {
		return nil, err
	}
	return facturX(d, parts, b)
}

// FactureAvance renders the avance facture alone, for the avance dépôt of a
// dossier in mode avance-solde checked with dossier.PhaseAvance: the avance
// asked (d.Avance), with the Ségur mentions as they stand at the order.
func (r *Renderer) FactureAvance(d *dossier.Dossier) ([]byte, error) {
	f := d.Facture
	if f.Avance.Numero == "" || d.Solution == nil || d.Dispositif == nil || !d.Avance.MontantHT.IsPositive() {
		return nil, errors.New("facture d'avance incomplète (numéro, solution, dispositif ou montant manquant)")
	}
	p := facturePart{
		kind: factureAvance, numero: f.Avance.Numero, date: f.Avance.Date,
		lines: []factureLine{{prestationSegur(d) + " – avance", d.Avance.MontantHT}},
		total: f.Avance.Montants,
	}
	doc, err := r.newDoc(d, dossier.FACTURE)
	if err != nil {
		return nil, fmt.Errorf("facture d'avance: %w", err)
	}
	factureTitle(doc, p)
	factureEntete(doc, d, p)
	factureVendeur(doc, d)
	factureClient(doc, d)
	factureLignes(doc, d, p)
	facturePaiement(doc, d, p)
	factureSegur(doc, d, p)
	b, err := doc.Bytes()
	if err != nil {
		return nil, fmt.Errorf("facture d'avance: %w", err)
	}
	// Factur-X as the solde's facture when segur.yaml asks for it.
	return facturX(d, []facturePart{p}, b)
}

// issuedAvance is the avance facture's own PDF when the record names it
// (seed 004: the two existing invoices in one PDF), else nil.
func issuedAvance(d *dossier.Dossier) (*pdfin.Doc, error) {
	if d.Facture.Avance.PDF == "" {
		return nil, nil
	}
	b, err := safeio.ReadFile(d.Facture.Avance.PDF, safeio.PDF)
	if err != nil {
		return nil, fmt.Errorf("facture d'avance %s", safeio.Message(err))
	}
	doc, err := readClientPDF(b)
	if err != nil {
		return nil, fmt.Errorf("facture d'avance « %s » illisible : %v", filepath.Base(d.Facture.Avance.PDF), err)
	}
	return doc, nil
}

// readClientPDF reads a PDF the client gives (a facture d'avance, a
// traité) through pdfin, within its bounds, and validates it.
func readClientPDF(b []byte) (*pdfin.Doc, error) {
	doc, err := pdfin.Read(b)
	if err != nil {
		return nil, err
	}
	if err := doc.Accept(); err != nil {
		return nil, err
	}
	return doc, nil
}

// factureParts lists the factures of the PDF from the dossier's amounts.
func factureParts(d *dossier.Dossier) ([]facturePart, error) {
	f := d.Facture
	segur := prestationSegur(d)
	accompagnement := func(lines []factureLine) []factureLine {
		if d.Commande.Accompagnement.HT.IsPositive() {
			lines = append(lines, factureLine{d.Dispositif.AccompagnementRenforce.Libelle, d.Commande.Accompagnement.HT})
		}
		return lines
	}
	if f.Mode != dossier.ModeAvanceSolde {
		return []facturePart{{
			kind: factureUnique, numero: f.Numero, date: f.Date,
			lines: accompagnement([]factureLine{{segur, d.Facture.Segur.HT}}),
			total: d.Facture.Total,
		}}, nil
	}
	if f.Avance.Numero == "" {
		return nil, errors.New("mode avance-solde sans facture d'avance")
	}
	return []facturePart{
		{
			kind: factureAvance, numero: f.Avance.Numero, date: f.Avance.Date,
			lines: []factureLine{{segur + " – avance", d.Facture.AvanceHT}},
			total: d.Facture.Avance.Montants,
		},
		{
			kind: factureSolde, numero: f.Numero, date: f.Date,
			lines: accompagnement([]factureLine{{segur + " – solde", d.Facture.SoldeHT}}),
			total: d.Facture.Solde,
		},
	}, nil
}

// factureTitle: « Facture n° … », or the AVANCE / SOLDE mark.
func factureTitle(doc *Doc, p facturePart) {
	switch p.kind {
	case factureAvance:
		doc.Title("FACTURE D'AVANCE n° " + p.numero)
	case factureSolde:
		doc.Title("FACTURE DE SOLDE n° " + p.numero)
	default:
		doc.Title("Facture n° " + p.numero)
	}
}

// factureEntete: number, issue date, date of the service, order number.
// The avance facture states only what was true on its date: the
// prestation was not done yet.
func factureEntete(doc *Doc, d *dossier.Dossier, p facturePart) {
	doc.KeyValue("Date d'émission", Date(p.date.Time))
	if p.kind != factureAvance {
		doc.KeyValue("Date de réalisation", Date(d.Realisation.DateFin.Time))
	}
	doc.KeyValue("Bon de commande", fmt.Sprintf("n° %s du %s", d.Commande.Numero, Date(d.Commande.Date.Time)))
	switch p.kind {
	case factureAvance:
		doc.KeyValue("Objet", "Facture d'avance"+pct(d, d.Dispositif.Split.Avance)+" de la Prestation Ségur")
	case factureSolde:
		av := d.Facture.Avance
		doc.KeyValue("Objet", fmt.Sprintf("Facture de solde%s de la Prestation Ségur ; facture d'avance n° %s du %s", pct(d, d.Dispositif.Split.Solde), av.Numero, Date(av.Date.Time)))
	}
}

// factureVendeur: the seller's legal identity (R123-237, 242 nonies A),
// three lines.
func factureVendeur(doc *Doc, d *dossier.Dossier) {
	f := &d.Parties.Fournisseur
	doc.Section("Fournisseur")
	doc.KeyValue("Raison sociale", fmt.Sprintf("%s – %s au capital de %s – siège social : %s", f.RaisonSociale, f.FormeJuridique, euros0(f.Capital), strings.Join(f.Adresse, ", ")))
	rcs := "RCS " + f.RCS
	if !strings.Contains(strings.ReplaceAll(f.RCS, " ", ""), f.Siren()) {
		rcs += " " + f.Siren()
	}
	doc.KeyValue("Immatriculation", fmt.Sprintf("SIREN %s – SIRET %s – %s", f.Siren(), f.Siret, rcs))
	doc.KeyValue("N° de TVA intracommunautaire", f.TVAIntracom)
}

// factureClient: name, address, billing address when different, SIREN and
// FINESS juridique when known.
func factureClient(doc *Doc, d *dossier.Dossier) {
	cl := &d.Parties.Client
	doc.Section("Client")
	doc.KeyValue("Nom", cl.Nom)
	doc.KeyValue("Adresse", strings.Join(cl.Adresse, ", "))
	if len(cl.AdresseFacturation) > 0 && !slices.Equal(cl.AdresseFacturation, cl.Adresse) {
		doc.KeyValue("Adresse de facturation", strings.Join(cl.AdresseFacturation, ", "))
	}
	if cl.Siren != "" {
		doc.KeyValue("SIREN", cl.Siren)
	}
	if cl.FinessJuridique != "" {
		doc.KeyValue("FINESS juridique", cl.FinessJuridique)
	}
}

// factureLignes: the lines table and the totals, TVA per rate; at rate 0
// the exemption mention instead of TVA.
func factureLignes(doc *Doc, d *dossier.Dossier, p facturePart) {
	doc.NeedSpace(60 + 10*float64(len(p.lines)))
	doc.Section("Détail de la facture")
	taux := rate(d)
	if d.TVA.Taux.IsZero() {
		taux = "—" // the exemption mention follows the totals
	}
	rows := make([][]string, len(p.lines))
	for i, l := range p.lines {
		rows[i] = []string{l.label, "1", Euros(l.ht), taux, Euros(l.ht)}
	}
	doc.Table([]string{"Désignation", "Qté", "Prix unitaire HT", "Taux TVA", "Total HT"}, rows, []int{50, 9, 16, 10, 15})
	totals := [][]string{{"Total HT", Euros(p.total.HT)}}
	if d.TVA.Taux.IsZero() {
		totals = append(totals, []string{"Total à payer", Euros(p.total.TTC)})
	} else {
		totals = append(totals,
			[]string{"TVA à " + rate(d), Euros(p.total.TVA)},
			[]string{"Total TTC", Euros(p.total.TTC)},
		)
	}
	// The avance already paid and the amount due, when the facture covers
	// avance and solde, stand beside the totals: the facture keeps its
	// height (one page for up to three beneficiaries).
	if settle := facturXTotals(d, p); len(settle) > 0 {
		rows := make([][]string, max(len(totals), len(settle)))
		for i := range rows {
			rows[i] = []string{"", "", "", ""}
			if i < len(totals) {
				rows[i][0], rows[i][1] = totals[i][0], totals[i][1]
			}
			if i < len(settle) {
				rows[i][2], rows[i][3] = settle[i][0], settle[i][1]
			}
		}
		doc.Table([]string{"Totaux", "Montant", "Règlement", "Montant"}, rows, []int{35, 15, 35, 15})
	} else {
		doc.Table([]string{"Totaux", "Montant"}, totals, []int{85, 15})
	}
	if d.TVA.Taux.IsZero() {
		doc.Paragraph(d.TVA.Mention)
	}
}

// echeanceText is the due date, or the term when the dossier has none for
// the avance facture; "" when neither is known.
func echeanceText(d *dossier.Dossier, p facturePart) string {
	f := &d.Parties.Fournisseur
	switch {
	case p.kind != factureAvance && !d.Facture.Echeance.IsZero():
		return "Date d'échéance : " + Date(d.Facture.Echeance.Time)
	case f.Paiement != nil && f.Paiement.DelaiJours != nil:
		return fmt.Sprintf("Échéance : %d jours à compter de la date d'émission", *f.Paiement.DelaiJours)
	}
	return ""
}

// escompteText and penalitesText are the discount and penalty mentions.
func escompteText(p *dossier.Paiement) string {
	return "Escompte pour paiement anticipé : " + p.Escompte
}

func penalitesText(p *dossier.Paiement) string {
	return "Taux des pénalités de retard : " + p.Penalites
}

// facturePaiement: due date, penalties, recovery indemnity, discount,
// nature of the operations, option débits.
func facturePaiement(doc *Doc, d *dossier.Dossier, p facturePart) {
	f := &d.Parties.Fournisseur
	doc.NeedSpace(45)
	doc.Section("Conditions de paiement")
	echeance := echeanceText(d, p)
	// Two mentions a line, so that the block stays short.
	var lines []string
	if f.Paiement != nil {
		lines = append(lines,
			joinNonEmpty(" – ", echeance, escompteText(f.Paiement)),
			penalitesText(f.Paiement))
	} else if echeance != "" {
		lines = append(lines, echeance)
	}
	lines = append(lines, indemniteRecouvrement+" – "+natureOperations)
	if f.OptionDebits {
		lines = append(lines, optionDebits)
	}
	doc.Lines(lines)
}

// factureSegur: the mentions the ASP checks (seed 000, 001, 002 §6.2.2,
// 004), on every facture of the PDF.
func factureSegur(doc *Doc, d *dossier.Dossier, p facturePart) {
	// The avance facture of the avance dépôt states what was true at the
	// order; in the solde's PDF each facture carries every ASP mention
	// (seed 004 L55-60: « l'ensemble des mentions demandées par l'ASP
	// figure sur chacune des 2 factures »).
	if p.kind == factureAvance && d.Facture.Numero == "" {
		factureSegurAvance(doc, d)
		return
	}
	doc.NeedSpace(50) // the heading and the references together
	doc.Section("Mentions Ségur du numérique en santé")
	references(doc, d)
	for i, id := range d.JSON.Beneficiaires {
		doc.KeyValue(fmt.Sprintf("Bénéficiaire n° %d", i+1), factureBeneficiaire(d, i, id))
	}
	doc.KeyValue("Solution", solution(d))
	profils(doc, d)
	if pl := prestationLibelle(d); pl != "" {
		doc.KeyValue("Type de Prestation Ségur", pl)
	}
	doc.KeyValue("Envoi au DMP", fluxLabel(d.Realisation.DMPDirect, ""))
	if d.Realisation.DMPDirect && len(d.Realisation.CertificatsDMP) > 0 {
		doc.KeyValue("Certificat(s) serveur DMP", strings.Join(d.Realisation.CertificatsDMP, ", "))
	}
	doc.KeyValue("MSS vers les professionnels", fluxLabel(d.Realisation.MSSProDirect, d.Realisation.AdresseMSSPro))
	doc.KeyValue("MSS vers les patients", fluxLabel(d.Realisation.MSSCitoyenDirect, d.Realisation.AdresseMSSCitoyen))
	lines := segurLines(d)
	lines = append(lines, mentionEtat+".")
	doc.NeedSpace(5 * float64(len(lines)+1+2*len(d.Parties.Reprises))) // the amounts and dates together
	doc.Lines(lines)
}

// segurLines are the Ségur amounts, dates and takeovers of a facture, as
// printed (and restated in the Factur-X notes).
func segurLines(d *dossier.Dossier) []string {
	lines := []string{totalSegur(d), avanceSolde(d, d.Dispositif.Split)}
	if d.Commande.Accompagnement.HT.IsPositive() {
		lines = append(lines, d.Dispositif.AccompagnementRenforce.Libelle+" (financement complémentaire) : "+Euros(d.Commande.Accompagnement.HT)+" HT")
	}
	lines = append(lines, "Date de finalisation de la Prestation Ségur : "+Date(d.Realisation.DateFin.Time))
	for _, rp := range d.Parties.Reprises {
		lines = append(lines, fmt.Sprintf("%s (FINESS géographique %s) a repris l'établissement FINESS géographique %s déclaré à l'avance ; le traité de fusion est joint en dernières pages de ce document.", rp.NouveauNom, rp.Nouveau, rp.Ancien))
	}
	return lines
}

// fluxLabel says how a flow (DMP, MSS) is sent.
func fluxLabel(direct bool, adresse string) string {
	if !direct {
		return "par un logiciel tiers"
	}
	return joinNonEmpty(" – ", "direct", adresse)
}

// totalSegur is the line with the total HT of the Prestation Ségur.
func totalSegur(d *dossier.Dossier) string {
	return "Total HT de la Prestation Ségur (avance + solde) : " + Euros(d.Facture.Segur.HT)
}

// factureSegurAvance: the Ségur mentions of an avance facture, as they
// stood on its date: the order and its beneficiaries, no numéro ASP (it is
// notified after the avance), no installed scenario, no completion date.
func factureSegurAvance(doc *Doc, d *dossier.Dossier) {
	doc.NeedSpace(40)
	doc.Section("Mentions Ségur du numérique en santé")
	doc.KeyValue("Dispositif", fmt.Sprintf("%s – %s", d.Ref.Dispositif, d.Dispositif.Libelle))
	doc.KeyValue("N° éditeur", d.Ref.NumeroEditeur)
	ids := d.Parties.Beneficiaires
	for i, b := range ids {
		doc.KeyValue(fmt.Sprintf("Bénéficiaire n° %d", i+1), beneficiaireLine(d, b))
	}
	doc.KeyValue("Solution", solution(d))
	profils(doc, d)
	if pl := prestationLibelle(d); pl != "" {
		doc.KeyValue("Type de Prestation Ségur", pl)
	}
	doc.Lines([]string{"", mentionEtat + "."})
}

// factureBeneficiaire describes the i-th beneficiary by the identifier the
// ASP knows (the old FINESS géo after a takeover).
func factureBeneficiaire(d *dossier.Dossier, i int, id string) string {
	for _, rp := range d.Parties.Reprises {
		if rp.Ancien == id {
			return fmt.Sprintf("FINESS géographique %s (établissement repris par %s)", id, rp.NouveauNom)
		}
	}
	name := ""
	if i < len(d.Parties.Beneficiaires) {
		name = d.Parties.Beneficiaires[i].Name()
	}
	kind := "RPPS"
	if d.JSON.CommandePour == asp.PourStructure {
		kind = "FINESS géographique"
	}
	return joinNonEmpty(" – ", name, kind+" "+id)
}

// factureRecapitulatif: both factures and their total (seed 004).
func factureRecapitulatif(doc *Doc, d *dossier.Dossier, parts []facturePart) {
	doc.Title("Récapitulatif des factures de la Prestation Ségur")
	references(doc, d)
	doc.Section("Factures réunies dans ce document")
	var rows [][]string
	var total dossier.Montants
	for _, p := range parts {
		label := "Facture de solde n° " + p.numero
		if p.kind == factureAvance {
			label = "Facture d'avance n° " + p.numero
		}
		rows = append(rows, []string{label, Date(p.date.Time), Euros(p.total.HT), Euros(p.total.TVA), Euros(p.total.TTC)})
		total.HT = total.HT.Add(p.total.HT)
		total.TVA = total.TVA.Add(p.total.TVA)
		total.TTC = total.TTC.Add(p.total.TTC)
	}
	rows = append(rows, []string{"Total des deux factures", "", Euros(total.HT), Euros(total.TVA), Euros(total.TTC)})
	tva := "TVA à " + rate(d)
	if d.TVA.Taux.IsZero() {
		tva = "TVA"
		for i := range rows {
			rows[i][3] = "non applicable"
		}
	}
	doc.Table([]string{"Facture", "Date", "Total HT", tva, "Total TTC"}, rows, []int{36, 16, 16, 16, 16})
	lines := []string{totalSegur(d)}
	if d.Commande.Accompagnement.HT.IsPositive() {
		lines = append(lines, d.Dispositif.AccompagnementRenforce.Libelle+" : "+Euros(d.Commande.Accompagnement.HT)+" HT")
	}
	lines = append(lines, "Date de la facture de solde : "+Date(d.Facture.Date.Time), mentionEtat+".")
	if d.TVA.Taux.IsZero() {
		lines = append(lines, d.TVA.Mention)
	}
	doc.Lines(lines)
}

// appendTraites appends the traité of each takeover, once each, after the
// facture; the output is byte-deterministic (dated like the facture).
func appendTraites(d *dossier.Dossier, facture []byte) ([]byte, error) {
	// The facture itself is read only when something is merged with it
	// (most factures have neither an issued avance nor a traité).
	var own *pdfin.Doc
	parts := []*pdfin.Doc{nil}
	issued, err := issuedAvance(d)
	if err != nil {
		return nil, err
	}
	if issued != nil {
		parts = []*pdfin.Doc{issued, nil}
	}
	var seen []string
	for _, rp := range d.Parties.Reprises {
		if rp.Traite == "" || slices.Contains(seen, rp.Traite) {
			continue
		}
		seen = append(seen, rp.Traite)
		b, err := safeio.ReadFile(rp.Traite, safeio.PDF)
		if err != nil {
			return nil, fmt.Errorf("traité de fusion %s", safeio.Message(err))
		}
		traite, err := readClientPDF(b)
		if err != nil {
			return nil, fmt.Errorf("traité de fusion « %s » illisible : %v", filepath.Base(rp.Traite), err)
		}
		parts = append(parts, traite)
	}
	if len(parts) == 1 {
		return facture, nil
	}
	own, err = pdfin.ReadOwn(facture) // segur's own render
	if err != nil {
		return nil, fmt.Errorf("facture: %w", err)
	}
	parts[slices.Index(parts, nil)] = own
	// The merged PDF is dated like the facture: the same bytes each run.
	var out bytes.Buffer
	if err := pdfops.MergeAt(&out, documentDate(d, dossier.FACTURE), parts...); err != nil {
		return nil, fmt.Errorf("facture: joindre le traité de fusion: %w", err)
	}
	return out.Bytes(), nil
}

// avanceSolde says how the Prestation Ségur splits into the avance paid and
// the solde, with the dispositif's percentages when the avance is exactly
// its share (not after a change of perimeter, cas 2).
func avanceSolde(d *dossier.Dossier, split struct {
	Avance int    `yaml:"avance"`
	Solde  int    `yaml:"solde"`
	Source string `yaml:"source"`
}) string {
	verse := ""
	if v := d.Facture.AvanceVerseeTTC; v != nil {
		verse = fmt.Sprintf(" (versée : %s TTC)", Euros(*v))
	}
	if d.Facture.AvanceSplit {
		return fmt.Sprintf("dont avance (%d %%) : %s HT%s – solde (%d %%) : %s HT", split.Avance, Euros(d.Facture.AvanceHT), verse, split.Solde, Euros(d.Facture.SoldeHT))
	}
	return fmt.Sprintf("dont avance versée : %s HT%s – solde : %s HT", Euros(d.Facture.AvanceHT), verse, Euros(d.Facture.SoldeHT))
}

// pct is « (30 %) » when the avance is the dispositif's share, else "".
func pct(d *dossier.Dossier, p int) string {
	if !d.Facture.AvanceSplit {
		return ""
	}
	return fmt.Sprintf(" (%d %%)", p)
}
