package gofpdf

// segur patch: a per-process cache of the embedded subset of each UTF-8
// font. Upstream re-cut the font, re-computed its width array and
// re-compressed its 128 KB CIDToGIDMap for every document, although all three
// depend only on the font and on the set of runes the document uses. The
// output bytes are exactly those upstream writes.

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// cutFont is what putfonts writes for one UTF-8 font and rune set.
type cutFont struct {
	fontStream  []byte // the subset font, zlib-compressed
	fontSize    int    // its uncompressed length (/Length1)
	widths      string // the /W array of the CIDFont
	cidToGidMap []byte // the CIDToGIDMap stream, zlib-compressed
}

// maxCutFonts bounds the cache: a quarter's documents share a few rune sets;
// past the bound, new sets are computed and not kept.
const maxCutFonts = 512

var (
	cutFontsMu sync.Mutex
	cutFonts   = map[string]*cutFont{}
)

// cutFontFor returns the subset of font for the runes used, from the cache
// or computed (and cached) with upstream's code.
func cutFontFor(font *fontDefType, usedRunes map[int]int) (*cutFont, error) {
	key := cutFontKey(font, usedRunes)
	cutFontsMu.Lock()
	c, ok := cutFonts[key]
	cutFontsMu.Unlock()
	if ok {
		return c, nil
	}
	utf := font.utf8File
	if utf == nil {
		utf = newUTF8Font(&fileReader{readerPosition: 0, array: font.utf8Bytes})
		if err := utf.parseFile(); err != nil {
			return nil, err
		}
	}
	stream := utf.GenerateCutFont(usedRunes)
	c = &cutFont{fontStream: sliceCompress(stream), fontSize: len(stream)}
	dict := utf.CodeSymbolDictionary
	delete(dict, 0)
	c.widths = generateCIDFontMap(font, utf.LastRune)
	m := make([]byte, 256*256*2)
	for cc, glyph := range dict {
		m[cc*2] = byte(glyph >> 8)
		m[cc*2+1] = byte(glyph & 0xFF)
	}
	c.cidToGidMap = sliceCompress(m)
	cutFontsMu.Lock()
	if len(cutFonts) < maxCutFonts {
		cutFonts[key] = c
	}
	cutFontsMu.Unlock()
	return c, nil
}

// cutFontKey names a font (its id, a hash of its bytes and key) and a rune
// set (the sorted runes, and the count each maps to, which upstream reads).
func cutFontKey(font *fontDefType, usedRunes map[int]int) string {
	runes := make([]int, 0, len(usedRunes))
	for r := range usedRunes {
		runes = append(runes, r)
	}
	slices.Sort(runes)
	b := make([]byte, 0, len(font.i)+len(font.Name)+2+len(runes)*6)
	b = append(b, font.i...)
	b = append(b, 0)
	b = append(b, font.Name...)
	b = append(b, 0)
	for _, r := range runes {
		b = binary.AppendUvarint(b, uint64(r))
		b = binary.AppendUvarint(b, uint64(usedRunes[r]))
	}
	return string(b)
}

// parsedFont is what a document needs of a UTF-8 font's metrics. Its
// width table (256 K ints) is shared read-only by every document.
type parsedFont struct {
	desc   FontDescType
	up, ut int
	cw     []int
	id     string
}

var parsedFonts sync.Map // fontkey|sha1 → *parsedFont

// fontBytesAt is where the bytes of a font lie: maroto hands the same
// slice for every document.
type fontBytesAt struct {
	fontkey string
	p       *byte
	n       int
}

// knownFontBytes is a font's key in parsedFonts, with a copy of the bytes
// it was computed from (the slice handed may have changed since).
type knownFontBytes struct {
	bytes []byte
	key   string
}

var (
	fontKeys     sync.Map // fontBytesAt → *knownFontBytes
	fontKeyCount atomic.Int32
)

// maxFontKeys bounds fontKeys: a process uses a few fonts.
const maxFontKeys = 64

// parsedFontKey is fontkey and the SHA-1 of the font's bytes; the SHA-1
// is computed once per slice and kept with a copy of the bytes, compared
// instead of hashed again for every document (segur patch).
func parsedFontKey(fontkey string, utf8Bytes []byte) string {
	var at fontBytesAt
	if len(utf8Bytes) > 0 {
		at = fontBytesAt{fontkey, &utf8Bytes[0], len(utf8Bytes)}
		if v, ok := fontKeys.Load(at); ok {
			if k := v.(*knownFontBytes); bytes.Equal(k.bytes, utf8Bytes) {
				return k.key
			}
		}
	}
	key := fmt.Sprintf("%s|%x", fontkey, sha1.Sum(utf8Bytes))
	if len(utf8Bytes) > 0 && fontKeyCount.Add(1) <= maxFontKeys {
		fontKeys.Store(at, &knownFontBytes{bytes: bytes.Clone(utf8Bytes), key: key})
	}
	return key
}

// parsedUTF8Font parses the metrics of a UTF-8 font once per process.
func parsedUTF8Font(fontkey string, utf8Bytes []byte) (*parsedFont, error) {
	key := parsedFontKey(fontkey, utf8Bytes)
	if p, ok := parsedFonts.Load(key); ok {
		return p.(*parsedFont), nil
	}
	utf8File := newUTF8Font(&fileReader{readerPosition: 0, array: utf8Bytes})
	if err := utf8File.parseFile(); err != nil {
		return nil, err
	}
	p := &parsedFont{
		desc: FontDescType{
			Ascent:       int(utf8File.Ascent),
			Descent:      int(utf8File.Descent),
			CapHeight:    utf8File.CapHeight,
			Flags:        utf8File.Flags,
			FontBBox:     utf8File.Bbox,
			ItalicAngle:  utf8File.ItalicAngle,
			StemV:        utf8File.StemV,
			MissingWidth: round(utf8File.DefaultWidth),
		},
		up: int(round(utf8File.UnderlinePosition)),
		ut: round(utf8File.UnderlineThickness),
		cw: utf8File.CharWidths,
	}
	var err error
	if p.id, err = generateFontID(fontDefType{Tp: "UTF8", Name: fontkey, Desc: p.desc, Up: p.up, Ut: p.ut, Cw: p.cw}); err != nil {
		return nil, err
	}
	actual, _ := parsedFonts.LoadOrStore(key, p)
	return actual.(*parsedFont), nil
}

// fontSelect is upstream's sprintf("BT /F%s %.2f Tf ET", id, size) without
// fmt: maroto selects a font for every text it measures, and fmt's
// reflection was a tenth of the rendering time (segur patch).
func fontSelect(id string, size float64) string {
	return string(appendFontSelect(make([]byte, 0, 16+len(id)), id, size))
}

func appendFontSelect(b []byte, id string, size float64) []byte {
	b = append(b, "BT /F"...)
	b = append(b, id...)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, size, 'f', 2, 64)
	return append(b, " Tf ET"...)
}

// outFontSelect is out(fontSelect(…)) for the current font, without a
// string made for each of the hundreds of selections of a document (segur
// patch).
func (f *Fpdf) outFontSelect() {
	var a [80]byte
	b := append(appendFontSelect(a[:0], f.currentFont.i, f.fontSizePt), '\n')
	if f.state == 2 {
		f.pages[f.page].Write(b)
	} else {
		f.buffer.Write(b)
	}
}

// sizeHint is the largest size seen of a kind of buffer (a page's content,
// a whole document), to allocate the next one at once instead of doubling
// it a dozen times as it fills: the documents of a run are much alike
// (segur patch; the bytes written are the same).
type sizeHint struct{ n atomic.Int64 }

// maxSizeHint bounds a hint: one large document does not make every
// later one allocate as much.
const maxSizeHint = 1 << 20

func (h *sizeHint) get() int { return int(h.n.Load()) }

func (h *sizeHint) see(n int) {
	for n <= maxSizeHint {
		old := h.n.Load()
		if int64(n) <= old || h.n.CompareAndSwap(old, int64(n)) {
			return
		}
	}
}

var pageHint, docHint sizeHint

// newPage is an empty page buffer, sized for a page.
func newPage() *bytes.Buffer {
	var b bytes.Buffer
	b.Grow(pageHint.get())
	return &b
}

// textOp is upstream's sprintf("BT %.2f %.2f Td (%s) Tj ET", x, y, txt)
// without fmt: maroto draws every line of text with it (segur patch).
func textOp(x, y float64, txt string) string {
	b := make([]byte, 0, 32+len(txt))
	b = append(b, "BT "...)
	b = strconv.AppendFloat(b, x, 'f', 2, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, y, 'f', 2, 64)
	b = append(b, " Td ("...)
	b = append(b, txt...)
	b = append(b, ") Tj ET"...)
	return string(b)
}

// colorOp is upstream's colour operator of rgbColorValue: sprintf("%.3f
// %s", …) for a grey, sprintf("%.3f %.3f %.3f %s", …) for a colour, or the
// three components alone without operators, without fmt (segur patch).
func colorOp(clr colorType, grayStr, fullStr string) string {
	b := make([]byte, 0, 24)
	b = strconv.AppendFloat(b, clr.r, 'f', 3, 64)
	if len(grayStr) > 0 && clr.gray {
		return string(append(append(b, ' '), grayStr...))
	}
	b = append(b, ' ')
	b = strconv.AppendFloat(b, clr.g, 'f', 3, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, clr.b, 'f', 3, 64)
	if len(grayStr) > 0 {
		b = append(append(b, ' '), fullStr...)
	}
	return string(b)
}
