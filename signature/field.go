package signature

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/text/unicode/norm"
)

// contentsSize is the room kept for a CMS signature filled into a field
// (hex digits): a certificate chain of a few certificates.
const contentsSize = 16384

// SignField signs data as s in its existing empty signature field named
// field, as Acrobat or a CPS signing tool does: an incremental update
// fills the field (/V) with a signature and gives it an appearance
// showing label; nothing else of the document changes. The stated signing
// time is SigningTime(s, when).
func SignField(data []byte, s *Signer, field, label string, when time.Time) (out []byte, err error) {
	t := SigningTime(s, when)
	return signField(data, s, field, label, t, func(digest []byte) ([]byte, error) { return buildCMS(s, digest, t) })
}

// signField is SignField with the CMS made by build from the digest of
// the bytes signed, at the stated time t.
func signField(data []byte, s *Signer, field, label string, t time.Time, build func(digest []byte) ([]byte, error)) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("signature : PDF illisible (%v)", r)
		}
	}()
	u, err := newUpdate(data)
	if err != nil {
		return nil, fmt.Errorf("signature : %w", err)
	}
	xt := u.ctx.XRefTable
	box, err := fieldBox(u.ctx, field)
	if err != nil {
		return nil, err
	}
	fieldNr, fd, err := findField(u.ctx, field)
	if err != nil {
		return nil, err
	}
	af, err := xt.DereferenceDict(xt.RootDict["AcroForm"])
	if err != nil || af == nil {
		return nil, fmt.Errorf("signature : formulaire illisible")
	}
	if _, signed := fd["V"]; signed {
		return nil, fmt.Errorf("le champ de signature « %s » est déjà signé", field)
	}
	room := contentsSize
	if s.TSA != nil {
		room = stampedContentsSize
	}
	sigNr, apNr := u.reserve(), u.reserve()
	const brPlaceholder = "/ByteRange[0 0 0 0]                                "
	var sig strings.Builder
	fmt.Fprintf(&sig, "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/Name%s/M(D:%s)%s/Contents<",
		fieldTitle(s.Cert.Subject.CommonName), t.UTC().Format("20060102150405Z"), brPlaceholder)
	head := sig.Len()
	sig.WriteString(strings.Repeat("0", room))
	sig.WriteString(">>>")
	u.object(sigNr, sig.String())
	// "N 0 obj\n" comes before the body.
	contentsAt := u.offsets[sigNr] + len(fmt.Sprintf("%d 0 obj\n", sigNr)) + head - 1
	w, h := box.Rect[2]-box.Rect[0], box.Rect[3]-box.Rect[1]
	text := winAnsi(label)
	fontSize := min(h*0.4, 2*w/float64(max(len(text), 1)))
	stream := fmt.Sprintf("q 0.1 0.1 0.5 rg BT /F1 %s Tf 4 %s Td <%x> Tj ET Q", num(fontSize), num((h-fontSize)/2), text)
	u.object(apNr, fmt.Sprintf("<</Type/XObject/Subtype/Form/BBox[0 0 %s %s]/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>>>>>/Length %d>>\nstream\n%s\nendstream",
		num(w), num(h), len(stream)+1, stream))
	nf := fd.Clone().(types.Dict)
	nf["V"] = *types.NewIndirectRef(sigNr, 0)
	nf["AP"] = types.Dict{"N": *types.NewIndirectRef(apNr, 0)}
	u.object(fieldNr, nf.PDFString())
	// The form now holds a signature (SigFlags: SignaturesExist, AppendOnly).
	naf := af.Clone().(types.Dict)
	naf["SigFlags"] = types.Integer(3)
	if r, ok := xt.RootDict["AcroForm"].(types.IndirectRef); ok {
		u.object(r.ObjectNumber.Value(), naf.PDFString())
	} else {
		root := xt.RootDict.Clone().(types.Dict)
		root["AcroForm"] = naf
		u.object(xt.Root.ObjectNumber.Value(), root.PDFString())
	}
	out = u.finish()
	if out[contentsAt] != '<' {
		return nil, fmt.Errorf("signature : emplacement de la signature introuvable")
	}

	// The byte range: everything but the signature's hex string.
	after := contentsAt + 1 + room + 1
	br := fmt.Sprintf("/ByteRange[0 %d %d %d]", contentsAt, after, len(out)-after)
	at := bytes.LastIndex(out[:contentsAt], []byte(brPlaceholder))
	if at < 0 || len(br) > len(brPlaceholder) {
		return nil, fmt.Errorf("signature : plage d'octets impossible à écrire")
	}
	copy(out[at:], br+strings.Repeat(" ", len(brPlaceholder)-len(br)))
	digest := sha256Sum(out[:contentsAt], out[after:])
	cms, err := build(digest)
	if err != nil {
		return nil, fmt.Errorf("signature : %w", err)
	}
	enc := hex.EncodeToString(cms)
	if len(enc) > room {
		return nil, fmt.Errorf("signature : %w", errSignatureTooLong)
	}
	copy(out[contentsAt+1:], enc)
	return out, nil
}

// winAnsi encodes s for a standard font in WinAnsiEncoding (PDF 32000-1
// annex D): the French letters with their accents, œ, the typographic
// apostrophe and dashes; what it cannot encode is folded to ASCII.
func winAnsi(s string) []byte {
	special := map[rune]byte{'€': 0x80, '’': 0x92, '‘': 0x91, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97, 'œ': 0x9c, 'Œ': 0x8c, 'Ÿ': 0x9f, '\u202f': ' '}
	var b []byte
	for _, r := range norm.NFC.String(s) {
		switch {
		case r >= 0x20 && r < 0x7f, r >= 0xa0 && r <= 0xff:
			b = append(b, byte(r))
		case special[r] != 0:
			b = append(b, special[r])
		default:
			b = append(b, ascii(string(r))...)
		}
	}
	return b
}
