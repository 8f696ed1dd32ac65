package dossier

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// controlChar finds the first control character YAML forbids (NUL, …;
// tab, line feed and carriage return are allowed), as line and column from
// 1, and the character.
func controlChar(b []byte) (line, col int, c rune, found bool) {
	line, col = 1, 1
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == '\n':
			line, col = line+1, 1
		case (r < 0x20 && r != '\t' && r != '\r') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfffe || r == 0xffff:
			return line, col, r, true
		default:
			col++
		}
		b = b[size:]
	}
	return 0, 0, 0, false
}

// errorLine finds the line a YAML syntax error really stands on. yaml.v3
// reports some errors (a bad indentation in a block) at the line where the
// enclosing block starts; the first line at which a prefix of the text stops
// parsing is the real one. The search is a bisection: O(n log n).
func errorLine(text []byte, reported int) int {
	lines := bytes.SplitAfter(text, []byte("\n"))
	fails := func(k int) bool {
		var n yaml.Node
		err := yaml.Unmarshal(bytes.Join(lines[:k], nil), &n)
		// A prefix cut inside a quoted value or a bracket ends early:
		// that is the cut, not the error.
		return err != nil && !strings.Contains(err.Error(), "end of stream")
	}
	if !fails(len(lines)) {
		return reported
	}
	lo, hi := 1, len(lines) // fails(hi) is true
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if hi > reported {
		return hi
	}
	return reported
}
