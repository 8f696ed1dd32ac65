package pdfin

import (
	"bytes"
	"errors"
	"github.com/segur-sons/segur/internal/pdftest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	t.Parallel()
	pages, err := Text(facture(t))
	if err != nil {
		t.Fatalf("Text: %v", err)
	}
	if got, want := len(pages), 2; got != want {
		t.Fatalf("got %d pages, want %d", got, want)
	}
	tests := []struct {
		page int // 1-based
		line string
	}{
		{1, "Facture n° F2023-0042 du 10/02/2023"},
		{1, "Montant total HT : 1 075,00 €"},
		{1, "L’œuvre « intégrale » à 20 %"},
		{2, "☒ Que ces envois sont assurés par le logiciel"},
		{2, "☐ Que ces envois sont assurés par un logiciel distinct"},
	}
	for _, tt := range tests {
		for p, text := range pages {
			lines := strings.Split(text, "\n")
			got := contains(lines, tt.line)
			if want := p+1 == tt.page; got != want {
				t.Errorf("page %d: got line %q present=%v, want %v; page text:\n%s", p+1, tt.line, got, want, text)
			}
		}
	}
	if got, want := strings.Split(pages[0], "\n"), []string{
		"Facture n° F2023-0042 du 10/02/2023",
		"Montant total HT : 1 075,00 €",
		"L’œuvre « intégrale » à 20 %",
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("page 1: got lines %q, want %q", got, want)
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

// normalize drops empty lines and collapses runs of spaces, so that
// pdftotext -layout output and Text output can be compared.
func normalize(page string) []string {
	var out []string
	for _, l := range strings.Split(page, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			out = append(out, strings.Join(f, " "))
		}
	}
	return out
}

func TestTextMatchesPdftotext(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed")
	}
	data := facture(t)
	path := filepath.Join(t.TempDir(), "facture.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	want := strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
	got, err := Text(data)
	if err != nil {
		t.Fatalf("Text: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d pages, pdftotext has %d", len(got), len(want))
	}
	for i := range got {
		if g, w := normalize(got[i]), normalize(want[i]); !reflect.DeepEqual(g, w) {
			t.Errorf("page %d: got %q, pdftotext %q", i+1, g, w)
		}
	}
}

// TestTextCoreFont covers gofpdf core fonts: WinAnsi literal strings, no
// ToUnicode, widths from pdfcpu's standard 14 metrics.
func TestTextCoreFont(t *testing.T) {
	t.Parallel()
	pdf := pdftest.CoreFontPDF()
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 12)
	pdf.Text(20, 30, tr("Déjà vu : 12,50 € – « ok »"))
	pdf.SetXY(20, 40)
	pdf.CellFormat(50, 6, tr("Total (TTC)"), "", 0, "L", false, 0, "")
	pdf.CellFormat(50, 6, tr(`a\b`), "", 0, "L", false, 0, "")
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	pages, err := Text(b.Bytes())
	if err != nil {
		t.Fatalf("Text: %v", err)
	}
	if got, want := pages, []string{"Déjà vu : 12,50 € – « ok »\nTotal (TTC) a\\b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestTextOperators runs the content stream interpreter on hand-written
// streams with the fallback font (1-byte WinAnsi codes, 500/1000 em wide).
func TestTextOperators(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"TJ small kerning joins", "BT /F1 10 Tf 100 700 Td [(Mon) -40 (tant)] TJ ET", "Montant"},
		{"TJ large kerning is a space", "BT /F1 10 Tf 100 700 Td [(Montant) -250 (total)] TJ ET", "Montant total"},
		{"gap between runs is a space", "BT /F1 10 Tf 100 700 Td (HT :) Tj 100 0 Td (1 075,00) Tj ET", "HT : 1 075,00"},
		{"adjacent runs join", "BT /F1 10 Tf 100 700 Td (10/02/) Tj 30 0 Td (2023) Tj ET", "10/02/2023"},
		{"lines sorted top to bottom", "BT /F1 10 Tf 1 0 0 1 100 600 Tm (second) Tj 1 0 0 1 100 700 Tm (first) Tj ET", "first\nsecond"},
		{"runs sorted left to right", "BT /F1 10 Tf 300 700 Td (droite) Tj -200 0 Td (gauche) Tj ET", "gauche droite"},
		{"T* and quote use leading", "BT /F1 10 Tf 12 TL 100 700 Td (a) Tj T* (b) Tj (c) ' ET", "a\nb\nc"},
		{"TD sets leading", "BT /F1 10 Tf 100 700 TD (x) Tj 0 -14 TD (y) Tj T* (z) Tj ET", "x\ny\nz"},
		{"literal escapes", `BT /F1 10 Tf 100 700 Td (\(a\) \\ b\101\
c) Tj ET`, `(a) \ bAc`},
		{"hex string", "BT /F1 10 Tf 100 700 Td <48 45 4C4C4F> Tj ET", "HELLO"},
		{"cm scales and moves", "q 2 0 0 2 50 50 cm BT /F1 10 Tf 0 0 Td (big) Tj ET Q BT /F1 10 Tf 0 700 Td (top) Tj ET", "top\nbig"},
		{"font persists across BT", "/F1 10 Tf BT 100 700 Td (x) Tj ET", "x"},
		{"overprinted glyphs once", "BT /F1 10 Tf 100 700 Td (Bold) Tj ET BT /F1 10 Tf 100.3 700 Td (Bold) Tj ET", "Bold"},
		{"nbsp is a space", "BT /F1 10 Tf 100 700 Td (1\2403) Tj ET", "1 3"},
		{"inline image skipped", "BI /W 1 /H 1 /BPC 8 /CS /G ID \x00EI\xff EI BT /F1 10 Tf 100 700 Td (after) Tj ET", "after"},
		{"comments and garbage", "% comment\n] >> ) } BT /F1 10 Tf 100 700 Td (ok) Tj ET", "ok"},
		{"missing operands", "BT Tf Td Tj TJ Tm cm ' \" ET", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := &extractor{fonts: map[int]*pdfFont{}, visiting: map[int]bool{}}
			ex.run([]byte(tt.content), nil, identity, 0)
			if got := layout(ex.chars); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseCMap(t *testing.T) {
	t.Parallel()
	data := `/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0003> <0020> <0011> <00660069> endbfchar
2 beginbfrange <0024> <0026> <0041> <0100> <0101> [<00E9> <D83DDE00>] endbfrange
endcmap end end`
	cm := parseCMap([]byte(data))
	tests := []struct {
		code uint32
		want string
		ok   bool
	}{
		{0x0003, " ", true},
		{0x0011, "fi", true},
		{0x0024, "A", true},
		{0x0026, "C", true},
		{0x0100, "é", true},
		{0x0101, "😀", true},
		{0x0027, "", false},
	}
	for _, tt := range tests {
		got, ok := cm.lookup(tt.code, 2)
		if got != tt.want || ok != tt.ok {
			t.Errorf("lookup(%04X): got %q, %v, want %q, %v", tt.code, got, ok, tt.want, tt.ok)
		}
	}
	if got, want := cm.codeLen([]byte{0x00, 0x24}), 2; got != want {
		t.Errorf("codeLen: got %d, want %d", got, want)
	}
}

func TestTextErrors(t *testing.T) {
	t.Parallel()
	good := facture(t)
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"garbage", []byte("this is not a PDF at all")},
		{"header only", []byte("%PDF-1.4\n%%EOF\n")},
		{"truncated", good[:len(good)/2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages, err := Text(tt.data)
			if err == nil {
				t.Fatalf("got pages %q and no error, want an error", pages)
			}
			var e *Error
			if !errors.As(err, &e) || e.Cause == "" || strings.Contains(e.Message, "pdfcpu") {
				t.Errorf("got error %q (%T), want an *Error with a code and a French message", err, err)
			}
		})
	}
	if _, err := Text(nil); err == nil {
		t.Errorf("Text(nil): got no error, want one")
	}
}

func BenchmarkText(b *testing.B) {
	data := facture(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Text(data); err != nil {
			b.Fatal(err)
		}
	}
}
