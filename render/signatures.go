package render

import (
	"time"

	"fmt"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/signature"
)

// Names of the signature fields. A client's field is named after who signs
// it (RPPS, FINESS géographique, mandataire), so that signing tools show
// whose box it is and segur can tell the signatories apart.
const (
	fieldFournisseur = "Signature fournisseur"
	fieldMandataire  = "Signature mandataire"
	fieldResponsable = "Signature responsable"
)

// fieldOf is the signature field of the client signatory identified by id
// (an RPPS or a FINESS géographique).
func fieldOf(id string) string { return "Signature " + id }

// FieldName is the signature field of the signatory of page p of a VA.
func FieldName(p dossier.Page) string {
	switch {
	case p.Signataire.Role == dossier.RoleMandataire:
		return fieldMandataire
	case p.ID != "":
		return fieldOf(p.ID)
	default:
		return fieldResponsable
	}
}

// finish makes a laid-out document signable or signed: the VA and the BDC
// get one empty signature field per client signatory; with a certificate,
// the MOM and the fournisseur's box of the BDC are signed.
func (r *Renderer) finish(d *dossier.Dossier, kind dossier.Kind, data []byte, spots []Spot) ([]byte, error) {
	var fields []signature.Box
	var own *signature.Box
	for _, s := range spots {
		b := signature.Box{Name: s.Name, Page: s.Page, Rect: s.Rect}
		if s.Name == fieldFournisseur {
			if own == nil {
				own = &b
			}
			continue
		}
		fields = append(fields, b)
	}
	// The BDC keeps the fournisseur's box an empty field, which segur then
	// fills: the document before any signature is the same whoever signs
	// first, and the client's signed copy is verified against it (avance).
	bdc := kind == dossier.BDC && own != nil
	if bdc {
		fields = append(fields, *own)
	}
	signer := r.assets.Signer
	if r.assets.Apercu {
		signer = nil // a preview is never signed
	}
	if own != nil && signer != nil {
		// The fournisseur's field is added with the clients', then
		// filled by its signature.
		fields = append(fields, *own)
	}
	data, err := signature.AddFields(data, fields)
	if err != nil {
		return nil, err
	}
	if own == nil || signer == nil {
		return data, nil
	}
	when := time.Now()
	if r.assets.Now != nil {
		when = r.assets.Now()
	}
	who := r.assets.Signer.Cert.Subject.CommonName
	if s := d.Parties.Fournisseur.Signataire; s != nil && s.FullName() != "" {
		who = s.FullName()
	}
	label := fmt.Sprintf("Signé électroniquement par %s le %s", who, Date(signature.SigningTime(r.assets.Signer, when)))
	// The fournisseur's field was just added, empty, with the others
	// (above): it is signed as it stands, without reading the document
	// whole once more to look for it (signature.Sign would, and give the
	// same bytes).
	return signature.SignField(data, r.assets.Signer, own.Name, label, when)
}
