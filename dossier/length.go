package dossier

import (
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Bounds on a text value: the documents wrap long values over several
// lines, but a value past these lengths is a mistake (a pasted file, a
// missing line break) that no page can show whole.
const (
	maxValueRunes = 500
	maxWordRunes  = 100
)

// lengthOK refuses a text value past maxValueRunes, or with one word past
// maxWordRunes, echoing only its start.
func (d *decoder) lengthOK(n *yaml.Node, path string) bool {
	v := strings.TrimSpace(n.Value)
	if utf8.RuneCountInString(v) > maxValueRunes {
		d.fail(n, path, "VALEUR_TROP_LONGUE", "valeur de %d caractères (« %s ») : %d au plus", utf8.RuneCountInString(v), Echo(v, 40), maxValueRunes)
		return false
	}
	for _, w := range strings.Fields(v) {
		if utf8.RuneCountInString(w) > maxWordRunes {
			d.fail(n, path, "VALEUR_TROP_LONGUE", "mot de %d caractères sans espace (« %s ») : %d au plus, pour qu'il tienne sur une ligne des documents", utf8.RuneCountInString(w), Echo(w, 40), maxWordRunes)
			return false
		}
	}
	return true
}

// Echo returns s as it may be shown in a message: at most max characters
// (then « … »), control characters written as \n, \t or U+XXXX.
func Echo(s string, max int) string {
	var b strings.Builder
	count := 0
	for _, r := range s {
		if count == max {
			b.WriteString("…")
			break
		}
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError:
			b.WriteString("U+")
			const hex = "0123456789ABCDEF"
			b.WriteByte(hex[r>>12&0xf])
			b.WriteByte(hex[r>>8&0xf])
			b.WriteByte(hex[r>>4&0xf])
			b.WriteByte(hex[r&0xf])
		default:
			b.WriteRune(r)
		}
		count++
	}
	return b.String()
}
