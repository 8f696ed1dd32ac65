package render

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/signature"
)

// The VA and the bon de commande carry one empty signature field per
// client signatory, on that signatory's box and page.
func TestSignatureFields(t *testing.T) {
	r := testRenderer(t)
	cases := []struct {
		fixture string
		kind    dossier.Kind
		fields  map[string]int // name → page
	}{
		{"cas5-mandataire-retire", dossier.VA, map[string]int{"Signature 10875011016": 1, "Signature 10073697418": 2}},
		{"liberal-va", dossier.VA, map[string]int{"Signature 10766476625": 1}},
		{"mandataire-va", dossier.VA, map[string]int{"Signature mandataire": 1}},
		{"structure-plusieurs-sites", dossier.BDC, map[string]int{"Signature responsable": 0}},
	}
	for _, c := range cases {
		t.Run(c.fixture+" "+string(c.kind), func(t *testing.T) {
			d := fixture(t, "dossiers", c.fixture)[0]
			data, err := r.Render(d, c.kind)
			if err != nil {
				t.Fatal(err)
			}
			for name, page := range c.fields {
				box, err := signature.FieldBox(data, name)
				if err != nil {
					t.Fatalf("field %s: %v", name, err)
				}
				if page > 0 && box.Page != page {
					t.Errorf("field %s: on page %d, want %d", name, box.Page, page)
				}
				w, h := box.Rect[2]-box.Rect[0], box.Rect[3]-box.Rect[1]
				if w < 300 || h < 50 || box.Rect[1] < 40 || box.Rect[3] > 800 {
					t.Errorf("field %s: rectangle %v is not a signature box inside the page", name, box.Rect)
				}
			}
			if signature.HasSignature(data) {
				t.Error("without a certificate, nothing is signed")
			}
		})
	}
}

// With the fournisseur's certificate, the MOM is signed (pdfsig: valid,
// whole document) and the same record gives the same bytes.
func TestMOMSigned(t *testing.T) {
	s, err := signature.Load("../fixtures/certs/fournisseur.p12", "segur-test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := testRenderer(t)
	r.assets.Signer = s
	// A signature states the moment it was made (the real time, to the
	// second): the same bytes twice need the same clock, not two renders
	// within one second (under load they straddle one).
	at := time.Now()
	r.assets.Now = func() time.Time { return at }
	d := fixture(t, "dossiers", "liberal-mom")[0]
	a, err := r.Render(d, dossier.MOM)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Render(d, dossier.MOM)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("the signed MOM differs from one rendering to the next")
	}
	writeLook(t, "MOM-signee.pdf", a)
	if _, err := exec.LookPath("pdfsig"); err != nil {
		t.Skip("pdfsig (poppler-utils) is not installed; .ci/run installs it")
	}
	p := filepath.Join(t.TempDir(), "mom.pdf")
	os.WriteFile(p, a, 0o644)
	out, _ := exec.Command("pdfsig", p).CombinedOutput()
	for _, want := range []string{"Signature is Valid", "Total document signed", "Claire Martin"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pdfsig should say %q:\n%s", want, out)
		}
	}
}
