package pdfin

import (
	"sort"
	"unicode/utf16"
)

// Limits on CMap content, against hostile files.
const (
	maxCMapEntries = 1 << 17
	maxCodespaces  = 64
)

// codespace is one codespace range: codes of n bytes between lo and hi.
type codespace struct {
	n      int
	lo, hi uint32
}

// cmapKey identifies a code together with its byte length, since <20> and
// <0020> are different codes.
type cmapKey struct {
	n    int
	code uint32
}

// bfRange maps codes lo..hi (n bytes each) either to dst with its last
// UTF-16 unit incremented by code-lo, or to one entry of arr.
type bfRange struct {
	n      int
	lo, hi uint32
	dst    []uint16
	arr    []string
}

// cmap is a parsed ToUnicode CMap (PDF 32000-1 §9.10.3). Only what text
// extraction needs is kept: codespace ranges, bfchar and bfrange mappings.
type cmap struct {
	spaces []codespace
	chars  map[cmapKey]string
	ranges []bfRange // sorted by (n, lo)
}

func codeOf(b []byte) (uint32, int) {
	if len(b) > 4 {
		b = b[len(b)-4:]
	}
	var v uint32
	for _, c := range b {
		v = v<<8 | uint32(c)
	}
	return v, len(b)
}

func utf16Units(b []byte) []uint16 {
	if len(b)%2 == 1 { // malformed: treat each byte as a unit
		u := make([]uint16, len(b))
		for i, c := range b {
			u[i] = uint16(c)
		}
		return u
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return u
}

func utf16String(u []uint16) string { return string(utf16.Decode(u)) }

// parseCMap parses CMap data. It is lenient: anything it does not
// understand is skipped, and it never fails.
func parseCMap(data []byte) *cmap {
	cm := &cmap{chars: map[cmapKey]string{}}
	lx := &lexer{buf: data}
	entries := 0
	for {
		t := lx.next()
		if t.kind == tokEOF {
			break
		}
		if t.kind != tokOperator {
			continue
		}
		switch string(t.str) {
		case "begincodespacerange":
			for {
				lo, hi, ok := cmapPair(lx)
				if !ok {
					break
				}
				if len(lo) == 0 || len(lo) > 4 || len(cm.spaces) >= maxCodespaces {
					continue
				}
				l, n := codeOf(lo)
				h, _ := codeOf(hi)
				cm.spaces = append(cm.spaces, codespace{n: n, lo: l, hi: h})
			}
		case "beginbfchar":
			for {
				src, ok := cmapString(lx)
				if !ok {
					break
				}
				dst := lx.next()
				if entries >= maxCMapEntries || len(src) == 0 || len(src) > 4 {
					continue
				}
				var s string
				switch dst.kind {
				case tokString:
					s = utf16String(utf16Units(dst.str))
				case tokName:
					if r := glyphRune(string(dst.str)); r != 0 {
						s = string(r)
					}
				default:
					continue
				}
				c, n := codeOf(src)
				cm.chars[cmapKey{n, c}] = s
				entries++
			}
		case "beginbfrange":
			for {
				lo, hi, ok := cmapPair(lx)
				if !ok {
					break
				}
				dst := lx.next()
				if entries >= maxCMapEntries || len(lo) == 0 || len(lo) > 4 {
					continue
				}
				l, n := codeOf(lo)
				h, _ := codeOf(hi)
				if h < l {
					continue
				}
				r := bfRange{n: n, lo: l, hi: h}
				switch dst.kind {
				case tokString:
					r.dst = utf16Units(dst.str)
					if len(r.dst) == 0 {
						continue
					}
				case tokArray:
					r.arr = []string{} // non-nil: selects the array form
					for _, e := range dst.arr {
						if uint32(len(r.arr)) > h-l {
							break
						}
						if e.kind == tokString {
							r.arr = append(r.arr, utf16String(utf16Units(e.str)))
						} else {
							r.arr = append(r.arr, "")
						}
					}
				default:
					continue
				}
				cm.ranges = append(cm.ranges, r)
				entries++
			}
		}
	}
	sort.SliceStable(cm.ranges, func(i, j int) bool {
		a, b := cm.ranges[i], cm.ranges[j]
		if a.n != b.n {
			return a.n < b.n
		}
		return a.lo < b.lo
	})
	return cm
}

// cmapString reads the next string of a begin…end section; ok is false at
// the end keyword, at EOF or on any other unexpected token.
func cmapString(lx *lexer) ([]byte, bool) {
	t := lx.next()
	if t.kind != tokString {
		return nil, false
	}
	return t.str, true
}

func cmapPair(lx *lexer) (lo, hi []byte, ok bool) {
	lo, ok = cmapString(lx)
	if !ok {
		return nil, nil, false
	}
	hi, ok = cmapString(lx)
	return lo, hi, ok
}

// lookup returns the text mapped to an n-byte code.
func (cm *cmap) lookup(code uint32, n int) (string, bool) {
	if s, ok := cm.chars[cmapKey{n, code}]; ok {
		return s, true
	}
	// Last range with (n, lo) <= (n, code).
	i := sort.Search(len(cm.ranges), func(i int) bool {
		r := cm.ranges[i]
		return r.n > n || (r.n == n && r.lo > code)
	}) - 1
	// Ranges may overlap: look a few ranges back for an enclosing one.
	for steps := 0; i >= 0 && cm.ranges[i].n == n && steps < 8; i, steps = i-1, steps+1 {
		r := cm.ranges[i]
		if code < r.lo || code > r.hi {
			continue
		}
		off := code - r.lo
		if r.arr != nil {
			if int(off) < len(r.arr) {
				return r.arr[off], true
			}
			return "", false
		}
		if len(r.dst) == 0 {
			return "", false
		}
		u := make([]uint16, len(r.dst))
		copy(u, r.dst)
		u[len(u)-1] += uint16(off)
		return utf16String(u), true
	}
	return "", false
}

// codeLen returns the byte length of the code starting at b according to
// the codespace ranges, or 0 when no range matches.
func (cm *cmap) codeLen(b []byte) int {
	if cm == nil {
		return 0
	}
	for n := 1; n <= 4 && n <= len(b); n++ {
		c, _ := codeOf(b[:n])
		for _, s := range cm.spaces {
			if s.n == n && c >= s.lo && c <= s.hi {
				return n
			}
		}
	}
	return 0
}
