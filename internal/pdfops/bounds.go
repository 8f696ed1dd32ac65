package pdfops

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"regexp"
)

// Bounds on a PDF that a client supplies (a pièce, a traité, a signed VA),
// checked on its raw bytes before pdfcpu parses it: pdfcpu holds every
// object and decompresses every object stream in memory, so these bounds
// are what keeps a hostile file from exhausting memory or time.
const (
	MaxObjects    = 200_000  // indirect objects ("n g obj"), raw and in object streams
	MaxReferences = 1000_000 // indirect references ("n g R")
	MaxInflated   = 64 << 20 // bytes decompressed from all Flate streams pdfcpu decodes
	MaxPages      = 2000
)

// Errors of CheckClientPDF, in French: they are shown to the staff after
// « n'est pas un PDF lisible ».
var (
	errNotPDF      = errors.New("le fichier ne commence pas comme un PDF")
	errTooMany     = errors.New("trop d'objets ou de références internes : fichier anormal")
	errInflateBomb = errors.New("flux compressés trop volumineux une fois décompressés : fichier anormal")
	errTooManyPage = fmt.Errorf("plus de %d pages", MaxPages)
	errUnreadable  = errors.New("structure illisible (fichier abîmé, tronqué ou chiffré)")
)

var reStream = regexp.MustCompile(`stream\r?\n`)

// keywordCounter counts, in bytes written to it in any chunks, the
// keywords "R" (a reference, "12 0 R") and "obj" ("12 0 obj") that follow
// a number: a linear scan that allocates nothing.
type keywordCounter struct {
	refs, objs int
	prev       [2]byte // the last two bytes seen
}

func (k *keywordCounter) Write(p []byte) (int, error) {
	a, b := k.prev[0], k.prev[1]
	for i, c := range p {
		switch c {
		case 'R':
			if isWhite(b) && isDigit(a) {
				k.refs++
			}
		case 'o':
			if isWhite(b) && isDigit(a) && i+2 < len(p) && p[i+1] == 'b' && p[i+2] == 'j' {
				k.objs++
			}
		}
		if !isWhite(c) || !isWhite(b) {
			a, b = b, c // runs of white space count as one
		}
	}
	k.prev = [2]byte{a, b}
	return len(p), nil
}

func (k *keywordCounter) over() bool { return k.refs > MaxReferences || k.objs > MaxObjects }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// CheckClientPDF says whether data is a PDF segur can read and merge,
// within bounds on objects, references, decompressed bytes and pages.
// Memory and time are bounded by the file's size (capped by the caller)
// and these constants, whatever the file holds.
func CheckClientPDF(data []byte) (err error) {
	defer catch(&err, "check")
	// The header may follow up to 1024 bytes of junk (PDF 32000-1 annex H).
	if !bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
		return errNotPDF
	}
	if err := scanBounds(data); err != nil {
		return err
	}
	n, err := PageCount(bytes.NewReader(data))
	if err != nil {
		return errUnreadable
	}
	if n > MaxPages {
		return errTooManyPage
	}
	return nil
}

// scanBounds counts objects and references in the raw bytes and in the
// object streams, and the bytes every Flate stream inflates to, stopping
// as soon as a bound is passed.
func scanBounds(data []byte) error {
	var k keywordCounter
	k.Write(data)
	if k.over() {
		return errTooMany
	}
	inflated := int64(0)
	for _, loc := range reStream.FindAllIndex(data, MaxObjects+1) {
		start := loc[1]
		dict := data[max(0, loc[0]-512):loc[0]]
		if i := bytes.LastIndex(dict, []byte("obj")); i >= 0 {
			dict = dict[i:]
		}
		if !bytes.Contains(dict, []byte("/FlateDecode")) && !bytes.Contains(dict, []byte("/Fl ")) && !bytes.Contains(dict, []byte("/Fl/")) {
			continue
		}
		end := bytes.Index(data[start:], []byte("endstream"))
		if end < 0 {
			end = len(data) - start
		}
		zr, err := zlib.NewReader(bytes.NewReader(data[start : start+end]))
		if err != nil {
			continue // pdfcpu will say whether it is readable
		}
		// Objects inside an object stream count too; other streams
		// (pages' contents, images) only for their inflated size.
		var w io.Writer = io.Discard
		if bytes.Contains(dict, []byte("/ObjStm")) {
			w = &k
		}
		budget := MaxInflated - inflated
		n, _ := io.Copy(w, io.LimitReader(zr, budget+1))
		zr.Close()
		inflated += n
		if inflated > MaxInflated {
			return errInflateBomb
		}
		if k.over() {
			return errTooMany
		}
	}
	return nil
}
