package render

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/templates"
)

// fixture reads and checks fixtures/<dir>/<name>.yaml and returns its
// dossiers (solde phase for dossiers/, commande phase for commandes/).
func fixture(tb testing.TB, dir, name string) []*dossier.Dossier {
	tb.Helper()
	phase := dossier.PhaseSolde
	if dir == "commandes" {
		phase = dossier.PhaseCommande
	}
	return checkFile(tb, filepath.Join("..", "fixtures", dir, name+".yaml"), phase)
}

// checkFile reads and checks the records of one file at phase, against
// fixtures/segur.yaml, and fails the test if one is blocked.
func checkFile(tb testing.TB, path string, phase dossier.Phase) []*dossier.Dossier {
	tb.Helper()
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		tb.Fatal(err)
	}
	cfg, probs, err := dossier.LoadConfig(filepath.Join("..", "fixtures", dossier.ConfigName), reg, pdfops.Disk{})
	if err != nil || dossier.HasError(probs) {
		tb.Fatalf("fixtures/segur.yaml: %v %v", err, probs)
	}
	recs := dossier.Read([]string{path})
	ds := dossier.Check(cfg, reg, recs, dossier.Options{Phase: phase, Files: pdfops.Disk{}})
	for _, d := range ds {
		if d.Blocked() {
			tb.Fatalf("%s is blocked: %v", path, d.Problems)
		}
	}
	return ds
}

// testCeiling stands, in the tests only, for the accompagnement renforcé
// ceiling the Va2 draft leaves unpublished (« ZZZ € HT »): with it the
// documents that carry the line can be rendered and looked at.
const testCeiling = "plafond_ht_par_beneficiaire: 200.00 # test figure"

// testRegistry is the embedded registry with testCeiling in the Va2 data.
func testRegistry(tb testing.TB) *dossier.Registry {
	tb.Helper()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(templates.FS, ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := templates.FS.ReadFile(path)
		if err != nil {
			return err
		}
		if path == "dispositifs/MDV-LGC-Va2.yaml" {
			edited := strings.Replace(string(data), "plafond_ht_par_beneficiaire:\n", testCeiling+"\n", 1)
			if edited == string(data) {
				tb.Fatal("the Va2 data has no empty plafond_ht_par_beneficiaire any more")
			}
			data = []byte(edited)
		}
		fsys[path] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	reg, err := dossier.LoadRegistry(fsys)
	if err != nil {
		tb.Fatal(err)
	}
	return reg
}

// testRenderer renders with the embedded fonts.
func testRenderer(tb testing.TB) *Renderer {
	tb.Helper()
	reg, err := templates.FS.ReadFile(templates.FontRegular)
	if err != nil {
		tb.Fatal(err)
	}
	bold, err := templates.FS.ReadFile(templates.FontBold)
	if err != nil {
		tb.Fatal(err)
	}
	return New(Assets{Fonts: Fonts{Regular: reg, Bold: bold}})
}

// writeLook writes a rendered PDF under $SEGUR_LOOK (when set) for a person
// to look at.
func writeLook(tb testing.TB, name string, pdf []byte) {
	if dir := os.Getenv("SEGUR_LOOK"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), pdf, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// lookPages fails the test on a rendering error, writes the PDF for a
// person to look at (writeLook) and returns the text of each page.
func lookPages(t *testing.T, name string) func([]byte, error) []string {
	return func(pdf []byte, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		writeLook(t, name, pdf)
		pages, err := pdfin.Text(pdf)
		if err != nil {
			t.Fatal(err)
		}
		return pages
	}
}
