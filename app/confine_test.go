//go:build unix

package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segur-sons/segur/depot"
)

// TestPackRefusesInputsInsideWhatItCleans (issue #22, item 2): --signes,
// --pieces or the records inside a-signer/, depot/, dossiers/ or .segur/ of
// -o, and a-signer/ (or another cleaned folder) that is a link, are refused
// before anything is read or written: the client-signed VAs put in
// a-signer/ and the files of the folder the link names are all still there.
func TestPackRefusesInputsInsideWhatItCleans(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	recs := fixtureRecords(t, "liberal-mom.yaml", "facture-taux-8-5.yaml")
	base := func(out string) PackOptions { return fixturePack(recs, out) }
	// A good dépôt, then the client-signed VAs put back in a-signer/.
	out := t.TempDir()
	if _, err := Pack(context.Background(), base(out)); err != nil {
		t.Fatal(err)
	}
	vas, _ := filepath.Glob(filepath.Join(out, "a-signer", "*.pdf"))
	for _, v := range vas {
		os.WriteFile(strings.TrimSuffix(v, ".pdf")+"-signee-par-client.pdf", []byte("%PDF-1.7 signée"), 0o644)
	}
	os.WriteFile(filepath.Join(out, "a-signer", "MDV-LGC-Va1-VA-00045.pdf"), []byte("%PDF-1.7 signée"), 0o644)
	sub := filepath.Join(out, "dossiers", "sous")
	os.MkdirAll(sub, 0o755)
	os.MkdirAll(filepath.Join(out, ".segur", "x"), 0o755)

	cases := []struct {
		name string
		set  func(o *PackOptions)
	}{
		{"--signes -o/a-signer", func(o *PackOptions) { o.Signes = filepath.Join(out, "a-signer") }},
		{"--signes -o/a-signer/ relatif", func(o *PackOptions) {
			rel, err := filepath.Rel(".", filepath.Join(out, "a-signer"))
			if err == nil {
				o.Signes = rel + "/"
			} else {
				o.Signes = filepath.Join(out, "a-signer")
			}
		}},
		{"--signes -o/depot", func(o *PackOptions) { o.Signes = filepath.Join(out, "depot") }},
		{"--pieces -o/dossiers/sous", func(o *PackOptions) { o.Pieces = sub }},
		{"enregistrements dans -o/.segur", func(o *PackOptions) { o.Paths = append(o.Paths, filepath.Join(out, ".segur", "x")) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := depotFiles(t, out, "dossiers")
			opt := base(out)
			tc.set(&opt)
			_, err := Pack(context.Background(), opt)
			if err == nil || !strings.Contains(err.Error(), "[ENTREE_DANS_SORTIE]") {
				t.Errorf("got %v, want ENTREE_DANS_SORTIE", err)
			}
			if after := depotFiles(t, out, "dossiers"); !sameFiles(before, after) {
				t.Errorf("the output folder changed: %d files before, %d after", len(before), len(after))
			}
		})
	}

	// -o/a-signer a link to a shared folder: refused, nothing deleted there.
	shared := t.TempDir()
	kept := filepath.Join(shared, "MDV-LGC-Va1-VA-00045-signee-par-client.pdf")
	os.WriteFile(kept, []byte("%PDF-1.7 signée"), 0o644)
	for _, v := range vas {
		os.WriteFile(filepath.Join(shared, filepath.Base(v)), []byte("%PDF-1.7 signée"), 0o644)
	}
	out2 := t.TempDir()
	if err := os.Symlink(shared, filepath.Join(out2, "a-signer")); err != nil {
		t.Fatal(err)
	}
	n := func() int { m, _ := filepath.Glob(filepath.Join(shared, "*")); return len(m) }
	had := n()
	_, err := Pack(context.Background(), base(out2))
	if err == nil || !strings.Contains(err.Error(), "[SORTIE_LIEN]") {
		t.Errorf("a-signer a link: got %v, want SORTIE_LIEN", err)
	}
	if got := n(); got != had {
		t.Errorf("a-signer a link: %d files in the folder it names, had %d", got, had)
	}
	if _, err := os.Stat(filepath.Join(out2, "depot")); err == nil {
		t.Error("a-signer a link: depot/ was written")
	}
}

// TestRenderConfinedAndLockedAsPack (issue #22, items 2 and 6): segur render
// writes dossiers/ under -o, so it goes through pack's confinement (--pieces
// or records inside a folder segur cleans, a cleaned folder that is a link)
// and takes pack's lock: while a pack holds -o, render writes nothing.
func TestRenderConfinedAndLockedAsPack(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	recs := fixtureRecords(t, "liberal-mom.yaml")
	opt := func(out string) RenderOptions {
		p := fixturePack(recs, out)
		return RenderOptions{Inputs: p.Inputs, Out: p.Out, DateDepot: p.DateDepot}
	}
	t.Run("--pieces dans -o/dossiers", func(t *testing.T) {
		out := t.TempDir()
		sub := filepath.Join(out, "dossiers", "annexes")
		os.MkdirAll(sub, 0o755)
		o := opt(out)
		o.Pieces = sub
		if _, err := Render(context.Background(), o); err == nil || !strings.Contains(err.Error(), "[ENTREE_DANS_SORTIE]") {
			t.Errorf("got %v, want ENTREE_DANS_SORTIE", err)
		}
	})
	t.Run("-o/dossiers est un lien", func(t *testing.T) {
		out, elsewhere := t.TempDir(), t.TempDir()
		os.Symlink(elsewhere, filepath.Join(out, "dossiers"))
		if _, err := Render(context.Background(), opt(out)); err == nil || !strings.Contains(err.Error(), "[SORTIE_LIEN]") {
			t.Errorf("got %v, want SORTIE_LIEN", err)
		}
		if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
			t.Errorf("written through the link: %v", entries)
		}
	})
	t.Run("pendant un pack", func(t *testing.T) {
		out := t.TempDir()
		unlock, err := depot.Lock(out)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Render(context.Background(), opt(out))
		unlock()
		if err == nil || !strings.Contains(err.Error(), "travaille déjà") {
			t.Errorf("got %v, want the lock's refusal", err)
		}
		if entries, _ := os.ReadDir(filepath.Join(out, "dossiers")); len(entries) != 0 {
			t.Errorf("render wrote under a pack's lock: %v", entries)
		}
		if _, err := Render(context.Background(), opt(out)); err != nil {
			t.Errorf("once the lock is released: %v", err)
		}
	})
}
