package signature

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/segur-sons/segur/internal/pdfin"
	"golang.org/x/text/unicode/norm"
)

// Box is where a signature goes: a field name, a page (from 1) and a
// rectangle in PDF points (lower-left x, y, upper-right x, y).
type Box struct {
	Name string
	Page int
	Rect [4]float64
}

// Sign signs pdf with s as an approval signature, visible in box with the
// text label (invisible when box's rectangle is zero), and returns the
// signed file: pdf's bytes, then an incremental update adding box as a
// signature field (named box.Name, « Signature fournisseur » by default;
// an existing empty field of that name is used as is), then one holding
// the signature — a PAdES B-B signature (ETSI.CAdES.detached, SHA-256,
// signing time and signing-certificate-v2 in the signed attributes) whose
// dictionary's /Name is the signer's name (pdfsig: « Signature is
// Valid », « Total document signed »). The stated signing time (/M and the
// CMS signing-time attribute) is SigningTime(s, when); no time-stamping
// authority is asked: with an RSA key the same document, date and
// certificate give the same bytes (an ECDSA signature is random by
// nature).
func Sign(data []byte, s *Signer, box Box, label string, when time.Time) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("signature : PDF illisible (%v)", r)
		}
	}()
	if box.Name == "" {
		box.Name = "Signature fournisseur"
	}
	withField, name, err := ensureField(data, box)
	if err != nil {
		return nil, err
	}
	return SignField(withField, s, name, label, when)
}

// ensureField returns data with an empty signature field for box: its
// field of that name when it is empty, else a new one (named box.Name, or
// box.Name and a number when that name is taken), added by an incremental
// update.
func ensureField(data []byte, box Box) ([]byte, string, error) {
	u, err := newUpdate(data)
	if err != nil {
		return nil, "", fmt.Errorf("signature : %w", err)
	}
	name := box.Name
	for i := 2; ; i++ {
		_, fd, err := findField(u.ctx, name)
		if err != nil {
			break // no such field
		}
		if _, signed := fd["V"]; !signed {
			return data, name, nil
		}
		name = fmt.Sprintf("%s %d", box.Name, i)
	}
	box.Name = name
	xt := u.ctx.XRefTable
	if _, ok := xt.RootDict["AcroForm"]; !ok {
		out, err := addFields(u, wholeDoc{xt}, []Box{box})
		return out, name, err
	}
	// A form already: the field is added to it.
	_, ref, _, err := xt.PageDict(box.Page, false)
	if err != nil || ref == nil {
		return nil, "", fmt.Errorf("signature : page %d introuvable", box.Page)
	}
	pd, err := xt.DereferenceDict(*ref)
	if err != nil || pd == nil {
		return nil, "", fmt.Errorf("signature : page illisible")
	}
	n := u.reserve()
	u.object(n, fmt.Sprintf("<</Type/Annot/Subtype/Widget/FT/Sig/T%s/Rect[%s %s %s %s]/F 4/P %d 0 R>>",
		fieldTitle(name), num(box.Rect[0]), num(box.Rect[1]), num(box.Rect[2]), num(box.Rect[3]), ref.ObjectNumber.Value()))
	w := *types.NewIndirectRef(n, 0)
	np := pd.Clone().(types.Dict)
	annots, _ := xt.DereferenceArray(np["Annots"]) // segur's own render (pdfin.ReadOwn): none unreadable; none, the page's first
	np["Annots"] = append(append(types.Array{}, annots...), w)
	u.object(ref.ObjectNumber.Value(), np.PDFString())
	af, err := xt.DereferenceDict(xt.RootDict["AcroForm"])
	if err != nil || af == nil {
		return nil, "", fmt.Errorf("signature : formulaire illisible")
	}
	naf := af.Clone().(types.Dict)
	fields, _ := xt.DereferenceArray(naf["Fields"]) // segur's own render: none unreadable; none, the form's first
	naf["Fields"] = append(append(types.Array{}, fields...), w)
	if r, ok := xt.RootDict["AcroForm"].(types.IndirectRef); ok {
		u.object(r.ObjectNumber.Value(), naf.PDFString())
	} else {
		root := xt.RootDict.Clone().(types.Dict)
		root["AcroForm"] = naf
		u.object(xt.Root.ObjectNumber.Value(), root.PDFString())
	}
	return u.finish(), name, nil
}

// ascii folds s to printable ASCII: the visible text of a signature is
// drawn with a standard font that has no accented glyphs.
func ascii(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r == '’':
			b.WriteByte('\'')
		case r == '–' || r == '—':
			b.WriteByte('-')
		case r == 0xa0 || r == 0x202f:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// AddFields appends to pdf an incremental update with one empty signature
// field per box, placed on its page, so that a PDF reader or signing tool
// offers to sign there. The bytes of pdf are kept as they are.
func AddFields(data []byte, boxes []Box) ([]byte, error) { return addFieldsAs(data, boxes, false) }

// addFieldsAs is AddFields; whole reads the document whole even when the
// quick reading would do (tests compare both).
func addFieldsAs(data []byte, boxes []Box, whole bool) (out []byte, err error) {
	if len(boxes) == 0 {
		return data, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("champs de signature : PDF illisible (%v)", r)
		}
	}()
	// A document as segur renders it: only the objects changed are read.
	if prev, err := lastXRef(data); err == nil && !whole {
		if q, err := readQuick(data, prev); err == nil {
			u := startUpdate(data, prev, len(q.offsets), q.root, refOf(q.trailer["Info"]), arrayOf(q.trailer["ID"]))
			if out, err := addFields(u, q, boxes); err == nil {
				return out, nil
			}
		}
	}
	u, err := newUpdate(data)
	if err != nil {
		return nil, fmt.Errorf("champs de signature : %w", err)
	}
	return addFields(u, wholeDoc{u.ctx.XRefTable}, boxes)
}

// fieldsDoc is what AddFields reads of a document.
type fieldsDoc interface {
	rootDict() types.Dict
	rootRef() types.IndirectRef
	page(n int) (types.IndirectRef, error) // page n (from 1)
	dict(r types.IndirectRef) (types.Dict, error)
	array(o types.Object) (types.Array, error)
}

// wholeDoc is a document read whole by pdfcpu.
type wholeDoc struct{ xt *model.XRefTable }

func (w wholeDoc) rootDict() types.Dict       { return w.xt.RootDict }
func (w wholeDoc) rootRef() types.IndirectRef { return *w.xt.Root }
func (w wholeDoc) page(n int) (types.IndirectRef, error) {
	_, ref, _, err := w.xt.PageDict(n, false)
	if err != nil || ref == nil {
		return types.IndirectRef{}, errNotQuick
	}
	return *ref, nil
}
func (w wholeDoc) dict(r types.IndirectRef) (types.Dict, error) {
	d, err := w.xt.DereferenceDict(r)
	if err == nil && d == nil {
		err = errNotQuick
	}
	return d, err
}
func (w wholeDoc) array(o types.Object) (types.Array, error) { return w.xt.DereferenceArray(o) }

func (q *quickDoc) rootDict() types.Dict       { return q.rootD }
func (q *quickDoc) rootRef() types.IndirectRef { return q.root }
func (q *quickDoc) page(n int) (types.IndirectRef, error) {
	if n < 1 || n > len(q.pages) {
		return types.IndirectRef{}, errNotQuick
	}
	return q.pages[n-1], nil
}
func (q *quickDoc) dict(r types.IndirectRef) (types.Dict, error) {
	if d, ok := q.object(r).(types.Dict); ok {
		return d, nil
	}
	return nil, errNotQuick
}
func (q *quickDoc) array(o types.Object) (types.Array, error) {
	if r, ok := o.(types.IndirectRef); ok {
		o = q.object(r)
	}
	if a, ok := o.(types.Array); ok {
		return a, nil
	}
	return nil, errNotQuick
}

func refOf(o types.Object) *types.IndirectRef {
	if r, ok := o.(types.IndirectRef); ok {
		return &r
	}
	return nil
}

func arrayOf(o types.Object) types.Array {
	a, _ := o.(types.Array)
	return a
}

// addFields writes the fields of AddFields into u.
func addFields(u *update, doc fieldsDoc, boxes []Box) ([]byte, error) {
	if _, ok := doc.rootDict()["AcroForm"]; ok {
		return nil, fmt.Errorf("champs de signature : le PDF a déjà un formulaire")
	}
	var fields types.Array
	pageAnnots := map[int][]types.IndirectRef{}
	var pageOrder []int
	for _, bx := range boxes {
		ref, err := doc.page(bx.Page)
		if err != nil {
			return nil, fmt.Errorf("champs de signature : page %d introuvable", bx.Page)
		}
		n := u.reserve()
		u.object(n, fmt.Sprintf("<</Type/Annot/Subtype/Widget/FT/Sig/T%s/Rect[%s %s %s %s]/F 4/P %d 0 R>>",
			fieldTitle(bx.Name), num(bx.Rect[0]), num(bx.Rect[1]), num(bx.Rect[2]), num(bx.Rect[3]), ref.ObjectNumber.Value()))
		r := *types.NewIndirectRef(n, 0)
		fields = append(fields, r)
		p := ref.ObjectNumber.Value()
		if _, ok := pageAnnots[p]; !ok {
			pageOrder = append(pageOrder, p)
		}
		pageAnnots[p] = append(pageAnnots[p], r)
	}
	for _, p := range pageOrder {
		d, err := doc.dict(*types.NewIndirectRef(p, 0))
		if err != nil || d == nil {
			return nil, fmt.Errorf("champs de signature : page illisible")
		}
		nd := d.Clone().(types.Dict)
		var annots types.Array
		if a, ok := nd["Annots"]; ok {
			arr, err := doc.array(a)
			if err != nil {
				return nil, fmt.Errorf("champs de signature : annotations illisibles")
			}
			annots = append(annots, arr...)
		}
		for _, r := range pageAnnots[p] {
			annots = append(annots, r)
		}
		nd["Annots"] = annots
		u.object(p, nd.PDFString())
	}
	root := doc.rootDict().Clone().(types.Dict)
	root["AcroForm"] = types.Dict{"Fields": fields, "SigFlags": types.Integer(1)}
	u.object(doc.rootRef().ObjectNumber.Value(), root.PDFString())
	return u.finish(), nil
}

// fieldTitle is a field name as a PDF text string.
func fieldTitle(s string) string {
	var e *string
	if ascii(s) == s {
		e, _ = types.Escape(s) // nil on failure: handled below
	} else {
		e, _ = types.EscapedUTF16String(s) // nil on failure: handled below
	}
	if e == nil {
		return "()"
	}
	return "(" + *e + ")"
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// FieldBox returns the place of the signature field named name in pdf (its
// page and rectangle), for a signing tool to sign there.
func FieldBox(data []byte, name string) (Box, error) {
	doc, err := pdfin.Read(data)
	if err != nil {
		return Box{}, err
	}
	return fieldBox(doc.Context(), name)
}

func fieldBox(ctx *model.Context, name string) (Box, error) {
	xt := ctx.XRefTable
	_, fd, err := findField(ctx, name)
	if err != nil {
		return Box{}, err
	}
	rect, err := xt.DereferenceArray(fd["Rect"])
	if err == nil && len(rect) == 4 {
		if r, err := xt.RectForArray(rect); err == nil {
			if p, ok := fd["P"].(types.IndirectRef); ok {
				for n := 1; n <= ctx.PageCount; n++ {
					if ref, err := xt.PageDictIndRef(n); err == nil && ref != nil && ref.ObjectNumber == p.ObjectNumber {
						return Box{Name: name, Page: n, Rect: [4]float64{r.LL.X, r.LL.Y, r.UR.X, r.UR.Y}}, nil
					}
				}
			}
		}
	}
	return Box{}, fmt.Errorf("champ de signature « %s » : emplacement illisible", name)
}
