package render

import (
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/segur-sons/segur/templates"
)

// TestMaxAdvance checks the bound fitText relies on to skip measuring short
// words: no glyph of the embedded fonts is wider than maxAdvance em.
func TestMaxAdvance(t *testing.T) {
	t.Parallel()
	for _, name := range []string{templates.FontRegular, templates.FontBold} {
		data, err := templates.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := sfnt.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		var buf sfnt.Buffer
		upm := fixed.Int26_6(f.UnitsPerEm())
		for i := range f.NumGlyphs() {
			adv, err := f.GlyphAdvance(&buf, sfnt.GlyphIndex(i), upm, font.HintingNone)
			if err != nil {
				t.Fatal(err)
			}
			if em := float64(adv) / float64(upm); em > maxAdvance {
				t.Errorf("%s: glyph %d is %.3f em wide, more than maxAdvance (%.2f)", name, i, em, maxAdvance)
			}
		}
	}
}
