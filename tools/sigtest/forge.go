package sigtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/signature"
)

// The forgeries of issue 20, built by hand as incremental updates of a
// signed (or unsigned) VA: the shadow attacks of PDF-Insecurity (hide,
// replace, hide-and-replace), each keeping every signature valid, and a
// /ByteRange whose gap is wider than its /Contents. The tests of pack,
// serve and check (app, web) run each through the three entry points.

// Update is an incremental update after the bytes of a PDF, which stay as
// they are.
type Update struct {
	XT      *model.XRefTable
	b       bytes.Buffer
	prev    int
	next    int
	offsets map[int]int
}

// readForUpdate reads data (relaxed, as a forger's tool would) and the
// offset of its last cross-reference section, which an incremental update
// appended to it points back to.
func readForUpdate(data []byte) (*model.Context, int, error) {
	m := startxrefRe.FindSubmatch(data)
	if m == nil {
		return nil, 0, fmt.Errorf("no startxref")
	}
	prev, _ := strconv.Atoi(string(m[1])) // digits: the pattern matched them
	pdfops.Init()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadContext(bytes.NewReader(data), conf)
	if err != nil {
		return nil, 0, err
	}
	if err := ctx.EnsurePageCount(); err != nil {
		return nil, 0, err
	}
	return ctx, prev, nil
}

// Forge appends to data the incremental update edit makes.
func Forge(data []byte, edit func(u *Update) error) ([]byte, error) {
	ctx, prev, err := readForUpdate(data)
	if err != nil {
		return nil, err
	}
	u := &Update{XT: ctx.XRefTable, prev: prev, next: *ctx.XRefTable.Size, offsets: map[int]int{}}
	u.b.Write(data)
	if !bytes.HasSuffix(data, []byte("\n")) {
		u.b.WriteByte('\n')
	}
	if err := edit(u); err != nil {
		return nil, err
	}
	xref := u.b.Len()
	nums := make([]int, 0, len(u.offsets))
	for n := range u.offsets {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	u.b.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for _, n := range nums {
		fmt.Fprintf(&u.b, "%d 1\n%010d 00000 n \n", n, u.offsets[n])
	}
	xt := u.XT
	tr := types.Dict{"Size": types.Integer(u.next), "Root": *xt.Root, "Prev": types.Integer(u.prev)}
	if xt.Info != nil {
		tr["Info"] = *xt.Info
	}
	if xt.ID != nil {
		tr["ID"] = xt.ID
	}
	fmt.Fprintf(&u.b, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", tr.PDFString(), xref)
	return u.b.Bytes(), nil
}

// Reserve returns a new object number.
func (u *Update) Reserve() int {
	u.next++
	return u.next - 1
}

// Object writes object n (new or changed) with body.
func (u *Update) Object(n int, body string) {
	u.offsets[n] = u.b.Len()
	fmt.Fprintf(&u.b, "%d 0 obj\n%s\nendobj\n", n, body)
}

// Stream is a stream object's body.
func Stream(dict, content string) string {
	return fmt.Sprintf("<<%s/Length %d>>\nstream\n%s\nendstream", dict, len(content), content)
}

// Page1 is page 1's object number and dictionary.
func (u *Update) Page1() (int, types.Dict, error) {
	d, ref, _, err := u.XT.PageDict(1, false)
	if err != nil {
		return 0, nil, err
	}
	return ref.ObjectNumber.Value(), d, nil
}

func refNr(o types.Object) int {
	if r, ok := o.(types.IndirectRef); ok {
		return r.ObjectNumber.Value()
	}
	return -1
}

// ReplaceContent (a, replace): page 1's first content stream replaced by
// one that calls itself /Metadata, drawing a ticked box.
func ReplaceContent(data []byte) ([]byte, error) {
	return Forge(data, func(u *Update) error {
		_, pd, err := u.Page1()
		if err != nil {
			return err
		}
		n := refNr(pd["Contents"])
		if a, ok := pd["Contents"].(types.Array); ok && len(a) > 0 {
			n = refNr(a[0])
		}
		if n < 0 {
			return fmt.Errorf("page 1 has no content stream: %v", pd["Contents"])
		}
		u.Object(n, Stream("/Type/Metadata/Subtype/XML", "0 0 0 rg 80 400 10 10 re f"))
		return nil
	})
}

// HideContent (hide): a content stream appended to page 1, calling itself
// /Metadata, that paints over the page.
func HideContent(data []byte) ([]byte, error) {
	return Forge(data, func(u *Update) error {
		pn, pd, err := u.Page1()
		if err != nil {
			return err
		}
		n := u.Reserve()
		u.Object(n, Stream("/Type/Metadata/Subtype/XML", "1 1 1 rg 0 0 600 800 re f"))
		np := pd.Clone().(types.Dict)
		var contents types.Array
		if a, ok := pd["Contents"].(types.Array); ok {
			contents = slices.Clone(a)
		} else {
			contents = types.Array{pd["Contents"]}
		}
		np["Contents"] = append(contents, *types.NewIndirectRef(n, 0))
		u.Object(pn, np.PDFString())
		return nil
	})
}

// RetypeFont (c): page 1's first indirect font replaced by another, typed
// /Metadata.
func RetypeFont(data []byte) ([]byte, error) {
	return Forge(data, func(u *Update) error {
		_, pd, err := u.Page1()
		if err != nil {
			return err
		}
		res, _ := u.XT.DereferenceDict(pd["Resources"]) // segur's own VA (a forgery kit for tests): readable
		fonts, _ := u.XT.DereferenceDict(res["Font"])   // likewise
		keys := make([]string, 0, len(fonts))
		for k := range fonts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if n := refNr(fonts[k]); n > 0 {
				u.Object(n, "<</Type/Metadata/Subtype/Type1/BaseFont/ZapfDingbats>>")
				return nil
			}
		}
		return fmt.Errorf("no indirect font on page 1")
	})
}

// EmptyFieldOverlay (b, hide-and-replace): a new, empty signature field on
// page 1 whose appearance covers the page with other boxes.
func EmptyFieldOverlay(data []byte) ([]byte, error) {
	return Forge(data, func(u *Update) error {
		pn, pd, err := u.Page1()
		if err != nil {
			return err
		}
		xt := u.XT
		ap := u.Reserve()
		u.Object(ap, Stream("/Type/XObject/Subtype/Form/BBox[0 0 600 800]", "1 1 1 rg 0 0 600 800 re f 0 0 0 rg BT /Helv 12 Tf 20 700 Td (DMP [ ] MSS [X]) Tj ET"))
		w := u.Reserve()
		u.Object(w, fmt.Sprintf("<</Type/Annot/Subtype/Widget/FT/Sig/T(Signature 3)/Rect[0 0 600 800]/F 4/P %d 0 R/AP<</N %d 0 R>>>>", pn, ap))
		np := pd.Clone().(types.Dict)
		annots, _ := xt.DereferenceArray(np["Annots"]) // segur's own VA: readable; none, the page's first
		np["Annots"] = append(slices.Clone(annots), *types.NewIndirectRef(w, 0))
		u.Object(pn, np.PDFString())
		af, _ := xt.DereferenceDict(xt.RootDict["AcroForm"]) // segur's own VA: readable
		naf := af.Clone().(types.Dict)
		fields, _ := xt.DereferenceArray(naf["Fields"]) // segur's own VA: readable
		naf["Fields"] = append(slices.Clone(fields), *types.NewIndirectRef(w, 0))
		if n := refNr(xt.RootDict["AcroForm"]); n > 0 {
			u.Object(n, naf.PDFString())
			return nil
		}
		root := xt.RootDict.Clone().(types.Dict)
		root["AcroForm"] = naf
		u.Object(xt.Root.ObjectNumber.Value(), root.PDFString())
		return nil
	})
}

// SelfSigned is a signer with a fresh self-signed certificate in cn's
// name: (e) a genuine signature, an overlay, then a self-signed one.
func SelfSigned(cn string) (*signature.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: cn}, NotBefore: time.Now().AddDate(-5, 0, 0), NotAfter: time.Now().AddDate(5, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &signature.Signer{Cert: cert, Key: key}, nil
}

// WideGap signs data as s in its field named field with a /ByteRange
// whose gap spans the signature's /Contents and a /Reason written after
// it (a hexadecimal string, so that the gap still ends with « > »), then
// changes that /Reason: pdfsig still calls the signature valid for the
// whole document. It returns the file as signed and as changed.
func WideGap(data []byte, s *signature.Signer, field string) (signed, changed []byte, err error) {
	const zeros = "0000000000"
	const size = 16384
	out, err := Forge(data, func(u *Update) error {
		af, err := u.XT.DereferenceDict(u.XT.RootDict["AcroForm"])
		if err != nil || af == nil {
			return fmt.Errorf("no form")
		}
		fields, _ := u.XT.DereferenceArray(af["Fields"]) // segur's own VA: readable; none, the field is not found
		for _, f := range fields {
			d, err := u.XT.DereferenceDict(f)
			if err != nil || d == nil {
				continue
			}
			t, ok := d["T"].(types.StringLiteral)
			if !ok {
				continue
			}
			if name, _ := types.StringLiteralToString(t); name != field { // unreadable: not this field
				continue
			}
			sig := u.Reserve()
			u.Object(sig, "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/adbe.pkcs7.detached/ByteRange[0 "+zeros+" "+zeros+" "+zeros+"]/Contents<"+strings.Repeat("0", size)+">/Reason<4163636f7264>>>") // « Accord »
			nf := d.Clone().(types.Dict)
			nf["V"] = *types.NewIndirectRef(sig, 0)
			u.Object(refNr(f), nf.PDFString())
			return nil
		}
		return fmt.Errorf("no field %q", field)
	})
	if err != nil {
		return nil, nil, err
	}
	from := len(data)
	a := from + bytes.Index(out[from:], []byte("/Contents<")) + len("/Contents")
	b := from + bytes.Index(out[from:], []byte("6f7264>")) + len("6f7264>")
	at := from + bytes.Index(out[from:], []byte(zeros+" "+zeros+" "+zeros))
	copy(out[at:], fmt.Sprintf("%010d %010d %010d", a, b, len(out)-b))
	sd, err := pkcs7.NewSignedData(append(append([]byte{}, out[:a]...), out[b:]...))
	if err != nil {
		return nil, nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSigner(s.Cert, s.Key, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, nil, err
	}
	sd.Detach()
	cms, err := sd.Finish()
	if err != nil {
		return nil, nil, err
	}
	if 2*len(cms) > size {
		return nil, nil, fmt.Errorf("CMS too large")
	}
	copy(out[a+1:], fmt.Sprintf("%x", cms))
	changed = bytes.Replace(bytes.Clone(out), []byte("<4163636f7264>"), []byte("<526566757321>"), 1) // « Refus! »
	return out, changed, nil
}

// Forgery is one forged VA and the code that must block it.
type Forgery struct {
	Name string
	Data []byte
	Code string
}

// Forgeries builds the forgeries of issue 20 on va, a VA segur rendered
// with two signatories: a signs in field fa, then the holder of the file
// changes what a signed, then b signs in fb. Each keeps every signature
// valid.
func Forgeries(va []byte, a, b *signature.Signer, fa, fb string, when time.Time) ([]Forgery, error) {
	var err error
	must := func(data []byte, e error) []byte {
		if e != nil && err == nil {
			err = e
		}
		return data
	}
	signA := func(data []byte) []byte {
		if err != nil {
			return nil
		}
		return must(SignField(data, a, fa, when))
	}
	signB := func(data []byte) []byte {
		if err != nil {
			return nil
		}
		return must(SignField(data, b, fb, when))
	}
	do := func(f func([]byte) ([]byte, error), data []byte) []byte {
		if err != nil {
			return nil
		}
		return must(f(data))
	}
	first := signA(va)
	self, e := SelfSigned(b.Cert.Subject.CommonName)
	if e != nil {
		return nil, e
	}
	overlay := func(data []byte) ([]byte, error) {
		box, err := signature.FieldBox(data, fa)
		if err != nil {
			return nil, err
		}
		box.Name = ""
		box.Rect = [4]float64{0, 0, 600, 800}
		return signature.Sign(data, a, box, "Signe", when)
	}
	fs := []Forgery{
		{"(a) contenu de page remplacé par un flux qui se dit /Metadata", signB(do(ReplaceContent, first)), "VA_MODIFIEE_CONTENU"},
		{"masquer : flux ajouté à la page, qui se dit /Metadata", signB(do(HideContent, first)), "VA_MODIFIEE_CONTENU"},
		{"(b) champ de signature vide dont l'apparence couvre la page", signB(do(EmptyFieldOverlay, first)), "VA_SIGNATURE_HORS_CASE"},
		{"(b) signature dans un champ à elle couvrant la page", signB(do(overlay, va)), "VA_SIGNATURE_HORS_CASE"},
		{"(c) police retypée /Metadata", signB(do(RetypeFont, first)), "VA_MODIFIEE_CONTENU"},
		{"(d) contenu remplacé avant la seule signature", signB(signA(do(ReplaceContent, va))), "VA_MODIFIEE_CONTENU"},
		{"(d) champ vide couvrant la page avant la seule signature", signB(signA(do(EmptyFieldOverlay, va))), "VA_SIGNATURE_HORS_CASE"},
	}
	if err == nil {
		hidden := do(HideContent, first)
		fs = append(fs, Forgery{"(e) signature authentique, surimpression, puis signature auto-signée", must(SignField(hidden, self, fb, when)), "VA_MODIFIEE_CONTENU"})
	}
	if err == nil {
		// Segur's first revision kept, its fields revision rebuilt by
		// the forger with a box over the whole page.
		rev1 := va[:signature.FirstRevisionEnd(va)]
		fields, e := signature.AddFields(rev1, []signature.Box{{Name: fa, Page: 1, Rect: [4]float64{0, 0, 595, 842}}, {Name: fb, Page: 1, Rect: [4]float64{0, 0, 595, 842}}})
		if e != nil {
			return nil, e
		}
		fs = append(fs, Forgery{"révision des champs refaite : une case couvrant la page", signB(signA(fields)), "VA_SIGNATURE_HORS_CASE"})
		// The same, saved whole anew (one revision, as pdf-lib does):
		// the boxes are the rewrite's own.
		if rw, e := Rewrite(fields); e == nil {
			fs = append(fs, Forgery{"réécrite en une révision avec une case couvrant la page", signB(signA(rw)), "VA_SIGNATURE_HORS_CASE"})
		} else {
			return nil, e
		}
		// A box over drawn marks only (a path of the VA, no text): what
		// is drawn under a signature is hidden as text would be.
		r, e := markOnlyBox(va)
		if e != nil {
			return nil, e
		}
		marks, e := signature.AddFields(rev1, []signature.Box{{Name: fa, Page: 1, Rect: r}, {Name: fb, Page: 1, Rect: [4]float64{0, 0, 1, 1}}})
		if e != nil {
			return nil, e
		}
		fs = append(fs, Forgery{"révision des champs refaite : une case sur un dessin de la VA", signB(signA(marks)), "VA_SIGNATURE_HORS_CASE"})
	}
	if err == nil {
		signed, changed, e := WideGap(va, a, fa)
		if e != nil {
			return nil, e
		}
		fs = append(fs,
			Forgery{"écart de /ByteRange plus large que /Contents", signB(signed), "VA_SIGNATURE_INVALIDE"},
			Forgery{"écart de /ByteRange : /Reason changée après la signature", signB(changed), "VA_SIGNATURE_INVALIDE"})
	}
	if err != nil {
		return nil, err
	}
	return fs, nil
}

// Rewrite saves data whole anew, as pdf-lib or a PDF editor does: one
// revision, objects renumbered as pdfcpu writes them.
func Rewrite(data []byte) ([]byte, error) {
	pdfops.Init()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.WriteObjectStream = false
	conf.WriteXRefStream = false
	ctx, err := api.ReadContext(bytes.NewReader(data), conf)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := api.WriteContext(ctx, &b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// AddContent appends to page 1 a content stream drawing content, with
// Helvetica available as /SegurHelv: a reservation written on the VA, or
// a box ticked or blanked in the drawing only.
func AddContent(data []byte, content string) ([]byte, error) {
	return Forge(data, func(u *Update) error {
		pn, pd, err := u.Page1()
		if err != nil {
			return err
		}
		n := u.Reserve()
		u.Object(n, Stream("", content))
		font := u.Reserve()
		u.Object(font, "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>")
		np := pd.Clone().(types.Dict)
		var contents types.Array
		if a, ok := pd["Contents"].(types.Array); ok {
			contents = slices.Clone(a)
		} else {
			contents = types.Array{pd["Contents"]}
		}
		np["Contents"] = append(contents, *types.NewIndirectRef(n, 0))
		res, _ := u.XT.DereferenceDict(pd["Resources"]) // none: handled below
		nres := types.Dict{}
		if res != nil {
			nres = res.Clone().(types.Dict)
		}
		fonts, _ := u.XT.DereferenceDict(nres["Font"]) // none: a new font dictionary
		nf := types.Dict{}
		if fonts != nil {
			nf = fonts.Clone().(types.Dict)
		}
		nf["SegurHelv"] = *types.NewIndirectRef(font, 0)
		nres["Font"] = nf
		np["Resources"] = nres
		u.Object(pn, np.PDFString())
		return nil
	})
}

// Rewritten are VAs re-created whole from va before their signature (one
// revision, as pdf-lib saves them) with the same numbers and ☒/☐ in
// their text, then signed by s in field: the genuine rewrite (Code ""),
// and ones whose drawing is not segur's — a visible reservation, a box
// ticked by a drawn square, a box covered by a white one (VA_MODIFIEE).
func Rewritten(va []byte, s *signature.Signer, field string, when time.Time) ([]Forgery, error) {
	pages, err := pdfin.Drawing(va)
	if err != nil || len(pages) == 0 {
		return nil, fmt.Errorf("drawing of segur's VA: %v", err)
	}
	var box *pdfin.Glyph
	for i, g := range pages[0].Glyphs {
		if g.Text == "☐" || g.Text == "☒" {
			box = &pages[0].Glyphs[i]
			break
		}
	}
	if box == nil {
		return nil, fmt.Errorf("no ☐ or ☒ drawn on page 1 of segur's VA")
	}
	build := func(content string) ([]byte, error) {
		data := va
		var err error
		if content != "" {
			if data, err = AddContent(va, content); err != nil {
				return nil, err
			}
		}
		if data, err = Rewrite(data); err != nil {
			return nil, err
		}
		return SignField(data, s, field, when)
	}
	at := fmt.Sprintf("%.2f %.2f %.2f %.2f re f", box.X, box.Y, box.Size*0.8, box.Size*0.8)
	var out []Forgery
	for _, c := range []struct{ name, content, code string }{
		{"recréée à l'identique", "", ""},
		{"recréée avec une réserve ajoutée", "BT /SegurHelv 9 Tf 60 120 Td (RESERVE : Je n'atteste PAS le seuil) Tj ET", "VA_MODIFIEE"},
		{"recréée avec une case cochée par un dessin", "q 0 0 0 rg " + at + " Q", "VA_MODIFIEE"},
		{"recréée avec une case masquée en blanc", "q 1 1 1 rg " + at + " Q", "VA_MODIFIEE"},
	} {
		data, err := build(c.content)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		out = append(out, Forgery{Name: c.name, Data: data, Code: c.code})
	}
	return out, nil
}

// markOnlyBox is a rectangle on page 1 of va around a mark it draws (a
// path or an image) with no text under it.
func markOnlyBox(va []byte) ([4]float64, error) {
	pages, err := pdfin.Drawing(va)
	if err != nil || len(pages) == 0 {
		return [4]float64{}, fmt.Errorf("drawing of segur's VA: %v", err)
	}
	for _, m := range pages[0].Marks {
		r := [4]float64{m.Box[0] - 3, m.Box[1] - 3, m.Box[2] + 3, m.Box[3] + 3}
		clear := true
		for _, g := range pages[0].Glyphs {
			if strings.TrimSpace(g.Text) != "" && g.X > r[0]-1 && g.X < r[2]+1 && g.Y > r[1]-1 && g.Y < r[3]+1 {
				clear = false
				break
			}
		}
		if clear {
			return r, nil
		}
	}
	return [4]float64{}, fmt.Errorf("no mark without text around it on page 1 of segur's VA")
}
