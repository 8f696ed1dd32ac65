package pack

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/segur-sons/segur/dossier"
)

// renderFunc is a Renderer made of a function.
type renderFunc func(d *dossier.Dossier, k dossier.Kind) ([]byte, error)

func (f renderFunc) Render(d *dossier.Dossier, k dossier.Kind) ([]byte, error) { return f(d, k) }

func TestWriteDocument(t *testing.T) {
	t.Parallel()
	d := &dossier.Dossier{Ref: dossier.Ref{NumeroEditeur: "00042", Dispositif: "MDV-LGC-Va1", Source: dossier.Pos{File: "d.yaml", Line: 3}}}
	out := t.TempDir()
	ok := renderFunc(func(_ *dossier.Dossier, k dossier.Kind) ([]byte, error) { return []byte("%PDF " + k), nil })
	doc, prob, err := WriteDocument(ok, d, dossier.MOM, out, true)
	if err != nil || prob != nil {
		t.Fatalf("WriteDocument: %v %v", err, prob)
	}
	want := filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-MOM-00042.pdf")
	if doc.Path != want || doc.Name != "MDV-LGC-Va1-MOM-00042.pdf" {
		t.Errorf("got %s (%s), want %s", doc.Path, doc.Name, want)
	}
	if data, err := os.ReadFile(want); err != nil || string(data) != "%PDF MOM" {
		t.Errorf("written file: %q %v", data, err)
	}

	broken := renderFunc(func(*dossier.Dossier, dossier.Kind) ([]byte, error) { return nil, errors.New("police absente") })
	_, prob, err = WriteDocument(broken, d, dossier.FACTURE, out, true)
	if err != nil {
		t.Fatalf("a rendering failure is a problem, not an error: %v", err)
	}
	if prob == nil || prob.Code != "RENDU_IMPOSSIBLE" || prob.Numero != "00042" || prob.Pos.Line != 3 ||
		prob.Message != "le document FACTURE n'a pas pu être produit : police absente" {
		t.Errorf("got %+v", prob)
	}
	if _, err := os.Stat(filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-FACTURE-00042.pdf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a document that failed must not be written: %v", err)
	}
}
