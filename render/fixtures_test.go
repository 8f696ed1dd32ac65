package render

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/templates"
)

// fixture reads and checks fixtures/<dir>/<name>.yaml and returns its
// dossiers (solde phase for dossiers/, commande phase for commandes/).
func fixture(tb testing.TB, dir, name string) []*dossier.Dossier {
	tb.Helper()
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		tb.Fatal(err)
	}
	cfg, probs, err := dossier.LoadConfig(filepath.Join("..", "fixtures", dossier.ConfigName), reg, pdfops.Disk{})
	if err != nil || dossier.HasError(probs) {
		tb.Fatalf("fixtures/segur.yaml: %v %v", err, probs)
	}
	phase := dossier.PhaseSolde
	if dir == "commandes" {
		phase = dossier.PhaseCommande
	}
	recs := dossier.Read([]string{filepath.Join("..", "fixtures", dir, name+".yaml")})
	ds := dossier.Check(cfg, reg, recs, dossier.Options{Phase: phase, Files: pdfops.Disk{}})
	for _, d := range ds {
		if d.Blocked() {
			tb.Fatalf("fixture %s/%s is blocked: %v", dir, name, d.Problems)
		}
	}
	return ds
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
