// Package sigtest holds what the tests and the fixture generator need to
// sign documents as clients would, with the TEST certificates of
// fixtures/certs, and to tamper with signed documents as a forger would.
// It is never used by segur itself.
package sigtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/segur-sons/segur/signature"
)

// Password is the password of every TEST certificate of fixtures/certs.
const Password = "segur-test"

// Load loads fixtures/certs/<who>.p12 from the repository root root.
func Load(root, who string) (*signature.Signer, error) {
	return signature.Load(filepath.Join(root, "fixtures", "certs", who+".p12"), Password, time.Now())
}

// SignField signs data as s in its signature field named field, as a
// client's signing tool would.
func SignField(data []byte, s *signature.Signer, field string, when time.Time) ([]byte, error) {
	return signature.SignField(data, s, field, "Signe par "+s.Cert.Subject.CommonName, when)
}

var startxrefRe = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)

// Draw appends to data an incremental update that draws content (PDF
// operators) over page: a change made after the signatures, such as
// ticking other boxes.
func Draw(data []byte, page int, content string) ([]byte, error) {
	ctx, prev, err := readForUpdate(data)
	if err != nil {
		return nil, err
	}
	xt := ctx.XRefTable
	d, ref, _, err := xt.PageDict(page, false)
	if err != nil {
		return nil, err
	}
	nd := d.Clone().(types.Dict)
	n := *xt.Size
	var contents types.Array
	if c, ok := nd["Contents"]; ok {
		if a, ok := c.(types.Array); ok {
			contents = append(contents, a...)
		} else {
			contents = append(contents, c)
		}
	}
	contents = append(contents, *types.NewIndirectRef(n, 0))
	nd["Contents"] = contents
	var b bytes.Buffer
	b.Write(data)
	if !bytes.HasSuffix(data, []byte("\n")) {
		b.WriteByte('\n')
	}
	offStream := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<</Length %d>>\nstream\n%s\nendstream\nendobj\n", n, len(content)+1, content)
	offPage := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", ref.ObjectNumber.Value(), nd.PDFString())
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n", ref.ObjectNumber.Value(), offPage, n, offStream)
	tr := types.Dict{"Size": types.Integer(n + 1), "Root": *xt.Root, "Prev": types.Integer(prev)}
	if xt.Info != nil {
		tr["Info"] = *xt.Info
	}
	fmt.Fprintf(&b, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", tr.PDFString(), xref)
	return b.Bytes(), nil
}

// Root finds the repository root from a test's working directory.
func Root() string {
	dir, _ := os.Getwd() // none: the search below ends at the root
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// Pdfsig runs poppler's pdfsig on data and returns what it says; the test
// is skipped when pdfsig is not installed (.ci/run installs it).
func Pdfsig(t testing.TB, data []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdfsig"); err != nil {
		t.Skip("pdfsig (poppler-utils) is not installed; .ci/run installs it")
	}
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("pdfsig", p).CombinedOutput() // pdfsig exits non-zero for an invalid signature: its output is the verdict
	return string(out)
}
