package signature_test

import (
	"os"
	"testing"
	"time"

	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/signature"
	"github.com/segur-sons/segur/tools/sigtest"
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

// signedVA is a VA signed in turn by two médecins and what it must be.
func signedVA(b *testing.B) ([]byte, signature.Expect) {
	data, err := os.ReadFile("../fixtures/signes/MDV-LGC-Va1-VA-00048.pdf")
	if err != nil {
		b.Fatal(err)
	}
	return data, signature.Expect{Rendered: [][]byte{data[:signature.FirstRevisionEnd(data)]}, Signatories: []signature.Signatory{
		{Name: "Anne Schmitt", ID: "10875011016"}, {Name: "François Muller", ID: "10073697418"}}}
}

// BenchmarkVerify verifies a VA signed in turn by two médecins, tied to its
// dossier by its bytes.
func BenchmarkVerify(b *testing.B) {
	data, want := signedVA(b)
	for b.Loop() {
		if res := signature.Verify("va.pdf", data, want); len(res.Signers) != 2 {
			b.Fatal(res.Errors)
		}
	}
}

// BenchmarkVerifyOwn checks the MOM segur has just signed, as pack does,
// from the bytes signed; BenchmarkVerifyDeposited is the same check
// through the whole PDF, as for a file found in a dépôt.
func BenchmarkVerifyOwn(b *testing.B) {
	mom := signedMOM(b)
	for b.Loop() {
		if res := signature.VerifyOwn("mom.pdf", mom, "MOM"); !res.OK() {
			b.Fatal(res.Errors)
		}
	}
}

func BenchmarkVerifyDeposited(b *testing.B) {
	mom := signedMOM(b)
	for b.Loop() {
		if res := signature.Verify("mom.pdf", mom, signature.Expect{Kind: "MOM", Deposited: true}); !res.OK() {
			b.Fatal(res.Errors)
		}
	}
}

// BenchmarkVerifySignedVA accepts and verifies a VA signed in turn by two
// médecins, as pack does with a signed VA: one parse of the file
// (AcceptAndVerify), against the two of Accept then Verify.
func BenchmarkVerifySignedVA(b *testing.B) {
	data, want := signedVA(b)
	b.Run("AcceptAndVerify", func(b *testing.B) {
		for b.Loop() {
			if res, err := signature.AcceptAndVerify("va.pdf", data, want); err != nil || !res.OK() {
				b.Fatal(err, res.Errors)
			}
		}
	})
	b.Run("Accept-then-Verify", func(b *testing.B) {
		for b.Loop() {
			if err := pdfin.Accept(data); err != nil {
				b.Fatal(err)
			}
			if res := signature.Verify("va.pdf", data, want); !res.OK() {
				b.Fatal(res.Errors)
			}
		}
	})
}
