package retours

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/signature"
)

// Preuve is the proof a signed document brings, as rapport.json writes it.
type Preuve struct {
	Document string `json:"document"`
	// Type is « signature electronique » or « numerisation », "" when the
	// document proves nothing yet.
	Type        signature.Proof        `json:"type"`
	Signataires []signature.SignerInfo `json:"signataires,omitempty"`
	// Attendus are the signatories who have not signed yet.
	Attendus []string `json:"signatures_attendues,omitempty"`
	// Rattachement says how the file was tied to the dossier.
	Rattachement string `json:"rattachement,omitempty"`
	Source       string `json:"source,omitempty"` // the file read, "" when segur signed it
	SHA256       string `json:"sha256,omitempty"` // of the exact bytes in the zip
	// Parts are the paths of the per-beneficiary scans merged into the VA
	// (Source then lists their names alone), for rapport.html's links.
	Parts []string `json:"-"`
}

// Scanned tells whether the proof is a scan of a paper signed by hand.
func (p *Preuve) Scanned() bool { return p.Type == signature.Scan }

// signatories are who must sign the VA of d: one per distinct signatory of
// its pages. A libéral médecin's RPPS is expected in their certificate
// (CPS); a structure's responsable or a mandataire is matched by name.
func signatories(d *dossier.Dossier) []signature.Signatory {
	return signatoriesOf(d.Justificatif.Pages)
}

// SignatoryOf is who must sign page p: its String is how Preuve.Attendus
// names them.
func SignatoryOf(p dossier.Page) signature.Signatory {
	s := p.Signataire
	sg := signature.Signatory{Name: s.FullName(), Org: s.Organisation}
	if s.Role == dossier.RoleMandataire {
		sg.Name = s.Organisation
	}
	if s.Role == dossier.RoleBeneficiaire {
		sg.ID = p.ID
	}
	return sg
}

// signatoriesOf are the distinct signatories of pages.
func signatoriesOf(pages []dossier.Page) []signature.Signatory {
	var out []signature.Signatory
	for _, p := range pages {
		sg := SignatoryOf(p)
		if !slices.Contains(out, sg) {
			out = append(out, sg)
		}
	}
	return out
}

// expectFor is what a returned document of d must be, given the unsigned
// rendering and the hashes of the versions handed out earlier.
func expectFor(opt Options, unsigned []byte, hashes []string, who []signature.Signatory) signature.Expect {
	// The page count and the text of the unsigned document are only needed
	// for scans and files not tied by their bytes: computed on demand.
	// Both fail closed: a count that cannot be read is -1, which no file
	// has; a text that cannot be read, or that holds nothing to compare,
	// is a difference, so that nothing is compared against nothing.
	pages := sync.OnceValue(func() int {
		n, err := pdfin.PageCount(unsigned)
		if err != nil {
			return -1
		}
		return n
	})
	want := sync.OnceValues(func() ([]string, error) {
		return pdfin.Text(unsigned)
	})
	return signature.Expect{
		Trust:       opt.Trust,
		MinLevel:    opt.MinLevel,
		Strict:      opt.Strict,
		Rendered:    [][]byte{unsigned},
		Hashes:      hashes,
		Signatories: who,
		Pages:       pages,
		Text: func(got []string) []string {
			w, err := want()
			if err != nil {
				return []string{fmt.Sprintf("le texte de la VA produite par segur est illisible (%v) : rien ne peut lui être comparé", err)}
			}
			if !idRe.MatchString(strings.Join(w, "\n")) {
				return []string{"la VA produite par segur ne porte aucun numéro à comparer"}
			}
			return TextDiffs(w, got)
		},
		ScanText: func(got []string) []string {
			w, err := want()
			if err != nil {
				return nil
			}
			return ScanDiffs(w, got)
		},
	}
}

// ScanDiffs says, in French, which numbers the text layer (OCR) got of a
// scan names that are of the kind of the dossier's identifiers (a numéro
// ASP, an RPPS, a FINESS: as long as one of the numbers of want, the text
// of the VA segur rendered) but that want does not hold: the scan of
// another dossier's VA, or another beneficiary's. A scan without a text
// layer, or whose OCR reads none of these numbers, names nothing.
func ScanDiffs(want, got []string) []string {
	w := idRe.FindAllString(strings.Join(want, "\n"), -1)
	kind := map[int]bool{}
	for _, id := range w {
		if len(id) >= 9 {
			kind[len(id)] = true
		}
	}
	var other []string
	for _, id := range idRe.FindAllString(strings.Join(got, "\n"), -1) {
		if kind[len(id)] && !slices.Contains(w, id) && !slices.Contains(other, id) {
			other = append(other, id)
		}
	}
	if len(other) == 0 {
		return nil
	}
	return []string{"sa couche de texte nomme " + strings.Join(other, ", ") + ", absent(s) de la VA de ce dossier"}
}

var idRe = regexp.MustCompile(`\b(FIN[A-Z]{3}\d+|\d{5,14})\b`)

// TextDiffs says, in French, how the text got of a document differs from
// want, the text of the document segur rendered: its numbers (dossier,
// ASP, RPPS, FINESS, facture) and its ticked and empty boxes, in order.
func TextDiffs(want, got []string) []string {
	w, g := strings.Join(want, "\n"), strings.Join(got, "\n")
	var out []string
	var missing []string
	have := idRe.FindAllString(g, -1)
	for _, id := range idRe.FindAllString(w, -1) {
		if !slices.Contains(have, id) && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		out = append(out, "numéro(s) absent(s) : "+strings.Join(missing, ", "))
	}
	wb, gb := signature.Boxes(w), signature.Boxes(g)
	switch {
	case wb != "" && gb == "":
		out = append(out, "aucune case ☒/☐ (ce n'est pas une VA)")
	case wb != gb:
		out = append(out, fmt.Sprintf("cases cochées « %s » au lieu de « %s » (DMP, MSS pro, MSS citoyen, comme dans le JSON)", gb, wb))
	}
	return out
}

// SignedVA finds and verifies the signed VA of a dossier in opt.Signes: the
// whole document (electronically signed by every signatory in turn, or
// scanned), else one scan per signing beneficiary, merged in page order.
// Electronically signed parts are never merged: that would break them.
func SignedVA(opt Options, d *dossier.Dossier, unsigned []byte, hashes []string, problem, warn func(field, code, format string, args ...any)) (Piece, *Preuve, bool) {
	name := d.FileName(dossier.VA)
	who := signatories(d)
	awaiting := &Preuve{Document: name}
	for _, s := range who {
		awaiting.Attendus = append(awaiting.Attendus, s.String())
	}
	if opt.Signes == "" {
		problem(name, "VA_NON_SIGNEE", "VA non signée : déposez %s signée dans le dossier des VA signées (--signes)", name)
		return Piece{}, awaiting, false
	}
	base := strings.TrimSuffix(name, ".pdf")
	var parts, ids []string
	var partOf []signature.Signatory // who signs each part
	for _, p := range d.Justificatif.Pages {
		if p.ID != "" {
			parts = append(parts, filepath.Join(opt.Signes, base+"-"+p.ID+".pdf"))
			ids = append(ids, p.ID)
			partOf = append(partOf, SignatoryOf(p))
		}
	}
	report := func(res signature.Result) {
		for _, e := range res.Errors {
			problem(name, e.Code, "%s", e.Message)
		}
		for _, e := range res.Warnings {
			warn(name, e.Code, "%s", e.Message)
		}
	}
	whole := filepath.Join(opt.Signes, name)
	data, err := readSigned(opt, whole)
	switch {
	case err == nil:
		var present []string
		for _, p := range parts {
			if _, err := os.Stat(p); err == nil {
				present = append(present, filepath.Base(p))
			}
		}
		if len(present) > 0 {
			warn(name, "VA_PARTIES_IGNOREES", "%s est utilisée ; les VA par bénéficiaire %s sont ignorées", name, strings.Join(present, ", "))
		}
		res, err := acceptAndVerify(opt, d.Numero(), name, data, expectFor(opt, unsigned, hashes, who))
		if err != nil {
			problem(name, "PIECE_ILLISIBLE", "%s n'est pas un PDF accepté : %v ; faites signer à nouveau ou remplacez le fichier", name, err)
			return Piece{}, awaiting, false
		}
		report(res)
		p := proof(name, whole, data, res)
		if !res.OK() {
			return Piece{}, p, false
		}
		// Read again when the zip is written (memory stays flat), and
		// refused then if it changed since.
		return Piece{Name: name, Path: whole, SHA256: p.SHA256}, p, true
	case !errors.Is(err, os.ErrNotExist):
		problem(name, "PIECE_ILLISIBLE", "%s : %s", name, safeio.Message(err))
		return Piece{}, awaiting, false
	}
	if len(parts) == 0 {
		problem(name, "VA_NON_SIGNEE", "VA non signée : %s introuvable dans %s", name, opt.Signes)
		return Piece{}, awaiting, false
	}
	var docs []*pdfin.Doc
	var missing []string
	// stillAwaiting are the signatories of the parts not back yet: who
	// still has to sign (rapport.json, the page, rapport.html, exporter).
	stillAwaiting := &Preuve{Document: name}
	p := &Preuve{Document: name, Type: signature.Scan, Rattachement: "numérisations par bénéficiaire, assemblées dans l'ordre des pages"}
	for i, path := range parts {
		data, err := readSigned(opt, path)
		if errors.Is(err, os.ErrNotExist) {
			missing = append(missing, filepath.Base(path))
			if who := partOf[i].String(); !slices.Contains(stillAwaiting.Attendus, who) {
				stillAwaiting.Attendus = append(stillAwaiting.Attendus, who)
			}
			continue
		} else if err != nil {
			problem(filepath.Base(path), "PIECE_ILLISIBLE", "%s : %s", filepath.Base(path), safeio.Message(err))
			return Piece{}, awaiting, false
		}
		one := []signature.Signatory{who[min(i, len(who)-1)]}
		doc, res, err := signature.OpenAndVerify(filepath.Base(path), data, signature.Expect{Signatories: one})
		if err != nil {
			problem(filepath.Base(path), "PIECE_ILLISIBLE", "%s n'est pas un PDF accepté : %v ; remplacez le fichier", filepath.Base(path), err)
			return Piece{}, awaiting, false
		}
		if res.Proof == signature.Electronic {
			problem(filepath.Base(path), "VA_PARTIE_SIGNEE", "%s est signée électroniquement : des VA signées électroniquement par bénéficiaire ne peuvent pas être assemblées sans casser leurs signatures. Faites signer la VA entière %s par chaque signataire, à tour de rôle, dans le même fichier", filepath.Base(path), name)
			return Piece{}, awaiting, false
		}
		if res.Proof != signature.Scan {
			problem(filepath.Base(path), "VA_NON_SIGNEE", "%s n'est ni signée électroniquement ni une numérisation : déposez la VA entière %s signée", filepath.Base(path), name)
			return Piece{}, awaiting, false
		}
		// A scan with an OCR text layer must name its beneficiary.
		if text, err := doc.Text(); err == nil && idRe.MatchString(strings.Join(text, " ")) &&
			!slices.Contains(idRe.FindAllString(strings.Join(text, " "), -1), ids[i]) {
			problem(filepath.Base(path), "VA_AUTRE_BENEFICIAIRE", "%s ne mentionne pas le bénéficiaire %s : c'est la VA d'un autre bénéficiaire ou d'un autre dossier ; déposez sous ce nom la VA signée par %s", filepath.Base(path), ids[i], ids[i])
			return Piece{}, awaiting, false
		}
		docs = append(docs, doc)
		p.Source = joinNonEmptyStr(p.Source, filepath.Base(path))
		p.Parts = append(p.Parts, path)
	}
	if len(missing) > 0 {
		if len(missing) == len(parts) {
			problem(name, "VA_NON_SIGNEE", "VA non signée : %s introuvable dans %s (la VA signée entière, ou une VA numérisée par bénéficiaire)", name, opt.Signes)
		} else {
			problem(name, "VA_NON_SIGNEE", "VA incomplète : %s introuvable dans %s (chaque bénéficiaire doit signer)", strings.Join(missing, ", "), opt.Signes)
		}
		return Piece{}, stillAwaiting, false
	}
	var merged bytes.Buffer
	// MergeAt keeps the merged bytes the same from run to run.
	if err := pdfops.MergeAt(&merged, Modified(d), docs...); err != nil {
		problem(name, "PIECE_ILLISIBLE", "les VA numérisées de %s n'ont pas pu être assemblées : %v", d.Numero(), err)
		return Piece{}, awaiting, false
	}
	warn(name, "VA_NUMERISEE", "%s est assemblée de numérisations (%s), sans signature électronique : vérifiez à l'œil le numéro de dossier, les cases cochées et chaque signature", name, p.Source)
	p.SHA256 = sum(merged.Bytes())
	return Piece{Name: name, Data: merged.Bytes()}, p, true
}

func joinNonEmptyStr(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

// proof is the rapport's record of a verified document.
func proof(name, path string, data []byte, res signature.Result) *Preuve {
	p := &Preuve{Document: name, Type: res.Proof, Signataires: res.Signers, Rattachement: res.Tie, Source: path, SHA256: sum(data)}
	for _, s := range res.Missing {
		p.Attendus = append(p.Attendus, s.String())
	}
	return p
}

// SignedBySegur is how a MOM signed by render is tied to its dossier.
const SignedBySegur = "signée par segur avec le certificat du fournisseur"

// SignedMOM returns the MOM of d that goes into the zip: the one segur
// signed with the fournisseur's certificate, else one signed by hand (or
// electronically) given in --signes as <dispositif>-MOM-<n>.pdf.
func SignedMOM(opt Options, d *dossier.Dossier, rendered []byte, hashes []string, problem, warn func(field, code, format string, args ...any)) (Piece, *Preuve, bool) {
	name := d.FileName(dossier.MOM)
	var who []signature.Signatory
	if s := d.Parties.Fournisseur.Signataire; s != nil {
		who = []signature.Signatory{{Name: s.FullName(), Org: d.Parties.Fournisseur.RaisonSociale}}
	}
	if bytes.Contains(rendered, []byte("/ByteRange")) { // signed by segur
		// segur has just signed it: its signature is checked (digest, CMS,
		// coverage), not its tie to the dossier, from the bytes signed.
		res := signature.VerifyOwn(name, rendered, "MOM")
		for i := range res.Signers {
			res.Signers[i].As = fullName(who) // segur signed for the fournisseur's signataire
		}
		report := &Preuve{Document: name, Type: res.Proof, Signataires: res.Signers, Rattachement: SignedBySegur, SHA256: sum(rendered)}
		if !res.OK() {
			for _, e := range res.Errors {
				problem(name, "MOM_SIGNATURE_INVALIDE", "%s", e.Message)
			}
			return Piece{}, report, false
		}
		docs := opt.Docs
		if docs == "" {
			docs = opt.Dir
		}
		return Piece{Name: name, Path: filepath.Join(docs, "dossiers", d.Numero(), name), SHA256: report.SHA256}, report, true
	}
	awaiting := &Preuve{Document: name, Attendus: []string{signature.Signatory{Name: fullName(who)}.String()}}
	if opt.Signes == "" {
		problem(name, "MOM_NON_SIGNEE", "MOM non signée : configurez le certificat du fournisseur (bloc signature de segur.yaml) ou déposez %s signée dans le dossier --signes", name)
		return Piece{}, awaiting, false
	}
	want := expectFor(opt, rendered, hashes, who)
	want.Kind = "MOM"
	return returned(opt, name, want, awaiting, problem, warn, "MOM_NON_SIGNEE",
		"MOM non signée : configurez le certificat du fournisseur (bloc signature de segur.yaml) ou déposez %s signée dans %s",
		"remplacez le fichier")
}

func fullName(who []signature.Signatory) string {
	if len(who) == 0 {
		return "le signataire du fournisseur"
	}
	return who[0].Name
}

// SignedBDC finds and verifies in opt.Signes the bon de commande of d
// signed by the client, for the avance's zip, as a returned VA is
// verified: it starts with the BDC segur rendered (unsigned: the
// document before any signature), every expected signatory signed it (the
// client's, d.Avance.Signataires; and the fournisseur when segur signs its
// box, withFournisseur), nobody else did, and nothing was changed after
// the signatures but filling their fields. A scan of a BDC signed by hand
// is taken with a warning to look at it.
func SignedBDC(opt Options, d *dossier.Dossier, unsigned []byte, withFournisseur bool, problem, warn func(field, code, format string, args ...any)) (Piece, *Preuve, bool) {
	name := d.FileName(dossier.BDC)
	who := signatoriesOf(d.Avance.Signataires)
	if s := d.Parties.Fournisseur.Signataire; withFournisseur && s != nil {
		who = append(who, signature.Signatory{Name: s.FullName(), Org: d.Parties.Fournisseur.RaisonSociale})
	}
	awaiting := &Preuve{Document: name}
	for _, s := range who {
		awaiting.Attendus = append(awaiting.Attendus, s.String())
	}
	if opt.Signes == "" {
		problem(name, "BDC_NON_SIGNEE", "bon de commande non signé par le client : déposez %s signé dans le dossier des documents signés (--signes)", name)
		return Piece{}, awaiting, false
	}
	want := expectFor(opt, unsigned, nil, who)
	want.Kind = "BDC"
	return returned(opt, name, want, awaiting, problem, warn, "BDC_NON_SIGNEE",
		"bon de commande non signé par le client : %s introuvable dans %s",
		"faites signer à nouveau ou remplacez le fichier")
}

// returned reads the document name returned in opt.Signes and verifies it
// against want, for SignedMOM and SignedBDC. missingCode and missing (a
// format of the name and the folder) say that no file is there, advice
// what to do with one that is not an accepted PDF; awaiting is the proof
// reported while nothing valid was read.
func returned(opt Options, name string, want signature.Expect, awaiting *Preuve, problem, warn func(field, code, format string, args ...any), missingCode, missing, advice string) (Piece, *Preuve, bool) {
	path := filepath.Join(opt.Signes, name)
	data, err := readSigned(opt, path)
	if errors.Is(err, os.ErrNotExist) {
		problem(name, missingCode, missing, name, opt.Signes)
		return Piece{}, awaiting, false
	} else if err != nil {
		problem(name, "PIECE_ILLISIBLE", "%s : %s", name, safeio.Message(err))
		return Piece{}, awaiting, false
	}
	res, err := signature.AcceptAndVerify(name, data, want)
	if err != nil {
		problem(name, "PIECE_ILLISIBLE", "%s n'est pas un PDF accepté : %v ; %s", name, err, advice)
		return Piece{}, awaiting, false
	}
	for _, e := range res.Errors {
		problem(name, e.Code, "%s", e.Message)
	}
	for _, e := range res.Warnings {
		warn(name, e.Code, "%s", e.Message)
	}
	p := proof(name, path, data, res)
	if !res.OK() {
		return Piece{}, p, false
	}
	return Piece{Name: name, Path: path, SHA256: p.SHA256}, p, true
}
