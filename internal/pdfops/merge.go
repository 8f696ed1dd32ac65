package pdfops

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/segur-sons/segur/internal/pdfin"
)

// Merge writes to w the concatenation of parts, in order: all pages of the
// first part, then all pages of the second, and so on (pdfcpu MergeRaw, no
// divider pages, no bookmarks). Nothing is written to w if merging fails.
//
// The output is not byte-deterministic, and pdfcpu v0.15.0 has no
// configuration knob to make it so: it stamps the current time into the
// Info dictionary (CreationDate, ModDate) and into the file identifier
// (trailer /ID), and it writes objects in Go map iteration order. Use
// [MergeAt] when identical inputs must give identical bytes.
//
// Digital signatures of the parts do not survive merging: their byte ranges
// no longer match the new file.
//
// pdfcpu always writes a PDF 1.7 file, and strict validation of PDF 1.7
// requires FirstChar, LastChar, Widths and FontDescriptor even for the
// standard 14 fonts: a part using gofpdf core fonts (Helvetica, Times…,
// which gofpdf writes as bare PDF 1.3 font dictionaries) therefore merges
// into a file that fails [Validate]. Parts using only embedded fonts, as
// segur's templates do, merge into strictly valid files.
func Merge(w io.Writer, parts ...*pdfin.Doc) (err error) {
	defer catch(&err, "merge")
	var buf bytes.Buffer
	if err := mergeRaw(&buf, newConf(), parts); err != nil {
		return err
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("pdfops: merge: write: %w", err)
	}
	return nil
}

// MergeAt is [Merge] with a byte-deterministic output: the same parts and
// the same t always give the same bytes. The Info dictionary's CreationDate
// and ModDate are set to t, the file identifier is a hash of the content,
// and objects are written in object number order with a classic
// cross-reference table (no object or xref streams). pdfcpu's resource
// de-duplication is turned off, since it picks duplicates in random order,
// so fonts shared by several parts are stored once per part.
//
// t is typically the document date or SOURCE_DATE_EPOCH; its year must be
// between 1000 and 9999.
func MergeAt(w io.Writer, t time.Time, parts ...*pdfin.Doc) (err error) {
	defer catch(&err, "merge")
	if t.Year() < 1000 || t.Year() > 9999 {
		return fmt.Errorf("pdfops: merge: date %s out of range", t)
	}
	conf := newConf()
	conf.WriteObjectStream = false
	conf.WriteXRefStream = false
	conf.OptimizeBeforeWriting = false
	conf.Optimize = false
	var buf bytes.Buffer
	if err := mergeRaw(&buf, conf, parts); err != nil {
		return err
	}
	out, err := canonical(buf.Bytes(), t)
	if err != nil {
		return fmt.Errorf("pdfops: merge: %w", err)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("pdfops: merge: write: %w", err)
	}
	return nil
}

// mergeRaw merges parts with pdfcpu. pdfcpu's merge reads its parts from
// bytes: each part's bytes are those of a pdfin.Doc, a file package pdfin
// has already read within its bounds (so no PDF reaches pdfcpu here
// without them); its parsed objects are not reused, as merging renumbers
// them in place.
func mergeRaw(w io.Writer, conf *model.Configuration, parts []*pdfin.Doc) error {
	if len(parts) == 0 {
		return errors.New("pdfops: merge: no input PDF")
	}
	rs := make([]io.ReadSeeker, len(parts))
	for i, p := range parts {
		if p == nil {
			return fmt.Errorf("pdfops: merge: part %d: %w", i, errNilReader)
		}
		rs[i] = bytes.NewReader(p.Bytes())
	}
	if err := api.MergeRaw(rs, w, false, conf); err != nil {
		return fmt.Errorf("pdfops: merge: %w", err)
	}
	return nil
}

// canonical re-serializes a PDF written by pdfcpu deterministically. The
// objects reachable from the catalog and the Info dictionary are renumbered
// 1, 2, 3… in breadth-first order (dictionary keys sorted, arrays in order)
// and written in that order with pdfcpu's own object syntax (sorted keys);
// unreachable objects are dropped. The Info dates are set to t and the file
// identifier is derived from the content.
func canonical(in []byte, t time.Time) ([]byte, error) {
	return canonicalEdit(in, t, nil)
}

// canonicalEdit is canonical with edit run on the read file before it is
// re-serialized (nil: no edit).
func canonicalEdit(in []byte, t time.Time, edit func(*model.XRefTable) error) ([]byte, error) {
	conf := newConf()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadContext(bytes.NewReader(in), conf)
	if err != nil {
		return nil, fmt.Errorf("canonicalize: read: %w", err)
	}
	xt := ctx.XRefTable
	if xt.Root == nil {
		return nil, errors.New("canonicalize: no document catalog")
	}
	if edit != nil {
		if err := edit(xt); err != nil {
			return nil, err
		}
	}

	date := types.StringLiteral(types.DateString(t))
	if xt.Info != nil {
		info, err := xt.DereferenceDict(*xt.Info)
		if err != nil {
			return nil, fmt.Errorf("canonicalize: info dict: %w", err)
		}
		if info != nil {
			info.Update("CreationDate", date)
			info.Update("ModDate", date)
		}
	}

	// Number the reachable objects breadth first.
	c := &canon{xt: xt, newNr: map[int]int{}}
	c.enqueue(*xt.Root)
	if xt.Info != nil {
		c.enqueue(*xt.Info)
	}
	for i := 0; i < len(c.objs); i++ {
		c.walk(c.objs[i])
	}

	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(c.objs))
	for i, o := range c.objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		if sd, ok := o.(types.StreamDict); ok {
			d := c.renumber(sd.Dict).(types.Dict)
			d.Update("Length", types.Integer(len(sd.Raw)))
			b.WriteString(d.PDFString())
			b.WriteString("\nstream\n")
			b.Write(sd.Raw)
			b.WriteString("\nendstream")
		} else {
			b.WriteString(c.renumber(o).PDFString())
		}
		b.WriteString("\nendobj\n")
	}

	sum := sha256.Sum256(b.Bytes())
	id := types.HexLiteral(strings.ToUpper(fmt.Sprintf("%x", sum[:16])))

	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(c.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
	}
	trailer := types.NewDict()
	trailer.Insert("Size", types.Integer(len(c.objs)+1))
	trailer.Insert("Root", c.renumber(*xt.Root))
	if xt.Info != nil {
		trailer.Insert("Info", c.renumber(*xt.Info))
	}
	trailer.Insert("ID", types.Array{id, id})
	fmt.Fprintf(&b, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", trailer.PDFString(), xref)
	return b.Bytes(), nil
}

// canon assigns canonical object numbers.
type canon struct {
	xt    *model.XRefTable
	newNr map[int]int    // old object number -> new object number
	objs  []types.Object // objects in new number order (index = new-1)
}

// enqueue numbers the object ir refers to, if not done yet.
func (c *canon) enqueue(ir types.IndirectRef) {
	old := ir.ObjectNumber.Value()
	if _, ok := c.newNr[old]; ok {
		return
	}
	o, err := c.xt.Dereference(ir)
	if err != nil || o == nil {
		return // dangling reference: written as null
	}
	c.objs = append(c.objs, o)
	c.newNr[old] = len(c.objs)
}

// walk enqueues the references found in o, in a deterministic order.
func (c *canon) walk(o types.Object) {
	switch v := o.(type) {
	case types.IndirectRef:
		c.enqueue(v)
	case types.Dict:
		for _, k := range sortedKeys(v) {
			c.walk(v[k])
		}
	case types.StreamDict:
		for _, k := range sortedKeys(v.Dict) {
			if k != "Length" { // rewritten as a direct integer
				c.walk(v.Dict[k])
			}
		}
	case types.Array:
		for _, e := range v {
			c.walk(e)
		}
	}
}

// renumber returns a copy of o with references rewritten to the new
// numbers; dangling references become null.
func (c *canon) renumber(o types.Object) types.Object {
	switch v := o.(type) {
	case types.IndirectRef:
		if nr, ok := c.newNr[v.ObjectNumber.Value()]; ok {
			return *types.NewIndirectRef(nr, 0)
		}
		return nil
	case types.Dict:
		d := types.NewDict()
		for k, e := range v {
			d[k] = c.renumber(e)
		}
		return d
	case types.Array:
		a := make(types.Array, len(v))
		for i, e := range v {
			a[i] = c.renumber(e)
		}
		return a
	}
	return o
}

func sortedKeys(d types.Dict) []string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
