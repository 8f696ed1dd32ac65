package signature

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/segur-sons/segur/internal/pdfin"
)

// equal is a shortcut of comparing serialisations: whatever it finds
// equal must serialise the same, and the same object read twice is equal.
func TestEqualImpliesSameSerialisation(t *testing.T) {
	files, _ := filepath.Glob("../fixtures/signes/*.pdf")
	if len(files) == 0 {
		t.Fatal("no fixture")
	}
	var objs []types.Object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a, err := readContext(data)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := readContext(data)
		for n := range a.XRefTable.Table {
			oa, ob := object(a, n), object(b, n)
			if oa == nil {
				continue
			}
			if sa, ok := oa.(types.StreamDict); ok {
				oa, ob = sa.Dict, ob.(types.StreamDict).Dict
			}
			if !equal(oa, ob) {
				t.Errorf("%s: object %d read twice is not equal: %s", filepath.Base(f), n, oa.PDFString())
			}
			objs = append(objs, oa)
		}
	}
	objs = append(objs, types.Float(0), types.Float(math.Copysign(0, -1)), types.Float(0.004), types.Float(0.001),
		types.Dict{"A": nil}, types.Dict{}, types.Dict(nil), types.Array{}, types.Array(nil), types.Integer(1), types.Float(1),
		types.StringLiteral("x"), types.HexLiteral("78"), types.Name("x"))
	pairs := 0
	for i, a := range objs {
		for _, b := range objs[i:] {
			if equal(a, b) {
				pairs++
				if as, bs := pdfString(a), pdfString(b); as != bs {
					t.Errorf("equal but serialised differently: %s and %s", as, bs)
				}
			}
		}
	}
	if pairs < len(objs) {
		t.Errorf("only %d equal pairs among %d objects: each object must equal itself", pairs, len(objs))
	}
	for _, c := range [][2]types.Object{
		{types.Float(0), types.Float(math.Copysign(0, -1))},
		{types.Integer(1), types.Float(1)},
		{types.StringLiteral("x"), types.Name("x")},
		{types.Dict{"A": nil}, types.Dict{}},
		{types.Array{types.Integer(1)}, types.Array{types.Integer(2)}},
	} {
		if equal(c[0], c[1]) {
			t.Errorf("%v and %v must not be equal", c[0], c[1])
		}
	}
}

// AddFields writes the same bytes whether it reads only the objects it
// changes (a document as segur renders it) or the whole file, and reads a
// rendered document the quick way.
func TestAddFieldsQuickEqualsWhole(t *testing.T) {
	files, _ := filepath.Glob("../fixtures/signes/*.pdf")
	type doc struct {
		name  string
		data  []byte
		quick bool // read the quick way
	}
	var docs []doc
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		first := data[:FirstRevisionEnd(data)]
		_, gofpdf := readQuick(first, mustXRef(t, first))
		docs = append(docs, doc{filepath.Base(f) + " as rendered", first, gofpdf == nil})
		// Signed files have several revisions: read whole.
		docs = append(docs, doc{filepath.Base(f), data, false})
	}
	quick := 0
	for _, d := range docs {
		for _, boxes := range [][]Box{
			{{Name: "Signature 10875011016", Page: 1, Rect: [4]float64{50, 400, 300, 460}}},
			{{Name: "Signature fournisseur", Page: 1, Rect: [4]float64{1, 2, 3, 4}}, {Name: "Signature é", Page: 2, Rect: [4]float64{5, 6, 7.5, 8.25}}, {Name: "Signature 3", Page: 1, Rect: [4]float64{9, 10, 11, 12}}},
			{{Name: "x", Page: 9, Rect: [4]float64{1, 2, 3, 4}}},
		} {
			got, gotErr := AddFields(d.data, boxes)
			want, wantErr := addFieldsAs(d.data, boxes, true)
			if !bytes.Equal(got, want) || (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
				t.Errorf("%s, %d boxes: the quick reading gives %d bytes (%v), the whole one %d (%v)", d.name, len(boxes), len(got), gotErr, len(want), wantErr)
			}
		}
		if d.quick {
			quick++
		}
	}
	if quick == 0 {
		t.Error("no rendered document was read the quick way")
	}
}

func mustXRef(t *testing.T, data []byte) int {
	t.Helper()
	x, err := lastXRef(data)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// BenchmarkAddFields adds a client's signature field to a rendered VA as
// render does: reading only the objects it changes, or the whole file.
func BenchmarkAddFields(b *testing.B) {
	data, err := os.ReadFile("../fixtures/signes/MDV-LGC-Va1-VA-00048.pdf")
	if err != nil {
		b.Fatal(err)
	}
	doc := data[:FirstRevisionEnd(data)]
	boxes := []Box{{Name: "Signature 10875011016", Page: 1, Rect: [4]float64{50, 400, 300, 460}}}
	for _, whole := range []bool{false, true} {
		b.Run(map[bool]string{false: "quick", true: "whole"}[whole], func(b *testing.B) {
			for b.Loop() {
				if _, err := addFieldsAs(doc, boxes, whole); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// readContext is data as pdfin reads it, for the tests that look at
// the objects.
func readContext(data []byte) (*model.Context, error) {
	d, err := pdfin.Read(data)
	if err != nil {
		return nil, err
	}
	return d.Context(), nil
}
