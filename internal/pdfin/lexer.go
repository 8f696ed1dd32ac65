package pdfin

import (
	"bytes"
	"math"
	"strconv"
)

// tokKind is the kind of a content stream token.
type tokKind int

const (
	tokEOF tokKind = iota
	tokNumber
	tokName
	tokString // literal or hex string, decoded to raw bytes
	tokArray
	tokDict // dictionaries are parsed but their content is not kept
	tokOperator
)

// Limits protecting the lexer against hostile input.
const (
	maxNesting     = 32      // nested arrays / dictionaries
	maxArrayLen    = 1 << 16 // elements kept per array
	maxOperands    = 64      // operands kept before an operator
	maxStringBytes = 1 << 20 // bytes kept per string
)

// token is one content stream token. Arrays carry their elements.
type token struct {
	kind tokKind
	num  float64
	str  []byte // name (without '/'), string bytes or operator keyword
	arr  []token
	dict pdfDict // a dictionary's entries, when read by readDict
}

// lexer tokenizes a PDF content stream or CMap (PDF 32000-1 §7.2, §7.3).
// It never fails: malformed input yields best-effort tokens and eventually
// tokEOF.
type lexer struct {
	buf []byte
	pos int
	far int // the farthest pos before a look-ahead moved back (readValue)
}

func isWhite(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isRegular(c byte) bool { return !isWhite(c) && !isDelim(c) }

// skipSpace skips white space and comments.
func (l *lexer) skipSpace() {
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		if isWhite(c) {
			l.pos++
			continue
		}
		if c == '%' {
			for l.pos < len(l.buf) && l.buf[l.pos] != '\n' && l.buf[l.pos] != '\r' {
				l.pos++
			}
			continue
		}
		return
	}
}

// next returns the next token.
func (l *lexer) next() token { return l.nextDepth(0) }

func (l *lexer) nextDepth(depth int) token {
	for {
		l.skipSpace()
		if l.pos >= len(l.buf) {
			return token{kind: tokEOF}
		}
		c := l.buf[l.pos]
		switch {
		case c == '/':
			l.pos++
			return token{kind: tokName, str: l.name()}
		case c == '(':
			l.pos++
			return token{kind: tokString, str: l.literalString()}
		case c == '<' && l.pos+1 < len(l.buf) && l.buf[l.pos+1] == '<':
			l.pos += 2
			l.skipUntilClose(depth, '>')
			return token{kind: tokDict}
		case c == '<':
			l.pos++
			return token{kind: tokString, str: l.hexString()}
		case c == '[':
			l.pos++
			return token{kind: tokArray, arr: l.array(depth)}
		case c == ']' || c == '>' || c == ')' || c == '{' || c == '}':
			// Unbalanced delimiter (or PostScript braces in CMaps): skip it.
			l.pos++
			continue
		case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
			if t, ok := l.number(); ok {
				return t
			}
			return l.keyword()
		default:
			return l.keyword()
		}
	}
}

func (l *lexer) keyword() token {
	start := l.pos
	for l.pos < len(l.buf) && isRegular(l.buf[l.pos]) {
		l.pos++
	}
	if l.pos == start { // cannot happen for a non-delimiter, but never loop forever
		l.pos++
	}
	return token{kind: tokOperator, str: l.buf[start:l.pos]}
}

func (l *lexer) number() (token, bool) {
	start := l.pos
	for l.pos < len(l.buf) && isRegular(l.buf[l.pos]) {
		l.pos++
	}
	s := string(l.buf[start:l.pos])
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// PDF writers sometimes emit "--1" or "1.2.3"; strconv rejects
		// them, so try the longest valid prefix before giving up.
		for end := len(s) - 1; end > 0; end-- {
			if g, err2 := strconv.ParseFloat(s[:end], 64); err2 == nil {
				return token{kind: tokNumber, num: finiteOr0(g)}, true
			}
		}
		l.pos = start
		return token{}, false
	}
	return token{kind: tokNumber, num: finiteOr0(f)}, true
}

// finiteOr0 maps ±Inf and NaN (strconv accepts "+Inf", "-NaN"…) to 0.
func finiteOr0(f float64) float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0
	}
	return f
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func (l *lexer) name() []byte {
	var out []byte
	for l.pos < len(l.buf) && isRegular(l.buf[l.pos]) {
		c := l.buf[l.pos]
		if c == '#' && l.pos+2 < len(l.buf) {
			h, ok1 := hexVal(l.buf[l.pos+1])
			lo, ok2 := hexVal(l.buf[l.pos+2])
			if ok1 && ok2 {
				out = append(out, h<<4|lo)
				l.pos += 3
				continue
			}
		}
		out = append(out, c)
		l.pos++
	}
	return out
}

// literalString reads a (…) string; the opening parenthesis is consumed.
func (l *lexer) literalString() []byte {
	var out []byte
	depth := 1
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return out
			}
		case '\\':
			if l.pos >= len(l.buf) {
				return out
			}
			e := l.buf[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r': // line continuation
				if l.pos < len(l.buf) && l.buf[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && l.pos < len(l.buf) && l.buf[l.pos] >= '0' && l.buf[l.pos] <= '7'; i++ {
						v = v*8 + int(l.buf[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e // \( \) \\ and unknown escapes
				}
			}
		}
		if len(out) < maxStringBytes {
			out = append(out, c)
		}
	}
	return out
}

// hexString reads a <…> string; the opening bracket is consumed.
func (l *lexer) hexString() []byte {
	var out []byte
	var hi byte
	half := false
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		l.pos++
		if c == '>' {
			break
		}
		v, ok := hexVal(c)
		if !ok {
			continue // white space or garbage
		}
		if half {
			if len(out) < maxStringBytes {
				out = append(out, hi<<4|v)
			}
			half = false
		} else {
			hi = v
			half = true
		}
	}
	if half && len(out) < maxStringBytes {
		out = append(out, hi<<4) // odd number of digits: last one is followed by 0
	}
	return out
}

// array reads elements up to the closing bracket; '[' is consumed.
func (l *lexer) array(depth int) []token {
	var out []token
	if depth >= maxNesting {
		l.skipUntilClose(depth, ']')
		return nil
	}
	for {
		l.skipSpace()
		if l.pos >= len(l.buf) {
			return out
		}
		if l.buf[l.pos] == ']' {
			l.pos++
			return out
		}
		t := l.nextDepth(depth + 1)
		if t.kind == tokEOF {
			return out
		}
		if len(out) < maxArrayLen {
			out = append(out, t)
		}
	}
}

// skipUntilClose skips a dictionary ("<<" consumed, close = '>') or an array
// (close = ']') including nested strings, arrays and dictionaries.
func (l *lexer) skipUntilClose(depth int, closeCh byte) {
	if depth >= maxNesting {
		// Too deep: stop at the next close delimiter, whatever nests inside.
		for l.pos < len(l.buf) && l.buf[l.pos] != closeCh {
			l.pos++
		}
		if l.pos < len(l.buf) {
			l.pos++
		}
		return
	}
	for {
		l.skipSpace()
		if l.pos >= len(l.buf) {
			return
		}
		c := l.buf[l.pos]
		if closeCh == '>' && c == '>' {
			l.pos++
			if l.pos < len(l.buf) && l.buf[l.pos] == '>' {
				l.pos++
			}
			return
		}
		if closeCh == ']' && c == ']' {
			l.pos++
			return
		}
		if l.nextDepth(depth+1).kind == tokEOF {
			return
		}
	}
}

// skipInlineImage skips the binary data of an inline image; it is called
// right after the "ID" operator and stops after the matching "EI".
func (l *lexer) skipInlineImage() {
	// A single white-space byte follows ID.
	if l.pos < len(l.buf) && isWhite(l.buf[l.pos]) {
		l.pos++
	}
	for {
		i := bytes.Index(l.buf[l.pos:], []byte("EI"))
		if i < 0 {
			l.pos = len(l.buf)
			return
		}
		at := l.pos + i
		before := at == 0 || isWhite(l.buf[at-1])
		after := at+2 >= len(l.buf) || isWhite(l.buf[at+2]) || isDelim(l.buf[at+2])
		l.pos = at + 2
		if before && after {
			return
		}
	}
}
