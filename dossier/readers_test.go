package dossier

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderAndPackReadOnlyTheDossier: the packages that make documents and
// the dépôt name neither the record (dossier.Record and its blocks) nor
// segur.yaml (dossier.Config): what they print comes from the checked
// Dossier, so that no rule is decided twice.
func TestRenderAndPackReadOnlyTheDossier(t *testing.T) {
	t.Parallel()
	forbidden := map[string]bool{
		"Record": true, "Config": true, "Read": true, "LoadConfig": true, "Check": true,
		"Commande": true, "Facture": true, "Realisation": true, "Avance": true, "Signature": true,
	}
	for _, pkg := range []string{"render", "pack"} {
		files, err := filepath.Glob(filepath.Join("..", pkg, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", pkg, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, src, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "dossier" && forbidden[sel.Sel.Name] {
					t.Errorf("%s: dossier.%s: %s must read the checked Dossier, not the record or segur.yaml", fset.Position(sel.Pos()), sel.Sel.Name, pkg)
				}
				return true
			})
		}
	}
}
