package pdfin

import (
	"errors"
	"fmt"

	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Limits bounding the work done on one page, against hostile files.
const (
	maxPages      = 100000
	maxGlyphs     = 1 << 20 // glyphs kept per page
	maxOperators  = 1 << 22 // operators interpreted per page, forms included
	maxStateDepth = 256     // nested q operators
	maxFormDepth  = 8       // nested form XObjects
)

// kerningSpace is the TJ adjustment, in thousandths of an em, beyond which
// a space is assumed between two strings (PDF writers kern with less).
const kerningSpace = 200

// gapSpace is the horizontal gap, as a fraction of the font size, beyond
// which two glyphs on the same line are separated by a space.
const gapSpace = 0.2

// textOf returns the text of each page of ctx, one string per
// page, lines separated by "\n". Lines are ordered top to bottom and the
// glyphs of a line left to right; a single space is inserted wherever
// glyphs on the same line are separated by a visible gap, and Unicode space
// separators (such as U+00A0 or U+202F) are returned as plain spaces.
//
// Glyphs are mapped to text with the fonts' ToUnicode CMaps, falling back to
// the font encoding (WinAnsi, MacRoman, Standard, Differences) for simple
// fonts. Form XObjects are followed.
func textOf(ctx *model.Context) (pages []string, err error) {
	defer catch(&err, "text")
	n, err := pagesOf(ctx)
	if err != nil {
		return nil, err
	}
	ex := &extractor{xt: ctx.XRefTable, fonts: map[int]*pdfFont{}}
	for i := 1; i <= n; i++ {
		s, err := ex.page(i)
		if err != nil {
			return nil, &Error{Cause: CauseUnreadable, Message: fmt.Sprintf("texte illisible page %d", i), cause: err}
		}
		pages = append(pages, s)
	}
	return pages, nil
}

// pagesOf is the number of pages of ctx whose content is read, at most
// maxPages.
func pagesOf(ctx *model.Context) (int, error) {
	if ctx.PageCount == 0 {
		if err := countPages(ctx); err != nil {
			return 0, &Error{Cause: CauseUnreadable, Message: "arbre des pages illisible", cause: err}
		}
	}
	return min(ctx.PageCount, maxPages), nil
}

// matrix is a PDF transformation matrix [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (m applied first).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2],
		m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2],
		m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4],
		m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func translate(tx, ty float64) matrix { return matrix{1, 0, 0, 1, tx, ty} }

// charBox is one shown glyph in device space.
type charBox struct {
	x, y   float64 // origin
	x2     float64 // origin of the next glyph
	size   float64 // effective font size
	text   string
	kerned bool   // preceded by a large TJ adjustment
	color  string // fill colour operands (Drawing only)
	mode   int    // text rendering mode (Tr)
}

// gstate is the part of the graphics state text extraction needs.
type gstate struct {
	ctm                      matrix
	font                     *pdfFont
	size, tc, tw, th, tl, ts float64
	fill, stroke             string // colour operands, for Drawing
	tr                       int    // text rendering mode
}

// extractor interprets page content streams and collects glyphs.
type extractor struct {
	xt       *model.XRefTable
	fonts    map[int]*pdfFont // fonts by object number
	chars    []charBox
	ops      int
	visiting map[int]bool // form XObjects being interpreted (cycle guard)
	marks    []Mark       // painted paths and images, for Drawing
}

// page returns the text of page i.
func (ex *extractor) page(i int) (string, error) {
	d, _, inh, err := ex.xt.PageDict(i, false)
	if err != nil {
		return "", fmt.Errorf("page dict: %w", err)
	}
	content, err := ex.xt.PageContent(d, i)
	if errors.Is(err, model.ErrNoContent) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("content: %w", err)
	}
	var res types.Dict
	if inh != nil {
		res = inh.Resources
	}
	ex.chars = ex.chars[:0]
	ex.ops = 0
	ex.visiting = map[int]bool{}
	ex.run(content, res, identity, 0)
	return layout(ex.chars), nil
}

func nums(ops []token, n int) ([]float64, bool) {
	if len(ops) < n {
		return nil, false
	}
	out := make([]float64, n)
	for i, t := range ops[len(ops)-n:] {
		if t.kind != tokNumber {
			return nil, false
		}
		out[i] = t.num
	}
	return out, true
}

// run interprets one content stream with resources res and initial CTM ctm.
func (ex *extractor) run(content []byte, res types.Dict, ctm matrix, depth int) {
	lx := &lexer{buf: content}
	gs := gstate{ctm: ctm, th: 1, font: defaultFont(), size: 1}
	var stack []gstate
	tm, tlm := identity, identity
	var ops []token

	var path [4]float64
	inPath := false
	point := func(x, y float64) {
		m := translate(x, y).mul(gs.ctm)
		x, y = m[4], m[5]
		if !inPath {
			path, inPath = [4]float64{x, y, x, y}, true
			return
		}
		path = [4]float64{min(path[0], x), min(path[1], y), max(path[2], x), max(path[3], y)}
	}
	points := func(n int) {
		if v, ok := nums(ops, n); ok {
			for i := 0; i+1 < n; i += 2 {
				point(v[i], v[i+1])
			}
		}
	}
	paint := func(op string) {
		if inPath && len(ex.marks) < maxGlyphs {
			color := gs.fill
			if op == "S" {
				color = gs.stroke
			}
			ex.marks = append(ex.marks, Mark{Op: op, Box: path, Color: color})
		}
		inPath = false
	}
	operands := func() string {
		var b strings.Builder
		for _, o := range ops {
			switch o.kind {
			case tokNumber:
				fmt.Fprintf(&b, "%g ", o.num)
			case tokName:
				b.WriteString("/" + string(o.str) + " ")
			}
		}
		return strings.TrimSpace(b.String())
	}

	newLine := func(tx, ty float64) {
		tlm = translate(tx, ty).mul(tlm)
		tm = tlm
	}
	show := func(s []byte, kerned bool) {
		gs.font.decode(s, func(g glyph) {
			trm := matrix{gs.size * gs.th, 0, 0, gs.size, 0, gs.ts}.mul(tm).mul(gs.ctm)
			tx := (g.w*gs.size + gs.tc) * gs.th
			if g.space {
				tx += gs.tw * gs.th
			}
			tm = translate(tx, 0).mul(tm)
			if len(ex.chars) >= maxGlyphs {
				return
			}
			end := tm.mul(gs.ctm)
			ex.chars = append(ex.chars, charBox{
				x: trm[4], y: trm[5], x2: end[4],
				size:   math.Hypot(trm[2], trm[3]),
				text:   g.text,
				kerned: kerned,
				color:  gs.fill,
				mode:   gs.tr,
			})
			kerned = false
		})
	}

	for {
		t := lx.next()
		if t.kind == tokEOF {
			return
		}
		if t.kind != tokOperator {
			if len(ops) < maxOperands {
				ops = append(ops, t)
			}
			continue
		}
		ex.ops++
		if ex.ops > maxOperators {
			return
		}
		switch string(t.str) {
		case "q":
			if len(stack) < maxStateDepth {
				stack = append(stack, gs)
			}
		case "Q":
			if len(stack) > 0 {
				gs = stack[len(stack)-1]
				stack = stack[:len(stack)-1]
			}
		case "cm":
			if v, ok := nums(ops, 6); ok {
				gs.ctm = matrix{v[0], v[1], v[2], v[3], v[4], v[5]}.mul(gs.ctm)
			}
		case "BT":
			tm, tlm = identity, identity
		case "Tf":
			if len(ops) >= 2 && ops[len(ops)-2].kind == tokName && ops[len(ops)-1].kind == tokNumber {
				gs.font = ex.font(res, string(ops[len(ops)-2].str))
				gs.size = ops[len(ops)-1].num
			}
		case "Tc":
			if v, ok := nums(ops, 1); ok {
				gs.tc = v[0]
			}
		case "Tw":
			if v, ok := nums(ops, 1); ok {
				gs.tw = v[0]
			}
		case "Tz":
			if v, ok := nums(ops, 1); ok {
				gs.th = v[0] / 100
			}
		case "TL":
			if v, ok := nums(ops, 1); ok {
				gs.tl = v[0]
			}
		case "Ts":
			if v, ok := nums(ops, 1); ok {
				gs.ts = v[0]
			}
		case "Td":
			if v, ok := nums(ops, 2); ok {
				newLine(v[0], v[1])
			}
		case "TD":
			if v, ok := nums(ops, 2); ok {
				gs.tl = -v[1]
				newLine(v[0], v[1])
			}
		case "Tm":
			if v, ok := nums(ops, 6); ok {
				tlm = matrix{v[0], v[1], v[2], v[3], v[4], v[5]}
				tm = tlm
			}
		case "T*":
			newLine(0, -gs.tl)
		case "Tj":
			if len(ops) > 0 && ops[len(ops)-1].kind == tokString {
				show(ops[len(ops)-1].str, false)
			}
		case "'":
			newLine(0, -gs.tl)
			if len(ops) > 0 && ops[len(ops)-1].kind == tokString {
				show(ops[len(ops)-1].str, false)
			}
		case "\"":
			if len(ops) >= 3 && ops[len(ops)-1].kind == tokString {
				if v, ok := nums(ops[:len(ops)-1], 2); ok {
					gs.tw, gs.tc = v[0], v[1]
				}
				newLine(0, -gs.tl)
				show(ops[len(ops)-1].str, false)
			}
		case "TJ":
			if len(ops) > 0 && ops[len(ops)-1].kind == tokArray {
				kerned := false
				for _, e := range ops[len(ops)-1].arr {
					switch e.kind {
					case tokString:
						show(e.str, kerned)
						kerned = false
					case tokNumber:
						tm = translate(-e.num/1000*gs.size*gs.th, 0).mul(tm)
						if e.num < -kerningSpace {
							kerned = true
						}
					}
				}
			}
		case "Do":
			if len(ops) > 0 && ops[len(ops)-1].kind == tokName {
				ex.form(res, string(ops[len(ops)-1].str), gs.ctm, depth)
			}
		case "ID":
			lx.skipInlineImage()
			paintImage(ex, gs.ctm)
		case "m", "l":
			points(2)
		case "c":
			points(6)
		case "v", "y":
			points(4)
		case "re":
			if v, ok := nums(ops, 4); ok {
				point(v[0], v[1])
				point(v[0]+v[2], v[1]+v[3])
				point(v[0], v[1]+v[3])
				point(v[0]+v[2], v[1])
			}
		case "S", "s":
			paint("S")
		case "f", "F", "f*":
			paint("f")
		case "B", "B*", "b", "b*":
			paint("B")
		case "n":
			inPath = false
		case "rg", "g", "k", "sc", "scn", "cs":
			gs.fill = string(t.str) + " " + operands()
		case "RG", "G", "K", "SC", "SCN", "CS":
			gs.stroke = string(t.str) + " " + operands()
		case "Tr":
			if v, ok := nums(ops, 1); ok {
				gs.tr = int(v[0])
			}
		}
		ops = ops[:0]
	}
}

// font returns the font named name in res, or a default font.
func (ex *extractor) font(res types.Dict, name string) *pdfFont {
	fd := dictEntry(ex.xt, res, "Font")
	if fd == nil {
		return defaultFont()
	}
	o, ok := fd.Find(name)
	if !ok || o == nil {
		return defaultFont()
	}
	key := -1
	if ir, ok := o.(types.IndirectRef); ok {
		key = ir.ObjectNumber.Value()
		if f, ok := ex.fonts[key]; ok {
			return f
		}
	}
	d, err := ex.xt.DereferenceDict(o)
	if err != nil || d == nil {
		return defaultFont()
	}
	f := loadFont(ex.xt, d)
	if key >= 0 {
		ex.fonts[key] = f
	}
	return f
}

// form interprets the form XObject named name in res.
func (ex *extractor) form(res types.Dict, name string, ctm matrix, depth int) {
	if depth >= maxFormDepth {
		return
	}
	xd := dictEntry(ex.xt, res, "XObject")
	if xd == nil {
		return
	}
	o, ok := xd.Find(name)
	if !ok || o == nil {
		return
	}
	if ir, ok := o.(types.IndirectRef); ok {
		nr := ir.ObjectNumber.Value()
		if ex.visiting[nr] {
			return
		}
		ex.visiting[nr] = true
		defer delete(ex.visiting, nr)
	}
	sd, _, err := ex.xt.DereferenceStreamDict(o)
	if err != nil || sd == nil {
		return
	}
	if nameEntry(ex.xt, sd.Dict, "Subtype") == "Image" {
		paintImage(ex, ctm)
		return
	}
	if nameEntry(ex.xt, sd.Dict, "Subtype") != "Form" {
		return
	}
	if err := sd.Decode(); err != nil {
		return
	}
	m := identity
	if a := arrayEntry(ex.xt, sd.Dict, "Matrix"); len(a) == 6 {
		for i := range m {
			m[i], _ = number(ex.xt, a[i])
		}
	}
	formRes := dictEntry(ex.xt, sd.Dict, "Resources")
	if formRes == nil {
		formRes = res
	}
	ex.run(sd.Content, formRes, m.mul(ctm), depth+1)
}

// cleanText maps space separators to U+0020 and drops control characters.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || unicode.Is(unicode.Zs, r):
			return ' '
		case unicode.IsControl(r) || r == '\u00ad' || r == 0xFEFF:
			return -1
		}
		return r
	}, s)
}

// layout groups glyphs into lines and returns the page text.
func layout(chars []charBox) string {
	cs := make([]charBox, 0, len(chars))
	for _, c := range chars {
		c.text = cleanText(c.text)
		if c.text == "" || !finite(c.x, c.y, c.x2, c.size) {
			continue
		}
		if c.size <= 0 {
			c.size = 1
		}
		cs = append(cs, c)
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].y > cs[j].y })

	var lines []string
	for start := 0; start < len(cs); {
		first := cs[start]
		end := start + 1
		for end < len(cs) && first.y-cs[end].y <= 0.5*math.Min(first.size, cs[end].size) {
			end++
		}
		line := cs[start:end]
		sort.SliceStable(line, func(i, j int) bool { return line[i].x < line[j].x })
		if s := joinLine(line); s != "" {
			lines = append(lines, s)
		}
		start = end
	}
	return strings.Join(lines, "\n")
}

// joinLine concatenates the glyphs of one line, inserting spaces at gaps.
func joinLine(line []charBox) string {
	var b strings.Builder
	var prev *charBox
	for i := range line {
		c := &line[i]
		if prev != nil {
			if c.text == prev.text && math.Abs(c.x-prev.x) < 0.1*c.size {
				continue // overprinted glyph (fake bold, shadow)
			}
			gap := c.x - prev.x2
			if (c.kerned || gap > gapSpace*math.Min(c.size, prev.size)) &&
				!strings.HasSuffix(b.String(), " ") && !strings.HasPrefix(c.text, " ") {
				b.WriteByte(' ')
			}
		}
		b.WriteString(c.text)
		prev = c
	}
	return strings.TrimSpace(b.String())
}

func finite(v ...float64) bool {
	for _, f := range v {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

// paintImage records an image drawn with ctm: the unit square it fills.
func paintImage(ex *extractor, ctm matrix) {
	if len(ex.marks) >= maxGlyphs {
		return
	}
	var b [4]float64
	for i, c := range [][2]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		m := translate(c[0], c[1]).mul(ctm)
		if i == 0 {
			b = [4]float64{m[4], m[5], m[4], m[5]}
			continue
		}
		b = [4]float64{min(b[0], m[4]), min(b[1], m[5]), max(b[2], m[4]), max(b[3], m[5])}
	}
	ex.marks = append(ex.marks, Mark{Op: "image", Box: b})
}

// Glyph is one glyph a page shows: its text, origin and size in page
// space, its fill colour (the operator and operands that set it) and text
// rendering mode.
type Glyph struct {
	Text  string
	X, Y  float64
	Size  float64
	Color string
	Mode  int
}

// Mark is one thing a page draws other than text: a painted path (Op
// « f » filled, « S » stroked, « B » both) with its bounding box and
// colour, or an image (« image ») with the box it fills.
type Mark struct {
	Op    string
	Box   [4]float64 // lower-left x, y, upper-right x, y
	Color string
}

// PageDrawing is what a page shows: every glyph and every mark, in the
// order the content streams draw them.
type PageDrawing struct {
	Glyphs []Glyph
	Marks  []Mark
}

// drawingOf returns what each page of ctx draws: glyphs with
// their positions and marks (paths, images), under the limits of [Text].
// Annotations (signature appearances included) are not page content and
// are not returned.
func drawingOf(ctx *model.Context) (pages []PageDrawing, err error) {
	defer catch(&err, "drawing")
	n, err := pagesOf(ctx)
	if err != nil {
		return nil, err
	}
	ex := &extractor{xt: ctx.XRefTable, fonts: map[int]*pdfFont{}}
	for i := 1; i <= n; i++ {
		ex.marks, ex.chars = nil, ex.chars[:0]
		if _, err := ex.page(i); err != nil {
			return nil, &Error{Cause: CauseUnreadable, Message: fmt.Sprintf("dessin illisible page %d", i), cause: err}
		}
		var p PageDrawing
		for _, c := range ex.chars {
			p.Glyphs = append(p.Glyphs, Glyph{Text: c.text, X: c.x, Y: c.y, Size: c.size, Color: c.color, Mode: c.mode})
		}
		p.Marks = ex.marks
		pages = append(pages, p)
	}
	return pages, nil
}
