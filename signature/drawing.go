package signature

import (
	"fmt"
	"math"
	"strings"

	"github.com/segur-sons/segur/internal/pdfin"
)

// A VA rewritten before its first signature (pdf-lib saves the whole
// file anew) is not segur's bytes: it is compared whole with the VA segur
// rendered (issue 20, item 4). Every glyph with its position, size,
// colour and rendering mode, every painted path and image with its box
// and colour must be found again, within these tolerances (points): a
// reservation added, a box ticked or blanked only in the drawing, a text
// made invisible or moved is VA_MODIFIEE.
const (
	drawTolerance = 0.5
	sizeTolerance = 0.1
)

// drawingDiffs says what got draws differently from want, page by page
// (nil when the same; one line when either cannot be read).
func drawingDiffs(got *pdfin.Doc, want []byte) []string {
	w, err := pdfin.Drawing(want)
	if err != nil {
		return nil // segur's own VA: nothing to compare against
	}
	g, err := got.Drawing()
	if err != nil {
		return []string{"son contenu est illisible"}
	}
	var out []string
	if len(g) != len(w) {
		out = append(out, fmt.Sprintf("%d page(s) au lieu de %d", len(g), len(w)))
	}
	for i := range min(len(g), len(w)) {
		out = append(out, pageDiffs(i+1, g[i], w[i])...)
	}
	if len(out) > 8 {
		out = append(out[:8], fmt.Sprintf("et %d autre(s) différence(s)", len(out)-8))
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) <= drawTolerance }

func pageDiffs(page int, got, want pdfin.PageDrawing) []string {
	var out []string
	// Glyphs: each of segur's matched once by one the same at the same place.
	byText := map[string][]int{}
	for i, gl := range want.Glyphs {
		byText[gl.Text] = append(byText[gl.Text], i)
	}
	used := make([]bool, len(want.Glyphs))
	added := make([]bool, len(got.Glyphs))
	for i, gl := range got.Glyphs {
		if blank(gl) {
			continue
		}
		found := false
		for _, j := range byText[gl.Text] {
			wg := want.Glyphs[j]
			if !used[j] && near(gl.X, wg.X) && near(gl.Y, wg.Y) && math.Abs(gl.Size-wg.Size) <= sizeTolerance && gl.Color == wg.Color && gl.Mode == wg.Mode {
				used[j], found = true, true
				break
			}
		}
		added[i] = !found
	}
	spaces(got.Glyphs, added)
	for _, run := range runs(got.Glyphs, added) {
		out = append(out, fmt.Sprintf("page %d : texte ajouté, déplacé ou redessiné « %s »", page, run))
	}
	removed := make([]bool, len(want.Glyphs))
	for j := range used {
		removed[j] = !used[j] && !blank(want.Glyphs[j])
	}
	spaces(want.Glyphs, removed)
	for _, run := range runs(want.Glyphs, removed) {
		out = append(out, fmt.Sprintf("page %d : texte de la VA absent ou déplacé « %s »", page, run))
	}
	// Marks: the same, by kind, box and colour.
	mused := make([]bool, len(want.Marks))
	var extra []pdfin.Mark
	for _, m := range got.Marks {
		found := false
		for j, wm := range want.Marks {
			if !mused[j] && m.Op == wm.Op && m.Color == wm.Color && near(m.Box[0], wm.Box[0]) && near(m.Box[1], wm.Box[1]) && near(m.Box[2], wm.Box[2]) && near(m.Box[3], wm.Box[3]) {
				mused[j], found = true, true
				break
			}
		}
		if !found {
			extra = append(extra, m)
		}
	}
	if len(extra) > 0 {
		out = append(out, fmt.Sprintf("page %d : %d tracé(s) ou image(s) ajouté(s) ou modifié(s) (%s)", page, len(extra), markWhere(extra[0])))
	}
	var missing []pdfin.Mark
	for j, wm := range want.Marks {
		if !mused[j] {
			missing = append(missing, wm)
		}
	}
	if len(missing) > 0 {
		out = append(out, fmt.Sprintf("page %d : %d tracé(s) ou image(s) de la VA absent(s) ou modifié(s) (%s)", page, len(missing), markWhere(missing[0])))
	}
	return out
}

// runs joins the flagged glyphs that follow one another into strings.
func runs(gs []pdfin.Glyph, flagged []bool) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if s := strings.TrimSpace(b.String()); s != "" {
			if r := []rune(s); len(r) > 60 {
				s = string(r[:60]) + "…"
			}
			out = append(out, s)
		}
		b.Reset()
	}
	for i, g := range gs {
		if !flagged[i] {
			flush()
			continue
		}
		if i > 0 && flagged[i-1] && math.Abs(gs[i-1].Y-g.Y) > g.Size/2 {
			b.WriteByte(' ')
		}
		b.WriteString(g.Text)
	}
	flush()
	return out
}

func markWhere(m pdfin.Mark) string {
	kind := map[string]string{"f": "surface remplie", "S": "trait", "B": "surface remplie et tracée", "image": "image"}[m.Op]
	return fmt.Sprintf("%s en %.0f,%.0f–%.0f,%.0f", kind, m.Box[0], m.Box[1], m.Box[2], m.Box[3])
}

// blank glyphs (spaces) are not compared: writers draw or skip them.
func blank(g pdfin.Glyph) bool { return strings.TrimSpace(g.Text) == "" }

// spaces flags a blank glyph between two flagged ones, so that a run
// reads with its spaces.
func spaces(gs []pdfin.Glyph, flagged []bool) {
	for i := 1; i+1 < len(gs); i++ {
		if blank(gs[i]) && flagged[i-1] {
			for j := i + 1; j < len(gs); j++ {
				if !blank(gs[j]) {
					flagged[i] = flagged[j]
					break
				}
			}
		}
	}
}
