package pdfin

import (
	"bytes"
	"crypto/x509"
	"errors"
	"slices"

	"github.com/digitorus/pkcs7"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/crypto/cryptobyte"
)

// Signature is one signature dictionary of a file (a dictionary of /Type
// /Sig, or with a /Filter, and a /ByteRange of four numbers).
type Signature struct {
	ByteRange [4]int64 // its /ByteRange (a number that is not an integer is 0)
	Contents  []byte   // its /Contents, decoded
	Name      string   // its /Name, "" when none
	// At is the offset of the dictionary's object in the file, -1 when
	// it is in an object stream (where no byte range can leave its
	// /Contents out); Nr its object number.
	At int64
	Nr int
}

// Signatures lists the signature dictionaries of the file, ordered by
// where the second part of their byte range starts (file order); an
// *Error when the objects cannot be read.
func (d *Doc) Signatures() (out []Signature, err error) {
	defer catch(&err, "signatures")
	ctx := d.ctx
	for n := range ctx.XRefTable.Table {
		d, ok := Object(ctx, n).(types.Dict)
		if !ok {
			continue
		}
		if t := d.NameEntry("Type"); (t == nil || *t != "Sig") && d.NameEntry("Filter") == nil {
			continue
		}
		br, ok := d["ByteRange"].(types.Array)
		if !ok || len(br) != 4 {
			continue
		}
		s := Signature{At: -1, Nr: n}
		if e := ctx.XRefTable.Table[n]; e != nil && !e.Compressed && e.Offset != nil {
			s.At = *e.Offset
		}
		for i, v := range br {
			n, ok := v.(types.Integer)
			if !ok {
				continue
			}
			s.ByteRange[i] = int64(n)
		}
		switch c := d["Contents"].(type) {
		case types.HexLiteral:
			s.Contents, _ = c.Bytes() // malformed: no CMS, so the signature is reported invalid
		case types.StringLiteral:
			s.Contents, _ = types.Unescape(c.Value()) // malformed: no CMS, so the signature is reported invalid
		}
		if n, ok := d["Name"].(types.StringLiteral); ok {
			s.Name, _ = types.StringLiteralToString(n) // a name shown to people only: unreadable, none
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Signature) int { return int(a.ByteRange[2] - b.ByteRange[2]) })
	return out, nil
}

// Object is object n of ctx (a Doc's Context, or a revision's), also when
// it lies in an object stream (which pdfcpu decodes on demand), nil when
// free or absent.
func Object(ctx *model.Context, n int) types.Object {
	e, ok := ctx.XRefTable.Table[n]
	if !ok || e == nil || e.Free {
		return nil
	}
	if _, lazy := e.Object.(types.LazyObjectStreamObject); e.Object != nil && !lazy {
		return e.Object
	}
	gen := 0
	if e.Generation != nil {
		gen = *e.Generation
	}
	o, err := ctx.XRefTable.Dereference(*types.NewIndirectRef(n, gen))
	if err != nil {
		return nil
	}
	return o
}

// ParseCMS reads a signature's CMS and the certificate of each of its
// SignerInfos (tools such as podofosign may write several): an error (a
// French clause) when it is unreadable or a signer's certificate is
// missing. A panic of the parser is an unreadable signature.
func ParseCMS(contents []byte) (p7 *pkcs7.PKCS7, who []*x509.Certificate, err error) {
	defer func() {
		if r := recover(); r != nil {
			p7, who, err = nil, nil, errors.New(" (structure CMS inattendue)")
		}
	}()
	p7, err = pkcs7.Parse(derElement(contents))
	if err != nil {
		return nil, nil, errors.New("")
	}
	if len(p7.Signers) == 0 {
		return nil, nil, errors.New(" (aucun signataire dans la signature)")
	}
	for _, si := range p7.Signers {
		var found *x509.Certificate
		for _, c := range p7.Certificates {
			if c.SerialNumber != nil && si.IssuerAndSerialNumber.SerialNumber != nil && c.SerialNumber.Cmp(si.IssuerAndSerialNumber.SerialNumber) == 0 &&
				bytes.Equal(c.RawIssuer, si.IssuerAndSerialNumber.IssuerName.FullBytes) {
				found = c
				break
			}
		}
		if found == nil {
			return nil, nil, errors.New(" (le certificat d'un signataire manque)")
		}
		if !slices.Contains(who, found) {
			who = append(who, found)
		}
	}
	return p7, who, nil
}

// ParseToken reads a CMS SignedData that is not a PDF signature's own —
// an RFC 3161 time-stamp token, in a signature's unsigned attributes or
// in a time-stamp authority's answer — from the DER element at the start
// of der (padding after it ignored). A panic of the parser is an error.
func ParseToken(der []byte) (p7 *pkcs7.PKCS7, err error) {
	defer func() {
		if r := recover(); r != nil {
			p7, err = nil, errors.New("structure CMS inattendue")
		}
	}()
	return pkcs7.Parse(derElement(der))
}

// derElement is the DER element at the start of b (the /Contents of a
// signature is padded with zeros after it), b itself when unreadable.
func derElement(b []byte) []byte {
	in := cryptobyte.String(b)
	var el cryptobyte.String
	if !in.ReadAnyASN1Element(&el, nil) {
		return b
	}
	return el
}
