package pdfin

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/ascii85"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"sort"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
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

// Refusals of the bounds and of Read, in French: they are shown to the
// staff after « n'est pas un PDF lisible ».
var (
	errNotPDF      = fail(CauseNotPDF, "le fichier ne commence pas comme un PDF")
	errTooMany     = fail(CauseBounds, "trop d'objets ou de références internes : fichier anormal")
	errInflateBomb = fail(CauseBounds, "flux compressés trop volumineux une fois décompressés : fichier anormal")
	errTooManyPage = fail(CauseBounds, fmt.Sprintf("plus de %d pages", MaxPages))
	errUnreadable  = fail(CauseUnreadable, "structure illisible (fichier abîmé, tronqué ou chiffré)")
)

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

// Read reads data as a PDF segur can read and merge, more leniently than
// [Open] (the header may follow up to 1024 bytes of junk, PDF 32000-1
// annex H; the end is not checked, pdfcpu rebuilds a damaged
// cross-reference), within the same bounds on objects, references,
// decompressed bytes and pages, checked before pdfcpu parses it. Memory
// and time are bounded by the file's size (capped by the caller) and
// these constants, whatever the file holds.
func Read(data []byte) (d *Doc, err error) {
	defer catch(&err, "read")
	if !bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
		return nil, errNotPDF
	}
	if err := scanBounds(data); err != nil {
		return nil, err
	}
	ctx, err := readContext(data)
	if err != nil {
		return nil, &Error{Cause: CauseUnreadable, Message: errUnreadable.Message, cause: err}
	}
	if err := countPages(ctx); err != nil {
		return nil, &Error{Cause: CauseUnreadable, Message: errUnreadable.Message, cause: err}
	}
	if ctx.PageCount > MaxPages {
		return nil, errTooManyPage
	}
	return &Doc{data: data, ctx: ctx}, nil
}

// ReadOwn reads a PDF segur has just written itself (a render of its own,
// about to be signed or merged), as Read does but without the bounds scan:
// segur's writer made every object and stream of it, so the budget that
// guards against a hostile file would only cost (it was a quarter of a
// pack's CPU when every MOM and facture went through it). Never for bytes
// that came from outside: those go through Read, Open or Accept.
func ReadOwn(data []byte) (d *Doc, err error) {
	defer catch(&err, "read")
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return nil, errNotPDF
	}
	ctx, err := readContext(data)
	if err != nil {
		return nil, &Error{Cause: CauseUnreadable, Message: errUnreadable.Message, cause: err}
	}
	if err := countPages(ctx); err != nil {
		return nil, &Error{Cause: CauseUnreadable, Message: errUnreadable.Message, cause: err}
	}
	return &Doc{data: data, ctx: ctx}, nil
}

// scanBounds counts objects and references in the raw bytes and in the
// object streams, and the bytes every stream decodes to through its real
// /Filter chain (its dictionary read as a dictionary, an indirect filter
// resolved), against one budget over the whole file, stopping as soon as
// a bound is passed. Whatever its dictionary says, the bytes after each
// stream keyword are also tried as zlib data: a filter the reading of the
// dictionary missed cannot hide a bomb.
func scanBounds(data []byte) error { return scanBoundsFrom(data, 0) }

// scanBoundsFrom is scanBounds over the objects and streams from the
// offset from on (the bytes before it are segur's own, see OpenAfter):
// every stream whose keyword lies there, its dictionary read in the whole
// file (an indirect /Length or /Filter may be an object before from).
func scanBoundsFrom(data []byte, from int) error {
	var k keywordCounter
	k.Write(data[from:]) // keywordCounter's Write never fails
	if k.over() {
		return errTooMany
	}
	inflated := int64(0)
	dicts := newDictScan(data)
	for _, loc := range reStream.FindAllIndex(data[from:], MaxObjects+1) {
		loc[0], loc[1] = loc[0]+from, loc[1]+from
		if loc[0] > 0 && isRegular(data[loc[0]-1]) {
			continue // « endstream »
		}
		start := loc[1]
		budget := MaxInflated - inflated
		var n int64
		floor := true
		for i, d := range dicts.streamDicts(loc[0]) {
			if len(d.filters) == 1 && (d.filters[0] == "FlateDecode" || d.filters[0] == "Fl") {
				floor = false // decoded as zlib data already
			}
			w := io.Writer(io.Discard)
			if d.objStm && i == 0 {
				// The objects of an object stream count, once.
				w = &k
			}
			n = max(n, decodedSize(data, start, d.filters, d.earlyChange, budget, w))
			if k.over() {
				return errTooMany
			}
		}
		// The floor: the bytes as zlib data, whatever the dictionary says.
		if floor {
			n = max(n, decodedSize(data, start, []string{"FlateDecode"}, 1, budget, io.Discard))
		}
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

var reStream = regexp.MustCompile(`stream(\r\n|\n|\r)`)

// streamDict is what the scan needs of a stream's dictionary.
type streamDict struct {
	filters     []string
	earlyChange int
	objStm      bool
}

// maxDictTries bounds the « << » tried, backwards from a stream keyword,
// as the start of its dictionary.
const maxDictTries = 64

// maxDictReadings bounds the readings of one stream's dictionary kept (a
// « << » inside a string may start another that ends at the same « >> »).
const maxDictReadings = 4

// dictScan reads the dictionaries of a file's streams, in file order
// (scanBounds): the « << » of the file are found once, and each one
// whose reading ended without coming near the end of the bytes it was
// given is remembered as dead — read again with more bytes after it, it
// would be read the same and end at the same place, short of any later
// stream's keyword, so it can start no later stream's dictionary. Most of
// the 64 tries of a stream are such readings of the objects before it:
// without this, every one was read again for each later stream.
type dictScan struct {
	data  []byte
	opens []int  // every position of « << », ascending (overlapping ones too)
	dead  []bool // opens[i] cannot start the dictionary of a later stream
}

func newDictScan(data []byte) *dictScan {
	s := &dictScan{data: data}
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("<<"))
		if j < 0 {
			break
		}
		s.opens = append(s.opens, i+j)
		i += j + 1
	}
	s.dead = make([]bool, len(s.opens))
	return s
}

// streamDicts reads the dictionary that ends right before the stream
// keyword at kw: each « << » before it, nearest first, that starts a
// dictionary ending exactly there (a « << » inside a string may too: every
// reading is kept, and each decoded). Called with kw ascending.
func (s *dictScan) streamDicts(kw int) []streamDict {
	data := s.data
	end := dictEnd(data, kw)
	if end < 0 {
		return nil
	}
	var out []streamDict
	from := end - 2
	for try := 0; try < maxDictTries && from > 0; try++ {
		// The last « << » wholly before from (bytes.LastIndex(data[:from])).
		k := sort.SearchInts(s.opens, from-1) - 1
		if k < 0 {
			break
		}
		c := s.opens[k]
		from = c
		if s.dead[k] {
			continue
		}
		l := &lexer{buf: data[:end], pos: c}
		d, ok := readDict(l, 0)
		// Every byte the reading looked at lies within two of a position
		// l.pos took: when the farthest is 3 short of end, the end of the
		// bytes was never seen, and more bytes would change nothing.
		if max(l.far, l.pos)+3 <= end {
			s.dead[k] = true
		}
		if !ok || l.pos != end {
			continue
		}
		out = append(out, streamDictOf(data, d))
		if len(out) == maxDictReadings {
			break
		}
	}
	return out
}

// streamDictOf is what the bounds scan needs of a stream's dictionary d
// (read from data): its filters, whether it is an object stream, and its
// LZW EarlyChange (1 unless said).
func streamDictOf(data []byte, d pdfDict) streamDict {
	sd := streamDict{earlyChange: 1}
	sd.filters = filterNames(data, d["Filter"])
	if t, ok := d["Type"]; ok && len(t) == 1 && t[0].kind == tokName && string(t[0].str) == "ObjStm" {
		sd.objStm = true
	}
	if p, ok := d["DecodeParms"]; ok && len(p) == 1 && p[0].kind == tokDict && p[0].dict != nil {
		if e, ok := p[0].dict["EarlyChange"]; ok && len(e) == 1 && e[0].kind == tokNumber {
			sd.earlyChange = int(e[0].num)
		}
	}
	return sd
}

// pdfDict is a dictionary read by readDict: each key's value, as one
// token, or three for a reference (« 12 0 R »).
type pdfDict map[string][]token

// readDict reads a dictionary at l.pos (« << »), false when it is not one.
func readDict(l *lexer, depth int) (pdfDict, bool) {
	if depth > maxNesting || !bytes.HasPrefix(l.buf[l.pos:], []byte("<<")) {
		return nil, false
	}
	l.pos += 2
	d := pdfDict{}
	for {
		l.skipSpace()
		if l.pos >= len(l.buf) {
			return nil, false
		}
		if bytes.HasPrefix(l.buf[l.pos:], []byte(">>")) {
			l.pos += 2
			return d, true
		}
		key := l.next()
		if key.kind != tokName {
			return nil, false
		}
		v, ok := readValue(l, depth)
		if !ok {
			return nil, false
		}
		d[string(key.str)] = v
	}
}

// readValue reads one value: a token, a dictionary (kept in token.dict) or
// a reference.
func readValue(l *lexer, depth int) ([]token, bool) {
	l.skipSpace()
	if bytes.HasPrefix(l.buf[l.pos:], []byte("<<")) {
		d, ok := readDict(l, depth+1)
		return []token{{kind: tokDict, dict: d}}, ok
	}
	t := l.nextDepth(depth + 1)
	if t.kind == tokEOF {
		return nil, false
	}
	if t.kind == tokNumber {
		save := l.pos
		g, r := l.next(), l.next()
		if g.kind == tokNumber && r.kind == tokOperator && string(r.str) == "R" {
			return []token{t, g, r}, true
		}
		l.far = max(l.far, l.pos) // what the look-ahead read (dictScan)
		l.pos = save
	}
	return []token{t}, true
}

// filterNames is a /Filter value as names: a name, an array of names, or
// a reference to one, resolved in the raw bytes (the last definition of
// the object, as a later revision's wins).
func filterNames(data []byte, v []token) []string {
	if len(v) == 3 {
		v = resolveRaw(data, int(v[0].num), int(v[1].num))
	}
	if len(v) != 1 {
		return nil
	}
	switch v[0].kind {
	case tokName:
		return []string{string(v[0].str)}
	case tokArray:
		var out []string
		for _, e := range v[0].arr {
			if e.kind == tokName {
				out = append(out, string(e.str))
			}
		}
		return out
	}
	return nil
}

// resolveRaw reads the value of object n g as the raw bytes define it
// last, nil when it cannot.
func resolveRaw(data []byte, n, g int) []token {
	re, err := regexp.Compile(fmt.Sprintf(`(?:^|[^0-9])%d\s+%d\s+obj`, n, g))
	if err != nil {
		return nil
	}
	ms := re.FindAllIndex(data, -1)
	if len(ms) == 0 {
		return nil
	}
	l := &lexer{buf: data, pos: ms[len(ms)-1][1]}
	v, ok := readValue(l, 0)
	if !ok {
		return nil
	}
	return v
}

// decodedSize decodes the stream data at start through filters, writing
// the result to w, and returns its size, at most budget+1: every decoder
// stops at its own end of data, so the data is read from start to the end
// of the file whatever /Length or « endstream » say. A filter that cannot
// be read, or an image filter pdfcpu does not decode, ends the chain.
func decodedSize(data []byte, start int, filters []string, earlyChange int, budget int64, w io.Writer) (n int64) {
	defer func() {
		if recover() != nil {
			n = 0
		}
	}()
	var r io.Reader = bytes.NewReader(data[start:])
	for _, f := range filters {
		switch f {
		case "FlateDecode", "Fl":
			br := bufio.NewReader(r)
			head, err := br.Peek(2)
			if err != nil || (int(head[0])<<8|int(head[1]))%31 != 0 || head[0]&0x0f != 8 {
				return 0
			}
			zr, err := zlib.NewReader(br)
			if err != nil {
				return 0
			}
			defer zr.Close() // read-only: closing it loses nothing
			r = zr
		case "ASCII85Decode", "A85":
			r = ascii85.NewDecoder(&untilEOD{r: bufio.NewReader(r), eod: '~'})
		case "ASCIIHexDecode", "AHx":
			r = hex.NewDecoder(&hexDigits{r: bufio.NewReader(r)})
		case "RunLengthDecode", "RL":
			r = &runLength{r: bufio.NewReader(r)}
		case "LZWDecode", "LZW":
			lf, err := filter.NewFilter(filter.LZW, map[string]int{"EarlyChange": earlyChange}, budget+1)
			if err != nil {
				return 0
			}
			dr, err := lf.DecodeLength(io.LimitReader(r, int64(len(data))), budget+1)
			if err != nil && dr == nil {
				return 0
			}
			r = dr
		default:
			goto copy
		}
	}
copy:
	n, _ = io.Copy(w, io.LimitReader(r, budget+1)) // the bytes a broken stream gives before its error count against the budget; pdfcpu's own read then refuses it
	return n
}

// untilEOD reads up to (not including) the byte eod.
type untilEOD struct {
	r    *bufio.Reader
	eod  byte
	done bool
}

func (u *untilEOD) Read(p []byte) (int, error) {
	if u.done {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) {
		c, err := u.r.ReadByte()
		if err != nil || c == u.eod {
			u.done = true
			break
		}
		p[n] = c
		n++
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// hexDigits reads the hexadecimal digits of an ASCIIHex stream, up to
// « > », white space left out (an odd last digit is dropped).
type hexDigits struct {
	r    *bufio.Reader
	done bool
}

func (h *hexDigits) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && !h.done {
		c, err := h.r.ReadByte()
		switch {
		case err != nil || c == '>':
			h.done = true
		case isWhite(c):
		case c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			p[n] = c
			n++
		default:
			h.done = true
		}
	}
	if h.done && n%2 == 1 {
		n--
	}
	if n == 0 && h.done {
		return 0, io.EOF
	}
	return n, nil
}

// runLength decodes RunLengthDecode data (PDF 32000-1 § 7.4.5).
type runLength struct {
	r    *bufio.Reader
	run  int  // bytes of the current run left
	rep  bool // a repeated byte
	b    byte
	done bool
}

func (rl *runLength) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if rl.run == 0 {
			if rl.done {
				break
			}
			l, err := rl.r.ReadByte()
			if err != nil || l == 128 {
				rl.done = true
				break
			}
			if l < 128 {
				rl.run, rl.rep = int(l)+1, false
			} else {
				b, err := rl.r.ReadByte()
				if err != nil {
					rl.done = true
					break
				}
				rl.run, rl.rep, rl.b = 257-int(l), true, b
			}
		}
		if rl.rep {
			p[n] = rl.b
		} else {
			b, err := rl.r.ReadByte()
			if err != nil {
				rl.done = true
				break
			}
			p[n] = b
		}
		rl.run--
		n++
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// dictEnd is where the dictionary before the « stream » keyword at kw
// ends (just past its « >> », white space skipped), or -1 when no « >> »
// stands there.
func dictEnd(data []byte, kw int) int {
	end := kw
	for end > 0 && isWhite(data[end-1]) {
		end--
	}
	if end < 2 || data[end-1] != '>' || data[end-2] != '>' {
		return -1
	}
	return end
}
