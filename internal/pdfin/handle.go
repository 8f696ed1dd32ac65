package pdfin

import (
	"bytes"
	"regexp"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Doc is a PDF read by this package, within its bounds: what the other
// packages read of a PDF segur did not write — its pages, text, drawing,
// revisions, signature dictionaries, objects, embedded files — so that
// none of them parses the bytes again. A Doc is not safe for concurrent
// use.
type Doc struct {
	data []byte
	ctx  *model.Context

	textOnce sync.Once
	text     []string
	textErr  error

	drawOnce sync.Once
	drawing  []PageDrawing
	drawErr  error

	revisions map[int]*Doc // read by Revision, by end
}

// Bytes are the file's bytes, as read (not to be modified).
func (d *Doc) Bytes() []byte { return d.data }

// Context is the file as pdfcpu parsed it: its objects, to read (walk,
// dereference, decode a stream), never to parse bytes of the file again.
func (d *Doc) Context() *model.Context { return d.ctx }

// Pages counts the pages: an *Error when there is none or the page tree
// cannot be read.
func (d *Doc) Pages() (n int, err error) {
	defer catch(&err, "pages")
	if d.ctx.PageCount == 0 {
		if err := countPages(d.ctx); err != nil {
			return 0, &Error{Cause: CauseUnreadable, Message: "PDF illisible : arbre des pages illisible", cause: err}
		}
	}
	if d.ctx.PageCount == 0 {
		return 0, fail(CauseNoPage, "PDF sans page")
	}
	return d.ctx.PageCount, nil
}

var eofRe = regexp.MustCompile(`%%EOF[ \t]*(\r\n|\r|\n)?`)

// RevisionEnds are the offsets just after each %%EOF marker (and its end
// of line): where each revision of the file ends.
func (d *Doc) RevisionEnds() []int { return RevisionEnds(d.data) }

// RevisionEnds are the offsets just after each %%EOF marker of data (and
// its end of line): where each revision ends.
func RevisionEnds(data []byte) []int {
	var ends []int
	for _, m := range eofRe.FindAllIndex(data, -1) {
		ends = append(ends, m[1])
	}
	return ends
}

// Revision is the file as it was up to end (the end of one of its
// revisions, or any prefix), read as Read reads: a prefix of a file
// within the bounds is within them (fewer objects, references and
// streams, each decoded from its start to the end of fewer bytes), so the
// bounds are not scanned again. A prefix of the whole file is d itself;
// each revision is read once.
func (d *Doc) Revision(end int) (r *Doc, err error) {
	defer catch(&err, "revision")
	if end >= len(d.data) {
		return d, nil
	}
	if end <= 0 {
		return nil, errUnreadable
	}
	if r, ok := d.revisions[end]; ok {
		return r, nil
	}
	data := d.data[:end]
	ctx, err := readContext(data)
	if err != nil {
		return nil, &Error{Cause: CauseUnreadable, Message: "PDF illisible", cause: err}
	}
	r = &Doc{data: data, ctx: ctx}
	if _, err := r.Pages(); err != nil {
		return nil, err
	}
	if d.revisions == nil {
		d.revisions = map[int]*Doc{}
	}
	d.revisions[end] = r
	return r, nil
}

// Text is the text of each page (see [Text]), read once.
func (d *Doc) Text() ([]string, error) {
	d.textOnce.Do(func() { d.text, d.textErr = textOf(d.ctx) })
	return d.text, d.textErr
}

// Drawing is what each page draws (see [Drawing]), read once.
func (d *Doc) Drawing() ([]PageDrawing, error) {
	d.drawOnce.Do(func() { d.drawing, d.drawErr = drawingOf(d.ctx) })
	return d.drawing, d.drawErr
}

// Text returns the text of each page of data, read as [Read] reads it
// (within the bounds); see [Doc.Text].
func Text(data []byte) ([]string, error) {
	d, err := Read(data)
	if err != nil {
		return nil, err
	}
	return d.Text()
}

// Drawing returns what each page of data draws, read as [Read] reads it
// (within the bounds); see [Doc.Drawing].
func Drawing(data []byte) ([]PageDrawing, error) {
	d, err := Read(data)
	if err != nil {
		return nil, err
	}
	return d.Drawing()
}

// PageCount is the number of pages of data, read as [Read] reads it.
func PageCount(data []byte) (int, error) {
	d, err := Read(data)
	if err != nil {
		return 0, err
	}
	return d.Pages()
}

var _ = bytes.Equal
