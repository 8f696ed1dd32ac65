package render

import (
	"bytes"
	"errors"
	"fmt"
	_ "image/jpeg" // logos
	_ "image/png"  // logos
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/johnfercher/go-tree/node"
	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/breakline"
	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/phpdave11/gofpdf"
	"github.com/segur-sons/segur/internal/fr"
	"github.com/shopspring/decimal"
)

// The check boxes printed by Check. A ticked box is the character U+2612,
// an empty one U+2610; both come back as such from text extraction.
const (
	BoxTicked = "☒"
	BoxEmpty  = "☐"
)

// Page geometry (millimetres) and type sizes (points).
const (
	margin      = 15.0 // all four sides
	gridSize    = 100  // column widths are percentages of the text width
	bodySize    = 9.0
	smallSize   = 8.0
	nameSize    = 11.0
	headingSize = 10.5
	titleSize   = 14.0
	lineGap     = 1.0  // extra space between two lines of text
	cellPad     = 1.5  // inner padding of table cells and boxes
	ruleWidth   = 0.2  // thin rules
	footerRule  = 2.0  // height of the footer row, whose top edge is the rule
	logoHeight  = 16.0 // maximum height of the logo
	signSpace   = 20.0 // blank height left for a signature
)

var (
	black    = props.Color{Red: 0, Green: 0, Blue: 0}
	darkGrey = props.Color{Red: 90, Green: 90, Blue: 90}
	grey     = props.Color{Red: 160, Green: 160, Blue: 160}
	paleGrey = props.Color{Red: 238, Green: 238, Blue: 238}
	red      = props.Color{Red: 200, Green: 0, Blue: 0}
)

// Meta is what the PDF says about itself: its information dictionary and the
// file name printed in the footer of every page.
type Meta struct {
	Title    string // document kind and dossier, e.g. « Attestation VA – FINMDV000042 »
	Author   string // the fournisseur
	Subject  string // the dispositif
	Keywords string // "numero_asp numero_editeur kind"
	// Date is the document's creation and modification date. It comes from
	// the record, never from the clock, and is required. It is written as
	// local time in its own location, without offset (gofpdf's format).
	Date     time.Time
	FileName string // printed in the footer, e.g. MDV-LGC-Va1-VA-00001.pdf
	// Apercu marks a preview: a banner « APERÇU » at the top of every
	// page says the document was not issued and is worth nothing.
	Apercu bool
}

// ApercuMark is the banner of a preview (Meta.Apercu), on every page.
const ApercuMark = "APERÇU – document non émis, sans valeur"

// Header is the fournisseur's identity printed at the top of every page:
// its name in bold, a few address lines, and an optional logo (PNG or JPEG
// bytes, detected from their content) at the top right.
type Header struct {
	Name  string
	Lines []string
	Logo  []byte
	// logo and fonts are the logo and the fonts already checked, when the
	// caller keeps them across documents (Renderer does): checking decodes
	// the whole image and both fonts.
	logo  *logoBox
	fonts []entity.CustomFont
}

// Doc is an A4 document under construction. Its methods append blocks one
// under the other; a block that does not fit on the current page moves whole
// to the next one (each line of a paragraph is a block of its own). The first
// error met is kept and returned by Bytes, so a document is written as a
// plain sequence of calls.
type Doc struct {
	m    core.Maroto
	err  error
	done bool
	// p is maroto's provider, caught when maroto measures the header (see
	// probe), used to wrap paragraphs exactly as maroto would.
	p core.Provider
	// headerHeight is the page header's height, for NeedSpace.
	headerHeight float64
	// page counts the pages as maroto draws them (the header's probe is
	// drawn once per page); spots are the signature spaces drawn so far.
	page  int
	spots []Spot
	// held are the rows of a KeepTogether under way (nil outside one).
	held []core.Row
}

// Spot is where a signature goes on a generated page: the name of its
// signature field, the page (from 1) and the blank space of its box, in PDF
// points from the bottom-left corner of the page.
type Spot struct {
	Name string
	Page int
	Rect [4]float64
}

// Spots returns the signature spaces of the document, in page order, once
// Bytes has laid it out.
func (d *Doc) Spots() []Spot { return d.spots }

// NewDoc starts a document with the page header and footer already set.
func NewDoc(fonts Fonts, meta Meta, header Header) (*Doc, error) {
	if meta.Date.IsZero() {
		return nil, errors.New("render: new document: meta: no date")
	}
	if meta.FileName == "" {
		return nil, errors.New("render: new document: meta: no file name")
	}
	if header.Name == "" {
		return nil, errors.New("render: new document: header: no name")
	}
	custom := header.fonts
	if custom == nil {
		var err error
		if custom, err = fonts.customFonts(); err != nil {
			return nil, err
		}
	}
	var err error
	var logo *logoBox
	if len(header.Logo) > 0 {
		if logo = header.logo; logo == nil {
			logo, err = newLogoBox(header.Logo)
		}
		if err != nil {
			return nil, fmt.Errorf("render: new document: header: %w", err)
		}
	}

	cfg := config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithLeftMargin(margin).
		WithTopMargin(margin).
		WithRightMargin(margin).
		WithBottomMargin(margin).
		WithMaxGridSize(gridSize).
		WithSequentialMode().
		WithCompression(true).
		WithCustomFonts(custom).
		WithDefaultFont(&props.Font{Family: fontFamily, Style: fontstyle.Normal, Size: bodySize, Color: &black}).
		WithPageNumber(props.PageNumber{
			Pattern: "Page {current}/{total}",
			Place:   props.RightBottom,
			Family:  fontFamily,
			Size:    smallSize,
			Color:   &darkGrey,
		}).
		WithTitle(meta.Title, true).
		WithAuthor(meta.Author, true).
		WithSubject(meta.Subject, true).
		WithKeywords(meta.Keywords, true).
		WithCreator("segur", true).
		WithCreationDate(meta.Date).
		Build()

	m, err := newMaroto(cfg)
	if err != nil {
		return nil, err
	}
	d := &Doc{m: m}
	if err := d.m.RegisterFooter(footerRow(meta.FileName)); err != nil {
		return nil, fmt.Errorf("render: new document: footer: %w", err)
	}
	hr := headerRow(header, logo, probe{d})
	rows := []core.Row{hr}
	if meta.Apercu {
		rows = []core.Row{apercuRow(), hr}
	}
	if err := d.m.RegisterHeader(rows...); err != nil {
		return nil, fmt.Errorf("render: new document: header: %w", err)
	}
	if d.p != nil {
		cfg := d.m.GetCurrentConfig()
		cell := &entity.Cell{Width: cfg.Dimensions.Width - cfg.Margins.Left - cfg.Margins.Right}
		for _, r := range rows {
			d.headerHeight += r.GetHeight(d.p, cell)
		}
	}
	return d, nil
}

// catalogSort makes gofpdf write its font and image catalogs in a fixed
// order (Go's map order otherwise changes the bytes from run to run). It is
// a package-wide default of gofpdf, the only way to reach the instance that
// maroto builds; set once, it applies to every document. The modification
// date needs no setting: the patched gofpdf in third_party/ uses the
// creation date, which maroto sets from Meta.Date.
var catalogSort sync.Once

// newMaroto builds the maroto instance.
func newMaroto(cfg *entity.Config) (m core.Maroto, err error) {
	catalogSort.Do(func() { gofpdf.SetDefaultCatalogSort(true) })
	defer catch(&err, "new document")
	return maroto.New(cfg), nil
}

// catch turns a panic of the PDF libraries into an error.
func catch(err *error, what string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("render: %s: %v", what, r)
	}
}

// Title adds the document's title, bold and centred.
func (d *Doc) Title(s string) {
	d.add(row.New().Add(col.New().Add(newText(s, props.Text{
		Style: fontstyle.Bold, Size: titleSize, Align: align.Center, Top: 3, Bottom: 4, VerticalPadding: 1.5,
	}))))
}

// Section adds a bold heading underlined by a thin rule.
func (d *Doc) Section(heading string) {
	d.add(row.New().Add(col.New().Add(newText(heading, props.Text{
		Style: fontstyle.Bold, Size: headingSize, Top: 2.5, Bottom: 1, VerticalPadding: lineGap,
	}))).WithStyle(rule(border.Bottom)))
	d.add(row.New(2))
}

// Paragraph adds a text that wraps at the page width and may continue on the
// next page. Line breaks inside s are not honoured: use Lines for separate
// lines.
func (d *Doc) Paragraph(s string) {
	d.Lines([]string{s})
}

// Lines adds one line of text per element, each wrapping if too long, with
// the same spacing as the lines of a paragraph; an empty element is a blank
// line.
//
// Maroto never splits a row across pages and lets a row taller than the page
// run off its bottom, so every printed line is a row of its own: the text is
// wrapped here, exactly as maroto would, and may break between any two lines.
func (d *Doc) Lines(lines []string) {
	var all []string
	for _, s := range lines {
		all = append(all, d.wrap(s)...)
	}
	for i, s := range all {
		bottom := lineGap
		if i == len(all)-1 {
			bottom = 2
		}
		if s == "" { // a blank line
			d.add(row.New(bodySize*25.4/72 + bottom))
			continue
		}
		d.add(row.New().Add(col.New().Add(newText(s, props.Text{Bottom: bottom}))))
	}
}

// wrap cuts s into the lines maroto would print at the body size across the
// full text width: each line is the longest run of words that maroto keeps
// on one line.
func (d *Doc) wrap(s string) []string {
	words := strings.Fields(s)
	if d.p == nil || len(words) == 0 {
		return []string{strings.Join(words, " ")}
	}
	cfg := d.m.GetCurrentConfig()
	width := cfg.Dimensions.Width - cfg.Margins.Left - cfg.Margins.Right
	prop := props.Text{}
	prop.MakeValid(cfg.DefaultFont)
	oneLine := func(n int) bool {
		return d.p.GetLinesQuantity(strings.Join(words[:n], " "), &prop, width) <= 1
	}
	var lines []string
	for len(words) > 0 {
		// The longest prefix on one line; one word always is.
		n := sort.Search(len(words), func(i int) bool { return !oneLine(i + 1) })
		n = max(n, 1)
		lines = append(lines, strings.Join(words[:n], " "))
		words = words[n:]
	}
	return lines
}

// probe is an empty component placed in the page header: maroto measures the
// header in RegisterHeader, which hands probe the provider that Doc.wrap
// needs (maroto gives no other access to it).
type probe struct{ d *Doc }

func (pr probe) GetHeight(p core.Provider, _ *entity.Cell) float64 {
	pr.d.p = p
	return 0
}
func (pr probe) Render(core.Provider, *entity.Cell) { pr.d.page++ }
func (pr probe) SetConfig(*entity.Config)           {}
func (pr probe) GetStructure() *node.Node[core.Structure] {
	return node.New(core.Structure{Type: "probe"})
}

// KeyValue adds a labelled value: the label in a left column, the value,
// wrapping, in a wider right column.
func (d *Doc) KeyValue(label, value string) {
	p := props.Text{Bottom: lineGap, VerticalPadding: lineGap}
	lp := p
	lp.Color = &darkGrey
	lp.Right = 2
	d.add(row.New().Add(
		col.New(30).Add(newText(label, lp)),
		col.New(70).Add(newText(value, p)),
	))
}

// Check adds a check box and its statement as one text, "☒ statement" when
// ticked and "☐ statement" otherwise, so that a text extractor reads the mark
// next to the statement.
func (d *Doc) Check(ticked bool, statement string) {
	box := BoxEmpty
	if ticked {
		box = BoxTicked
	}
	d.add(row.New().Add(col.New().Add(newText(box+" "+statement, props.Text{Bottom: 1.5, VerticalPadding: lineGap}))))
}

// numeric matches the cells that Table aligns right: amounts, quantities,
// rates ("1 075,00 €", "2", "20 %").
var numeric = regexp.MustCompile(`^-?[0-9][0-9 ]*(,[0-9]+)?( €| %)?$`)

// Table adds a table with a shaded header row and a thin rule under every
// row. widths are the columns' shares of the text width in percent and must
// add up to 100. A column whose non-empty cells are all numbers or amounts is
// aligned right. Cells wrap; a row never splits across pages, but the header
// row is not repeated on the next page.
func (d *Doc) Table(header []string, rows [][]string, widths []int) {
	if err := checkTable(header, rows, widths); err != nil {
		d.fail(fmt.Errorf("render: table %q: %w", header, err))
		return
	}
	aligns := make([]align.Type, len(header))
	for j := range header {
		aligns[j] = align.Left
		if numericColumn(rows, j) {
			aligns[j] = align.Right
		}
	}
	cells := func(values []string, style fontstyle.Type, size float64) []core.Col {
		cols := make([]core.Col, len(values))
		for j, v := range values {
			cols[j] = col.New(widths[j]).Add(newText(v, props.Text{
				Style: style, Size: size, Align: aligns[j], VerticalPadding: lineGap,
				Top: cellPad, Bottom: cellPad, Left: cellPad, Right: cellPad,
			}))
		}
		return cols
	}
	head := &props.Cell{BackgroundColor: &paleGrey, BorderType: border.Bottom, BorderColor: &grey, BorderThickness: ruleWidth}
	d.add(row.New().Add(cells(header, fontstyle.Bold, smallSize)...).WithStyle(head))
	for _, r := range rows {
		d.add(row.New().Add(cells(r, fontstyle.Normal, bodySize)...).WithStyle(rule(border.Bottom)))
	}
	d.add(row.New(3))
}

// SignatureBlock adds a framed box holding lines (signatory, quality, date,
// « Bon pour accord »…) followed by a blank space to sign in. The box is one
// block: it is never split across pages.
func (d *Doc) SignatureBlock(lines []string) { d.SignatureField("", lines) }

// SignatureField is SignatureBlock whose blank space is recorded as a Spot
// named field (none when field is ""), for a signature field or an
// electronic signature to be placed there.
func (d *Doc) SignatureField(field string, lines []string) {
	items := make([]core.Component, 0, len(lines)+1)
	for i, s := range lines {
		p := props.Text{Left: 2 * cellPad, Right: 2 * cellPad, Bottom: lineGap, VerticalPadding: lineGap}
		if i == 0 {
			p.Top = 2 * cellPad
		}
		items = append(items, newText(s, p))
	}
	if field == "" {
		items = append(items, spacer(signSpace))
	} else {
		items = append(items, &spotSpace{d: d, name: field})
	}
	box := &props.Cell{BorderType: border.Full, BorderColor: &grey, BorderThickness: ruleWidth}
	d.add(row.New(2))
	// No spacer after the box: at the foot of a page it would open an
	// empty page of its own.
	d.add(row.New().Add(col.New().Add(&stack{items: items})).WithStyle(box))
}

// NeedSpace starts a new page unless height millimetres are left on the
// current one, so that a heading stays with the block that follows it.
func (d *Doc) NeedSpace(height float64) {
	// FitlnCurrentPage counts the page header twice: once as rows of the
	// page, once as the header.
	if !d.m.FitlnCurrentPage(height - d.headerHeight) {
		d.PageBreak()
	}
}

// PageBreak starts a new page, unless the current one is still empty.
func (d *Doc) PageBreak() {
	d.m.AddPages(page.New())
}

// Bytes lays the document out and returns the PDF. It may be called once.
func (d *Doc) Bytes() (b []byte, err error) {
	if d.err != nil {
		return nil, d.err
	}
	if d.done {
		return nil, errors.New("render: document already generated")
	}
	d.done = true
	defer catch(&err, "generate")
	doc, err := d.m.Generate()
	if err != nil {
		return nil, fmt.Errorf("render: generate: %w", err)
	}
	return doc.GetBytes(), nil
}

func (d *Doc) add(r core.Row) {
	if d.held != nil {
		d.held = append(d.held, r)
		return
	}
	d.m.AddRows(r)
}

// keepMax is the tallest group KeepTogether moves whole (millimetres): a
// taller one would not fit on any page and flows instead.
const keepMax = 200.0

// KeepTogether adds the blocks that fn adds as one group: it starts a new
// page unless the whole group fits on the current one, so that a signature
// box never stands alone, away from the statement it signs. A group nested
// in another is part of it.
func (d *Doc) KeepTogether(fn func()) {
	if d.held != nil {
		fn()
		return
	}
	d.held = []core.Row{}
	fn()
	rows := d.held
	d.held = nil
	if d.p != nil {
		cfg := d.m.GetCurrentConfig()
		cell := &entity.Cell{Width: cfg.Dimensions.Width - cfg.Margins.Left - cfg.Margins.Right}
		height := 0.0
		for _, r := range rows {
			r.SetConfig(cfg)
			height += r.GetHeight(d.p, cell)
		}
		if height < keepMax {
			d.NeedSpace(height)
		}
	}
	for _, r := range rows {
		d.m.AddRows(r)
	}
}

func (d *Doc) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// rule is the style of a thin grey line on the given sides of a row.
func rule(sides border.Type) *props.Cell {
	return &props.Cell{BorderType: sides, BorderColor: &grey, BorderThickness: ruleWidth}
}

// newText returns a text component, or an empty one for an empty string:
// maroto gives an empty text a negative height.
func newText(s string, p props.Text) core.Component {
	if strings.TrimSpace(s) == "" {
		return spacer(p.Top + p.Bottom)
	}
	return &fitText{value: s, prop: p}
}

// minSize is the smallest type size fitText shrinks to.
const minSize = 6.0

// fitText is a maroto text that never runs past its column. Maroto wraps
// text at spaces only, so a word wider than the column (a long e-mail
// address, an identifier) overflows into the next column or the margin.
// fitText shrinks the type, half a point at a time down to minSize, until
// every word fits; if no size does, it keeps the size and lets maroto cut
// the text anywhere, with a dash.
// maxAdvance bounds the advance width of every glyph of the embedded fonts,
// in em (the widest, № in DejaVu Sans Bold, is 1.20 em; TestMaxAdvance checks it).
const maxAdvance = 1.25

type fitText struct {
	value string
	prop  props.Text
	cfg   *entity.Config
	width float64        // column width the inner text was fitted to
	inner core.Component // maroto's text, fitted to width
}

func (t *fitText) fit(p core.Provider, width float64) core.Component {
	if t.inner != nil && t.width == width {
		return t.inner
	}
	prop := t.prop
	prop.MakeValid(t.cfg.DefaultFont)
	avail := width - prop.Left - prop.Right
	// Only words that could be too wide are measured: no glyph of the
	// embedded fonts is wider than maxAdvance em, so a word of n characters
	// at size s needs at most n × s × maxAdvance points. Measuring every word
	// of every text at every size was a sixth of a document's rendering time.
	var long []string
	for _, w := range strings.Fields(t.value) {
		if float64(utf8.RuneCountInString(w))*prop.Size*maxAdvance*25.4/72 > avail {
			long = append(long, w)
		}
	}
	fits := func(size float64) bool {
		probe := props.Text{Family: prop.Family, Style: prop.Style, Size: size, BreakLineStrategy: breakline.DashStrategy}
		for _, w := range long {
			if p.GetLinesQuantity(w, &probe, avail) > 1 {
				return false
			}
		}
		return true
	}
	size := prop.Size
	for !fits(size) && size-0.5 >= minSize {
		size -= 0.5
	}
	if fits(size) {
		// Keep the baseline where the full-size text would have it, in
		// line with its neighbours.
		prop.Top += (prop.Size - size) * 25.4 / 72
		prop.Size = size
	} else {
		prop.BreakLineStrategy = breakline.DashStrategy
	}
	t.width, t.inner = width, text.New(t.value, prop)
	t.inner.SetConfig(t.cfg)
	return t.inner
}

func (t *fitText) Render(p core.Provider, cell *entity.Cell) {
	t.fit(p, cell.Width).Render(p, cell)
}

func (t *fitText) GetHeight(p core.Provider, cell *entity.Cell) float64 {
	return t.fit(p, cell.Width).GetHeight(p, cell)
}

func (t *fitText) SetConfig(cfg *entity.Config) {
	if cfg != t.cfg { // maroto sets the same config several times
		t.cfg, t.inner = cfg, nil
	}
}

func (t *fitText) GetStructure() *node.Node[core.Structure] {
	return text.New(t.value, t.prop).GetStructure()
}

func checkTable(header []string, rows [][]string, widths []int) error {
	if len(header) == 0 {
		return errors.New("no columns")
	}
	if len(widths) != len(header) {
		return fmt.Errorf("got %d widths for %d columns", len(widths), len(header))
	}
	sum := 0
	for _, w := range widths {
		if w <= 0 {
			return fmt.Errorf("width %d is not positive", w)
		}
		sum += w
	}
	if sum != gridSize {
		return fmt.Errorf("widths add up to %d, want %d", sum, gridSize)
	}
	for i, r := range rows {
		if len(r) != len(header) {
			return fmt.Errorf("row %d: got %d cells for %d columns", i+1, len(r), len(header))
		}
	}
	return nil
}

func numericColumn(rows [][]string, j int) bool {
	seen := false
	for _, r := range rows {
		if r[j] == "" {
			continue
		}
		if !numeric.MatchString(r[j]) {
			return false
		}
		seen = true
	}
	return seen
}

// headerRow is the page header: name and address lines on the left, the logo
// on the right, a thin rule below.
func headerRow(h Header, logo *logoBox, pr probe) core.Row {
	items := []core.Component{pr, newText(h.Name, props.Text{Style: fontstyle.Bold, Size: nameSize, Bottom: 1, VerticalPadding: lineGap})}
	for _, s := range h.Lines {
		items = append(items, newText(s, props.Text{Size: smallSize, Bottom: 0.6, VerticalPadding: 0.6}))
	}
	items = append(items, spacer(2))
	left := col.New(70).Add(&stack{items: items})
	right := col.New(30)
	if logo != nil {
		right.Add(logo)
	}
	return row.New().Add(left, right).WithStyle(rule(border.Bottom))
}

// apercuRow is the banner of a preview, above the header of every page.
func apercuRow() core.Row {
	return row.New().Add(col.New().Add(newText(ApercuMark, props.Text{
		Style: fontstyle.Bold, Size: titleSize, Color: &red, Align: align.Center, Bottom: 2, VerticalPadding: lineGap,
	})))
}

// footerRow is the page footer: a thin rule at the bottom of the text area
// and, below it in the margin, the file name, on the same baseline as the
// page number that maroto prints at the right.
func footerRow(fileName string) core.Row {
	return row.New(footerRule).Add(col.New().Add(newText(fileName, props.Text{
		Size: smallSize, Color: &darkGrey, Top: footerRule,
	}))).WithStyle(rule(border.Top))
}

// stack is a component that lays its components out one under the other
// inside a column (maroto draws the components of a column on top of each
// other).
type stack struct {
	items []core.Component
}

func (s *stack) Render(p core.Provider, cell *entity.Cell) {
	c := cell.Copy()
	for _, it := range s.items {
		c.Height = it.GetHeight(p, &c)
		it.Render(p, &c)
		c.Y += c.Height
	}
}

func (s *stack) GetHeight(p core.Provider, cell *entity.Cell) float64 {
	h := 0.0
	for _, it := range s.items {
		h += it.GetHeight(p, cell)
	}
	return h
}

func (s *stack) SetConfig(cfg *entity.Config) {
	for _, it := range s.items {
		it.SetConfig(cfg)
	}
}

func (s *stack) GetStructure() *node.Node[core.Structure] {
	n := node.New(core.Structure{Type: "stack"})
	for _, it := range s.items {
		n.AddNext(it.GetStructure())
	}
	return n
}

// spacer is an empty component of a fixed height.
type spacer float64

func (s spacer) Render(core.Provider, *entity.Cell)            {}
func (s spacer) GetHeight(core.Provider, *entity.Cell) float64 { return float64(s) }
func (s spacer) SetConfig(*entity.Config)                      {}
func (s spacer) GetStructure() *node.Node[core.Structure] {
	return node.New(core.Structure{Type: "spacer", Value: float64(s)})
}

var _ core.Component = spacer(0)

// spotSpace is the blank space of a signature box: drawn as nothing, it
// records where it lands (page and rectangle) in its Doc.
type spotSpace struct {
	d    *Doc
	name string
}

const ptPerMM = 72 / 25.4

func (s *spotSpace) Render(_ core.Provider, cell *entity.Cell) {
	cfg := s.d.m.GetCurrentConfig()
	x0 := cfg.Margins.Left + cell.X + 2*cellPad
	x1 := cfg.Margins.Left + cell.X + cell.Width - 2*cellPad
	top := cfg.Margins.Top + cell.Y
	bottom := top + signSpace - cellPad
	h := cfg.Dimensions.Height
	s.d.spots = append(s.d.spots, Spot{Name: s.name, Page: s.d.page, Rect: [4]float64{
		x0 * ptPerMM, (h - bottom) * ptPerMM, x1 * ptPerMM, (h - top) * ptPerMM,
	}})
}
func (s *spotSpace) GetHeight(core.Provider, *entity.Cell) float64 { return signSpace }
func (s *spotSpace) SetConfig(*entity.Config)                      {}
func (s *spotSpace) GetStructure() *node.Node[core.Structure] {
	return node.New(core.Structure{Type: "spacer", Value: signSpace})
}

// logoBox draws an image at the top right of its cell, as large as fits in
// the cell's width and logoHeight, keeping its proportions.
type logoBox struct {
	data          []byte
	ext           extension.Type
	width, height float64 // pixels, for the aspect ratio
}

// newLogoBox checks the logo (CheckLogo) and keeps what gofpdf can draw.
func newLogoBox(data []byte) (*logoBox, error) {
	data, ext, err := checkLogo(data)
	if err != nil {
		return nil, err
	}
	pdf := gofpdf.New("P", "mm", "A4", "")
	info := pdf.RegisterImageOptionsReader("logo", gofpdf.ImageOptions{ImageType: string(ext)}, bytes.NewReader(data))
	if err := pdf.Error(); err != nil || info == nil || info.Width() <= 0 || info.Height() <= 0 {
		return nil, errLogoUnsupported
	}
	return &logoBox{data: data, ext: ext, width: info.Width(), height: info.Height()}, nil
}

func (l *logoBox) Render(p core.Provider, cell *entity.Cell) {
	w := cell.Width
	h := w * l.height / l.width
	if h > logoHeight {
		h = logoHeight
		w = h * l.width / l.height
	}
	c := entity.Cell{X: cell.X + cell.Width - w, Y: cell.Y, Width: w, Height: h}
	p.AddImageFromBytes(l.data, &c, &props.Rect{Percent: 100}, l.ext)
}

func (l *logoBox) GetHeight(core.Provider, *entity.Cell) float64 { return logoHeight + 2 }
func (l *logoBox) SetConfig(*entity.Config)                      {}
func (l *logoBox) GetStructure() *node.Node[core.Structure] {
	return node.New(core.Structure{Type: "logo", Details: map[string]any{"extension": l.ext, "bytes_size": len(l.data)}})
}

// Euros formats an amount the French way, rounded to the cent: 1 075,00 €
// (internal/fr, shared with the messages and the read-back).
func Euros(d decimal.Decimal) string { return fr.Euros(d) }

// Date formats a date as dd/mm/yyyy.
func Date(t time.Time) string {
	return t.Format("02/01/2006")
}

// Percent formats a rate given in percent (20, 8.5) as "20 %", "8,5 %".
func Percent(p decimal.Decimal) string {
	return strings.Replace(p.String(), ".", ",", 1) + " %"
}
