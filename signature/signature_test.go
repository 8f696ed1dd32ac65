package signature_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/phpdave11/gofpdf"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/signature"
	"github.com/segur-sons/segur/tools/sigtest"
	"software.sslmate.com/src/go-pkcs12"
)

const certs = "../fixtures/certs"

// samplePDF is a one-page text PDF.
func samplePDF(t testing.TB, text string) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	fixed := time.Date(2023, 2, 10, 0, 0, 0, 0, time.UTC)
	pdf.SetCreationDate(fixed)
	pdf.SetModificationDate(fixed)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 12)
	pdf.Text(20, 30, text)
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// p12 encodes a fresh key and a certificate valid from..to.
func p12(t *testing.T, from, to time.Time, withKey bool) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "TEST expiré"}, NotBefore: from, NotAfter: to}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	var data []byte
	if withKey {
		data, err = pkcs12.Modern.Encode(key, cert, nil, sigtest.Password)
	} else {
		data, err = pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{cert}, sigtest.Password)
	}
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLoad(t *testing.T) {
	now := time.Now()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, path, password, want string
	}{
		{"OpenSSL 3 default (AES-256, PBKDF2)", certs + "/fournisseur.p12", sigtest.Password, ""},
		{"legacy (3DES, RC2)", certs + "/fournisseur-legacy.p12", sigtest.Password, ""},
		{"a wrong password", certs + "/fournisseur.p12", "mauvais", "CERTIFICAT_MOT_DE_PASSE"},
		{"a wrong password on a legacy file", certs + "/fournisseur-legacy.p12", "mauvais", "CERTIFICAT_MOT_DE_PASSE"},
		{"an expired certificate", write("expire.p12", p12(t, now.AddDate(-3, 0, 0), now.AddDate(-1, 0, 0), true)), sigtest.Password, "CERTIFICAT_EXPIRE"},
		{"a certificate without its private key", write("sans-cle.p12", p12(t, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), false)), sigtest.Password, "CERTIFICAT_SANS_CLE"},
		{"a file that is no PKCS#12", write("pas-un.p12", []byte("-----BEGIN CERTIFICATE-----\n")), sigtest.Password, "CERTIFICAT_ILLISIBLE"},
		{"a missing file", filepath.Join(dir, "absent.p12"), sigtest.Password, "CERTIFICAT_ILLISIBLE"},
		{"a folder", dir, sigtest.Password, "CERTIFICAT_ILLISIBLE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := signature.Load(c.path, c.password, now)
			if c.want == "" {
				if err != nil || s.Cert.Subject.CommonName != "Claire Martin" || s.Key == nil || len(s.Chain) != 1 {
					t.Fatalf("want the certificate of Claire Martin with its key and chain, got %v %v", s, err)
				}
				return
			}
			e, ok := err.(*signature.Error)
			if !ok || e.Code != c.want {
				t.Fatalf("want %s, got %v", c.want, err)
			}
			if strings.Contains(e.Message, "pkcs12") || strings.Contains(e.Message, "x509") {
				t.Errorf("the message leaks a Go library name: %q", e.Message)
			}
		})
	}
}

func pdfsig(t *testing.T, data []byte) string { return sigtest.Pdfsig(t, data) }

func TestSignIsValidAndReproducible(t *testing.T) {
	s, err := sigtest.Load("..", "fournisseur")
	if err != nil {
		t.Fatal(err)
	}
	doc := samplePDF(t, "MOM 00042")
	box := signature.Box{Page: 1, Rect: [4]float64{50, 50, 400, 120}}
	when := time.Date(2023, 1, 20, 0, 0, 0, 0, time.UTC)
	a, err := signature.Sign(doc, s, box, "Signé par Claire Martin", when)
	if err != nil {
		t.Fatal(err)
	}
	b, err := signature.Sign(doc, s, box, "Signé par Claire Martin", when)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("the same document, date and certificate must give the same signed bytes")
	}
	if !bytes.HasPrefix(a, doc) {
		t.Error("signing must append to the document, not rewrite it")
	}
	out := pdfsig(t, a)
	for _, want := range []string{"Signature is Valid", "Total document signed", "Claire Martin", "Signature Type: ETSI.CAdES.detached"} {
		if !strings.Contains(out, want) {
			t.Errorf("pdfsig should say %q:\n%s", want, out)
		}
	}
	res := signature.Verify("mom.pdf", a, signature.Expect{Kind: "MOM", Deposited: true})
	if !res.OK() || len(res.Signers) != 1 || !res.Signers[0].Valid || res.Signers[0].Covers == "" {
		t.Errorf("segur's verification disagrees with pdfsig: %+v", res)
	}
	if want := signature.SigningTime(s, when); !res.Signers[0].Time.Equal(want) {
		t.Errorf("signing time: got %v, want %v (the document's date within the certificate's validity)", res.Signers[0].Time, want)
	}
}

func TestFieldsThenSignatures(t *testing.T) {
	doc := samplePDF(t, "VA 00048")
	boxes := []signature.Box{
		{Name: "Signature 10875011016", Page: 1, Rect: [4]float64{50, 400, 300, 460}},
		{Name: "Signature 10073697418", Page: 1, Rect: [4]float64{50, 300, 300, 360}},
	}
	withFields, err := signature.AddFields(doc, boxes)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(withFields, doc) {
		t.Fatal("the fields must be an incremental update")
	}
	for _, b := range boxes {
		got, err := signature.FieldBox(withFields, b.Name)
		if err != nil || got.Page != 1 || got.Rect != b.Rect {
			t.Errorf("field %s: got %+v %v, want %+v", b.Name, got, err, b)
		}
	}
	if out := pdfsig(t, withFields); strings.Count(out, "not signed") != 2 {
		t.Errorf("pdfsig should list two empty signature fields:\n%s", out)
	}
	if _, err := exec.LookPath("qpdf"); err == nil {
		p := filepath.Join(t.TempDir(), "f.pdf")
		os.WriteFile(p, withFields, 0o644)
		if out, err := exec.Command("qpdf", "--check", p).CombinedOutput(); err != nil {
			t.Errorf("qpdf --check: %v\n%s", err, out)
		}
	}
	s1, _ := sigtest.Load("..", "schmitt")
	s2, _ := sigtest.Load("..", "muller")
	when := time.Date(2023, 1, 25, 0, 0, 0, 0, time.UTC)
	one, err := sigtest.SignField(withFields, s1, boxes[0].Name, when)
	if err != nil {
		t.Fatal(err)
	}
	two, err := sigtest.SignField(one, s2, boxes[1].Name, when)
	if err != nil {
		t.Fatal(err)
	}
	want := signature.Expect{Rendered: [][]byte{withFields}, Signatories: []signature.Signatory{
		{Name: "Anne Schmitt", ID: "10875011016"}, {Name: "François Muller", ID: "10073697418"},
	}}
	res := signature.Verify("va.pdf", two, want)
	if !res.OK() || len(res.Signers) != 2 || len(res.Missing) != 0 || !strings.Contains(res.Tie, "octets") {
		t.Fatalf("signed in turn: %+v %v", res, res.Errors)
	}
	if out := pdfsig(t, two); strings.Count(out, "Signature is Valid") != 2 {
		t.Errorf("pdfsig should find two valid signatures:\n%s", out)
	}
	res = signature.Verify("va.pdf", one, want)
	if res.OK() || len(res.Missing) != 1 || res.Missing[0].ID != "10073697418" || res.Errors[0].Code != "VA_SIGNATURE_MANQUANTE" {
		t.Errorf("signed by one of two: %+v", res)
	}
}

func TestScans(t *testing.T) {
	text := samplePDF(t, "VA 00050")
	if signature.Verify("va.pdf", text, signature.Expect{}).Proof != "" {
		t.Error("a text PDF without signature is no proof")
	}
	scan, err := os.ReadFile("../fixtures/signes/MDV-LGC-Va1-VA-00050.pdf") // img2pdf
	if err != nil {
		t.Fatal(err)
	}
	res := signature.Verify("va.pdf", scan, signature.Expect{Pages: func() int { return 1 }})
	if res.Proof != signature.Scan || len(res.Errors) != 0 || len(res.Warnings) != 1 || res.Warnings[0].Code != "VA_NUMERISEE" {
		t.Errorf("an img2pdf scan: %+v", res)
	}
	res = signature.Verify("va.pdf", scan, signature.Expect{Pages: func() int { return 2 }})
	if len(res.Errors) != 1 || res.Errors[0].Code != "VA_PAGES" {
		t.Errorf("a scan with a page missing: %+v", res)
	}
}

// FuzzVerify feeds Verify with damaged signed files: it must never panic.
func FuzzVerify(f *testing.F) {
	for _, name := range []string{"MDV-LGC-Va1-VA-00048.pdf", "MDV-LGC-Va1-VA-00043.pdf"} {
		data, err := os.ReadFile("../fixtures/signes/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, 100, byte(1))
		f.Add(data, len(data)-20, byte('0'))
	}
	f.Fuzz(func(t *testing.T, data []byte, at int, b byte) {
		if len(data) > 0 {
			data = bytes.Clone(data)
			data[((at%len(data))+len(data))%len(data)] ^= b
		}
		want := signature.Expect{Signatories: []signature.Signatory{{Name: "Anne Schmitt"}}}
		res := signature.Verify("va.pdf", data, want)
		// One parse for acceptance and verification finds what two did.
		got, err := signature.AcceptAndVerify("va.pdf", data, want)
		if aerr := pdfin.Accept(data); (err == nil) != (aerr == nil) || (err == nil && !reflect.DeepEqual(got, res)) {
			t.Errorf("AcceptAndVerify: %+v, %v; Accept: %v, then Verify: %+v", got, err, aerr, res)
		}
		if own := signature.VerifyOwn("mom.pdf", data, "MOM"); !reflect.DeepEqual(own, signature.Verify("mom.pdf", data, signature.Expect{Kind: "MOM", Deposited: true})) {
			t.Errorf("VerifyOwn disagrees with Verify: %+v", own)
		}
	})
}
