package signature

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// changesAfter lists, in French, what the file read into full changed in
// the document base besides signatures: signature dictionaries, signature
// fields and widgets, their appearances, the catalog's form, the document
// information and metadata are allowed; anything else (page content,
// resources, other annotations, a page added) is a change.
func changesAfter(base []byte, full *model.Context) []string {
	old, err := readContext(base)
	if err != nil {
		return []string{"la VA d'origine est illisible"}
	}
	if old.PageCount != full.PageCount {
		return []string{fmt.Sprintf("%d page(s) au lieu de %d", full.PageCount, old.PageCount)}
	}
	var out []string
	info := -1
	if full.XRefTable.Info != nil {
		info = full.XRefTable.Info.ObjectNumber.Value()
	}
	nums := make([]int, 0, len(full.XRefTable.Table))
	for n := range full.XRefTable.Table {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	for _, n := range nums {
		after := object(full, n)
		if n == 0 || after == nil {
			continue
		}
		before := object(old, n)
		if before != nil && same(before, after) {
			continue
		}
		if n == info {
			continue
		}
		if what := disallowed(n, before, after, old, full); what != "" {
			out = append(out, what)
			if len(out) == 5 {
				break
			}
		}
	}
	return out
}

// same compares two objects by their PDF serialisation (streams by their
// dictionary and encoded bytes).
func same(a, b types.Object) bool {
	sa, oka := a.(types.StreamDict)
	sb, okb := b.(types.StreamDict)
	if oka != okb {
		return false
	}
	if oka {
		return bytes.Equal(sa.Raw, sb.Raw) && (equal(sa.Dict, sb.Dict) || sa.Dict.PDFString() == sb.Dict.PDFString())
	}
	return equal(a, b) || a.PDFString() == b.PDFString()
}

// equal reports whether a and b are the same value, compared without
// serialising them (most objects of a signed file are unchanged): equal
// values have the same serialisation. Types it does not know are not
// equal here, and compared by their serialisation.
func equal(a, b types.Object) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case types.Dict:
		y, ok := b.(types.Dict)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	case types.Array:
		y, ok := b.(types.Array)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case types.Float:
		y, ok := b.(types.Float)
		return ok && math.Float64bits(float64(x)) == math.Float64bits(float64(y))
	case types.Integer, types.Name, types.StringLiteral, types.HexLiteral, types.Boolean, types.IndirectRef:
		return a == b
	}
	return false
}

func name(d types.Dict, key string) string {
	if v := d.NameEntry(key); v != nil {
		return *v
	}
	return ""
}

func dictOf(o types.Object) (types.Dict, bool) {
	switch v := o.(type) {
	case types.Dict:
		return v, true
	case types.StreamDict:
		return v.Dict, true
	}
	return nil, false
}

// isSigField reports whether d is a signature field or widget (directly,
// or through its parent field).
func isSigField(d types.Dict, ctx *model.Context) bool {
	for range 4 {
		if name(d, "FT") == "Sig" {
			return true
		}
		p, ok := d["Parent"]
		if !ok {
			return false
		}
		o, err := ctx.XRefTable.Dereference(p)
		if err != nil {
			return false
		}
		if d, ok = o.(types.Dict); !ok {
			return false
		}
	}
	return false
}

// disallowed describes the change of object n from before (nil: new) to
// after, or returns "" when it is one a signature brings.
func disallowed(n int, before, after types.Object, old, full *model.Context) string {
	d, ok := dictOf(after)
	if !ok {
		if before == nil {
			return "" // a new plain object (array, number) used by a signature
		}
		return fmt.Sprintf("objet %d modifié", n)
	}
	typ, sub := name(d, "Type"), name(d, "Subtype")
	switch {
	case typ == "Sig" || typ == "DocTimeStamp" || typ == "XRef" || typ == "ObjStm" || typ == "Metadata" || typ == "DSS":
		return ""
	case typ == "Catalog":
		if bd, ok := dictOf(before); ok {
			for _, k := range keysOf(d, bd) {
				switch k {
				case "AcroForm", "Version", "DSS", "Perms", "Extensions", "Metadata":
					continue
				}
				if !sameEntry(bd[k], d[k], old, full) {
					return "catalogue du document modifié (" + k + ")"
				}
			}
		}
		if af, ok := d["AcroForm"]; ok {
			if o, err := full.XRefTable.Dereference(af); err == nil {
				if afd, ok := o.(types.Dict); ok {
					return newFields(afd, old, full)
				}
			}
		}
		return ""
	case typ == "Page":
		bd, ok := dictOf(before)
		if !ok {
			return "page ajoutée"
		}
		for _, k := range keysOf(d, bd) {
			if k != "Annots" && !sameEntry(bd[k], d[k], old, full) {
				return "contenu de page modifié (" + k + ")"
			}
		}
		if kind := notSigField(refs(bd["Annots"], old), refs(d["Annots"], full), full); kind != "" {
			return "annotation ajoutée sur une page (" + kind + ")"
		}
		return ""
	case typ == "Annot" || sub == "Widget" || d["FT"] != nil:
		if isSigField(d, full) {
			if bd, ok := dictOf(before); !ok || isSigField(bd, old) {
				return ""
			}
		}
		return "annotation ou champ de formulaire ajouté ou modifié (" + annotKind(d) + ")"
	case d["Fields"] != nil: // an indirect AcroForm
		return newFields(d, old, full)
	}
	if before == nil {
		// New objects a signature appearance uses: forms, images, fonts,
		// resources. They can only show through a changed page or field,
		// which is checked above.
		return ""
	}
	what := typ
	if what == "" {
		what = sub
	}
	if _, ok := after.(types.StreamDict); ok && what == "" {
		what = "flux de contenu"
	}
	if what == "" {
		what = "objet"
	}
	return fmt.Sprintf("%s n° %d modifié", what, n)
}

// newFields checks that every form field added is a signature field.
func newFields(af types.Dict, old, full *model.Context) string {
	var before []int
	if r := old.XRefTable.RootDict; r != nil {
		if o, err := old.XRefTable.Dereference(r["AcroForm"]); err == nil {
			if od, ok := o.(types.Dict); ok {
				before = refs(od["Fields"], old)
			}
		}
	}
	if kind := notSigField(before, refs(af["Fields"], full), full); kind != "" {
		return "champ de formulaire ajouté (" + kind + ")"
	}
	return ""
}

// notSigField returns the kind of the first object of after, not in
// before, that is not a signature field or widget ("" when none).
func notSigField(before, after []int, full *model.Context) string {
	for _, r := range after {
		if slices.Contains(before, r) {
			continue
		}
		o, err := full.XRefTable.Dereference(*types.NewIndirectRef(r, 0))
		d, ok := o.(types.Dict)
		if err != nil || !ok || !isSigField(d, full) {
			return annotKind(d)
		}
	}
	return ""
}

func annotKind(d types.Dict) string {
	if d == nil {
		return "inconnu"
	}
	if s := name(d, "Subtype"); s != "" {
		return s
	}
	if s := name(d, "FT"); s != "" {
		return s
	}
	return "inconnu"
}

func keysOf(a, b types.Dict) []string {
	var ks []string
	for k := range a {
		ks = append(ks, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// sameEntry compares a dictionary entry of the old document with the
// same entry of the new one, looking through indirect references (a
// signing tool may rewrite an indirect dictionary inline).
func sameEntry(a, b types.Object, old, full *model.Context) bool {
	return resolvedString(a, old, 1) == resolvedString(b, full, 1)
}

func resolvedString(o types.Object, ctx *model.Context, depth int) string {
	if o == nil {
		return "null"
	}
	if r, ok := o.(types.IndirectRef); ok {
		if depth <= 0 {
			return r.PDFString()
		}
		d, err := ctx.XRefTable.Dereference(r)
		if err != nil || d == nil {
			return r.PDFString()
		}
		if _, ok := d.(types.StreamDict); ok {
			return r.PDFString() // streams are compared as objects of their own
		}
		o = d
	}
	switch v := o.(type) {
	case types.Dict:
		var b strings.Builder
		b.WriteString("<<")
		for _, k := range keysOf(v, nil) {
			b.WriteString("/" + k + " " + resolvedString(v[k], ctx, depth-1))
		}
		b.WriteString(">>")
		return b.String()
	case types.Array:
		var b strings.Builder
		b.WriteString("[")
		for _, e := range v {
			b.WriteString(resolvedString(e, ctx, depth-1) + " ")
		}
		b.WriteString("]")
		return b.String()
	}
	return o.PDFString()
}

// refs lists the object numbers of the indirect references in an array
// (itself maybe indirect).
func refs(o types.Object, ctx *model.Context) []int {
	if o == nil {
		return nil
	}
	arr, err := ctx.XRefTable.DereferenceArray(o)
	if err != nil {
		return nil
	}
	var out []int
	for _, v := range arr {
		if r, ok := v.(types.IndirectRef); ok {
			out = append(out, r.ObjectNumber.Value())
		} else {
			out = append(out, -1-len(out)) // a direct annotation: never in the old list
		}
	}
	return out
}

// object is object n of ctx, also when it lies in an object stream (which
// pdfcpu decodes on demand), nil when free or absent.
func object(ctx *model.Context, n int) types.Object {
	e, ok := ctx.XRefTable.Table[n]
	if !ok || e == nil || e.Free {
		return nil
	}
	if _, lazy := e.Object.(types.LazyObjectStreamObject); e.Object != nil && !lazy {
		return e.Object
	}
	// In an object stream: decoded on demand.
	gen := 0
	if e.Generation != nil {
		gen = *e.Generation
	}
	o, err := ctx.XRefTable.Dereference(*types.NewIndirectRef(n, gen))
	if err != nil {
		return nil
	}
	return o
}
