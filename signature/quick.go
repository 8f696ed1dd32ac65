package signature

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// A PDF's objects, as AddFields needs them (the catalog, the trailer, the
// pages), read from the file's cross-reference table one object at a time
// instead of parsing the whole file: the fonts and page contents, most of
// a document segur renders, are never read. Only a file laid out as
// gofpdf writes it is read this way — one classic cross-reference table
// numbering every object from 0, no earlier revision, a flat page tree —,
// anything else is read whole (newUpdate); each object is parsed by
// pdfcpu's own parser, so it is the value a whole reading gives.
type quickDoc struct {
	data    []byte
	xref    int   // offset of the cross-reference table
	offsets []int // object number → offset
	trailer types.Dict
	root    types.IndirectRef
	rootD   types.Dict
	pages   []types.IndirectRef // the page objects, in order
}

var errNotQuick = errors.New("not a file for the quick reader")

// readQuick reads data for an update, or returns errNotQuick.
func readQuick(data []byte, xref int) (q *quickDoc, err error) {
	defer func() {
		if r := recover(); r != nil {
			q, err = nil, errNotQuick
		}
	}()
	q = &quickDoc{data: data, xref: xref}
	if err := q.readXRef(); err != nil {
		return nil, err
	}
	root, ok := q.trailer["Root"].(types.IndirectRef)
	if !ok {
		return nil, errNotQuick
	}
	q.root = root
	if q.rootD, ok = q.object(root).(types.Dict); !ok {
		return nil, errNotQuick
	}
	if t := q.rootD.NameEntry("Type"); t == nil || *t != "Catalog" {
		return nil, errNotQuick
	}
	pagesRef, ok := q.rootD["Pages"].(types.IndirectRef)
	if !ok {
		return nil, errNotQuick
	}
	pages, ok := q.object(pagesRef).(types.Dict)
	if !ok {
		return nil, errNotQuick
	}
	kids, ok := pages["Kids"].(types.Array)
	count, okc := pages["Count"].(types.Integer)
	if !ok || !okc || int(count) != len(kids) || len(kids) == 0 {
		return nil, errNotQuick
	}
	for _, k := range kids {
		r, ok := k.(types.IndirectRef)
		if !ok {
			return nil, errNotQuick
		}
		d, ok := q.object(r).(types.Dict)
		if !ok {
			return nil, errNotQuick
		}
		if t := d.NameEntry("Type"); t == nil || *t != "Page" {
			return nil, errNotQuick // a page tree of several levels
		}
		q.pages = append(q.pages, r)
	}
	return q, nil
}

// readXRef reads the one cross-reference table at q.xref and its trailer.
func (q *quickDoc) readXRef() error {
	s := q.data[q.xref:]
	line := func() []byte {
		i := bytes.IndexByte(s, '\n')
		if i < 0 {
			return nil
		}
		l := bytes.TrimRight(s[:i], "\r ")
		s = s[i+1:]
		return l
	}
	if string(line()) != "xref" {
		return errNotQuick
	}
	f := bytes.Fields(line())
	if len(f) != 2 || string(f[0]) != "0" {
		return errNotQuick
	}
	n, err := strconv.Atoi(string(f[1]))
	if err != nil || n < 2 || n > 100_000 || len(s) < 20*n {
		return errNotQuick
	}
	q.offsets = make([]int, n)
	for i := range n {
		e := s[20*i : 20*i+20]
		gen, kind := "00000", byte('n') // an object in use; entry 0 heads the free list
		if i == 0 {
			gen, kind = "65535", 'f'
		}
		if e[10] != ' ' || e[16] != ' ' || string(e[11:16]) != gen || e[17] != kind {
			return errNotQuick
		}
		off, err := strconv.Atoi(string(e[:10]))
		if err != nil || (i > 0 && (off <= 0 || off >= q.xref)) {
			return errNotQuick
		}
		q.offsets[i] = off
	}
	s = s[20*n:]
	if string(line()) != "trailer" {
		return errNotQuick
	}
	end := bytes.Index(s, []byte("startxref"))
	if end < 0 {
		return errNotQuick
	}
	l := string(s[:end])
	o, err := model.ParseObjectContext(context.Background(), &l, 0)
	t, ok := o.(types.Dict)
	if err != nil || !ok {
		return errNotQuick
	}
	for _, k := range []string{"Prev", "XRefStm", "Encrypt"} {
		if _, ok := t[k]; ok {
			return errNotQuick
		}
	}
	if size, ok := t["Size"].(types.Integer); !ok || int(size) != n {
		return errNotQuick
	}
	if _, ok := t["Info"]; ok {
		if _, ok := t["Info"].(types.IndirectRef); !ok {
			return errNotQuick
		}
	}
	if _, ok := t["ID"]; ok {
		if _, ok := t["ID"].(types.Array); !ok {
			return errNotQuick
		}
	}
	q.trailer = t
	return nil
}

// object is the object r refers to, when it is a plain object (not a
// stream) of generation 0, nil otherwise.
func (q *quickDoc) object(r types.IndirectRef) types.Object {
	n := r.ObjectNumber.Value()
	if r.GenerationNumber.Value() != 0 || n <= 0 || n >= len(q.offsets) {
		return nil
	}
	s := q.data[q.offsets[n]:q.xref]
	end := bytes.Index(s, []byte("endobj"))
	if end < 0 || bytes.Contains(s[:end], []byte("stream")) {
		return nil
	}
	l := string(s[:end])
	nr, gen, err := model.ParseObjectAttributes(&l)
	if err != nil || *nr != n || *gen != 0 {
		return nil
	}
	l = strings.TrimSpace(l)
	if l == "" {
		return nil
	}
	o, err := model.ParseObjectContext(context.Background(), &l, 0)
	if err != nil {
		return nil
	}
	return o
}
