package render

import (
	"testing"

	"github.com/segur-sons/segur/dossier"
)

// BenchmarkRender measures one document of each kind, one goroutine, and
// every kind with all CPUs busy (b.RunParallel): documents/s is b.N over
// the time.
func BenchmarkRender(b *testing.B) {
	cases := []struct {
		kind    dossier.Kind
		fixture string
	}{
		{dossier.BDC, "liberal-mom"},
		{dossier.MOM, "liberal-mom"},
		{dossier.VA, "liberal-va"},
		{dossier.FACTURE, "liberal-mom"},
	}
	for _, c := range cases {
		d := fixture(b, "dossiers", c.fixture)[0]
		b.Run(string(c.kind), func(b *testing.B) {
			r := testRenderer(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Render(d, c.kind); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(c.kind)+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				r := testRenderer(b)
				for pb.Next() {
					if _, err := r.Render(d, c.kind); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
