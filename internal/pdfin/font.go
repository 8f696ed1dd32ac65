package pdfin

import (
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// maxWidthEntries bounds the glyph widths read from a /W array.
const maxWidthEntries = 1 << 17

// cidWidthRange gives width w to CIDs lo..hi.
type cidWidthRange struct {
	lo, hi uint32
	w      float64
}

// pdfFont holds what text extraction needs from a font dictionary: how to
// split a string into codes, how to map codes to text, and glyph widths.
type pdfFont struct {
	codeLen int   // default code length in bytes: 2 for Type0, 1 otherwise
	toUni   *cmap // ToUnicode CMap, if any
	encCMap *cmap // embedded Type0 encoding CMap (codespaces only), if any
	simple  bool  // simple font: 1-byte codes, enc applies
	enc     [256]rune
	scale   float64 // glyph space to text space: 1/1000, or FontMatrix[0] for Type3

	firstChar int       // simple fonts: first code in widths
	widths    []float64 // simple fonts: /Widths
	missingW  float64   // simple fonts: /MissingWidth
	core      string    // standard 14 font name, for pdfcpu's metrics

	cidW  map[uint32]float64 // Type0: /W single entries
	cidWR []cidWidthRange    // Type0: /W ranges
	dw    float64            // Type0: /DW
}

// defaultFont is used when no (valid) font is selected: 1-byte WinAnsi codes
// and an average width, so that text still comes out.
func defaultFont() *pdfFont {
	return &pdfFont{codeLen: 1, simple: true, enc: encodingTable(""), scale: 0.001, missingW: 500}
}

// glyph is one decoded character code.
type glyph struct {
	text  string  // Unicode text (may be empty or several runes)
	w     float64 // horizontal displacement in text space for a size-1 font
	space bool    // single-byte code 32: word spacing applies
}

// decode splits s into codes and calls fn for each of them.
func (f *pdfFont) decode(s []byte, fn func(glyph)) {
	for i := 0; i < len(s); {
		n := f.toUni.codeLen(s[i:])
		if n == 0 {
			n = f.encCMap.codeLen(s[i:])
		}
		if n == 0 {
			n = f.codeLen
		}
		if i+n > len(s) {
			n = len(s) - i
		}
		code, _ := codeOf(s[i : i+n])
		i += n
		fn(glyph{text: f.text(code, n), w: f.width(code) * f.scale, space: n == 1 && code == 32})
	}
}

func (f *pdfFont) text(code uint32, n int) string {
	if f.toUni != nil {
		if s, ok := f.toUni.lookup(code, n); ok {
			return s
		}
	}
	if f.simple {
		if code < 256 && f.enc[code] != 0 {
			return string(f.enc[code])
		}
		return ""
	}
	return "\uFFFD"
}

func (f *pdfFont) width(code uint32) float64 {
	if f.simple {
		if i := int(code) - f.firstChar; code < 256 && i >= 0 && i < len(f.widths) {
			return f.widths[i]
		}
		if f.core != "" && code < 256 {
			if w, err := font.CharWidth(f.core, rune(code)); err == nil {
				return float64(w)
			}
		}
		return f.missingW
	}
	if w, ok := f.cidW[code]; ok {
		return w
	}
	for _, r := range f.cidWR {
		if code >= r.lo && code <= r.hi {
			return r.w
		}
	}
	return f.dw
}

// number returns a numeric PDF object as float64.
func number(xt *model.XRefTable, o types.Object) (float64, bool) {
	o, err := xt.Dereference(o)
	if err != nil {
		return 0, false
	}
	switch v := o.(type) {
	case types.Integer:
		return float64(v.Value()), true
	case types.Float:
		return v.Value(), true
	}
	return 0, false
}

func dictEntry(xt *model.XRefTable, d types.Dict, key string) types.Dict {
	o, ok := d.Find(key)
	if !ok {
		return nil
	}
	dd, err := xt.DereferenceDict(o)
	if err != nil {
		return nil
	}
	return dd
}

func arrayEntry(xt *model.XRefTable, d types.Dict, key string) types.Array {
	o, ok := d.Find(key)
	if !ok {
		return nil
	}
	a, err := xt.DereferenceArray(o)
	if err != nil {
		return nil
	}
	return a
}

func nameEntry(xt *model.XRefTable, d types.Dict, key string) string {
	o, ok := d.Find(key)
	if !ok {
		return ""
	}
	o, err := xt.Dereference(o)
	if err != nil {
		return ""
	}
	if n, ok := o.(types.Name); ok {
		return n.Value()
	}
	return ""
}

// streamContent returns the decoded content of a stream object, or nil.
func streamContent(xt *model.XRefTable, o types.Object) []byte {
	sd, _, err := xt.DereferenceStreamDict(o)
	if err != nil || sd == nil {
		return nil
	}
	if err := sd.Decode(); err != nil {
		return nil
	}
	return sd.Content
}

// loadFont builds a pdfFont from a font dictionary. It is lenient: missing
// or malformed entries degrade the result instead of failing.
func loadFont(xt *model.XRefTable, d types.Dict) *pdfFont {
	f := &pdfFont{scale: 0.001}
	subtype := nameEntry(xt, d, "Subtype")
	if o, ok := d.Find("ToUnicode"); ok {
		if data := streamContent(xt, o); data != nil {
			f.toUni = parseCMap(data)
		}
	}
	if subtype == "Type0" {
		f.codeLen = 2
		f.dw = 1000
		if o, ok := d.Find("Encoding"); ok {
			if data := streamContent(xt, o); data != nil {
				f.encCMap = parseCMap(data)
			}
		}
		if desc := arrayEntry(xt, d, "DescendantFonts"); len(desc) > 0 {
			if cd, err := xt.DereferenceDict(desc[0]); err == nil && cd != nil {
				f.loadCIDWidths(xt, cd)
			}
		}
		return f
	}

	f.codeLen = 1
	f.simple = true
	base := ""
	var diffs types.Array
	if o, ok := d.Find("Encoding"); ok {
		if o, err := xt.Dereference(o); err == nil {
			switch v := o.(type) {
			case types.Name:
				base = v.Value()
			case types.Dict:
				base = nameEntry(xt, v, "BaseEncoding")
				diffs = arrayEntry(xt, v, "Differences")
			}
		}
	}
	f.enc = encodingTable(base)
	code := -1
	for _, o := range diffs {
		o, err := xt.Dereference(o)
		if err != nil {
			continue
		}
		switch v := o.(type) {
		case types.Integer:
			code = v.Value()
		case types.Name:
			if code >= 0 && code < 256 {
				f.enc[code] = glyphRune(v.Value())
			}
			code++
		}
	}

	baseFont := nameEntry(xt, d, "BaseFont")
	if i := strings.IndexByte(baseFont, '+'); i >= 0 {
		baseFont = baseFont[i+1:] // subset prefix "ABCDEF+"
	}
	if font.IsCoreFont(baseFont) {
		f.core = baseFont
	}
	if fc, ok := d.Find("FirstChar"); ok {
		if v, ok := number(xt, fc); ok && v >= 0 && v < 256 {
			f.firstChar = int(v)
		}
	}
	for i, o := range arrayEntry(xt, d, "Widths") {
		if i >= 256 {
			break
		}
		v, _ := number(xt, o)
		f.widths = append(f.widths, v)
	}
	if fd := dictEntry(xt, d, "FontDescriptor"); fd != nil {
		if o, ok := fd.Find("MissingWidth"); ok {
			f.missingW, _ = number(xt, o)
		}
	}
	if f.widths == nil && f.core == "" && f.missingW == 0 {
		f.missingW = 500 // no metrics at all: assume an average glyph
	}
	if subtype == "Type3" {
		if m := arrayEntry(xt, d, "FontMatrix"); len(m) == 6 {
			if v, ok := number(xt, m[0]); ok && v != 0 {
				f.scale = v
			}
		}
	}
	return f
}

// loadCIDWidths reads /DW and /W of a CIDFont (PDF 32000-1 §9.7.4.3).
func (f *pdfFont) loadCIDWidths(xt *model.XRefTable, cd types.Dict) {
	if o, ok := cd.Find("DW"); ok {
		if v, ok := number(xt, o); ok {
			f.dw = v
		}
	}
	w := arrayEntry(xt, cd, "W")
	f.cidW = map[uint32]float64{}
	entries := 0
	for i := 0; i+1 < len(w) && entries < maxWidthEntries; {
		first, ok := number(xt, w[i])
		if !ok || first < 0 || first > 1<<32-1 {
			return
		}
		o, err := xt.Dereference(w[i+1])
		if err != nil {
			return
		}
		if a, ok := o.(types.Array); ok {
			for j, e := range a {
				if v, ok := number(xt, e); ok {
					f.cidW[uint32(first)+uint32(j)] = v
				}
				entries++
			}
			i += 2
			continue
		}
		if i+2 >= len(w) {
			return
		}
		last, ok1 := number(xt, w[i+1])
		v, ok2 := number(xt, w[i+2])
		if !ok1 || !ok2 || last < first || last > 1<<32-1 {
			return
		}
		f.cidWR = append(f.cidWR, cidWidthRange{lo: uint32(first), hi: uint32(last), w: v})
		entries++
		i += 3
	}
}
