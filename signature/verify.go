package signature

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/digitorus/pkcs7"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/segur-sons/segur/internal/pdfin"
	"golang.org/x/text/unicode/norm"
)

// Signatory is someone expected to sign a document.
type Signatory struct {
	Name string // « Prénom Nom », or the organisation of a mandataire
	ID   string // RPPS or FINESS the certificate may carry, "" when none
	Org  string // the organisation signed for
}

func (s Signatory) String() string {
	if s.ID != "" {
		return s.Name + " (" + s.ID + ")"
	}
	return s.Name
}

// Expect is what a returned document must be.
type Expect struct {
	// Rendered are the unsigned documents segur renders for the dossier
	// today; Hashes the SHA-256 (hex) of the unsigned versions handed out
	// earlier. A signed file must start with one of them.
	Rendered [][]byte
	Hashes   []string
	// Signatories must all sign; nobody else may.
	Signatories []Signatory
	// Pages returns the page count of the document (nil: not checked).
	Pages func() int
	// Text, when set, compares the text of a document that is not tied to
	// the dossier by its bytes (one string per page) and returns what
	// differs, in French ("" items are ignored).
	Text func(pages []string) []string
	// ScanText, when set, compares the text layer (OCR) of a scan with
	// the dossier and returns what names another dossier, in French.
	ScanText func(pages []string) []string
	// Kind is the document, "VA" (default) or "MOM", for codes and
	// messages.
	Kind string
	// Deposited verifies a document as found in a dépôt, without its
	// dossier: the signatures' integrity and coverage, or a scan, and the
	// boxes when set; no tie to the dossier, no signatory matching.
	Deposited bool
	// Boxes, when set, is the sequence of ☒ and ☐ the document's text must
	// show (from the JSON line's flags).
	Boxes string
	// Trust holds the roots segur.yaml gives (nil: every signature is of
	// level simple), MinLevel the level each signature must reach ("" or
	// LevelSimple: any).
	Trust    *Trust
	MinLevel Level
	// Strict makes an invisible signature (VA_SIGNATURE_INVISIBLE) an
	// error instead of a warning.
	Strict bool
}

// SignerInfo is who made one electronic signature, as verified.
type SignerInfo struct {
	Name    string    `json:"nom"`              // the certificate's common name
	Subject string    `json:"certificat"`       // its distinguished name
	Valid   bool      `json:"valide"`           // digest and CMS signature verified
	Time    time.Time `json:"date,omitzero"`    // signing time stated in the CMS, if any
	As      string    `json:"signataire"`       // the expected signatory it was matched to, "" when none
	Covers  string    `json:"portee,omitempty"` // « document entier » for the last signature
	// RPPS is the RPPS the certificate carries (a CPS's national
	// identifier « 8 » + RPPS, or its serialNumber), "" when none.
	RPPS string `json:"rpps,omitempty"`
	// Level is what the certificate is: LevelCPx, LevelRGS,
	// LevelQualified or LevelSimple.
	Level Level `json:"niveau,omitempty"`
	// Stamped is the time of the RFC 3161 time-stamp the signature
	// carries (its TSA's), zero when none.
	Stamped time.Time `json:"horodatage,omitzero"`
}

// Proof is what a returned document proves: signed electronically, or a
// scan of a paper signed by hand. Its value is rapport.json's « type ».
type Proof string

// Proof kinds.
const (
	Electronic Proof = "signature electronique"
	Scan       Proof = "numerisation"
)

// Result is what Verify found.
type Result struct {
	Proof   Proof        // Electronic, Scan, or "" when the file proves nothing
	Signers []SignerInfo // electronic signatures, in file order
	Missing []Signatory  // expected signatories who have not signed
	// Tie says how the file was tied to the dossier: « octets identiques à
	// la VA produite par segur », « empreinte SHA-256 d'une VA remise »,
	// « comparaison du texte ».
	Tie      string
	Errors   []*Error
	Warnings []*Error
	kind     string // Expect.Kind
}

// OK reports whether the file may go into the dépôt.
func (r *Result) OK() bool { return len(r.Errors) == 0 && r.Proof != "" }

func (r *Result) fail(code, format string, args ...any) {
	r.Errors = append(r.Errors, r.doc(code, format, args...))
}

var vaRe = regexp.MustCompile(`\bVA\b`)

// doc words a problem for the kind of document verified: the messages and
// codes are written for a VA, and say MOM for a MOM.
func (r *Result) doc(code, format string, args ...any) *Error {
	if r.kind != "" && r.kind != "VA" {
		code = strings.Replace(code, "VA_", r.kind+"_", 1)
		format = vaRe.ReplaceAllString(format, r.kind)
	}
	return errorf(code, format, args...)
}

// sig is one signature dictionary of a file.
type sig struct {
	br       [4]int64
	contents []byte
	name     string // /Name of the signature dictionary
	// at is the offset of the signature dictionary's object in the file,
	// -1 when it is in an object stream (where no byte range can leave
	// its /Contents out).
	at int64
	nr int // its object number, 0 when unknown
}

// Verify checks a returned document named name against want: its
// electronic signatures, or whether it is a scan. It never panics on a
// malformed file.
func Verify(name string, data []byte, want Expect) Result {
	doc, err := pdfin.Read(data)
	if err != nil {
		res := Result{kind: want.Kind}
		res.fail("PIECE_ILLISIBLE", "%s n'est pas un PDF lisible : faites-le signer à nouveau ou remplacez le fichier", name)
		return res
	}
	return verify(name, doc, want)
}

// AcceptAndVerify is pdfin.Accept then Verify, with one reading of data
// (pdfin.Open, then Doc.Accept once verify has read the file as it is):
// the acceptance error (a French sentence) when the file is not an
// accepted PDF, else what Verify finds.
func AcceptAndVerify(name string, data []byte, want Expect) (Result, error) {
	_, res, err := OpenAndVerify(name, data, want)
	return res, err
}

// OpenAndVerify is AcceptAndVerify, which also returns the accepted file
// as pdfin read it, for the caller to read more of it (its text) or to
// merge it, without reading its bytes again.
func OpenAndVerify(name string, data []byte, want Expect) (*pdfin.Doc, Result, error) {
	// The unsigned document segur rendered, when the file starts with it
	// (a signature added by an incremental update), is segur's own: the
	// bounds scan reads what follows it.
	var own []byte
	for _, r := range want.Rendered {
		if len(r) > len(own) && bytes.HasPrefix(data, r) {
			own = r
		}
	}
	doc, err := pdfin.OpenAfter(data, own)
	if err != nil {
		return nil, Result{}, err
	}
	res := verify(name, doc, want)
	if err := doc.Accept(); err != nil {
		return nil, Result{}, err
	}
	return doc, res, nil
}

// verify is Verify on doc, as pdfin read it (leniently, not validated).
func verify(name string, doc *pdfin.Doc, want Expect) (res Result) {
	defer func() {
		if r := recover(); r != nil {
			// A third-party parser's panic: its text is no message.
			res = Result{kind: want.Kind}
			res.fail("PIECE_ILLISIBLE", "%s n'est pas un PDF lisible (structure inattendue, que segur ne sait pas vérifier) : faites-le signer à nouveau ou remplacez le fichier", name)
		}
	}()
	res.kind = want.Kind
	if _, err := doc.Pages(); err != nil {
		res.fail("PIECE_ILLISIBLE", "%s n'est pas un PDF lisible : faites-le signer à nouveau ou remplacez le fichier", name)
		return res
	}
	if want.Boxes != "" {
		if pages, err := doc.Text(); err == nil {
			// One set of boxes per signatory's page.
			if got := Boxes(strings.Join(pages, "\n")); got != "" && (len(got)%len(want.Boxes) != 0 || got != strings.Repeat(want.Boxes, len(got)/len(want.Boxes))) {
				res.fail("VA_CASES", "%s : cases cochées « %s » au lieu de « %s » (DMP, MSS pro, MSS citoyen, d'après le JSON) : la VA ne correspond pas à la ligne du dépôt", name, got, want.Boxes)
			}
		}
	}
	sigs, err := signatures(doc)
	if err != nil {
		res.fail("PIECE_ILLISIBLE", "%s n'est pas un PDF lisible : faites-le signer à nouveau ou remplacez le fichier", name)
		return res
	}
	if len(sigs) == 0 {
		verifyUnsigned(&res, name, doc, want)
		return res
	}
	res.Proof = Electronic
	verifySigned(&res, name, doc.Bytes(), doc, sigs, want)
	return res
}

// signatures lists the signature dictionaries of doc, in file order.
func signatures(doc *pdfin.Doc) ([]sig, error) {
	all, err := doc.Signatures()
	if err != nil {
		return nil, err
	}
	var out []sig
	for _, s := range all {
		out = append(out, sig{br: s.ByteRange, contents: s.Contents, name: s.Name, at: s.At, nr: s.Nr})
	}
	return out, nil
}

// verifySigned checks the signatures sigs of data, read by pdfin into doc
// (nil for VerifyOwn, which reads segur's own signature from the bytes).
func verifySigned(res *Result, name string, data []byte, doc *pdfin.Doc, sigs []sig, want Expect) {
	size := int64(len(data))
	var signers []SignerInfo
	var certs [][]*x509.Certificate // the certificate of each SignerInfo of each signature
	for i, s := range sigs {
		info := SignerInfo{}
		p7, who, err := parseCMS(s.contents)
		if err != nil {
			res.fail("VA_SIGNATURE_INVALIDE", "%s : la signature n° %d est illisible%s : faites signer à nouveau", name, i+1, err)
			signers = append(signers, info)
			certs = append(certs, nil)
			continue
		}
		var names []string
		for _, c := range who {
			h := readHolder(c)
			if n := h.name(); n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
			if info.RPPS == "" {
				info.RPPS = h.RPPS
			}
		}
		info.Name = strings.Join(names, " et ")
		info.Subject = who[0].Subject.String()
		if info.Name == "" {
			info.Name = s.name // the signing tool's /Name, when the certificate has no name
		}
		var t time.Time
		if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &t); err == nil {
			info.Time = t.UTC()
		}
		info.Stamped = stampTime(p7) // the CMS read once
		info.Level = LevelCPx
		for _, c := range who {
			if l := level(c, p7.Certificates, info.Time, want.Trust); levelRank(l) < levelRank(info.Level) {
				info.Level = l
			}
		}
		br := s.br
		gapOK := br[0] == 0 && br[1] > 0 && br[2] > br[1] && br[3] >= 0 && br[2]+br[3] <= size &&
			data[br[1]] == '<' && data[br[2]-1] == '>'
		if gapOK && !gapIsContents(data, s) {
			gapOK = false
		}
		if !gapOK {
			res.fail("VA_SIGNATURE_INVALIDE", "%s : la signature de %s ne délimite pas correctement ce qu'elle signe (plage d'octets incorrecte) : le fichier a été altéré, ou réenregistré en entier après la signature (par un outil comme qpdf ou un « Enregistrer sous ») ; faites signer à nouveau", name, orUnknown(info.Name))
		} else {
			p7.Content = append(append([]byte{}, data[br[0]:br[0]+br[1]]...), data[br[2]:br[2]+br[3]]...)
			if err := p7.Verify(); err != nil {
				res.fail("VA_SIGNATURE_INVALIDE", "%s : la signature de %s n'est pas valide (empreinte différente : le document a été modifié après cette signature, ou la signature est altérée) : faites signer à nouveau", name, orUnknown(info.Name))
			} else {
				info.Valid = true
			}
		}
		signers = append(signers, info)
		certs = append(certs, who)
		if info.Valid && !meets(info.Level, want.MinLevel) {
			res.fail("VA_SIGNATURE_NIVEAU", "%s : la signature de %s est une %s, en dessous du niveau minimum demandé par segur.yaml (%s) : faites signer avec une carte CPx ou un certificat du niveau demandé", name, orUnknown(info.Name), LevelName(info.Level), LevelName(want.MinLevel))
		}
	}
	if doc != nil {
		invisible(res, name, doc.Context(), sigs, signers, want.Strict)
		if firstRevisionSigned(doc.Bytes(), sigs[0]) {
			appearancesOverDrawing(res, name, doc)
		}
	}
	last := sigs[len(sigs)-1]
	if end := last.br[2] + last.br[3]; end > size {
		// An impossible range, reported above.
	} else if end < size {
		res.fail("VA_MODIFIEE_APRES_SIGNATURE", "%s a été modifié après la dernière signature (%d octets ajoutés que personne n'a signés) : reprenez le fichier tel qu'il était après la dernière signature", name, size-(last.br[2]+last.br[3]))
	} else {
		signers[len(signers)-1].Covers = "document entier"
	}
	if want.Deposited {
		// Without the dossier, the document before any signature is the
		// first revision, and the boxes are the empty signature fields of
		// the second revision (segur's fields, added to what it rendered)
		// when it comes before the first signature.
		res.Signers = signers
		ends := pdfin.RevisionEnds(data)
		tieDeposited(res, name, doc, ends, sigs[0], want)
		if doc != nil && len(ends) > 1 && int64(ends[0]) < sigs[0].br[1] && sigs[len(sigs)-1].br[2]+sigs[len(sigs)-1].br[3] == size {
			var boxes *model.Context
			if int64(ends[1]) < sigs[0].br[1] {
				if r, err := doc.Revision(ends[1]); err == nil {
					boxes = r.Context()
				}
			}
			// Without the dossier, the boxes are anyone's: with one
			// revision before the first signature (a file saved whole
			// anew), its own empty boxes, checked as such.
			reportChanges(res, name, changesAfter(doc, ends[0], boxes, doc.Context(), true))
		}
		return
	}

	// The unsigned document the first signature was made on: a prefix of
	// data, base bytes long (0: none found).
	first := sigs[0]
	base := 0
	for _, r := range want.Rendered {
		if len(r) > 0 && int64(len(r)) <= first.br[1] && bytes.HasPrefix(data, r) {
			base, res.Tie = len(r), TieBytes
			break
		}
	}
	ends := pdfin.RevisionEnds(data)
	if base == 0 && len(want.Hashes) > 0 {
		for _, e := range ends {
			if int64(e) > first.br[1] {
				break
			}
			h := sha256.Sum256(data[:e])
			if slices.Contains(want.Hashes, hex.EncodeToString(h[:])) {
				base, res.Tie = e, TieHash
				break
			}
		}
	}
	if base == 0 {
		// Not segur's bytes: compare the text of the unsigned revision (or
		// of the whole file when it was signed in one go).
		end := len(data)
		for _, e := range ends {
			if int64(e) < first.br[1] {
				end = e
			}
		}
		res.Tie = TieText
		unsigned, err := doc.Revision(end)
		if err != nil {
			res.fail("VA_AUTRE_DOSSIER", "%s n'est pas la VA de ce dossier : son texte est illisible. Déposez la VA de ce dossier, signée", name)
		} else if diffs := textDiffs(unsigned, want); len(diffs) > 0 {
			res.fail("VA_AUTRE_DOSSIER", "%s n'est pas la VA de ce dossier : %s. Déposez la VA de ce dossier, signée", name, strings.Join(diffs, " ; "))
		} else if want.Text == nil {
			res.fail("VA_AUTRE_DOSSIER", "%s ne commence pas par une VA produite par segur pour ce dossier : faites signer la VA produite par segur", name)
		} else if len(want.Rendered) > 0 && len(want.Rendered[0]) > 0 {
			// The same dossier's numbers: the whole drawing must be
			// segur's too.
			if diffs := drawingDiffs(unsigned, want.Rendered[0]); len(diffs) > 0 {
				res.fail("VA_MODIFIEE", "%s a été récréée et ne dessine pas la VA produite par segur : %s. Faites signer la VA produite par segur, sans la modifier", name, strings.Join(diffs, " ; "))
			}
		}
		if end < len(data) {
			base = end
		}
	}
	if base > 0 {
		// What the last signature covers; anything after it is reported
		// above.
		covered := doc.Context()
		if end := last.br[2] + last.br[3]; end < size {
			if r, err := doc.Revision(int(end)); err == nil {
				covered = r.Context()
			}
		}
		first, boxes := base, (*model.Context)(nil)
		foreign := false
		if res.Tie == TieText && len(ends) > 0 && ends[0] <= base {
			// Not segur's bytes: the revisions before the first
			// signature may be anyone's, a rewrite in one revision
			// included. Its first revision is compared, with the boxes
			// of the last one (not segur's), as check does.
			if r, err := doc.Revision(base); err == nil {
				first, boxes, foreign = ends[0], r.Context(), true
			}
		}
		reportChanges(res, name, changesAfter(doc, first, boxes, covered, foreign))
	}
	if res.Tie == TieText && want.Pages != nil && doc.Context().PageCount != want.Pages() {
		res.fail("VA_PAGES", "%s a %d page(s), la VA de ce dossier en a %d", name, doc.Context().PageCount, want.Pages())
	}

	// Who signed.
	matched := make([]bool, len(want.Signatories))
	for i := range signers {
		if !signers[i].Valid || len(certs[i]) == 0 {
			continue
		}
		var as []string
		for _, c := range certs[i] {
			h := readHolder(c)
			j := match(h, want.Signatories)
			if j < 0 {
				who := orUnknown(h.name())
				if h.RPPS != "" {
					who += " (RPPS " + h.RPPS + ")"
				}
				res.fail("VA_SIGNATAIRE_INCONNU", "%s est signée par %s, qui n'est pas un signataire attendu (%s) : faites signer la VA par le bon signataire", name, who, list(want.Signatories))
				continue
			}
			if s := want.Signatories[j].String(); !slices.Contains(as, s) {
				as = append(as, s)
			}
			matched[j] = true
		}
		signers[i].As = strings.Join(as, " et ")
	}
	for j, m := range matched {
		if !m {
			res.Missing = append(res.Missing, want.Signatories[j])
		}
	}
	if len(res.Missing) > 0 && len(res.Errors) == 0 {
		res.fail("VA_SIGNATURE_MANQUANTE", "%s attend encore la signature de %s : faites-la signer, dans le même fichier, à la suite des signatures déjà présentes", name, list(res.Missing))
	}
	res.Signers = signers
}

// firstRevisionSigned reports whether the first signature came with the
// file's first revision (a file written whole and signed in one go, as
// pdf-lib does): no earlier revision holds the empty boxes its
// appearances must lie in.
func firstRevisionSigned(data []byte, first sig) bool {
	for _, e := range pdfin.RevisionEnds(data) {
		if int64(e) < first.br[1] {
			return false
		}
	}
	return true
}

// appearancesOverDrawing blocks a visible signature appearance of a file
// signed in one go that lies over the text or the marks its pages draw:
// segur's boxes are empty, so an appearance over the VA hides part of it
// (a forger's own widget covering the page).
func appearancesOverDrawing(res *Result, name string, doc *pdfin.Doc) {
	pages, err := doc.Drawing()
	if err != nil {
		return
	}
	for _, what := range overDrawing(pages, walk(doc.Context()).shown) {
		res.fail(codeOutside, "%s : une signature est dessinée sur %s : elle cache une partie de la VA ; faites signer dans la case prévue", name, what)
	}
}

// Ties of a returned document to segur's.
const (
	TieBytes   = "octets identiques à la VA produite par segur"
	TieHash    = "empreinte SHA-256 d'une VA remise pour signature"
	TieText    = "comparaison du texte"
	TieDrawing = "comparaison du dessin avec la VA produite par segur"
)

// tieDeposited ties a document found in a dépôt to segur's own unsigned
// version when the caller found it (want.Rendered, want.Hashes): its bytes,
// or the SHA-256 of a revision before the first signature, or else its
// whole drawing compared (VA_MODIFIEE). res.Tie stays "" when there was
// nothing to compare with.
func tieDeposited(res *Result, name string, doc *pdfin.Doc, ends []int, first sig, want Expect) {
	if doc == nil {
		return // VerifyOwn: segur's own signature, nothing to tie
	}
	data := doc.Bytes()
	for _, r := range want.Rendered {
		if len(r) > 0 && int64(len(r)) <= first.br[1] && bytes.HasPrefix(data, r) {
			res.Tie = TieBytes
			return
		}
	}
	for _, e := range ends {
		if int64(e) > first.br[1] {
			break
		}
		h := sha256.Sum256(data[:e])
		if slices.Contains(want.Hashes, hex.EncodeToString(h[:])) {
			res.Tie = TieHash
			return
		}
	}
	if len(want.Rendered) == 0 || len(want.Rendered[0]) == 0 {
		return
	}
	end := len(data)
	for _, e := range ends {
		if int64(e) < first.br[1] {
			end = e
		}
	}
	res.Tie = TieDrawing
	unsigned, err := doc.Revision(end)
	if err != nil {
		res.fail("VA_MODIFIEE", "%s a été récréée et ne dessine pas la VA produite par segur : son contenu est illisible. Faites signer la VA produite par segur, sans la modifier", name)
		return
	}
	if diffs := drawingDiffs(unsigned, want.Rendered[0]); len(diffs) > 0 {
		res.fail("VA_MODIFIEE", "%s a été récréée et ne dessine pas la VA produite par segur : %s. Faites signer la VA produite par segur, sans la modifier", name, strings.Join(diffs, " ; "))
	}
}

// invisible reports each signature that no widget of a page shows: the
// ASP's reader would see an empty « Signature » box.
func invisible(res *Result, name string, ctx *model.Context, sigs []sig, signers []SignerInfo, strict bool) {
	w := walk(ctx)
	shown := map[int]bool{}
	for n, uses := range w.uses {
		for _, u := range uses {
			if u.r != rWidget {
				continue
			}
			d, ok := dictOf(object(ctx, n))
			if !ok || !visible(ctx, d) {
				continue
			}
			for range 4 {
				if r, ok := d["V"].(types.IndirectRef); ok {
					shown[r.ObjectNumber.Value()] = true
					break
				}
				p, ok := dictOf(deref(ctx, d["Parent"]))
				if !ok {
					break
				}
				d = p
			}
		}
	}
	for i, s := range sigs {
		if s.nr == 0 || shown[s.nr] {
			continue
		}
		e := res.doc("VA_SIGNATURE_INVISIBLE", "%s : la signature de %s est invisible (aucune apparence dans une case de la page) : le lecteur de l'ASP verra une case « Signature » vide ; faites signer dans la case prévue avec une signature visible", name, orUnknown(signers[i].Name))
		if strict {
			res.Errors = append(res.Errors, e)
		} else {
			res.Warnings = append(res.Warnings, e)
		}
	}
}

// reportChanges reports the changes no signature brings, one problem per
// kind of change.
func reportChanges(res *Result, name string, changes []change) {
	var order []string
	by := map[string][]string{}
	for _, c := range changes {
		if _, ok := by[c.code]; !ok {
			order = append(order, c.code)
		}
		by[c.code] = append(by[c.code], c.what)
	}
	for _, code := range order {
		res.fail(code, "%s : après la VA non signée, le fichier a reçu autre chose que des signatures (%s) : faites signer à nouveau la VA d'origine, sans la modifier", name, strings.Join(by[code], " ; "))
	}
}

// gapIsContents reports whether the gap of s's byte range is exactly its
// signature dictionary's /Contents: a hexadecimal string, nothing else,
// whose value is the signature read, right after the /Contents key of
// that dictionary. Anything else in the gap (a /Reason, a /M) would be
// unsigned.
func gapIsContents(data []byte, s sig) bool {
	a, b := s.br[1], s.br[2]
	inner := data[a+1 : b-1]
	if len(inner) == 0 || len(inner)%2 != 0 {
		return false
	}
	for _, c := range inner {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	dec, err := hex.DecodeString(string(inner))
	if err != nil || !bytes.Equal(dec, s.contents) {
		return false
	}
	key := bytes.TrimRight(data[:a], " \t\r\n\f\x00")
	if !bytes.HasSuffix(key, []byte("/Contents")) {
		return false
	}
	// Within the signature dictionary's object.
	if s.at < 0 || s.at >= a || bytes.Contains(data[s.at:a], []byte("endobj")) {
		return false
	}
	return true
}

// parseCMS reads a signature's CMS, through pdfin (see pdfin.ParseCMS).
func parseCMS(contents []byte) (*pkcs7.PKCS7, []*x509.Certificate, error) {
	return pdfin.ParseCMS(contents)
}

func orUnknown(s string) string {
	if s == "" {
		return "un signataire inconnu"
	}
	return s
}

func list(ss []Signatory) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.String())
	}
	return strings.Join(out, ", ")
}

// textDiffs compares the text of doc with the dossier (nil when it cannot).
func textDiffs(doc *pdfin.Doc, want Expect) []string {
	if want.Text == nil {
		return nil
	}
	pages, err := doc.Text()
	if err != nil {
		return []string{"son texte est illisible"}
	}
	var out []string
	for _, d := range want.Text(pages) {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// sameName reports whether every word of want appears in got, ignoring
// case, accents and punctuation.
func sameName(got, want string) bool {
	g, w := words(got), words(want)
	if len(w) == 0 {
		return false
	}
	for _, x := range w {
		if !slices.Contains(g, x) {
			return false
		}
	}
	return true
}

func words(s string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

func verifyUnsigned(res *Result, name string, doc *pdfin.Doc, want Expect) {
	data, ctx := doc.Bytes(), doc.Context()
	if scanned(ctx) {
		if want.Pages != nil && ctx.PageCount != want.Pages() {
			res.fail("VA_PAGES", "%s est une numérisation de %d page(s), la VA de ce dossier en a %d : numérisez la VA entière", name, ctx.PageCount, want.Pages())
			return
		}
		if want.ScanText != nil {
			if pages, err := doc.Text(); err == nil {
				if diffs := want.ScanText(pages); len(diffs) > 0 {
					res.fail("VA_AUTRE_DOSSIER", "%s est la numérisation d'une autre VA : %s. Déposez la VA de ce dossier", name, strings.Join(diffs, " ; "))
					return
				}
			}
		}
		res.Proof = Scan
		res.Tie = "aucun (numérisation : contrôle visuel requis)"
		res.Warnings = append(res.Warnings, res.doc("VA_NUMERISEE", "%s est une numérisation, sans signature électronique : vérifiez à l'œil le numéro de dossier, les cases cochées et la signature de chaque signataire%s", name, inParens(list(want.Signatories))))
		return
	}
	if want.Deposited {
		res.fail("VA_NON_SIGNEE", "%s ne porte aucune signature électronique et n'est pas une numérisation : la VA doit être signée", name)
		return
	}
	for _, r := range want.Rendered {
		if bytes.Equal(data, r) {
			res.fail("VA_NON_SIGNEE", "%s est identique à la VA non signée : déposez la version signée", name)
			return
		}
	}
	msg := fmt.Sprintf("%s ne porte aucune signature électronique et n'est pas une numérisation", name)
	if diffs := textDiffs(doc, want); len(diffs) > 0 {
		msg += " ; de plus ce n'est pas la VA de ce dossier : " + strings.Join(diffs, " ; ")
	}
	res.fail("VA_NON_SIGNEE", "%s : faites signer électroniquement la VA produite par segur, ou déposez sa numérisation après signature manuscrite", msg)
}

// HasSignature reports whether data holds at least one signature
// dictionary.
func HasSignature(data []byte) bool {
	doc, err := pdfin.Read(data)
	if err != nil {
		return false
	}
	sigs, err := signatures(doc)
	return err == nil && len(sigs) > 0
}

// FirstRevisionEnd is the offset where the first revision of data ends
// (after its first %%EOF), len(data) when there is only one.
func FirstRevisionEnd(data []byte) int {
	if ends := pdfin.RevisionEnds(data); len(ends) > 0 {
		return ends[0]
	}
	return len(data)
}

// Boxes is the sequence of ☒ and ☐ of a text.
func Boxes(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '☒' || r == '☐' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func inParens(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
