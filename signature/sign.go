package signature

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
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
// text label, and returns the signed file: pdf's bytes, then an incremental
// update holding the signature (pdfsig: « Signature is Valid », « Total
// document signed »). The stated signing time (/M and the CMS
// signing-time attribute) is SigningTime(s, when), not the clock, and no
// time-stamping authority is asked: with an RSA key the same document,
// date and certificate give the same bytes (an ECDSA signature is random
// by nature).
func Sign(data []byte, s *Signer, box Box, label string, when time.Time) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("signature : PDF illisible (%v)", r)
		}
	}()
	rdr, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("signature : PDF illisible : %w", err)
	}
	chain := append([]*x509.Certificate{s.Cert}, s.Chain...)
	t := SigningTime(s, when)
	var buf bytes.Buffer
	err = sign.Sign(bytes.NewReader(data), &buf, rdr, int64(len(data)), sign.SignData{
		Signature: sign.SignDataSignature{
			CertType:   sign.ApprovalSignature,
			DocMDPPerm: sign.AllowFillingExistingFormFieldsAndSignaturesPerms,
			Info: sign.SignDataSignatureInfo{
				Name: ascii(label),
				Date: t,
			},
		},
		Appearance: sign.Appearance{
			Visible:    true,
			Page:       uint32(box.Page),
			LowerLeftX: box.Rect[0], LowerLeftY: box.Rect[1],
			UpperRightX: box.Rect[2], UpperRightY: box.Rect[3],
		},
		// The library's CMS is replaced by resign's; its own signature
		// value is a placeholder of the right size, not computed.
		Signer:            placeholder{s.Key},
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       s.Cert,
		CertificateChains: [][]*x509.Certificate{chain},
	})
	if err != nil {
		return nil, fmt.Errorf("signature : %w", err)
	}
	out = buf.Bytes()
	if err := resign(out, len(data), s, t); err != nil {
		return nil, fmt.Errorf("signature : %w", err)
	}
	return out, nil
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
func AddFields(data []byte, boxes []Box) (out []byte, err error) {
	if len(boxes) == 0 {
		return data, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("champs de signature : PDF illisible (%v)", r)
		}
	}()
	u, err := newUpdate(data)
	if err != nil {
		return nil, fmt.Errorf("champs de signature : %w", err)
	}
	xt := u.ctx.XRefTable
	if _, ok := xt.RootDict["AcroForm"]; ok {
		return nil, fmt.Errorf("champs de signature : le PDF a déjà un formulaire")
	}
	var fields types.Array
	pageAnnots := map[int][]types.IndirectRef{}
	var pageOrder []int
	for _, bx := range boxes {
		_, ref, _, err := xt.PageDict(bx.Page, false)
		if err != nil || ref == nil {
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
		d, err := xt.DereferenceDict(*types.NewIndirectRef(p, 0))
		if err != nil || d == nil {
			return nil, fmt.Errorf("champs de signature : page illisible")
		}
		nd := d.Clone().(types.Dict)
		var annots types.Array
		if a, ok := nd["Annots"]; ok {
			arr, err := xt.DereferenceArray(a)
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
	root := xt.RootDict.Clone().(types.Dict)
	root["AcroForm"] = types.Dict{"Fields": fields, "SigFlags": types.Integer(1)}
	u.object(xt.Root.ObjectNumber.Value(), root.PDFString())
	return u.finish(), nil
}

// fieldTitle is a field name as a PDF text string.
func fieldTitle(s string) string {
	var e *string
	if ascii(s) == s {
		e, _ = types.Escape(s)
	} else {
		e, _ = types.EscapedUTF16String(s)
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
	ctx, err := readContext(data)
	if err != nil {
		return Box{}, err
	}
	return fieldBox(ctx, name)
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

// placeholder is a crypto.Signer whose signatures are zeros of the size a
// real one would have: the library's CMS is only a placeholder, rewritten
// by resign, so the private key is used once per signature.
type placeholder struct{ key crypto.Signer }

func (p placeholder) Public() crypto.PublicKey { return p.key.Public() }

func (p placeholder) Sign(_ io.Reader, _ []byte, _ crypto.SignerOpts) ([]byte, error) {
	switch k := p.key.Public().(type) {
	case *rsa.PublicKey:
		return make([]byte, k.Size()), nil
	case *ecdsa.PublicKey:
		return make([]byte, 2*((k.Curve.Params().BitSize+7)/8)+9), nil
	}
	return nil, fmt.Errorf("type de clé non pris en charge pour signer")
}
