package signature_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/signature"
	"github.com/segur-sons/segur/tools/sigtest"
)

// tamper returns a copy of data with the byte at i changed.
func tamper(data []byte, i int) []byte {
	out := bytes.Clone(data)
	out[i] ^= 0x01
	return out
}

// signedMOM is a one-page document signed as render signs a MOM.
func signedMOM(t testing.TB) []byte {
	t.Helper()
	s, err := sigtest.Load("..", "fournisseur")
	if err != nil {
		t.Fatal(err)
	}
	out, err := signature.Sign(samplePDF(t, "MOM 00042"), s, signature.Box{Page: 1, Rect: [4]float64{50, 50, 400, 120}},
		"Signe par Claire Martin", time.Date(2023, 1, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// VerifyOwn must find what Verify finds on a deposited document, for
// segur's own signature and for anything else it is handed.
func TestVerifyOwnAgreesWithVerify(t *testing.T) {
	mom := signedMOM(t)
	s2, err := sigtest.Load("..", "schmitt")
	if err != nil {
		t.Fatal(err)
	}
	// A second, invisible signature: a visible one outside the MOM's box
	// is blocked (VA_SIGNATURE_HORS_CASE).
	twice, err := signature.Sign(mom, s2, signature.Box{Page: 1}, "Signe par Anne Schmitt", time.Date(2023, 1, 21, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	gap := bytes.Index(mom, []byte("/Contents<")) + len("/Contents<") + 40
	if gap < 50 {
		t.Fatal("no signature /Contents in the signed document")
	}
	stream := bytes.Index(mom, []byte("stream\n")) + len("stream\n") + 5
	va, err := os.ReadFile("../fixtures/signes/MDV-LGC-Va1-VA-00048.pdf")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		data  []byte
		valid bool
	}{
		{"signed by segur", mom, true},
		{"content changed after signing", tamper(mom, stream), false},
		{"signature altered", tamper(mom, gap), false},
		{"bytes appended", append(bytes.Clone(mom), "% added\n"...), false},
		{"signed again by someone else", twice, true},
		{"a client's VA signed twice", va, true},
		{"not signed", samplePDF(t, "MOM 00042"), false},
		{"not a PDF", []byte("/ByteRange [0 10 20 30] <00>"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := signature.VerifyOwn("mom.pdf", c.data, "MOM")
			want := signature.Verify("mom.pdf", c.data, signature.Expect{Kind: "MOM", Deposited: true})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("VerifyOwn:\n%+v\nVerify:\n%+v", got, want)
			}
			if got.OK() != c.valid {
				t.Errorf("OK() = %v, want %v: %+v", got.OK(), c.valid, got.Errors)
			}
		})
	}
}

// AcceptAndVerify must give Accept's refusal, else Verify's result, as
// the two did with two parses of the file.
func TestAcceptAndVerifyAgreesWithAcceptThenVerify(t *testing.T) {
	files, err := filepath.Glob("../fixtures/signes/*.pdf")
	if err != nil || len(files) == 0 {
		t.Fatal("no fixture in ../fixtures/signes", err)
	}
	type input struct {
		name string
		data []byte
	}
	var inputs []input
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		end := signature.FirstRevisionEnd(data)
		inputs = append(inputs,
			input{filepath.Base(f), data},
			input{filepath.Base(f) + " unsigned revision", data[:end]},
			input{filepath.Base(f) + " cut short", data[:len(data)*2/3]},
			input{filepath.Base(f) + " byte changed in the first revision", tamper(data, end/2)},
			input{filepath.Base(f) + " byte changed in the last revision", tamper(data, len(data)-200)},
			input{filepath.Base(f) + " bytes appended", append(bytes.Clone(data), "% added\n"...)},
		)
	}
	inputs = append(inputs, input{"signed MOM", signedMOM(t)}, input{"empty", nil}, input{"text", []byte("%PDF-1.4 not really")})
	va48, _ := os.ReadFile("../fixtures/signes/MDV-LGC-Va1-VA-00048.pdf")
	expects := map[string]signature.Expect{
		"tied to the dossier's VA": {Rendered: [][]byte{va48[:signature.FirstRevisionEnd(va48)]}, Signatories: []signature.Signatory{
			{Name: "Anne Schmitt", ID: "10875011016"}, {Name: "François Muller", ID: "10073697418"}}},
		"one signatory":         {Signatories: []signature.Signatory{{Name: "Anne Schmitt"}}, Pages: func() int { return 1 }},
		"deposited, with boxes": {Deposited: true, Boxes: "☒☐☐"},
	}
	for _, in := range inputs {
		for ename, want := range expects {
			t.Run(in.name+"/"+ename, func(t *testing.T) {
				got, gotErr := signature.AcceptAndVerify("va.pdf", in.data, want)
				acceptErr := pdfin.Accept(in.data)
				if (gotErr == nil) != (acceptErr == nil) || (gotErr != nil && gotErr.Error() != acceptErr.Error()) {
					t.Fatalf("acceptance: got %v, Accept says %v", gotErr, acceptErr)
				}
				if acceptErr != nil {
					return
				}
				if res := signature.Verify("va.pdf", in.data, want); !reflect.DeepEqual(got, res) {
					t.Errorf("AcceptAndVerify:\n%+v\nVerify:\n%+v", got, res)
				}
			})
		}
	}
}

// TestSignFieldAfterAddFieldsIsSign: render adds the fournisseur's field
// with the clients' (AddFields), then signs that field by its name
// (SignField) instead of letting Sign read the document whole to find it:
// the same bytes as Sign.
func TestSignFieldAfterAddFieldsIsSign(t *testing.T) {
	s, err := sigtest.Load("..", "fournisseur")
	if err != nil {
		t.Fatal(err)
	}
	own := signature.Box{Name: "Signature fournisseur", Page: 1, Rect: [4]float64{300, 50, 550, 120}}
	for _, others := range [][]signature.Box{nil, {{Name: "Signature client", Page: 1, Rect: [4]float64{50, 50, 280, 120}}}} {
		data, err := signature.AddFields(samplePDF(t, "MOM 00042"), append(others, own))
		if err != nil {
			t.Fatal(err)
		}
		when := time.Date(2023, 1, 20, 9, 30, 0, 0, time.UTC)
		want, err := signature.Sign(data, s, own, "Signe par Claire Martin", when)
		if err != nil {
			t.Fatal(err)
		}
		got, err := signature.SignField(data, s, own.Name, "Signe par Claire Martin", when)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("with %d other field(s): SignField gives other bytes than Sign", len(others))
		}
	}
}
