package signature

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/phpdave11/gofpdf"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/pdftest"
)

// The shadow attacks of PDF-Insecurity (hide, replace, hide-and-replace)
// and the forgeries of issue 20, each built by hand as incremental
// updates of a VA signed in turn by two signatories: after the first
// signature the holder of the file changes what the first signatory
// signed, then the second one signs. Every signature stays valid for
// pdfsig; segur must block each by what the changed object is used as.

var shadowWhen = time.Date(2023, 1, 25, 0, 0, 0, 0, time.UTC)

// shadowVA is a two-page VA as segur hands it out: text with boxes, one
// empty signature field per signatory on page 1.
func shadowVA(t *testing.T) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	fixed := time.Date(2023, 2, 10, 0, 0, 0, 0, time.UTC)
	pdf.SetCreationDate(fixed)
	pdf.SetModificationDate(fixed)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 12)
	pdf.Text(20, 30, "VA 00048 DMP [X] MSS [ ]")
	pdf.Text(20, 60, "RPPS 10875011016 Anne Schmitt")
	pdf.AddPage()
	pdf.Text(20, 30, "RPPS 10073697418 Francois Muller")
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	out, err := AddFields(b.Bytes(), shadowBoxes)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var shadowBoxes = []Box{
	{Name: "Signature 10875011016", Page: 1, Rect: [4]float64{50, 400, 300, 460}},
	{Name: "Signature 10073697418", Page: 1, Rect: [4]float64{50, 300, 300, 360}},
}

var shadowWho = []Signatory{{Name: "Anne Schmitt", ID: "10875011016"}, {Name: "François Muller", ID: "10073697418"}}

func loadTest(t *testing.T, who string) *Signer {
	t.Helper()
	s, err := Load("../fixtures/certs/"+who+".p12", "segur-test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// forge appends an incremental update made by edit to data.
func forge(t *testing.T, data []byte, edit func(u *update, xt *model.XRefTable)) []byte {
	t.Helper()
	u, err := newUpdate(data)
	if err != nil {
		t.Fatal(err)
	}
	edit(u, u.ctx.XRefTable)
	return u.finish()
}

func stream(dict, content string) string {
	return fmt.Sprintf("<<%s/Length %d>>\nstream\n%s\nendstream", dict, len(content), content)
}

// page1 is page 1's object number and dictionary.
func page1(t *testing.T, xt *model.XRefTable) (int, types.Dict) {
	t.Helper()
	d, ref, _, err := xt.PageDict(1, false)
	if err != nil {
		t.Fatal(err)
	}
	return ref.ObjectNumber.Value(), d
}

func refNr(o types.Object) int {
	if r, ok := o.(types.IndirectRef); ok {
		return r.ObjectNumber.Value()
	}
	return -1
}

// addWidget adds a signature field with a widget on page 1 at rect,
// drawing over it, signed (v: a signature dictionary's body) or not.
func addWidget(t *testing.T, u *update, xt *model.XRefTable, rect string, v string) {
	pn, pd := page1(t, xt)
	ap := u.reserve()
	u.object(ap, stream("/Type/XObject/Subtype/Form/BBox[0 0 600 800]", "1 1 1 rg 0 0 600 800 re f 0 0 0 rg BT /Helv 12 Tf 20 700 Td (DMP [ ] MSS [X]) Tj ET"))
	w := u.reserve()
	value := ""
	if v != "" {
		vn := u.reserve()
		u.object(vn, v)
		value = fmt.Sprintf("/V %d 0 R", vn)
	}
	u.object(w, fmt.Sprintf("<</Type/Annot/Subtype/Widget/FT/Sig/T(Signature 3)/Rect[%s]/F 4/P %d 0 R/AP<</N %d 0 R>>%s>>", rect, pn, ap, value))
	np := pd.Clone().(types.Dict)
	annots, _ := xt.DereferenceArray(np["Annots"])
	np["Annots"] = append(slices.Clone(annots), *types.NewIndirectRef(w, 0))
	u.object(pn, np.PDFString())
	af, _ := xt.DereferenceDict(xt.RootDict["AcroForm"])
	naf := af.Clone().(types.Dict)
	fields, _ := xt.DereferenceArray(naf["Fields"])
	naf["Fields"] = append(slices.Clone(fields), *types.NewIndirectRef(w, 0))
	root := xt.RootDict.Clone().(types.Dict)
	root["AcroForm"] = naf
	u.object(xt.Root.ObjectNumber.Value(), root.PDFString())
}

// selfSigned is a signer with a fresh self-signed certificate.
func selfSigned(t *testing.T, cn string) *Signer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: cn}, NotBefore: time.Now().AddDate(-5, 0, 0), NotAfter: time.Now().AddDate(5, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &Signer{Cert: cert, Key: key}
}

func TestShadowAttacks(t *testing.T) {
	va := shadowVA(t)
	schmitt, muller := loadTest(t, "schmitt"), loadTest(t, "muller")
	signA := func(data []byte) []byte {
		out, err := SignField(data, schmitt, shadowBoxes[0].Name, "Signe par Anne Schmitt", shadowWhen)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	signB := func(data []byte) []byte {
		out, err := SignField(data, muller, shadowBoxes[1].Name, "Signe par Francois Muller", shadowWhen)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// signNew signs data as s in a new field of its own at rect, as
	// @signpdf, pdfsig -sign or a signing service do.
	signNew := func(data []byte, s *Signer, rect [4]float64) []byte {
		out, err := Sign(data, s, Box{Page: 1, Rect: rect}, "Signe", shadowWhen)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := signA(va)
	selfSign := func(data []byte) []byte {
		out, err := SignField(data, selfSigned(t, "François Muller"), shadowBoxes[1].Name, "Signe par Francois Muller", shadowWhen)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	// Tricks, each applied to a document (after the first signature, or
	// before the only one).
	replaceContent := func(data []byte) []byte { // replace: a page's content stream claiming to be /Metadata
		return forge(t, data, func(u *update, xt *model.XRefTable) {
			_, pd := page1(t, xt)
			n := refNr(pd["Contents"])
			if n < 0 {
				t.Fatalf("page contents: %v", pd["Contents"])
			}
			u.object(n, stream("/Type/Metadata/Subtype/XML", "BT /F1 12 Tf 56 770 Td (VA 00048 DMP [ ] MSS [X]) Tj ET"))
		})
	}
	hideContent := func(data []byte) []byte { // hide: a stream appended to the page's contents, calling itself /Metadata
		return forge(t, data, func(u *update, xt *model.XRefTable) {
			pn, pd := page1(t, xt)
			n := u.reserve()
			u.object(n, stream("/Type/Metadata/Subtype/XML", "1 1 1 rg 0 0 600 800 re f"))
			np := pd.Clone().(types.Dict)
			np["Contents"] = types.Array{pd["Contents"], *types.NewIndirectRef(n, 0)}
			u.object(pn, np.PDFString())
		})
	}
	retypeFont := func(data []byte) []byte { // replace: the page's font object retyped /Metadata
		return forge(t, data, func(u *update, xt *model.XRefTable) {
			_, pd := page1(t, xt)
			res, _ := xt.DereferenceDict(pd["Resources"])
			fonts, _ := xt.DereferenceDict(res["Font"])
			for _, f := range fonts {
				if n := refNr(f); n > 0 {
					u.object(n, "<</Type/Metadata/Subtype/Type1/BaseFont/ZapfDingbats>>")
					return
				}
			}
			t.Fatal("no indirect font on page 1")
		})
	}
	emptyFieldOverlay := func(data []byte) []byte { // hide-and-replace: an empty signature field whose appearance covers the page
		return forge(t, data, func(u *update, xt *model.XRefTable) { addWidget(t, u, xt, "0 0 600 800", "") })
	}
	freeText := func(data []byte) []byte { // an annotation drawn over the boxes
		return forge(t, data, func(u *update, xt *model.XRefTable) {
			pn, pd := page1(t, xt)
			n := u.reserve()
			u.object(n, "<</Type/Annot/Subtype/FreeText/Rect[50 700 300 760]/Contents(MSS [X])/DA(/Helv 12 Tf 0 g)>>")
			np := pd.Clone().(types.Dict)
			annots, _ := xt.DereferenceArray(np["Annots"])
			np["Annots"] = append(slices.Clone(annots), *types.NewIndirectRef(n, 0))
			u.object(pn, np.PDFString())
		})
	}
	moveField := func(data []byte) []byte { // the second signatory's empty field moved over the boxes
		return forge(t, data, func(u *update, xt *model.XRefTable) {
			n, fd, err := findField(u.ctx, shadowBoxes[1].Name)
			if err != nil {
				t.Fatal(err)
			}
			nf := fd.Clone().(types.Dict)
			nf["Rect"] = types.NewNumberArray(0, 0, 600, 800)
			u.object(n, nf.PDFString())
		})
	}
	openAction := func(data []byte) []byte { // optional content switched by the catalog
		return forge(t, data, func(u *update, xt *model.XRefTable) {
			root := xt.RootDict.Clone().(types.Dict)
			root["OCProperties"] = types.Dict{"OCGs": types.Array{}, "D": types.Dict{"OFF": types.Array{}}}
			u.object(xt.Root.ObjectNumber.Value(), root.PDFString())
		})
	}
	widgetToPage2 := func(data []byte) []byte { // the other signatory's widget moved to page 2, unchanged itself
		return forge(t, data, func(u *update, xt *model.XRefTable) {
			n, _, err := findField(u.ctx, shadowBoxes[1].Name)
			if err != nil {
				t.Fatal(err)
			}
			pn, pd := page1(t, xt)
			np := pd.Clone().(types.Dict)
			annots, _ := xt.DereferenceArray(np["Annots"])
			np["Annots"] = slices.DeleteFunc(slices.Clone(annots), func(o types.Object) bool { return refNr(o) == n })
			u.object(pn, np.PDFString())
			d2, ref2, _, err := xt.PageDict(2, false)
			if err != nil {
				t.Fatal(err)
			}
			np2 := d2.Clone().(types.Dict)
			np2["Annots"] = types.Array{*types.NewIndirectRef(n, 0)}
			u.object(ref2.ObjectNumber.Value(), np2.PDFString())
		})
	}
	addPage := func(data []byte) []byte {
		return forge(t, data, func(u *update, xt *model.XRefTable) {
			pn, _ := page1(t, xt)
			pagesNr := refNr(xt.RootDict["Pages"])
			pages, _ := xt.DereferenceDict(xt.RootDict["Pages"])
			np := pages.Clone().(types.Dict)
			kids, _ := xt.DereferenceArray(np["Kids"])
			n := u.reserve()
			u.object(n, fmt.Sprintf("<</Type/Page/Parent %d 0 R/MediaBox[0 0 595 842]>>", pagesNr))
			np["Kids"] = append(slices.Clone(kids), *types.NewIndirectRef(n, 0))
			np["Count"] = types.Integer(len(kids) + 1)
			u.object(pagesNr, np.PDFString())
			_ = pn
		})
	}
	want := Expect{Rendered: [][]byte{va}, Signatories: shadowWho}
	cases := []struct {
		name string
		data []byte
		code string // "" when accepted
	}{
		{"signed by both in turn", signB(first), ""},
		{"a signature in a new field, invisible (zero rectangle)", signB(signNew(va, schmitt, [4]float64{0, 0, 0, 0})), ""},
		{"a signature in a new field within the signatory's box", signB(signNew(va, schmitt, [4]float64{60, 410, 290, 450})), ""},
		{"(a) content stream replaced by one calling itself /Metadata", signB(replaceContent(first)), codeContent},
		{"hide: content stream added, calling itself /Metadata", signB(hideContent(first)), codeContent},
		{"(b) a new empty signature field whose appearance covers the page", signB(emptyFieldOverlay(first)), codeOutside},
		{"(b) a signature in a new field over the whole page", signB(signNew(va, schmitt, [4]float64{0, 0, 600, 800})), codeOutside},
		{"(c) the page's font retyped /Metadata", signB(retypeFont(first)), codeContent},
		{"(d) content replaced before the only signature", signB(signA(replaceContent(va))), codeContent},
		{"(d) font retyped before the only signature", signB(signA(retypeFont(va))), codeContent},
		{"(d) empty overlaying field before the only signature", signB(signA(emptyFieldOverlay(va))), codeOutside},
		{"(e) a genuine signature, an overlay, then a self-signed one", selfSign(hideContent(first)), codeContent},
		{"an annotation over the boxes", signB(freeText(first)), codeAnnotation},
		{"the other signatory's field moved over the page", signB(moveField(first)), codeOutside},
		{"optional content added to the catalog", signB(openAction(first)), codeDocument},
		{"a page added", signB(addPage(first)), codePages},
		{"the other signatory's widget moved to page 2", signB(widgetToPage2(first)), codeAnnotation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := Verify("va.pdf", c.data, want)
			var got []string
			for _, e := range res.Errors {
				got = append(got, e.Code)
				if strings.Contains(e.Message, "%!") {
					t.Errorf("badly formatted message: %s", e.Message)
				}
			}
			if c.code == "" {
				if !res.OK() {
					t.Fatalf("want accepted, got %v: %+v", got, res.Errors)
				}
				hidden := strings.Contains(c.name, "invisible")
				if warned := len(res.Warnings) == 1 && res.Warnings[0].Code == "VA_SIGNATURE_INVISIBLE"; warned != hidden || !hidden && len(res.Warnings) > 0 {
					t.Errorf("an invisible signature warned: %v, want %v (%+v)", warned, hidden, res.Warnings)
				}
				strict := want
				strict.Strict = true
				if res := Verify("va.pdf", c.data, strict); res.OK() == hidden {
					t.Errorf("under --strict, an invisible signature must block, a visible one not: %+v", res.Errors)
				}
				return
			}
			if !slices.Contains(got, c.code) {
				t.Fatalf("want %s, got %v: %+v", c.code, got, res.Errors)
			}
			// Every signature is valid: only the rule of what may change
			// stops it.
			for i, s := range res.Signers {
				if !s.Valid {
					t.Errorf("signature %d should be valid (a shadow attack keeps every signature valid)", i+1)
				}
			}
			// check (the dépôt read back, without the dossier) blocks it
			// too when the change lies after the first revision.
			dep := Verify("va.pdf", c.data, Expect{Deposited: true})
			if dep.OK() {
				t.Errorf("check accepts it: %+v", dep)
			}
		})
	}
}

// The gap of a /ByteRange must be exactly the signature's /Contents:
// here it also spans a /Reason (a hexadecimal string, so that the gap
// still ends with « > »), changed after signing, which pdfsig
// still calls a valid signature of the whole document.
func TestByteRangeGapIsContents(t *testing.T) {
	va := shadowVA(t)
	s := loadTest(t, "schmitt")
	u, err := newUpdate(va)
	if err != nil {
		t.Fatal(err)
	}
	n, fd, err := findField(u.ctx, shadowBoxes[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	sigNr := u.reserve()
	const zeros = "0000000000"
	u.object(sigNr, "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/adbe.pkcs7.detached/ByteRange[0 "+zeros+" "+zeros+" "+zeros+"]/Contents<"+strings.Repeat("0", contentsSize)+">/Reason<4163636f7264>>>") // « Accord »
	nf := fd.Clone().(types.Dict)
	nf["V"] = *types.NewIndirectRef(sigNr, 0)
	u.object(n, nf.PDFString())
	out := u.finish()
	from := len(va)
	a := from + bytes.Index(out[from:], []byte("/Contents<")) + len("/Contents")
	b := from + bytes.Index(out[from:], []byte("6f7264>")) + len("6f7264>")
	br := fmt.Sprintf("%010d %010d %010d", a, b, len(out)-b)
	at := from + bytes.Index(out[from:], []byte(zeros+" "+zeros+" "+zeros))
	copy(out[at:], br)
	cms, err := buildCMS(s, sha256Sum(out[:a], out[b:]), SigningTime(s, shadowWhen))
	if err != nil {
		t.Fatal(err)
	}
	copy(out[a+1:], fmt.Sprintf("%x", cms))
	want := Expect{Rendered: [][]byte{va}, Signatories: shadowWho[:1]}
	tampered := bytes.Replace(out, []byte("<4163636f7264>"), []byte("<526566757321>"), 1) // « Refus! »
	for name, data := range map[string][]byte{"as signed": out, "reason changed after signing": tampered} {
		res := Verify("va.pdf", data, want)
		if len(res.Errors) == 0 || res.Errors[0].Code != "VA_SIGNATURE_INVALIDE" || !strings.Contains(res.Errors[0].Message, "plage d'octets") {
			t.Errorf("%s: a gap wider than /Contents must be refused, got %+v", name, res.Errors)
		}
		if dep := Verify("va.pdf", data, Expect{Deposited: true}); dep.OK() {
			t.Errorf("%s: check must refuse it too", name)
		}
	}
}

// The 200 KiB object-stream bomb behind an xref stream (issue 20) is
// refused by AcceptAndVerify, as pack and check call it, in bounded
// memory (it allocated 712 MiB before).
func TestAcceptAndVerifyBomb(t *testing.T) {
	bomb := pdftest.XRefStreamBomb(200<<20, "/FlateDecode", 4096)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := AcceptAndVerify("va.pdf", bomb, Expect{Signatories: shadowWho})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "décompressés") {
		t.Errorf("got %v, want the bomb refused", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("%d MiB allocated, want < 16 MiB", grew>>20)
	}
}

// Verify, without the acceptance, reads through pdfin too: the bomb is
// refused by the bounds before pdfcpu parses it.
func TestVerifyBomb(t *testing.T) {
	bomb := pdftest.XRefStreamBomb(200<<20, "/FlateDecode", 4096)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := Verify("va.pdf", bomb, Expect{Signatories: shadowWho})
	runtime.ReadMemStats(&after)
	if res.OK() || len(res.Errors) == 0 || res.Errors[0].Code != "PIECE_ILLISIBLE" {
		t.Errorf("got %+v, want PIECE_ILLISIBLE", res.Errors)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("%d MiB allocated, want < 16 MiB", grew>>20)
	}
}

// The fournisseur's signature is PAdES B-B with a well-formed dictionary,
// and its stamp keeps the accents (issue 20).
func TestSignIsPAdESBaseline(t *testing.T) {
	s := loadTest(t, "fournisseur")
	label := "Signé électroniquement par Gwenaëlle Le Goff"
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 12)
	pdf.Text(20, 30, "MOM 00042")
	var doc bytes.Buffer
	if err := pdf.Output(&doc); err != nil {
		t.Fatal(err)
	}
	out, err := Sign(doc.Bytes(), s, Box{Page: 1, Rect: [4]float64{50, 50, 400, 120}}, label, shadowWhen)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := pdfin.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	sigs, _ := signatures(signed)
	if len(sigs) != 1 {
		t.Fatalf("%d signatures", len(sigs))
	}
	d, _ := dictOf(object(signed.Context(), sigs[0].nr))
	if name(d, "SubFilter") != "ETSI.CAdES.detached" || d["TransformMethod"] != nil || d["TransformParams"] != nil {
		t.Errorf("signature dictionary: %s", d.PDFString())
	}
	if n, _ := d["Name"].(types.StringLiteral); !strings.Contains(string(n), s.Cert.Subject.CommonName) {
		t.Errorf("/Name %q, want the signer's name %q", n, s.Cert.Subject.CommonName)
	}
	p7, _, err := parseCMS(sigs[0].contents)
	if err != nil {
		t.Fatal(err)
	}
	var at time.Time
	if err := p7.UnmarshalSignedAttribute(oidSigningTime, &at); err != nil || !at.Equal(SigningTime(s, shadowWhen)) {
		t.Errorf("signing time %v (%v)", at, err)
	}
	var v2 asn1.RawValue
	if err := p7.UnmarshalSignedAttribute(oidSigningCertV2, &v2); err != nil {
		t.Errorf("no signing-certificate-v2: %v", err)
	}
	if !bytes.Contains(out, []byte(fmt.Sprintf("<%x>", winAnsi(label)))) || !bytes.Contains(winAnsi(label), []byte{0xe9}) || !bytes.Contains(out, []byte("/WinAnsiEncoding")) {
		t.Error("the stamp must draw the label with its accents (WinAnsiEncoding)")
	}
	if res := Verify("mom.pdf", out, Expect{Kind: "MOM", Deposited: true}); !res.OK() || len(res.Warnings) > 0 {
		t.Errorf("segur's own signature: %+v %+v", res.Errors, res.Warnings)
	}
}
