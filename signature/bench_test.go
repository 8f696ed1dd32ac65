package signature_test

import (
	"os"
	"testing"
	"time"

	"github.com/segur-sons/segur/internal/sigtest"
	"github.com/segur-sons/segur/signature"
)

// BenchmarkSign signs a one-page document with the fournisseur's RSA-2048
// TEST certificate (the MOM of every dossier without a VA).
func BenchmarkSign(b *testing.B) {
	s, err := sigtest.Load("..", "fournisseur")
	if err != nil {
		b.Fatal(err)
	}
	doc := samplePDF(b, "MOM")
	box := signature.Box{Page: 1, Rect: [4]float64{50, 50, 400, 120}}
	for b.Loop() {
		if _, err := signature.Sign(doc, s, box, "Signe par Claire Martin", time.Date(2023, 1, 20, 0, 0, 0, 0, time.UTC)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify verifies a VA signed in turn by two médecins, tied to its
// dossier by its bytes.
func BenchmarkVerify(b *testing.B) {
	data, err := os.ReadFile("../fixtures/signes/MDV-LGC-Va1-VA-00048.pdf")
	if err != nil {
		b.Fatal(err)
	}
	want := signature.Expect{Rendered: [][]byte{data[:signature.FirstRevisionEnd(data)]}, Signatories: []signature.Signatory{
		{Name: "Anne Schmitt", ID: "10875011016"}, {Name: "François Muller", ID: "10073697418"}}}
	for b.Loop() {
		if res := signature.Verify("va.pdf", data, want); len(res.Signers) != 2 {
			b.Fatal(res.Errors)
		}
	}
}
