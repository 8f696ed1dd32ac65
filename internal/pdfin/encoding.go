package pdfin

import (
	"strconv"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Simple-font encodings (PDF 32000-1 Annex D), used only when a font has no
// ToUnicode CMap.

// latin1Names are the glyph names of U+00A0..U+00FF, in order.
var latin1Names = strings.Fields(`space exclamdown cent sterling currency yen brokenbar section
dieresis copyright ordfeminine guillemotleft logicalnot hyphen registered macron
degree plusminus twosuperior threesuperior acute mu paragraph periodcentered
cedilla onesuperior ordmasculine guillemotright onequarter onehalf threequarters questiondown
Agrave Aacute Acircumflex Atilde Adieresis Aring AE Ccedilla
Egrave Eacute Ecircumflex Edieresis Igrave Iacute Icircumflex Idieresis
Eth Ntilde Ograve Oacute Ocircumflex Otilde Odieresis multiply
Oslash Ugrave Uacute Ucircumflex Udieresis Yacute Thorn germandbls
agrave aacute acircumflex atilde adieresis aring ae ccedilla
egrave eacute ecircumflex edieresis igrave iacute icircumflex idieresis
eth ntilde ograve oacute ocircumflex otilde odieresis divide
oslash ugrave uacute ucircumflex udieresis yacute thorn ydieresis`)

// asciiNames are the glyph names of U+0020..U+007E, in order.
var asciiNames = strings.Fields(`space exclam quotedbl numbersign dollar percent ampersand quotesingle
parenleft parenright asterisk plus comma hyphen period slash
zero one two three four five six seven eight nine colon semicolon less equal greater question
at A B C D E F G H I J K L M N O P Q R S T U V W X Y Z bracketleft backslash bracketright asciicircum underscore
grave a b c d e f g h i j k l m n o p q r s t u v w x y z braceleft bar braceright asciitilde`)

// winAnsiHigh maps WinAnsiEncoding codes 0x80..0x9F; 0 means undefined.
var winAnsiHigh = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}

// standardHigh lists the StandardEncoding codes that differ from Latin-1.
var standardHigh = map[byte]rune{
	0x27: '’', 0x60: '‘',
	0xA1: '¡', 0xA2: '¢', 0xA3: '£', 0xA4: '⁄', 0xA5: '¥', 0xA6: 'ƒ', 0xA7: '§',
	0xA8: '¤', 0xA9: '\'', 0xAA: '“', 0xAB: '«', 0xAC: '‹', 0xAD: '›', 0xAE: 'ﬁ',
	0xAF: 'ﬂ', 0xB1: '–', 0xB2: '†', 0xB3: '‡', 0xB4: '·', 0xB6: '¶', 0xB7: '•',
	0xB8: '‚', 0xB9: '„', 0xBA: '”', 0xBB: '»', 0xBC: '…', 0xBD: '‰', 0xBF: '¿',
	0xC1: '`', 0xC2: '´', 0xC3: 'ˆ', 0xC4: '˜', 0xC5: '¯', 0xC6: '˘', 0xC7: '˙',
	0xC8: '¨', 0xCA: '˚', 0xCB: '¸', 0xCD: '˝', 0xCE: '˛', 0xCF: 'ˇ', 0xD0: '—',
	0xE1: 'Æ', 0xE3: 'ª', 0xE8: 'Ł', 0xE9: 'Ø', 0xEA: 'Œ', 0xEB: 'º', 0xF1: 'æ',
	0xF5: 'ı', 0xF8: 'ł', 0xF9: 'ø', 0xFA: 'œ', 0xFB: 'ß',
}

// extraGlyphNames complements the ASCII and Latin-1 names.
var extraGlyphNames = map[string]rune{
	"Euro": '€', "quotesinglbase": '‚', "florin": 'ƒ', "quotedblbase": '„',
	"ellipsis": '…', "dagger": '†', "daggerdbl": '‡', "circumflex": 'ˆ',
	"perthousand": '‰', "Scaron": 'Š', "guilsinglleft": '‹', "OE": 'Œ',
	"Zcaron": 'Ž', "quoteleft": '‘', "quoteright": '’', "quotedblleft": '“',
	"quotedblright": '”', "bullet": '•', "endash": '–', "emdash": '—',
	"tilde": '˜', "trademark": '™', "scaron": 'š', "guilsinglright": '›',
	"oe": 'œ', "zcaron": 'ž', "Ydieresis": 'Ÿ', "fi": 'ﬁ', "fl": 'ﬂ',
	"fraction": '⁄', "dotlessi": 'ı', "Lslash": 'Ł', "lslash": 'ł',
	"breve": '˘', "dotaccent": '˙', "ring": '˚', "hungarumlaut": '˝',
	"ogonek": '˛', "caron": 'ˇ', "minus": '−', "nbspace": '\u00a0',
	"sfthyphen": '\u00ad', "periodcentered": '·', "middot": '·',
	"Omega": 'Ω', "mu": 'µ', "apostrophe": '\'',
}

var glyphNames = buildGlyphNames()

func buildGlyphNames() map[string]rune {
	m := make(map[string]rune, len(asciiNames)+len(latin1Names)+len(extraGlyphNames))
	for i, n := range asciiNames {
		m[n] = rune(0x20 + i)
	}
	for i, n := range latin1Names {
		if i == 0 || i == 0x0D { // keep "space" and "hyphen" on their ASCII code points
			continue
		}
		m[n] = rune(0xA0 + i)
	}
	for n, r := range extraGlyphNames {
		m[n] = r
	}
	return m
}

// glyphRune maps a glyph name to a rune: the tables above, then the
// "uniXXXX" and "uXXXX[XX]" conventions of the Adobe Glyph List, then
// suffixed names such as "eacute.sc" or "f_i". It returns 0 when unknown.
func glyphRune(name string) rune {
	if r, ok := glyphNames[name]; ok {
		return r
	}
	if strings.HasPrefix(name, "uni") && len(name) >= 7 {
		if v, err := strconv.ParseUint(name[3:7], 16, 32); err == nil {
			return rune(v)
		}
	}
	if strings.HasPrefix(name, "u") && len(name) >= 5 && len(name) <= 7 {
		if v, err := strconv.ParseUint(name[1:], 16, 32); err == nil && v <= 0x10FFFF {
			return rune(v)
		}
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		return glyphRune(name[:i])
	}
	return 0
}

// encodingTable returns the 256-entry code-to-rune table of a named base
// encoding. Unknown names fall back to WinAnsiEncoding, the encoding used by
// gofpdf core fonts.
func encodingTable(name string) [256]rune {
	var t [256]rune
	switch name {
	case "MacRomanEncoding":
		dec := charmap.Macintosh
		for c := 0; c < 256; c++ {
			t[c] = dec.DecodeByte(byte(c))
		}
	case "StandardEncoding":
		for c := 0x20; c < 0x7F; c++ {
			t[c] = rune(c)
		}
		for c, r := range standardHigh {
			t[c] = r
		}
	default: // WinAnsiEncoding
		for c := 0x20; c < 0x7F; c++ {
			t[c] = rune(c)
		}
		for c := 0x80; c < 0xA0; c++ {
			t[c] = winAnsiHigh[c-0x80]
		}
		for c := 0xA0; c < 0x100; c++ {
			t[c] = rune(c)
		}
	}
	t['\t'], t['\n'], t['\r'] = ' ', ' ', ' '
	return t
}
