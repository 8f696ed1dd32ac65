package pdfin

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
)

// Accept is the one rule for the PDFs of a dépôt, shared by pack (what it
// puts in a zip) and check (what it reads back): [Open], then
// [Doc.Accept]. The error is an *Error, a French sentence saying why, for
// the user to act on.
func Accept(data []byte) error {
	d, err := Open(data)
	if err != nil {
		return err
	}
	return d.Accept()
}

// Open reads data as a PDF segur did not write: it is not empty, starts
// like a PDF, is within the bounds of the whole file (objects,
// references, every stream decoded through its real /Filter chain against
// one budget: scanBounds) before pdfcpu parses anything, ends like a PDF
// (it is not cut short), pdfcpu reads it in relaxed mode, and it is not
// password-protected. The file is read, not yet validated: read what is
// needed (text, drawing, signatures, objects), then call [Doc.Accept],
// which validates it — validation repairs some structures in place.
func Open(data []byte) (d *Doc, err error) { return open(data, 0) }

// OpenAfter is Open for a file that may begin with a PDF segur wrote
// itself, own (the unsigned document it rendered and handed out for
// signature, which a signing tool extends by an incremental update): when
// data starts with own, the bounds scan reads only the bytes after it —
// own's objects and streams are segur's writer's, bounded as [ReadOwn]
// says. What follows own cannot change how own's streams decode as long
// as their dictionaries name their filters, parameters and lengths
// directly: an object redefined by an update could otherwise become the
// filter of one of them. A file whose own part refers to any of these
// indirectly (segur's writer never does) is scanned whole, as is a file
// that does not start with own; pdfcpu reads every file whole.
func OpenAfter(data, own []byte) (d *Doc, err error) {
	from := 0
	if len(own) > 0 && bytes.HasPrefix(data, own) && !indirectStreamKeys(own) {
		from = len(own)
	}
	return open(data, from)
}

// indirectStreamKeys reports whether data holds « /Filter », « /DecodeParms »
// or « /Length » followed by an indirect reference (« 12 0 R »), anywhere:
// in a stream's dictionary or not (a match elsewhere only costs a whole
// scan).
func indirectStreamKeys(data []byte) bool {
	for _, key := range [][]byte{[]byte("/Filter"), []byte("/DecodeParms"), []byte("/Length")} {
		for rest := data; ; {
			i := bytes.Index(rest, key)
			if i < 0 {
				break
			}
			rest = rest[i+len(key):]
			if isReference(rest) {
				return true
			}
		}
	}
	return false
}

// isReference reports whether b starts with « N G R »: white space, digits,
// white space, digits, white space, then « R » ending its token.
func isReference(b []byte) bool {
	p := 0
	for _, part := range []func(byte) bool{isWhite, isDigit, isWhite, isDigit, isWhite} {
		n := p
		for p < len(b) && part(b[p]) {
			p++
		}
		if p == n {
			return false
		}
	}
	return p < len(b) && b[p] == 'R' && (p+1 == len(b) || !isRegular(b[p+1]))
}

func open(data []byte, from int) (d *Doc, err error) {
	defer catch(&err, "open")
	if len(data) == 0 {
		return nil, fail(CauseEmpty, "le fichier est vide")
	}
	if !bytes.HasPrefix(bytes.TrimLeft(data[:min(len(data), 1024)], "\x00\t\n\f\r "), []byte("%PDF-")) {
		return nil, fail(CauseNotPDF, "ce n'est pas un PDF (il ne commence pas par %PDF-)")
	}
	// Bounded before pdfcpu parses anything (objects, references,
	// decompressed bytes): a hostile file costs a message, not the memory.
	if err := scanBoundsFrom(data, from); err != nil {
		return nil, err
	}
	if err := checkEnd(bytes.NewReader(data)); err != nil {
		return nil, fail(CauseTruncated, "il ne se termine pas comme un PDF (« %%EOF ») : fichier tronqué, ou octets ajoutés après la fin par une copie ou un outil")
	}
	ctx, err := readContext(data)
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "password") || strings.Contains(strings.ToLower(err.Error()), "encrypt") {
			return nil, fail(CauseEncrypted, "le PDF est protégé par un mot de passe : déposez une version sans protection")
		}
		return nil, &Error{Cause: CauseUnreadable, Message: fmt.Sprintf("le PDF est illisible (%s)", short(err)), cause: err}
	}
	if ctx.Encrypt != nil {
		return nil, fail(CauseEncrypted, "le PDF est chiffré : déposez une version sans protection")
	}
	return &Doc{data: data, ctx: ctx}, nil
}

// Accept validates the file (pdfcpu, relaxed mode: what real scanners,
// converters and signing tools write passes — tested: img2pdf,
// Ghostscript, qpdf —, unlike strict mode, which refuses a « D:…Z » date
// or a catalog version entry they commonly write) and requires one page
// at least and [MaxPages] at most. Validation changes the parsed file in
// place: call Accept after reading what is needed of d.
func (d *Doc) Accept() (err error) {
	defer catch(&err, "accept")
	// Validation counts the pages itself, as on a file just read.
	d.ctx.PageCount = 0
	if err := api.ValidateContext(d.ctx); err != nil {
		return &Error{Cause: CauseInvalid, Message: fmt.Sprintf("la structure du PDF est invalide (%s)", short(err)), cause: err}
	}
	if err := d.ctx.EnsurePageCount(); err != nil || d.ctx.PageCount == 0 {
		return fail(CauseNoPage, "le PDF n'a aucune page")
	}
	if d.ctx.PageCount > MaxPages {
		return errTooManyPage
	}
	return nil
}

// short is the first line of a pdfcpu error, without its package prefix.
func short(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

var _ = errors.New
