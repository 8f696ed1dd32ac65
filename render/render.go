package render

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/signature"
	"github.com/shopspring/decimal"
)

// Assets are what every document needs besides the dossier: the fonts and
// the fournisseur's logo (nil when none).
type Assets struct {
	Fonts Fonts
	Logo  []byte
	// Signer, when set, signs the MOMs and the fournisseur's box of the
	// BDCs (segur.yaml's signature block).
	Signer *signature.Signer
	// Now is the clock of the signatures (CMS signing-time and /M): a
	// signature states when it was made. nil is the real time; tests
	// inject a fixed clock.
	Now func() time.Time
	// Apercu makes previews: every page carries « APERÇU » (Meta.Apercu)
	// and nothing is signed, whatever Signer is.
	Apercu bool
}

// Renderer renders the documents of checked dossiers. It holds no state
// between documents beyond its assets, and a Renderer may be used by one
// goroutine at a time; give each worker its own.
type Renderer struct {
	assets Assets
	logo   *logoBox            // the checked logo, kept across documents
	fonts  []entity.CustomFont // the checked fonts, kept across documents

	keyOnce sync.Once
	key     string // assetsKey
}

// New returns a Renderer over assets.
func New(assets Assets) *Renderer {
	loadMentions() // its error fails every document (newDoc)
	return &Renderer{assets: assets}
}

// Render returns the PDF of one document of d. It never re-decides a rule:
// every value comes from the checked dossier. A dossier with an error gets
// no document.
func (r *Renderer) Render(d *dossier.Dossier, kind dossier.Kind) ([]byte, error) {
	if d.Blocked() {
		return nil, fmt.Errorf("render %s %s: le dossier a des erreurs", kind, d.Numero())
	}
	if d.Stage != dossier.PhaseSolde && kind != dossier.BDC {
		return nil, fmt.Errorf("render %s %s: le dossier n'en est qu'à la commande", kind, d.Numero())
	}
	var (
		data []byte
		err  error
	)
	switch kind {
	case dossier.BDC:
		data, err = r.BDC(d)
	case dossier.MOM:
		if d.Justificatif.Kind != dossier.MOM {
			return nil, fmt.Errorf("render MOM %s: ce dossier relève d'une VA", d.Numero())
		}
		data, err = r.MOM(d)
	case dossier.VA:
		if d.Justificatif.Kind != dossier.VA {
			return nil, fmt.Errorf("render VA %s: ce dossier relève d'une MOM", d.Numero())
		}
		data, err = r.VA(d)
	case dossier.FACTURE:
		if d.Facture.Numero == "" && d.Avance.MontantHT.IsPositive() {
			data, err = r.FactureAvance(d) // the avance dépôt's, alone
			break
		}
		data, err = r.Facture(d)
	default:
		return nil, fmt.Errorf("render: unknown document kind %q", kind)
	}
	if err != nil {
		return nil, fmt.Errorf("render %s %s: %w", kind, d.Numero(), err)
	}
	if r.assets.Apercu {
		// The banner marks the pages laid out here; the stamp every page,
		// appended documents (traités, avance facture as issued) included.
		if data, err = pdfops.Stamp(data, "APERÇU"); err != nil {
			return nil, fmt.Errorf("render %s %s: %w", kind, d.Numero(), err)
		}
	}
	return data, nil
}

// kindTitle names each document kind in metadata titles.
var kindTitle = map[dossier.Kind]string{
	dossier.BDC:     "Bon de commande",
	dossier.MOM:     "Déclaration de mise en ordre de marche (MOM)",
	dossier.VA:      "Attestation de vérification d'aptitude (VA)",
	dossier.FACTURE: "Facture",
}

// newDoc starts a document of d with its metadata, header and footer.
func (r *Renderer) newDoc(d *dossier.Dossier, kind dossier.Kind) (*Doc, error) {
	if err := loadMentions(); err != nil {
		return nil, err
	}
	rec := d.Ref
	f := &d.Parties.Fournisseur
	ref := rec.NumeroEditeur
	if rec.NumeroASP != "" {
		ref = rec.NumeroASP + " / " + rec.NumeroEditeur
	}
	return r.newDocMeta(d, Meta{
		Title:    fmt.Sprintf("%s – dossier %s", kindTitle[kind], ref),
		Author:   f.RaisonSociale,
		Subject:  rec.Dispositif,
		Keywords: strings.TrimSpace(fmt.Sprintf("%s %s %s", rec.NumeroASP, rec.NumeroEditeur, kind)),
		Date:     documentDate(d, kind),
		FileName: d.FileName(kind),
		Apercu:   r.assets.Apercu,
	})
}

// newDocMeta starts a document of d with the metadata given, the
// fournisseur's header and the footer.
func (r *Renderer) newDocMeta(d *dossier.Dossier, meta Meta) (*Doc, error) {
	if err := loadMentions(); err != nil {
		return nil, err
	}
	if meta.Apercu {
		meta.Title = "APERÇU – " + meta.Title
	}
	f := &d.Parties.Fournisseur
	if r.fonts == nil {
		var err error
		if r.fonts, err = r.assets.Fonts.customFonts(); err != nil {
			return nil, err
		}
	}
	h := Header{Name: f.RaisonSociale, Lines: fournisseurLines(f), Logo: r.assets.Logo, fonts: r.fonts}
	if len(r.assets.Logo) > 0 {
		if r.logo == nil {
			var err error
			if r.logo, err = newLogoBox(r.assets.Logo); err != nil {
				return nil, fmt.Errorf("render: %w", err)
			}
		}
		h.logo = r.logo
	}
	return NewDoc(r.assets.Fonts, meta, h)
}

// documentDate is the date a document carries, from the record: the BDC's
// signature, the facture's date, or the end of the prestation for the
// MOM and VA.
func documentDate(d *dossier.Dossier, kind dossier.Kind) time.Time {
	var t dossier.Date
	switch kind {
	case dossier.FACTURE:
		t = d.Facture.Date
	case dossier.MOM, dossier.VA:
		t = d.Realisation.DateFin
	}
	if t.IsZero() {
		t = d.Commande.Date
	}
	if t.IsZero() {
		return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t.Time
}

// fournisseurLines are the header lines under the fournisseur's name.
func fournisseurLines(f *dossier.Fournisseur) []string {
	lines := append([]string{}, f.Adresse...)
	id := fmt.Sprintf("%s au capital de %s – SIRET %s – RCS %s", f.FormeJuridique, euros0(f.Capital), f.Siret, f.RCS)
	lines = append(lines, id)
	var contact []string
	if f.Telephone != "" {
		contact = append(contact, "Tél. "+f.Telephone)
	}
	if f.Email != "" {
		contact = append(contact, f.Email)
	}
	if len(contact) > 0 {
		lines = append(lines, strings.Join(contact, " – "))
	}
	return lines
}

// euros0 prints a capital without cents when it has none.
func euros0(d *decimal.Decimal) string {
	if d == nil {
		return "—"
	}
	if s := Euros(*d); strings.HasSuffix(s, ",00 €") {
		return strings.TrimSuffix(s, ",00 €") + " €"
	} else {
		return s
	}
}

// references adds the dossier's references: dispositif, numéro ASP when
// known, numéro éditeur, and the BDC or facture number.
func references(doc *Doc, d *dossier.Dossier, extra ...[2]string) {
	rec := d.Ref
	doc.KeyValue("Dispositif", fmt.Sprintf("%s – %s", rec.Dispositif, d.Dispositif.Libelle))
	if rec.NumeroASP != "" {
		doc.KeyValue("N° de dossier ASP", rec.NumeroASP)
	}
	doc.KeyValue("N° éditeur", rec.NumeroEditeur)
	for _, kv := range extra {
		doc.KeyValue(kv[0], kv[1])
	}
}

// solution describes the referenced solution: name, version, numéro ANS.
func solution(d *dossier.Dossier) string {
	if d.Solution == nil {
		return ""
	}
	return fmt.Sprintf("%s version %s (n° de référencement ANS %s)", d.Solution.Nom, d.Solution.Version, d.Solution.NumeroANS)
}

// beneficiaireLine describes one beneficiary with its identifiers, the old
// FINESS géo first after a takeover.
func beneficiaireLine(d *dossier.Dossier, b dossier.Beneficiaire) string {
	if b.FinessGeo == "" {
		return fmt.Sprintf("%s – RPPS %s", b.Name(), b.RPPS)
	}
	s := fmt.Sprintf("%s – FINESS géographique %s", b.Name(), b.FinessGeo)
	for _, rp := range d.Parties.Reprises {
		if rp.Nouveau == b.FinessGeo {
			s = fmt.Sprintf("FINESS géographique %s (déclaré à l'avance), repris par %s – FINESS géographique %s", rp.Ancien, b.Name(), rp.Nouveau)
		}
	}
	return s
}

// clientIdentity lists the client: type, name, address, SIREN, FINESS
// juridique.
func clientIdentity(doc *Doc, d *dossier.Dossier) {
	cl := &d.Parties.Client
	typ := "Médecin(s) de ville en cabinet libéral"
	if cl.Type == dossier.Structure {
		typ = "Structure"
		switch cl.StructureType {
		case dossier.StructureMSP:
			typ = "Structure d'exercice coordonné – maison de santé pluriprofessionnelle (MSP)"
		case dossier.StructureCDS:
			typ = "Structure d'exercice coordonné – centre de santé (CDS)"
		}
	}
	doc.KeyValue("Type de client", typ)
	doc.KeyValue("Nom", cl.Nom)
	doc.KeyValue("Adresse", strings.Join(cl.Adresse, ", "))
	if cl.Siren != "" {
		doc.KeyValue("SIREN", cl.Siren)
	}
	if cl.FinessJuridique != "" {
		doc.KeyValue("FINESS juridique", cl.FinessJuridique)
	}
	if cl.Responsable != nil {
		doc.KeyValue("Responsable", strings.TrimSpace(cl.Responsable.FullName()+", "+cl.Responsable.Qualite))
	}
	var contact []string
	if cl.Email != "" {
		contact = append(contact, cl.Email)
	}
	if cl.Telephone != "" {
		contact = append(contact, "Tél. "+cl.Telephone)
	}
	if len(contact) > 0 {
		doc.KeyValue("Contact", strings.Join(contact, " – "))
	}
}

// prestationLibelle is the Va2 prestation type as printed.
func prestationLibelle(d *dossier.Dossier) string {
	if d.Prestation == nil {
		return ""
	}
	return d.Prestation.Libelle
}

// rate formats the TVA rate.
func rate(d *dossier.Dossier) string { return Percent(d.TVA.Taux) }
