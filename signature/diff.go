package signature

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/segur-sons/segur/internal/pdfin"
)

// What a signature may bring after the document segur rendered (PDF
// 32000-1 § 12.8.2.2 « modifications permitted after signing », narrowed
// to what signing tools write): an object is judged by what it is used
// as — reached from the catalog as a page's content, a font, an
// annotation, a signature field… — never by the /Type it gives itself,
// so that a page's content stream calling itself /Metadata is still a
// page's content (the « shadow attacks » of PDF-Insecurity: hide,
// replace, hide-and-replace).

// role is what an object is used as, found by walking the document from
// its catalog and its trailer's /Info.
type role uint8

const (
	rCatalog    role = iota + 1
	rInfo            // the trailer's /Info and what it holds
	rMeta            // the catalog's /Metadata
	rDSS             // the catalog's /DSS (validation data) and what it holds
	rAcroForm        // the catalog's /AcroForm
	rField           // a form field, reached through /Fields and /Kids
	rWidget          // an annotation of a page that is a signature field's widget
	rSigValue        // a signature field's /V (the signature dictionary) and what it holds
	rAppearance      // what a signature widget draws (/AP, /MK, the form's /DR)
	rPages           // a node of the page tree
	rPage            // a page
	rContent         // a page's content streams, resources (fonts, images, forms) and other entries
	rAnnot           // another annotation (link, text, stamp, other form field) and what it holds
	rOther           // anything else the catalog holds (actions, names, outlines, optional content…)
)

// use is one way an object is reached.
type use struct {
	r     role
	page  int    // the page it is on (from 1), 0 when none
	where string // the entry it is reached through, for messages
}

// walker records, for every indirect object of a document, what it is used
// as.
type walker struct {
	ctx   *model.Context
	uses  map[int][]use
	seen  map[[2]int]bool // object number, role
	pages int             // pages met so far, in order
	steps int
	// sigBoxes are the rectangles of the empty signature fields, by page:
	// the boxes signatories sign in.
	sigBoxes map[int][][4]float64
	// shown are the rectangles of the visible signature widgets, filled or
	// not, by page: where signature appearances are drawn.
	shown map[int][][4]float64
	// pageOf maps a page's object number to its number (from 1).
	pageOf map[int]int
	// annots lists the annotations of each page (object numbers, -1 for
	// a direct one), by page number.
	annots map[int][]int
	// rootNr is the catalog's object number.
	rootNr int
}

// maxWalk bounds the objects visited (an object reached in several roles
// counts once per role).
const maxWalk = 2_000_000

func walk(ctx *model.Context) *walker {
	w := &walker{ctx: ctx, uses: map[int][]use{}, seen: map[[2]int]bool{}, sigBoxes: map[int][][4]float64{}, shown: map[int][][4]float64{}, pageOf: map[int]int{}, annots: map[int][]int{}}
	if ctx.XRefTable.Root != nil {
		w.rootNr = ctx.XRefTable.Root.ObjectNumber.Value()
		w.visit(*ctx.XRefTable.Root, use{r: rCatalog})
	}
	if ctx.XRefTable.Info != nil {
		w.visit(*ctx.XRefTable.Info, use{r: rInfo})
	}
	return w
}

// visit records o (when indirect) as used as u, then what it holds.
func (w *walker) visit(o types.Object, u use) {
	if w.steps++; w.steps > maxWalk {
		return
	}
	if r, ok := o.(types.IndirectRef); ok {
		n := r.ObjectNumber.Value()
		k := [2]int{n, int(u.r)}
		if w.seen[k] {
			return
		}
		w.seen[k] = true
		w.uses[n] = append(w.uses[n], u)
		o = object(w.ctx, n)
	}
	switch v := o.(type) {
	case types.Array:
		for _, e := range v {
			w.visit(e, u)
		}
		return
	case types.StreamDict:
		o = v.Dict
	}
	d, ok := o.(types.Dict)
	if !ok {
		return
	}
	switch u.r {
	case rCatalog:
		for k, v := range d {
			switch k {
			case "Pages":
				w.visit(v, use{r: rPages})
			case "AcroForm":
				w.visit(v, use{r: rAcroForm})
			case "Metadata":
				w.visit(v, use{r: rMeta})
			case "DSS":
				w.visit(v, use{r: rDSS})
			default:
				w.visit(v, use{r: rOther, where: "/" + k})
			}
		}
	case rPages:
		for k, v := range d {
			switch k {
			case "Parent":
			case "Kids":
				kids, _ := w.ctx.XRefTable.DereferenceArray(v) // unreadable: not walked, so objects reached only through it get no use from it
				for _, kid := range kids {
					kd, _ := dictOf(deref(w.ctx, kid))
					if kd == nil {
						continue
					}
					if kd["Kids"] != nil || name(kd, "Type") == "Pages" {
						w.visit(kid, use{r: rPages})
						continue
					}
					w.pages++
					if r, ok := kid.(types.IndirectRef); ok {
						if _, dup := w.pageOf[r.ObjectNumber.Value()]; !dup {
							w.pageOf[r.ObjectNumber.Value()] = w.pages
						}
					}
					w.visit(kid, use{r: rPage, page: w.pages})
				}
			default:
				w.visit(v, use{r: rContent, where: "/" + k + " de l'arbre des pages"})
			}
		}
	case rPage:
		for k, v := range d {
			switch k {
			case "Parent":
			case "Annots":
				arr, _ := w.ctx.XRefTable.DereferenceArray(v) // unreadable: not walked, so objects reached only through it get no use from it
				for _, a := range arr {
					nr := -1
					if r, ok := a.(types.IndirectRef); ok {
						nr = r.ObjectNumber.Value()
					}
					w.annots[u.page] = append(w.annots[u.page], nr)
					ad, _ := dictOf(deref(w.ctx, a))
					if ad != nil && name(ad, "Subtype") == "Widget" && isSigField(ad, w.ctx) {
						if rect, ok := rectOf(w.ctx, ad); ok && !hasValue(ad, w.ctx) {
							w.sigBoxes[u.page] = append(w.sigBoxes[u.page], rect)
						}
						if rect, ok := rectOf(w.ctx, ad); ok && visible(w.ctx, ad) {
							w.shown[u.page] = append(w.shown[u.page], rect)
						}
						w.visit(a, use{r: rWidget, page: u.page})
						continue
					}
					w.visit(a, use{r: rAnnot, page: u.page, where: annotKind(ad)})
				}
			default:
				w.visit(v, use{r: rContent, page: u.page, where: "/" + k})
			}
		}
	case rAcroForm:
		for k, v := range d {
			switch k {
			case "Fields":
				w.visit(v, use{r: rField})
			case "DR", "DA":
				w.visit(v, use{r: rAppearance})
			default:
				w.visit(v, use{r: rOther, where: "/AcroForm /" + k})
			}
		}
	case rField, rWidget:
		if !isSigField(d, w.ctx) {
			w.children(d, use{r: rAnnot, page: u.page, where: annotKind(d)})
			return
		}
		for k, v := range d {
			switch k {
			case "Parent", "P":
			case "Kids":
				w.visit(v, use{r: rField})
			case "V":
				w.visit(v, use{r: rSigValue})
			case "AP", "MK", "DR", "DA":
				w.visit(v, use{r: rAppearance})
			default:
				w.visit(v, use{r: rAnnot, page: u.page, where: "/" + k + " d'un champ de signature"})
			}
		}
	default:
		w.children(d, u)
	}
}

// children visits what d holds as used as u, but the back references to
// a parent or a page.
func (w *walker) children(d types.Dict, u use) {
	for k, v := range d {
		if k == "Parent" || k == "P" {
			continue
		}
		w.visit(v, u)
	}
}

func deref(ctx *model.Context, o types.Object) types.Object {
	if r, ok := o.(types.IndirectRef); ok {
		return object(ctx, r.ObjectNumber.Value())
	}
	return o
}

// rectOf is the /Rect of an annotation, normalised (lower-left first).
func rectOf(ctx *model.Context, d types.Dict) ([4]float64, bool) {
	arr, err := ctx.XRefTable.DereferenceArray(d["Rect"])
	if err != nil || len(arr) != 4 {
		return [4]float64{}, false
	}
	var r [4]float64
	for i, v := range arr {
		switch x := deref(ctx, v).(type) {
		case types.Integer:
			r[i] = float64(x)
		case types.Float:
			r[i] = float64(x)
		default:
			return [4]float64{}, false
		}
		if math.IsNaN(r[i]) || math.IsInf(r[i], 0) {
			return [4]float64{}, false
		}
	}
	if r[0] > r[2] {
		r[0], r[2] = r[2], r[0]
	}
	if r[1] > r[3] {
		r[1], r[3] = r[3], r[1]
	}
	return r, true
}

// hasValue reports whether a signature field (or its parent) is signed.
func hasValue(d types.Dict, ctx *model.Context) bool {
	for range 4 {
		if d["V"] != nil {
			return true
		}
		p, ok := dictOf(deref(ctx, d["Parent"]))
		if !ok {
			return false
		}
		d = p
	}
	return false
}

// visible reports whether an annotation draws something: it has a normal
// appearance, an area, and is neither hidden nor « no view ».
func visible(ctx *model.Context, d types.Dict) bool {
	if f, ok := deref(ctx, d["F"]).(types.Integer); ok && int(f)&(2|32) != 0 {
		return false
	}
	r, ok := rectOf(ctx, d)
	if !ok || r[2]-r[0] < 0.01 || r[3]-r[1] < 0.01 {
		return false
	}
	ap, ok := dictOf(deref(ctx, d["AP"]))
	return ok && ap["N"] != nil
}

// inside reports whether r lies within one of boxes (with half a point of
// tolerance for the rounding of the tools that rewrite rectangles).
func inside(r [4]float64, boxes [][4]float64) bool {
	const tol = 0.5
	for _, b := range boxes {
		if r[0] >= b[0]-tol && r[1] >= b[1]-tol && r[2] <= b[2]+tol && r[3] <= b[3]+tol {
			return true
		}
	}
	return false
}

// change is one change that no signature brings, with the code that
// says what kind it is (VA_ codes, reworded for a MOM by Result.doc).
type change struct {
	code, what string
}

// Codes of the changes.
const (
	codeContent    = "VA_MODIFIEE_CONTENU"
	codePages      = "VA_MODIFIEE_PAGES"
	codeAnnotation = "VA_MODIFIEE_ANNOTATION"
	codeDocument   = "VA_MODIFIEE_DOCUMENT"
	codeOutside    = "VA_SIGNATURE_HORS_CASE"
)

// changesAfter lists, in French, what the file read into full changed in
// base, doc up to end (a revision of doc), besides what a signature brings: filling an empty
// signature field of base (its appearance within the field's rectangle),
// a new signature field whose widget draws nothing or lies within the box
// of an empty signature field of boxes' page (boxes: the document the
// signatories were given, base when nil), signature dictionaries, DSS,
// document time stamps, the cross-reference machinery, the catalog's
// /Metadata and the document information. Any other change is one, judged
// by what the object is used as in either version, whatever its /Type.
func changesAfter(doc *pdfin.Doc, end int, boxes, full *model.Context, foreign bool) []change {
	base, err := doc.Revision(end)
	if err != nil {
		return []change{{"VA_MODIFIEE", "la VA d'origine est illisible"}}
	}
	old := base.Context()
	if boxes == nil {
		boxes = old
	}
	wo, wf := walk(old), walk(full)
	wb := wo
	if boxes != old {
		wb = walk(boxes)
	}
	c := &comparer{old: old, full: full, wo: wo, wf: wf, boxes: wb.sigBoxes}
	if foreign {
		// check, and pack without segur's bytes: the boxes come from a
		// revision anyone could have written (the fields revision, or a
		// file saved whole anew). segur never puts a signatory's box
		// over what the VA draws.
		c.boxesOverText(base, wb.sigBoxes)
	}
	if old.PageCount != full.PageCount {
		c.add(codePages, fmt.Sprintf("%d page(s) au lieu de %d", full.PageCount, old.PageCount))
	}
	nums := map[int]bool{}
	for n := range full.XRefTable.Table {
		nums[n] = true
	}
	for n := range old.XRefTable.Table {
		nums[n] = true
	}
	sorted := make([]int, 0, len(nums))
	for n := range nums {
		if n > 0 {
			sorted = append(sorted, n)
		}
	}
	slices.Sort(sorted)
	for _, n := range sorted {
		before, after := object(old, n), object(full, n)
		if before == nil && after == nil {
			continue
		}
		if before != nil && after != nil && same(before, after) && n != wf.rootNr {
			continue
		}
		c.object(n, before, after)
		if len(c.out) >= 8 {
			break
		}
	}
	return c.out
}

type comparer struct {
	old, full *model.Context
	wo, wf    *walker
	boxes     map[int][][4]float64
	out       []change
	said      map[string]bool
}

func (c *comparer) add(code, what string) {
	if c.said == nil {
		c.said = map[string]bool{}
	}
	if !c.said[what] {
		c.said[what] = true
		c.out = append(c.out, change{code, what})
	}
}

// object judges the change of object n from before to after (either nil:
// added or removed) by every use it has in either version; an object used
// as nothing (an orphan, an object or cross-reference stream) cannot
// change what the document shows.
func (c *comparer) object(n int, before, after types.Object) {
	uses := append(slices.Clone(c.wf.uses[n]), c.wo.uses[n]...)
	slices.SortStableFunc(uses, func(a, b use) int { return int(a.r) - int(b.r) })
	done := map[role]bool{}
	for _, u := range uses {
		if done[u.r] {
			continue
		}
		done[u.r] = true
		c.use(n, u, before, after)
	}
}

// claims is what an object says it is, when that is not what it is used
// as: « (objet 12, qui se dit /Metadata) ».
func claims(n int, o types.Object) string {
	d, _ := dictOf(o)
	if t := name(d, "Type"); t != "" {
		return fmt.Sprintf(" (objet %d, qui se dit /%s)", n, t)
	}
	return fmt.Sprintf(" (objet %d)", n)
}

func onPage(p int) string {
	if p == 0 {
		return ""
	}
	return fmt.Sprintf(" page %d", p)
}

func (c *comparer) use(n int, u use, before, after types.Object) {
	verb := "modifié"
	switch {
	case before == nil:
		verb = "ajouté"
	case after == nil:
		verb = "supprimé"
	}
	switch u.r {
	case rInfo, rMeta, rDSS, rSigValue, rAppearance:
		// What a signature brings, or what does not show.
	case rCatalog:
		if n != c.wf.rootNr {
			return // the old catalog, replaced: the new one is compared
		}
		a, _ := dictOf(after)
		for _, k := range keysOf(a, c.old.XRefTable.RootDict) {
			switch k {
			case "AcroForm", "Version", "DSS", "Perms", "Extensions", "Metadata":
				continue
			}
			if !sameEntry(c.old.XRefTable.RootDict[k], a[k], c.old, c.full) {
				c.add(codeDocument, "catalogue du document modifié (/"+k+")")
			}
		}
		if _, indirect := a["AcroForm"].(types.IndirectRef); !indirect {
			af, _ := dictOf(a["AcroForm"])
			c.acroForm(af)
		}
	case rAcroForm:
		a, _ := dictOf(after)
		c.acroForm(a)
	case rPages:
		b, _ := dictOf(before)
		a, _ := dictOf(after)
		if b == nil || a == nil {
			c.add(codePages, "arbre des pages "+verb+claims(n, after))
			return
		}
		for _, k := range keysOf(a, b) {
			if k != "Parent" && !sameEntry(b[k], a[k], c.old, c.full) {
				c.add(codePages, "arbre des pages modifié (/"+k+")")
			}
		}
	case rPage:
		b, _ := dictOf(before)
		a, _ := dictOf(after)
		if b == nil || a == nil {
			c.add(codePages, "page "+verb+claims(n, after))
			return
		}
		for _, k := range keysOf(a, b) {
			if k != "Annots" && k != "Parent" && !sameEntry(b[k], a[k], c.old, c.full) {
				c.add(codeContent, fmt.Sprintf("page %d : /%s modifié", u.page, k))
			}
		}
		c.annots(n, u.page)
	case rField, rWidget:
		c.sigField(n, u, before, after)
	case rContent:
		where := "contenu de l'arbre des pages"
		if u.page > 0 {
			where = fmt.Sprintf("contenu de la page %d", u.page)
		}
		c.add(codeContent, fmt.Sprintf("%s %s%s%s", where, verb, inWhere(u.where), claims(n, either(after, before))))
	case rAnnot:
		c.add(codeAnnotation, fmt.Sprintf("annotation ou champ de formulaire %s%s (%s)%s", verb, onPage(u.page), u.where, claims(n, either(after, before))))
	case rOther:
		c.add(codeDocument, fmt.Sprintf("élément du document %s%s%s", verb, inWhere(u.where), claims(n, either(after, before))))
	}
}

// acroForm compares the document's form a with the old one: a signature
// changes its fields and flags, and the resources of appearances only.
func (c *comparer) acroForm(a types.Dict) {
	var b types.Dict
	if r := c.old.XRefTable.RootDict; r != nil {
		b, _ = dictOf(deref(c.old, r["AcroForm"]))
	}
	for _, k := range keysOf(a, b) {
		switch k {
		case "Fields", "SigFlags", "DR", "DA", "NeedAppearances":
			continue
		case "Type":
			// @signpdf's plain placeholder writes a new form dictionary
			// that names its type; that is all it may name.
			if n, ok := a[k].(types.Name); ok && n == "AcroForm" {
				continue
			}
		}
		if !sameEntry(b[k], a[k], c.old, c.full) {
			c.add(codeDocument, "formulaire du document modifié (/"+k+")")
		}
	}
	fields, err := c.full.XRefTable.DereferenceArray(a["Fields"])
	if err != nil {
		c.add(codeDocument, "formulaire du document modifié (/Fields illisible)")
	}
	for _, f := range fields {
		if _, ok := f.(types.IndirectRef); !ok {
			c.add(codeAnnotation, "champ de formulaire ajouté dans le formulaire même")
		}
	}
}

func inWhere(w string) string {
	if w == "" {
		return ""
	}
	return " (" + w + ")"
}

func either(a, b types.Object) types.Object {
	if a != nil {
		return a
	}
	return b
}

// annots checks the annotations of page object n (page number p): the
// ones it did not have must be new signature widgets (judged as such), and
// none may go.
func (c *comparer) annots(n, p int) {
	var before []int
	if op, ok := c.wo.pageOf[n]; ok {
		before = c.wo.annots[op]
	}
	after := c.wf.annots[p]
	for _, a := range after {
		if slices.Contains(before, a) {
			continue
		}
		switch {
		case a < 0:
			c.add(codeAnnotation, fmt.Sprintf("annotation ajoutée page %d (dans la page même)", p))
		case object(c.old, a) != nil && !c.wasSigWidgetOn(a, p):
			c.add(codeAnnotation, fmt.Sprintf("annotation existante (objet %d) placée page %d", a, p))
		}
	}
	for _, b := range before {
		if !slices.Contains(after, b) {
			c.add(codeAnnotation, fmt.Sprintf("annotation retirée de la page %d", p))
		}
	}
}

// wasSigWidgetOn reports whether object a was a signature widget of page p
// in the old document (moved within the page's list, not between pages).
func (c *comparer) wasSigWidgetOn(a, p int) bool {
	for _, u := range c.wo.uses[a] {
		if u.r == rWidget && u.page == p {
			return true
		}
	}
	return false
}

// sigKeys are the entries a signature brings to an existing empty
// signature field: its value and its appearance.
var sigKeys = []string{"V", "AP", "AS", "MK", "DA", "M", "Lock", "SV", "F", "DR"}

// sigField judges a form field or a page's widget: a signature field,
// new or filled in, within its box.
func (c *comparer) sigField(n int, u use, before, after types.Object) {
	a, _ := dictOf(after)
	if a == nil {
		c.add(codeAnnotation, fmt.Sprintf("champ de signature supprimé (objet %d)", n))
		return
	}
	if !isSigField(a, c.full) {
		c.add(codeAnnotation, fmt.Sprintf("champ de formulaire %s (%s)%s", map[bool]string{true: "ajouté", false: "modifié"}[before == nil], annotKind(a), onPage(u.page)))
		return
	}
	b, _ := dictOf(before)
	if b != nil {
		if !isSigField(b, c.old) {
			c.add(codeAnnotation, fmt.Sprintf("objet %d changé en champ de signature", n))
			return
		}
		if hasValue(b, c.old) {
			c.add(codeAnnotation, fmt.Sprintf("signature existante remplacée (objet %d)", n))
			return
		}
		for _, k := range keysOf(a, b) {
			if slices.Contains(sigKeys, k) {
				continue
			}
			if k == "Rect" {
				rb, okb := rectOf(c.old, b)
				ra, oka := rectOf(c.full, a)
				// Inside the box, or shrunk to nothing: PDFBox empties
				// the rectangle of the field it signs invisibly.
				if okb && oka && (inside(ra, [][4]float64{rb}) || ra[2]-ra[0] < 0.01 || ra[3]-ra[1] < 0.01) {
					continue
				}
				c.add(codeOutside, fmt.Sprintf("champ de signature déplacé ou agrandi%s (objet %d)", onPage(u.page), n))
				continue
			}
			if k == "P" || k == "Parent" {
				// References back, compared as references: the page
				// itself changes when a signature is added to it.
				if pdfString(b[k]) != pdfString(a[k]) {
					c.add(codeAnnotation, fmt.Sprintf("champ de signature déplacé (/%s)%s", k, onPage(u.page)))
				}
				continue
			}
			if !sameEntry(b[k], a[k], c.old, c.full) {
				c.add(codeAnnotation, fmt.Sprintf("champ de signature modifié (/%s)%s", k, onPage(u.page)))
			}
		}
		return
	}
	// A new signature field: its widget on a page draws nothing, or is a
	// signature within a signatory's box.
	if u.r != rWidget || !visible(c.full, a) {
		return
	}
	r, _ := rectOf(c.full, a)
	switch {
	case !hasValue(a, c.full):
		c.add(codeOutside, fmt.Sprintf("champ de signature vide mais visible ajouté page %d", u.page))
	case len(c.boxes) > 0 && !inside(r, c.boxes[u.page]):
		c.add(codeOutside, fmt.Sprintf("signature visible hors de la case du signataire, page %d [%s %s %s %s]", u.page, num(r[0]), num(r[1]), num(r[2]), num(r[3])))
	}
}

// same compares two objects by their PDF serialisation (streams by their
// dictionary and encoded bytes).
func same(a, b types.Object) bool {
	sa, oka := a.(types.StreamDict)
	sb, okb := b.(types.StreamDict)
	if oka != okb {
		return false
	}
	if oka {
		return bytes.Equal(sa.Raw, sb.Raw) && (equal(sa.Dict, sb.Dict) || sa.Dict.PDFString() == sb.Dict.PDFString())
	}
	return equal(a, b) || a.PDFString() == b.PDFString()
}

// equal reports whether a and b are the same value, compared without
// serialising them (most objects of a signed file are unchanged): equal
// values have the same serialisation. Types it does not know are not
// equal here, and compared by their serialisation.
func equal(a, b types.Object) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case types.Dict:
		y, ok := b.(types.Dict)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	case types.Array:
		y, ok := b.(types.Array)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case types.Float:
		y, ok := b.(types.Float)
		return ok && math.Float64bits(float64(x)) == math.Float64bits(float64(y))
	case types.Integer, types.Name, types.StringLiteral, types.HexLiteral, types.Boolean, types.IndirectRef:
		return a == b
	}
	return false
}

func name(d types.Dict, key string) string {
	if v := d.NameEntry(key); v != nil {
		return *v
	}
	return ""
}

func dictOf(o types.Object) (types.Dict, bool) {
	switch v := o.(type) {
	case types.Dict:
		return v, true
	case types.StreamDict:
		return v.Dict, true
	}
	return nil, false
}

// isSigField reports whether d is a signature field or widget (directly,
// or through its parent field).
func isSigField(d types.Dict, ctx *model.Context) bool {
	for range 4 {
		if name(d, "FT") == "Sig" {
			return true
		}
		p, ok := d["Parent"]
		if !ok {
			return false
		}
		o, err := ctx.XRefTable.Dereference(p)
		if err != nil {
			return false
		}
		if d, ok = o.(types.Dict); !ok {
			return false
		}
	}
	return false
}

func annotKind(d types.Dict) string {
	if d == nil {
		return "inconnu"
	}
	if s := name(d, "Subtype"); s != "" {
		return s
	}
	if s := name(d, "FT"); s != "" {
		return s
	}
	return "inconnu"
}

func keysOf(a, b types.Dict) []string {
	var ks []string
	for k := range a {
		ks = append(ks, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// sameEntry compares a dictionary entry of the old document with the
// same entry of the new one, looking through indirect references (a
// signing tool may rewrite an indirect dictionary inline).
func sameEntry(a, b types.Object, old, full *model.Context) bool {
	return resolvedString(a, old, 1) == resolvedString(b, full, 1)
}

func resolvedString(o types.Object, ctx *model.Context, depth int) string {
	if o == nil {
		return "null"
	}
	if r, ok := o.(types.IndirectRef); ok {
		if depth <= 0 {
			return r.PDFString()
		}
		d, err := ctx.XRefTable.Dereference(r)
		if err != nil || d == nil {
			return r.PDFString()
		}
		if _, ok := d.(types.StreamDict); ok {
			return r.PDFString() // streams are compared as objects of their own
		}
		o = d
	}
	switch v := o.(type) {
	case types.Dict:
		var b strings.Builder
		b.WriteString("<<")
		for _, k := range keysOf(v, nil) {
			b.WriteString("/" + k + " " + resolvedString(v[k], ctx, depth-1))
		}
		b.WriteString(">>")
		return b.String()
	case types.Array:
		var b strings.Builder
		b.WriteString("[")
		for _, e := range v {
			b.WriteString(resolvedString(e, ctx, depth-1) + " ")
		}
		b.WriteString("]")
		return b.String()
	}
	return o.PDFString()
}

// object is object n of ctx (see pdfin.Object).
func object(ctx *model.Context, n int) types.Object { return pdfin.Object(ctx, n) }

func pdfString(o types.Object) string {
	if o == nil {
		return "null"
	}
	return o.PDFString()
}

// boxesOverText reports an empty signature field (of the revision taken
// for segur's fields) that lies over text or drawn marks of the first
// revision: a box a forger drew there so that a signature would cover the
// VA.
func (c *comparer) boxesOverText(base *pdfin.Doc, boxes map[int][][4]float64) {
	pages, err := base.Drawing()
	if err != nil {
		return
	}
	for _, what := range overDrawing(pages, boxes) {
		c.add(codeOutside, "case de signature posée sur "+what)
	}
}

// overDrawing says, for each rectangle of boxes (by page) that lies over
// a glyph or a drawn mark (a path, an image) of pages, what it covers: «
// le texte de la VA page 1 (« … » dessous) », « un tracé de la VA page 1
// (…) ». segur never draws anything inside a signatory's box; a mark as
// large as the box (its frame) is not inside it.
func overDrawing(pages []pdfin.PageDrawing, boxes map[int][][4]float64) []string {
	var out []string
	for page := 1; page <= len(pages); page++ {
		for _, r := range boxes[page] {
			found := ""
			for _, g := range pages[page-1].Glyphs {
				if strings.TrimSpace(g.Text) != "" && g.X > r[0]+1 && g.X < r[2]-1 && g.Y > r[1]+1 && g.Y < r[3]-1 {
					found = fmt.Sprintf("le texte de la VA page %d (« %s » dessous)", page, g.Text)
					break
				}
			}
			for _, m := range pages[page-1].Marks {
				if found != "" {
					break
				}
				if m.Box[0] > r[0]+1 && m.Box[2] < r[2]-1 && m.Box[1] > r[1]+1 && m.Box[3] < r[3]-1 {
					found = fmt.Sprintf("un dessin de la VA page %d (%s dessous)", page, markWhere(m))
				}
			}
			if found != "" {
				out = append(out, found)
			}
		}
	}
	return out
}
