package deephash

import (
	"errors"
	"testing"
	"time"
)

type inner struct {
	n    int
	Tags map[string][]byte
}

type outer struct {
	Name   string
	hide   string
	In     *inner
	Any    any
	When   time.Time
	Floats [2]float64
	Next   *outer
}

func TestSum(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	at := time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)
	base := func() *outer {
		return &outer{Name: "a", hide: "h", In: &inner{n: 1, Tags: map[string][]byte{"x": {1}, "y": {2}, "z": nil}}, Any: 3, When: at, Floats: [2]float64{1, 2}}
	}
	want := mustSum(t, base())
	for _, c := range []struct {
		name   string
		change func(o *outer)
		same   bool
	}{
		{"made again", func(o *outer) {}, true},
		{"a map built in another order", func(o *outer) { o.In.Tags = map[string][]byte{"z": nil, "y": {2}, "x": {1}} }, true},
		{"the same instant with a monotonic reading", func(o *outer) { o.When = at.Add(0) }, true},
		{"an exported string", func(o *outer) { o.Name = "b" }, false},
		{"an unexported string", func(o *outer) { o.hide = "i" }, false},
		{"an unexported int behind a pointer", func(o *outer) { o.In.n = 2 }, false},
		{"a map value", func(o *outer) { o.In.Tags["x"] = []byte{3} }, false},
		{"a nil slice made empty", func(o *outer) { o.In.Tags["z"] = []byte{} }, false},
		{"a map entry more", func(o *outer) { o.In.Tags["w"] = nil }, false},
		{"an interface's dynamic type", func(o *outer) { o.Any = int64(3) }, false},
		{"the same instant in another zone", func(o *outer) { o.When = at.In(paris) }, false},
		{"an array element", func(o *outer) { o.Floats[1] = 3 }, false},
		{"a pointer made nil", func(o *outer) { o.In = nil }, false},
		{"a cycle", func(o *outer) { o.Next = o }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := base()
			c.change(o)
			if got := mustSum(t, o); (got == want) != c.same {
				t.Errorf("digest %s, base %s: same = %v, want %v", got, want, got == want, c.same)
			}
		})
	}
	// Two shapes of sharing are told apart: the same inner twice, or two
	// equal inners.
	a, b := &outer{In: &inner{n: 1}}, &outer{In: &inner{n: 1}}
	shared := []*outer{a, a}
	apart := []*outer{a, b}
	if mustSum(t, shared) == mustSum(t, apart) {
		t.Error("sharing and equal copies give one digest")
	}
	for _, v := range []any{func() {}, make(chan int), struct{ F func() }{func() {}}} {
		if _, err := Sum(v); !errors.Is(err, ErrOpaque) {
			t.Errorf("Sum(%T): %v, want ErrOpaque", v, err)
		}
	}
	if _, err := Sum(struct{ F func() }{}); err != nil {
		t.Errorf("a nil func: %v", err)
	}
}

func mustSum(t *testing.T, v any) string {
	t.Helper()
	s, err := Sum(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSumMapOfSharedPointers: a map whose values share pointers digests
// the same whatever order its range takes.
func TestSumMapOfSharedPointers(t *testing.T) {
	p := &inner{n: 7}
	m := map[int]*inner{}
	for i := range 50 {
		if i%2 == 0 {
			m[i] = p
		} else {
			m[i] = &inner{n: i}
		}
	}
	want := mustSum(t, m)
	for range 20 {
		if got := mustSum(t, m); got != want {
			t.Fatalf("digest %s, then %s", want, got)
		}
	}
}
