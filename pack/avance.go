package pack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/segur-sons/segur/asp"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/retours"
)

// AvanceLine is the avance JSON line of one dossier checked with
// dossier.PhaseAvance, numbered n: its keys and their order are the
// dispositif's profile (templates/json/), its values the dossier's.
func AvanceLine(d *dossier.Dossier, n int) object {
	return avanceObject(d, n, d.Dispositif.ProfilAvance().Cles, avanceItem{})
}

// avanceItem is the item of a list being written: a médecin of liberal, or
// a pièce of piecesJustificatives.
type avanceItem struct {
	medecin *dossier.Beneficiaire
	piece   *dossier.PieceAvance
}

func avanceObject(d *dossier.Dossier, n int, cles []dossier.CleAvance, it avanceItem) object {
	o := make(object, 0, len(cles))
	for _, c := range cles {
		o = append(o, field{c.Cle, avanceValue(d, n, c, it)})
	}
	return o
}

func avanceValue(d *dossier.Dossier, n int, c dossier.CleAvance, it avanceItem) any {
	switch c.Valeur {
	case "objet":
		return avanceObject(d, n, c.Champs, it)
	case "liberal":
		items := []object{}
		if d.JSON.CommandePour == asp.PourLiberal {
			for i := range d.Parties.Beneficiaires {
				items = append(items, avanceObject(d, n, c.Champs, avanceItem{medecin: &d.Parties.Beneficiaires[i]}))
			}
		}
		return items
	case "pieces":
		items := []object{}
		for i := range d.Avance.Pieces {
			items = append(items, avanceObject(d, n, c.Champs, avanceItem{piece: &d.Avance.Pieces[i]}))
		}
		return items
	}
	v, _ := avanceLeaf(d, n, c.Valeur, it)
	return v
}

// avanceLeaf is the value named name (dossier.AvanceValeurs), and whether
// the name is known.
func avanceLeaf(d *dossier.Dossier, n int, name string, it avanceItem) (any, bool) {
	a, cl, m := &d.Avance, &d.Parties.Client, d.Parties.Mandataire
	structure := d.JSON.CommandePour == asp.PourStructure
	switch name {
	case "num_ligne":
		return n, true
	case "type_action":
		return asp.TypeAction, true
	case "numero_asp", "code_traitement", "libelle_traitement":
		return nil, true // given by the ASP in its answer
	case "numero_editeur":
		return d.Ref.NumeroEditeur, true
	case "date_commande":
		return d.Commande.Date.Format(asp.DateLayout), true
	case "regime_tva":
		return a.RegimeTVA, true
	case "montant_segur_ht":
		return json.Number(d.Commande.Montant.HT.StringFixed(2)), true
	case "commande_pour":
		return d.JSON.CommandePour, true
	case "is_mandataire":
		return m != nil, true
	case "is_client_unique":
		return a.ClientUnique, true
	case "nom_mandataire", "email_mandataire", "telephone_mandataire":
		if m == nil {
			return nil, true
		}
		return orNull(map[string]string{"nom_mandataire": m.Nom, "email_mandataire": m.Email, "telephone_mandataire": phone(m.Telephone)}[name]), true
	case "medecin_nom", "medecin_email", "medecin_telephone", "medecin_rpps":
		b := it.medecin
		if b == nil {
			return nil, true
		}
		return orNull(map[string]string{"medecin_nom": b.Name(), "medecin_email": b.Email, "medecin_telephone": phone(b.Telephone), "medecin_rpps": b.RPPS}[name]), true
	case "responsable_nom", "responsable_email", "responsable_telephone", "finess_juridique":
		if !structure {
			return nil, true
		}
		return orNull(map[string]string{"responsable_nom": cl.Responsable.FullName(), "responsable_email": cl.Email, "responsable_telephone": phone(cl.Telephone), "finess_juridique": cl.FinessJuridique}[name]), true
	case "finess_geo":
		geo := []string{}
		if structure {
			for _, b := range d.Parties.Beneficiaires {
				geo = append(geo, b.FinessGeo)
			}
		}
		return geo, true
	case "piece_nom", "piece_format", "piece_type":
		p := it.piece
		if p == nil {
			return nil, true
		}
		return map[string]string{"piece_nom": p.Nom, "piece_format": p.Format, "piece_type": p.Type}[name], true
	case "centre_de_sante":
		return a.CentreDeSante, true
	case "operateur_messagerie":
		return orNull(a.OperateurMessagerie), true
	case "pro_sante_connect":
		return a.ProSanteConnect, true
	case "dmp_direct", "dmp_tiers", "mss_pro_direct", "mss_pro_tiers", "mss_citoyen_direct", "mss_citoyen_tiers":
		s := d.Commande.Scenario
		flow := map[string]string{"dmp": s.DMP, "mss_pro": s.MSSPro, "mss_citoyen": s.MSSCitoyen}
		for _, f := range []string{"dmp", "mss_pro", "mss_citoyen"} {
			switch name {
			case f + "_direct":
				return flow[f] == "direct", true
			case f + "_tiers":
				return flow[f] == "tiers", true
			}
		}
	}
	return nil, false
}

// orNull is s, or null when empty.
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// phone is a phone number without the spaces, dots and dashes people type.
func phone(s string) string { return asp.PhoneDigits(s) }

// WriteAvance writes the avance JSON of one upload pair: the envelope (the
// solde's) and one line per dossier, numbered from 1, two-space indented,
// UTF-8.
func WriteAvance(w io.Writer, numeroANS, siret string, ds []*dossier.Dossier) error {
	return writeLines(w, numeroANS, siret, ds, encodeAvanceLine)
}

// encodeAvanceLine is the compact JSON of d's avance line, numbered 0, as
// encodeLine makes a solde's.
func encodeAvanceLine(d *dossier.Dossier) ([]byte, error) {
	return compact(AvanceLine(d, 0), "avance", d)
}

// prepareAvance renders the BDC (and, in mode avance-solde, the avance
// facture) of one dossier of the avance dépôt into dossiers/, and takes
// the BDC signed by the client from Signes, verified, for the zip.
func prepareAvance(opt Options, r Renderer, d *dossier.Dossier, w *dossierWork, problem func(field, code, format string, args ...any)) {
	warn := func(field, code, format string, args ...any) {
		w.problems = append(w.problems, dossier.Problem{
			Pos: d.Ref.Source, Level: dossier.Attention, Numero: d.Numero(), Field: field, Code: code,
			Message: fmt.Sprintf(format, args...),
		})
	}
	mod := d.Commande.Date.Time
	for _, p := range d.Avance.Pieces {
		doc, prob, err := writeDocumentWith(r, d, p.Kind, opt.docs(), opt.write)
		if err != nil {
			w.err = err
			return
		}
		if prob != nil {
			w.problems = append(w.problems, *prob)
			return
		}
		sha := sum(doc.Data) // listed and zipped: hashed once
		w.files = append(w.files, rapport.Fichier{Nom: doc.Name, SHA256: sha})
		if p.Kind != dossier.BDC {
			w.pieces = append(w.pieces, Entry{Name: p.Nom, Path: doc.Path, SHA256: sha, Modified: mod})
			continue
		}
		// The client's signed copy starts with the BDC before any signature;
		// segur's own signature of the fournisseur's box, when it signs,
		// comes before the client's.
		unsigned := doc.Data
		if opt.NewUnsigned != nil {
			if unsigned, err = opt.NewUnsigned().Render(d, dossier.BDC); err != nil {
				problem("-", "RENDU_IMPOSSIBLE", "le bon de commande n'a pas pu être produit : %v", err)
				return
			}
		}
		signedBySegur := bytes.Contains(doc.Data, []byte("/ByteRange"))
		rp, preuve, ok := retours.SignedBDC(retours.Options{Dir: opt.Dir, Docs: opt.docs(), Signes: opt.Signes, Trust: opt.Trust, MinLevel: opt.MinLevel}, d, unsigned, signedBySegur, problem, warn)
		w.preuve = preuve
		if !ok {
			continue
		}
		e := Entry{Name: p.Nom, Path: rp.Path, SHA256: rp.SHA256, Data: rp.Data, Modified: mod}
		w.pieces = append([]Entry{e}, w.pieces...)
		// rapport.json gives the SHA-256 of the bytes in the zip.
		for i := range w.files {
			if w.files[i].Nom == e.Name {
				w.files[i].SHA256 = rp.SHA256
			}
		}
	}
}
