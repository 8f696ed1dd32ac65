package pdfin

import (
	"github.com/segur-sons/segur/internal/pdftest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tool runs an outside program that writes out from in, as clients' tools
// do; the case is skipped when the program is missing (.ci/run installs
// img2pdf, ghostscript and qpdf).
func tool(t *testing.T, name string, args ...string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed (.ci/run installs it)", name)
	}
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

func TestAcceptRealWorldPDFs(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.pdf")
	if err := os.WriteFile(src, buildPDF(t, pdftest.Page{Lines: []pdftest.Line{{X: 20, Y: 30, Text: "VA 00043 ☒ ☐"}}}), 0o644); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "page.png")
	cases := []struct {
		name string
		make func(t *testing.T, out string)
	}{
		{"img2pdf scan", func(t *testing.T, out string) {
			tool(t, "pdftoppm", "-r", "50", "-png", "-singlefile", src, strings.TrimSuffix(png, ".png"))
			tool(t, "img2pdf", "-o", out, png)
		}},
		{"Ghostscript pdfwrite", func(t *testing.T, out string) {
			tool(t, "gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", "-sOutputFile="+out, src)
		}},
		{"qpdf linearized", func(t *testing.T, out string) { tool(t, "qpdf", "--linearize", src, out) }},
		{"qpdf object streams", func(t *testing.T, out string) {
			tool(t, "qpdf", "--object-streams=generate", src, out)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.pdf")
			c.make(t, out)
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := Accept(data); err != nil {
				t.Errorf("a PDF written by %s must be accepted: %v", c.name, err)
			}
		})
	}
}

func TestAcceptRefusals(t *testing.T) {
	good := buildPDF(t, pdftest.Page{Lines: []pdftest.Line{{X: 20, Y: 30, Text: "facture"}}})
	if err := Accept(good); err != nil {
		t.Fatalf("segur's own PDF: %v", err)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "vide"},
		{"not a PDF", []byte("PK\x03\x04 un zip"), "ce n'est pas un PDF"},
		{"cut short", good[:len(good)/2], "ne se termine pas"},
		{"bytes after the end", append(append([]byte{}, good...), "garbage"...), "ne se termine pas"},
		{"a broken body", []byte("%PDF-1.7\nceci n'est pas un PDF\nstartxref\n0\n%%EOF\n"), "illisible"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Accept(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error saying %q", err, c.want)
			}
		})
	}
}
