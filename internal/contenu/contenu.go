// Package contenu tells what a file is from its bytes, not its name: the
// content a pièce must have for its extension (a PDF starts with %PDF-, a
// spreadsheet is a zip or an OLE file of the right kind, a CSV is text),
// and the contents that are never a pièce whatever their name (a PKCS#12
// key, PEM blocks, a DER certificate or key, a SQLite database). Which
// extension needs which content is data (templates/contenus.yaml); the
// kinds it names are the constants below.
package contenu

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
)

// The kinds of content an extension may require.
const (
	PDF   = "pdf"            // ISO 32000: « %PDF- » in the first 1 024 bytes
	OOXML = "classeur-ooxml" // ECMA-376 spreadsheet: a zip with [Content_Types].xml and xl/
	ODF   = "classeur-odf"   // OASIS ODF spreadsheet: a zip whose mimetype says so
	OLE   = "classeur-ole"   // MS-CFB compound file (.xls)
	Texte = "texte"          // text (CSV): no NUL nor control bytes, no PEM block
)

// Known reports whether kind is one of the kinds above.
func Known(kind string) bool {
	switch kind {
	case PDF, OOXML, ODF, OLE, Texte:
		return true
	}
	return false
}

var (
	magicPDF    = []byte("%PDF-")
	magicZip    = []byte("PK\x03\x04")
	magicOLE    = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicSQLite = []byte("SQLite format 3\x00")
	pemBegin    = []byte("-----BEGIN ")
)

// Forbidden says in French what data is when it must never be a pièce (a
// key, a certificate, a SQLite database such as the registre), "" when it
// is none of those.
func Forbidden(data []byte) string {
	switch {
	case bytes.HasPrefix(data, magicSQLite):
		return "une base SQLite (le registre de segur ou une autre base)"
	case isPKCS12(data):
		return "un certificat avec sa clé privée (PKCS#12)"
	case isDERKeyOrCert(data):
		return "un certificat ou une clé (DER)"
	case !binaryFormat(data) && hasPEM(data):
		return "un certificat ou une clé (bloc PEM « -----BEGIN »)"
	}
	return ""
}

// Is reports whether data has the content kind requires (an unknown kind
// never matches).
func Is(kind string, data []byte) bool {
	switch kind {
	case PDF:
		return isPDF(data)
	case OOXML:
		return zipHas(data, func(names []string, _ *zip.Reader) bool {
			return contains(names, func(n string) bool { return n == "[Content_Types].xml" }) &&
				contains(names, func(n string) bool { return strings.HasPrefix(n, "xl/") })
		})
	case ODF:
		return zipHas(data, func(_ []string, zr *zip.Reader) bool {
			return mimetype(zr) == "application/vnd.oasis.opendocument.spreadsheet"
		})
	case OLE:
		return bytes.HasPrefix(data, magicOLE)
	case Texte:
		return isText(data)
	}
	return false
}

// Describe says in French what data looks like, for a refusal: « un PDF »,
// « une archive zip », « du texte », « un contenu binaire non reconnu ».
func Describe(data []byte) string {
	switch {
	case len(data) == 0:
		return "un fichier vide"
	case isPDF(data):
		return "un PDF"
	case Is(OOXML, data):
		return "un classeur Excel (xlsx)"
	case Is(ODF, data):
		return "un classeur OpenDocument (ods)"
	case bytes.HasPrefix(data, magicZip):
		return "une archive zip"
	case bytes.HasPrefix(data, magicOLE):
		return "un document Office ancien format (OLE)"
	case isText(data):
		return "du texte"
	}
	return "un contenu binaire non reconnu"
}

func isPDF(data []byte) bool {
	return bytes.Contains(data[:min(len(data), 1024)], magicPDF)
}

// binaryFormat reports whether data starts as a PDF, a zip or an OLE file:
// those may hold any text inside (a PEM block quoted in a PDF is not a
// key file).
func binaryFormat(data []byte) bool {
	return bytes.HasPrefix(data, magicPDF) || bytes.HasPrefix(data, magicZip) || bytes.HasPrefix(data, magicOLE)
}

// hasPEM reports whether a line of data starts a PEM block.
func hasPEM(data []byte) bool {
	for i := 0; ; {
		j := bytes.Index(data[i:], pemBegin)
		if j < 0 {
			return false
		}
		at := i + j
		if at == 0 || data[at-1] == '\n' || data[at-1] == '\r' || isSpaceBefore(data, at) {
			return true
		}
		i = at + len(pemBegin)
	}
}

// isSpaceBefore reports whether only blanks separate at from its line's
// start.
func isSpaceBefore(data []byte, at int) bool {
	for k := at - 1; k >= 0; k-- {
		switch data[k] {
		case ' ', '\t':
			continue
		case '\n', '\r':
			return true
		}
		return false
	}
	return true
}

// isText reports whether data is text: no NUL and no control byte other
// than tab, line feed, form feed and carriage return (UTF-8, Latin-1 and
// Windows-1252 texts all pass).
func isText(data []byte) bool {
	for _, b := range data {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' {
			return false
		}
	}
	return true
}

// zipHas opens data as a zip (its central directory only) and applies ok.
func zipHas(data []byte, ok func(names []string, zr *zip.Reader) bool) bool {
	if !bytes.HasPrefix(data, magicZip) {
		return false
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	names := make([]string, 0, min(len(zr.File), 10000))
	for i, f := range zr.File {
		if i == 10000 {
			break
		}
		names = append(names, f.Name)
	}
	return ok(names, zr)
}

func contains(names []string, f func(string) bool) bool {
	for _, n := range names {
		if f(n) {
			return true
		}
	}
	return false
}

// mimetype reads the first entry of an ODF zip, « mimetype », bounded.
func mimetype(zr *zip.Reader) string {
	if len(zr.File) == 0 || zr.File[0].Name != "mimetype" {
		return ""
	}
	r, err := zr.File[0].Open()
	if err != nil {
		return ""
	}
	defer r.Close()                            // read-only: closing it loses nothing
	b, _ := io.ReadAll(io.LimitReader(r, 200)) // a hint for a message: what could be read is enough
	return strings.TrimSpace(string(b))
}

// der reads one DER (or BER, indefinite length) tag and length at data[i]:
// the tag, the start of the contents, their length (-1 when indefinite),
// and whether it could be read.
func der(data []byte, i int) (tag byte, start, length int, ok bool) {
	if i+2 > len(data) {
		return 0, 0, 0, false
	}
	tag, l := data[i], int(data[i+1])
	i += 2
	switch {
	case l < 0x80:
		return tag, i, l, true
	case l == 0x80:
		return tag, i, -1, true
	case l > 0x84:
		return 0, 0, 0, false
	}
	n := l & 0x7f
	if i+n > len(data) {
		return 0, 0, 0, false
	}
	length = 0
	for _, b := range data[i : i+n] {
		length = length<<8 | int(b)
	}
	return tag, i + n, length, true
}

// oidPKCS7 is 1.2.840.113549.1.7 (PKCS#7 content types), DER-encoded
// without its last arc.
var oidPKCS7 = []byte{0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07}

// isPKCS12 reports whether data has the shape of a PFX (RFC 7292):
// SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data or signedData, … } … }.
func isPKCS12(data []byte) bool {
	tag, i, _, ok := der(data, 0)
	if !ok || tag != 0x30 {
		return false
	}
	if !bytes.HasPrefix(data[i:], []byte{0x02, 0x01, 0x03}) {
		return false
	}
	tag, j, _, ok := der(data, i+3)
	if !ok || tag != 0x30 {
		return false
	}
	rest := data[j:]
	return bytes.HasPrefix(rest, oidPKCS7) && len(rest) > len(oidPKCS7) && (rest[len(oidPKCS7)] == 1 || rest[len(oidPKCS7)] == 2)
}

// isDERKeyOrCert reports whether data starts as a DER X.509 certificate
// (SEQUENCE { SEQUENCE { [0] { INTEGER 2 } … } }) or a private key
// (SEQUENCE { INTEGER 0, SEQUENCE (PKCS#8) or INTEGER (PKCS#1) … }).
func isDERKeyOrCert(data []byte) bool {
	tag, i, _, ok := der(data, 0)
	if !ok || tag != 0x30 {
		return false
	}
	if bytes.HasPrefix(data[i:], []byte{0x02, 0x01, 0x00}) && i+3 < len(data) && (data[i+3] == 0x30 || data[i+3] == 0x02) {
		return true
	}
	tag, j, _, ok := der(data, i)
	return ok && tag == 0x30 && bytes.HasPrefix(data[j:], []byte{0xA0, 0x03, 0x02, 0x01, 0x02})
}
