package render

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/segur-sons/segur/asp"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/facturx"
)

// Avoir is what an avoir (credit note, type 381) states besides the
// facture it cancels: its own number and date, and why it is issued.
type Avoir struct {
	Numero string
	Date   time.Time
	Motif  string
}

// AvoirFileName is the name of the avoir's PDF: the dossier's documents'
// prefix, AVOIR and the avoir's number (characters other than letters,
// digits, « - » and « _ » replaced), e.g.
// MDV-LGC-Va1-AVOIR-00042-A2023-00001.pdf.
func AvoirFileName(d *dossier.Dossier, a Avoir) string {
	return asp.DocName(d.Ref.Dispositif, "AVOIR", d.Ref.NumeroEditeur+"-"+unsafeName.ReplaceAllString(a.Numero, "_"), ".pdf")
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// Avoir renders the avoir that cancels, whole, the facture of d as it was
// issued (d is the dossier the facture was rendered from: in mode
// avance-solde, the solde facture is the one cancelled). It cites the
// facture's number and date, repeats its lines and totals as amounts to
// deduct, and, when the facture was Factur-X, embeds the CII XML of type
// 381 referring to it.
func (r *Renderer) Avoir(d *dossier.Dossier, a Avoir) ([]byte, error) {
	if a.Numero == "" || a.Date.IsZero() || strings.TrimSpace(a.Motif) == "" {
		return nil, errors.New("avoir incomplet (numéro, date ou motif manquant)")
	}
	if d.Facture.Numero == "" || d.Solution == nil || d.Dispositif == nil {
		return nil, errors.New("avoir : facture annulée incomplète (numéro, solution ou dispositif manquant)")
	}
	if a.Date.Before(d.Facture.Date.Time) {
		return nil, fmt.Errorf("avoir daté du %s, avant la facture qu'il annule (%s)", Date(a.Date), Date(d.Facture.Date.Time))
	}
	parts, err := factureParts(d)
	if err != nil {
		return nil, err
	}
	cancelled := parts[len(parts)-1]
	if err := loadMentions(); err != nil {
		return nil, err
	}
	rec := d.Ref
	ref := rec.NumeroEditeur
	if rec.NumeroASP != "" {
		ref = rec.NumeroASP + " / " + rec.NumeroEditeur
	}
	doc, err := r.newDocMeta(d, Meta{
		Title:    fmt.Sprintf("%s – dossier %s", avoirTitre, ref),
		Author:   d.Parties.Fournisseur.RaisonSociale,
		Subject:  rec.Dispositif,
		Keywords: strings.TrimSpace(fmt.Sprintf("%s %s AVOIR", rec.NumeroASP, rec.NumeroEditeur)),
		Date:     a.Date,
		FileName: AvoirFileName(d, a),
		Apercu:   r.assets.Apercu,
	})
	if err != nil {
		return nil, fmt.Errorf("avoir: %w", err)
	}
	initiale := fmt.Sprintf("n° %s du %s", cancelled.numero, Date(cancelled.date.Time))
	doc.Title(avoirTitre + " n° " + a.Numero)
	doc.KeyValue("Date d'émission", Date(a.Date))
	doc.KeyValue("Facture initiale annulée", initiale)
	doc.KeyValue("Motif", a.Motif)
	doc.KeyValue("Bon de commande", "n° "+d.Commande.Numero)
	doc.Paragraph(avoirAnnulation)
	doc.Paragraph(avoirReglement)
	factureVendeur(doc, d)
	factureClient(doc, d)
	avoirLignes(doc, d, cancelled)
	doc.NeedSpace(30)
	doc.Section("Mentions Ségur du numérique en santé")
	references(doc, d)
	doc.KeyValue("Solution", solution(d))
	doc.Lines([]string{mentionEtat + "."})
	b, err := doc.Bytes()
	if err != nil {
		return nil, fmt.Errorf("avoir: %w", err)
	}
	if !facturx.Enabled(d) {
		return b, nil
	}
	xml, err := avoirXML(d, a, cancelled)
	if err != nil {
		return nil, err
	}
	out, err := facturx.PDFA3(b, xml, a.Date)
	if err != nil {
		return nil, fmt.Errorf("avoir Factur-X: %w", err)
	}
	return out, nil
}

// AvoirXML returns the Factur-X XML (type 381) the avoir of d embeds.
func AvoirXML(d *dossier.Dossier, a Avoir) ([]byte, error) {
	parts, err := factureParts(d)
	if err != nil {
		return nil, err
	}
	return avoirXML(d, a, parts[len(parts)-1])
}

// avoirLignes: the cancelled facture's lines and totals, to deduct.
func avoirLignes(doc *Doc, d *dossier.Dossier, p facturePart) {
	doc.NeedSpace(60 + 10*float64(len(p.lines)))
	doc.Section("Détail de l'avoir (montants à déduire)")
	taux := rate(d)
	if d.TVA.Taux.IsZero() {
		taux = "—"
	}
	rows := make([][]string, len(p.lines))
	for i, l := range p.lines {
		rows[i] = []string{l.label, "1", Euros(l.ht), taux, Euros(l.ht)}
	}
	doc.Table([]string{"Désignation", "Qté", "Prix unitaire HT", "Taux TVA", "Total HT"}, rows, []int{50, 9, 16, 10, 15})
	totals := [][]string{{"Total HT à déduire", Euros(p.total.HT)}}
	if d.TVA.Taux.IsZero() {
		totals = append(totals, []string{"Total de l'avoir", Euros(p.total.TTC)})
	} else {
		totals = append(totals,
			[]string{"TVA à " + rate(d) + " à déduire", Euros(p.total.TVA)},
			[]string{"Total TTC de l'avoir", Euros(p.total.TTC)},
		)
	}
	doc.Table([]string{"Totaux", "Montant"}, totals, []int{85, 15})
	if d.TVA.Taux.IsZero() {
		doc.Paragraph(d.TVA.Mention)
	}
}

// avoirXML is the CII of the avoir: the cancelled facture's lines and
// totals, type 381, the facture cited (BT-25, BT-26), nothing paid.
func avoirXML(d *dossier.Dossier, a Avoir, p facturePart) ([]byte, error) {
	if err := loadMentions(); err != nil {
		return nil, err
	}
	part := facturx.Part{Numero: a.Numero, Date: a.Date, Total: p.total, Avoir: true, Previous: p.numero, PreviousDate: p.date.Time}
	for _, l := range p.lines {
		part.Lines = append(part.Lines, facturx.Line{Label: l.label, HT: l.ht})
	}
	f := &d.Parties.Fournisseur
	t := facturx.Texts{
		SellerLegal: fmt.Sprintf("%s au capital de %s – RCS %s", f.FormeJuridique, euros0(f.Capital), f.RCS),
		Terms:       avoirReglement,
		General: []string{
			avoirAnnulation,
			fmt.Sprintf("Facture initiale annulée : n° %s du %s", p.numero, Date(p.date.Time)),
			"Motif : " + a.Motif,
			natureOperations,
		},
	}
	if d.TVA.Taux.IsZero() {
		t.General = append(t.General, d.TVA.Mention)
	}
	t.General = append(t.General, mentionEtat+".")
	xml, err := facturx.CII(d, part, t) // no Echeance: the avoir has no due date
	if err != nil {
		return nil, fmt.Errorf("avoir Factur-X: %w", err)
	}
	return xml, nil
}
