package rapport

import (
	"html/template"
	"net/mail"
	"net/url"
	"slices"
	"strings"

	"github.com/segur-sons/segur/dossier"
)

// Signature is a signatory of a dossier's MOM or VA and where their
// signature stands, as rapport.html and the segur serve page show it.
type Signature struct {
	Signataire
	// Etat is where the signature stands, in French: « en attente de
	// signature », « ✔ a signé », « ✔ a signé sa partie », « ✔ VA signée
	// reçue », « signe la MOM pour le fournisseur ».
	Etat string
	// Attend: they still have to sign the VA (client, médecin,
	// mandataire).
	Attend bool
	// Mailto, for a signatory who still has to sign and has a usable
	// e-mail, opens a prepared message: the subject names the dossier,
	// the body the dossier, its client and the VA file to sign.
	Mailto template.URL
}

// Signatures are d's signatories with where each signature stands, in
// page order. A VA signatory still has to sign while the dossier is not
// ready and they are among the proof's Attendus (everyone when the VA
// has not been checked yet); the fournisseur signs the MOM himself, so
// nobody is asked by e-mail for it. The page and rapport.html both show
// this: one place decides who is asked and what the message says.
func (d RapportDossier) Signatures() []Signature {
	var out []Signature
	ready := d.Statut == StatutPret || d.Statut == StatutDepose
	for _, s := range d.Info.Signataires {
		sg := Signature{Signataire: s}
		switch {
		case d.Justificatif == dossier.MOM || d.Info.VA == "":
			sg.Etat = "signe la MOM pour le fournisseur"
		case ready:
			sg.Etat = "✔ VA signée reçue"
		case d.Preuve != nil && s.Attendu != "" && !slices.Contains(d.Preuve.Attendus, s.Attendu):
			sg.Etat = "✔ a signé"
			if s.ID != "" {
				sg.Etat = "✔ a signé sa partie"
			}
		default:
			sg.Etat, sg.Attend = "en attente de signature", true
			sg.Mailto = mailto(d, s)
		}
		out = append(out, sg)
	}
	return out
}

// Attend are the signatories of d who still have to sign (Signatures).
func (d RapportDossier) Attend() []Signature {
	var out []Signature
	for _, s := range d.Signatures() {
		if s.Attend {
			out = append(out, s)
		}
	}
	return out
}

// mailto is the mailto: URL asking s to sign d's VA, "" when s has no
// e-mail that is one plain address (a comma, a query or a display name
// would add recipients or fields to the message).
func mailto(d RapportDossier, s Signataire) template.URL {
	addr, err := mail.ParseAddress(s.Email)
	if err != nil || addr.Name != "" || addr.Address != s.Email || strings.ContainsAny(s.Email, "?&#/%, \"<>") {
		return ""
	}
	subject := "Dossier Ségur " + d.NumeroEditeur + " : VA à signer"
	var body strings.Builder
	body.WriteString("Bonjour,\n\n")
	body.WriteString("Vous trouverez ci-joint la VA du dossier Ségur " + d.NumeroEditeur)
	if d.Info.Client != "" {
		body.WriteString(" (" + d.Info.Client + ")")
	}
	body.WriteString(", fichier " + d.Info.VA + ", à signer")
	if s.Pour != "" {
		body.WriteString(" pour " + s.Pour)
	}
	body.WriteString(" dans votre case.\n\n")
	body.WriteString("Signez ce fichier tel quel (signature électronique, ou à la main puis numérisé) et renvoyez-le-nous sous le même nom, " + d.Info.VA + ".\n\n")
	body.WriteString("Merci,\n")
	q := "subject=" + mailtoEscape(subject) + "&body=" + mailtoEscape(strings.ReplaceAll(body.String(), "\n", "\r\n"))
	return template.URL("mailto:" + s.Email + "?" + q)
}

// mailtoEscape escapes v for a mailto: field: every reserved character
// (& = ? # + of a client's name) percent-encoded, and spaces as %20, not
// + (RFC 6068 reads + as a plus sign).
func mailtoEscape(v string) string {
	return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
}
