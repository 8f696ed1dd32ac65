package pdfin_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// A parser of PDF bytes (or of the CMS a PDF signature holds): what only
// this package may call on a PDF segur did not write. pdfcpu's api and
// its root package read files; model parses objects from text; pkcs7
// parses a signature's CMS; pdfsign/verify reads a signed PDF whole.
var (
	parserPackages = []string{
		"github.com/pdfcpu/pdfcpu/pkg/api",
		"github.com/pdfcpu/pdfcpu/pkg/pdfcpu",
		"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate",
		"github.com/digitorus/pdfsign/verify",
	}
	parserFuncs = map[string][]string{
		"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model": {"Parse*", "Read*", "NewContext"},
		"github.com/digitorus/pkcs7":                {"Parse"},
		// ReadOwn skips the bounds: only segur's own renders may go through it.
		"github.com/segur-sons/segur/internal/pdfin": {"ReadOwn"},
	}
)

// writers are the files, beside this package's, that may call a parser:
// each writes a PDF from bytes segur itself made (or, in a tool, a test
// file), never reads an outside one.
var writers = map[string]string{
	"internal/pdfops/":    "merging (its parts are Docs this package has read), rewriting and stamping segur's own PDFs",
	"signature/quick.go":  "the signer reads the PDF segur has just rendered, one object at a time, to add its fields",
	"signature/update.go": "the signer's whole-file fallback reads the PDF segur has just rendered (pdfin.ReadOwn)",
	"render/facture.go":   "the facture segur has just rendered, read to merge its traités after it (pdfin.ReadOwn)",
	"tools/sigtest/":      "writes the forged and signed test files of the tests, never part of segur",
}

// parserCalls lists, for one Go file, each use of a parser: the imported
// package when it is a parser package, else each call of a parser
// function, as « path.Func ».
func parserCalls(fset *token.FileSet, f *ast.File) []string {
	var out []string
	local := map[string]string{} // local name → import path
	for _, im := range f.Imports {
		path, _ := strconv.Unquote(im.Path.Value)
		if slices.Contains(parserPackages, path) {
			out = append(out, path)
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		local[name] = path
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		for _, pattern := range parserFuncs[local[x.Name]] {
			if m, _ := filepath.Match(pattern, sel.Sel.Name); m {
				out = append(out, local[x.Name]+"."+sel.Sel.Name+" ("+fset.Position(sel.Pos()).String()+")")
			}
		}
		return true
	})
	return out
}

// TestOnlyPdfinParsesPDFs (issue 20 item 1, issue 21 item 2): no Go file
// of segur (tests aside) but this package's and the writers' calls a PDF
// or CMS parser, so a PDF segur did not write is read here, within the
// bounds, and nowhere else.
func TestOnlyPdfinParsesPDFs(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	used := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "third_party" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		calls := parserCalls(fset, f)
		if len(calls) == 0 || strings.HasPrefix(rel, "internal/pdfin/") {
			return nil
		}
		for prefix := range writers {
			if strings.HasPrefix(rel, prefix) {
				used[prefix] = true
				return nil
			}
		}
		t.Errorf("%s parses PDF bytes itself (%s): read the file through pdfin (a Doc) instead", rel, strings.Join(calls, ", "))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for prefix, why := range writers {
		if !used[prefix] {
			t.Errorf("writer %s (%s) no longer calls a parser: remove it from the list", prefix, why)
		}
	}
}

// The check itself finds each kind of parser use.
func TestParserCallsFound(t *testing.T) {
	cases := map[string]int{
		`package p; import "github.com/pdfcpu/pdfcpu/pkg/api"; var _ = api.ReadContext`:                           1,
		`package p; import m "github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"; func f(s *string) { m.ParseObject(s) }`: 1,
		`package p; import "github.com/digitorus/pkcs7"; func f(b []byte) { pkcs7.Parse(b) }`:                     1,
		`package p; import "github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"; var _ model.Context`:                      0,
		`package p; import "github.com/digitorus/pkcs7"; var _ = pkcs7.OIDAttributeSigningTime`:                   0,
		`package p; import "github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"; var _ types.Dict`:                         0,
		`package p; import v "github.com/digitorus/pdfsign/verify"; var _ = v.File`:                               1,
		`package p; import "github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"; func f() { model.NewContext(nil, nil) }`:  1,
	}
	for src, want := range cases {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "p.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := parserCalls(fset, f); len(got) != want {
			t.Errorf("%s: found %q, want %d", src, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "..", "go.mod")); err != nil {
		t.Fatalf("the repository's root is not two folders up: %v", err)
	}
}
