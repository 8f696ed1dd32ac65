package signature

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/segur-sons/segur/internal/pdfin"
)

var startxrefRe = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)

// update is an incremental update written after the bytes of a PDF, which
// stay as they are: new and changed objects, then a cross-reference
// section and a trailer pointing back to the previous one.
type update struct {
	b       bytes.Buffer
	ctx     *model.Context // the file read whole (nil when read by quickDoc)
	prev    int            // offset of the previous cross-reference section
	next    int            // next free object number
	offsets map[int]int    // object number → offset, for the new section
	// The previous trailer's entries an update repeats.
	root types.IndirectRef
	info *types.IndirectRef
	id   types.Array
}

// newUpdate reads data and starts an update after it.
func newUpdate(data []byte) (*update, error) {
	prev, err := lastXRef(data)
	if err != nil {
		return nil, err
	}
	doc, err := pdfin.ReadOwn(data) // segur's own render, about to be signed
	if err != nil {
		return nil, err
	}
	ctx := doc.Context()
	xt := ctx.XRefTable
	if xt.Root == nil || xt.RootDict == nil || xt.Size == nil {
		return nil, errors.New("catalogue du PDF introuvable")
	}
	u := startUpdate(data, prev, *xt.Size, *xt.Root, xt.Info, xt.ID)
	u.ctx = ctx
	return u, nil
}

// lastXRef is the offset of the last cross-reference section of data.
func lastXRef(data []byte) (int, error) {
	m := startxrefRe.FindSubmatch(data)
	if m == nil {
		return 0, errors.New("fin de fichier PDF introuvable")
	}
	prev, _ := strconv.Atoi(string(m[1])) // digits: the pattern matched them
	return prev, nil
}

func startUpdate(data []byte, prev, size int, root types.IndirectRef, info *types.IndirectRef, id types.Array) *update {
	u := &update{prev: prev, next: size, offsets: map[int]int{}, root: root, info: info, id: id}
	u.b.Grow(len(data) + 4<<10) // the update: a few objects and the xref
	u.b.Write(data)
	if !bytes.HasSuffix(data, []byte("\n")) {
		u.b.WriteByte('\n')
	}
	return u
}

// object writes object n (new or changed) with the given body.
func (u *update) object(n int, body string) {
	u.offsets[n] = u.b.Len()
	fmt.Fprintf(&u.b, "%d 0 obj\n%s\nendobj\n", n, body)
}

// reserve returns a new object number.
func (u *update) reserve() int {
	u.next++
	return u.next - 1
}

// finish writes the cross-reference section and the trailer.
func (u *update) finish() []byte {
	xref := u.b.Len()
	nums := make([]int, 0, len(u.offsets))
	for n := range u.offsets {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	u.b.WriteString("xref\n")
	for _, n := range nums {
		fmt.Fprintf(&u.b, "%d 1\n%010d 00000 n \n", n, u.offsets[n])
	}
	trailer := types.Dict{"Size": types.Integer(u.next), "Root": u.root, "Prev": types.Integer(u.prev)}
	if u.info != nil {
		trailer["Info"] = *u.info
	}
	if u.id != nil {
		trailer["ID"] = u.id
	}
	fmt.Fprintf(&u.b, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", trailer.PDFString(), xref)
	return u.b.Bytes()
}

// findField returns the object number and dictionary of the form field
// named name.
func findField(ctx *model.Context, name string) (int, types.Dict, error) {
	xt := ctx.XRefTable
	af, err := xt.DereferenceDict(xt.RootDict["AcroForm"])
	if err != nil || af == nil {
		return 0, nil, fmt.Errorf("champ de signature « %s » introuvable : le PDF n'a pas de formulaire", name)
	}
	fields, _ := xt.DereferenceArray(af["Fields"]) // unreadable: no field, so « introuvable » below
	for _, f := range fields {
		r, ok := f.(types.IndirectRef)
		if !ok {
			continue
		}
		d, err := xt.DereferenceDict(r)
		if err != nil || d == nil {
			continue
		}
		if t, ok := d["T"].(types.StringLiteral); ok {
			if s, _ := types.StringLiteralToString(t); s == name { // unreadable: not this field
				return r.ObjectNumber.Value(), d, nil
			}
		}
	}
	return 0, nil, fmt.Errorf("champ de signature « %s » introuvable", name)
}
