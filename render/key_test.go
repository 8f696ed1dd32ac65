package render

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/segur-sons/segur/dossier"
)

// TestKey: the VA of every VA fixture has a key, the same for the same
// dossier made again, and another for any change to what the VA is drawn
// from — a field of the dossier (even one buried behind a pointer), the
// logo, a preview; no signed document and no facture has one.
func TestKey(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	seen := map[string]string{}
	for _, name := range []string{"liberal-va", "cas1-perimetre-identique", "mandataire-va", "va2-structure-cds", "bio-sgl"} {
		d := fixture(t, "dossiers", name)[0]
		k := r.Key(d, dossier.VA)
		if k == "" {
			t.Fatalf("%s: no key for its VA", name)
		}
		if again := r.Key(fixture(t, "dossiers", name)[0], dossier.VA); again != k {
			t.Errorf("%s: the same record made again gives another key", name)
		}
		if other, ok := seen[k]; ok {
			t.Errorf("%s and %s share a key", name, other)
		}
		seen[k] = name
		for _, kind := range []dossier.Kind{dossier.FACTURE, dossier.MOM, dossier.BDC} {
			if got := r.Key(d, kind); got != "" {
				t.Errorf("%s: %s has a key", name, kind)
			}
		}
	}
	d := fixture(t, "dossiers", "liberal-va")[0]
	base := r.Key(d, dossier.VA)
	for _, c := range []struct {
		name   string
		change func(d *dossier.Dossier) *Renderer
	}{
		{"signature place", func(d *dossier.Dossier) *Renderer { d.Parties.Lieu += "x"; return r }},
		{"facture number settled by the registre", func(d *dossier.Dossier) *Renderer { d.Facture.Numero += "9"; return r }},
		{"a dispositif's wording (behind a pointer)", func(d *dossier.Dossier) *Renderer {
			dp := *d.Dispositif
			dp.Textes.VACocher += "."
			d.Dispositif = &dp
			return r
		}},
		{"the logo", func(d *dossier.Dossier) *Renderer {
			a := r.assets
			a.Logo = []byte("logo")
			return New(a)
		}},
		{"a preview", func(d *dossier.Dossier) *Renderer {
			a := r.assets
			a.Apercu = true
			return New(a)
		}},
		{"the fonts", func(d *dossier.Dossier) *Renderer {
			a := r.assets
			a.Fonts.Bold = bytes.Clone(a.Fonts.Bold)
			a.Fonts.Bold[len(a.Fonts.Bold)-1] ^= 1
			return New(a)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := fixture(t, "dossiers", "liberal-va")[0]
			rr := c.change(d)
			if got := rr.Key(d, dossier.VA); got == base || got == "" {
				t.Errorf("key %q after the change, %q before", got, base)
			}
		})
	}
}

// TestKeyLeavesOutWhatIsNotDrawn: the same record read through another
// path, two lines lower, with a problem more, keys the same VA — the VA
// draws none of them — and that VA is byte for byte the one drawn before.
func TestKeyLeavesOutWhatIsNotDrawn(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	d := fixture(t, "dossiers", "liberal-va")[0]
	base := r.Key(d, dossier.VA)
	before, err := r.Render(d, dossier.VA)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("..", "fixtures", "dossiers", "liberal-va.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ailleurs.yaml")
	if err := os.WriteFile(path, append([]byte("# lu ailleurs\n# deux lignes plus bas\n"), src...), 0o644); err != nil {
		t.Fatal(err)
	}
	moved := checkFile(t, path, dossier.PhaseSolde)[0]
	if moved.Ref.Source == d.Ref.Source {
		t.Fatalf("the copy stands where the fixture does: %+v", moved.Ref.Source)
	}
	moved.Problems = append(moved.Problems, dossier.Problem{Pos: moved.Ref.Source, Level: dossier.Attention, Numero: moved.Ref.NumeroEditeur, Field: "-", Code: "DOSSIER_DEJA_DEPOSE", Message: "déjà déposé"})
	if got := r.Key(moved, dossier.VA); got != base {
		t.Errorf("key %q for the same record read elsewhere, %q before", got, base)
	}
	after, err := r.Render(moved, dossier.VA)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the VA of the same record read elsewhere differs: what the key leaves out is drawn")
	}
	if d.Ref.Source.File == "" {
		t.Error("Key cleared the dossier's own position")
	}
}

func BenchmarkKey(b *testing.B) {
	r := testRenderer(b)
	d := fixture(b, "dossiers", "cas1-perimetre-identique")[0]
	for b.Loop() {
		r.Key(d, dossier.VA)
	}
}
