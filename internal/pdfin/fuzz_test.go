package pdfin

import (
	"runtime/debug"
	"testing"
)

// reportPanics makes recovered panics fail the fuzz target: Text must
// return errors on malformed input, and a recovered panic means some code
// path (ours or pdfcpu's) is not robust.
func reportPanics(t *testing.T) {
	onPanic = func(r any) { t.Errorf("recovered panic: %v\n%s", r, debug.Stack()) }
	t.Cleanup(func() { onPanic = nil })
}

// FuzzText feeds mutated PDFs to Text. Seeds include an uncompressed PDF so
// that mutations reach the content stream and CMap parsers.
//
//	go test -run '^$' -fuzz FuzzText -fuzztime 30s ./internal/pdfin/
func FuzzText(f *testing.F) {
	f.Add(facture(f))
	f.Add(factureCompressed(f, false))
	f.Add(traite(f))
	f.Add([]byte("%PDF-1.4\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reportPanics(t)
		pages, err := Text(data)
		if err != nil && pages != nil {
			t.Errorf("got pages %q with error %v, want nil pages", pages, err)
		}
		drawn, err := Drawing(data)
		if err != nil && drawn != nil {
			t.Errorf("got a drawing with error %v, want nil", err)
		}
		if err == nil && len(drawn) != len(pages) {
			t.Errorf("Drawing has %d pages, Text %d", len(drawn), len(pages))
		}
	})
}

// FuzzContent feeds arbitrary content streams to the interpreter, and
// arbitrary CMaps to the CMap parser.
//
//	go test -run '^$' -fuzz FuzzContent -fuzztime 30s ./internal/pdfin/
func FuzzContent(f *testing.F) {
	f.Add([]byte("BT /F1 10 Tf 100 700 Td [(Mon) -250 (tant)] TJ T* (x) ' 1 2 (y) \" ET"))
	f.Add([]byte("q 2 0 0 2 50 50 cm BT 1 0 0 1 5 5 Tm <00480045> Tj ET Q BI /W 1 ID \x00 EI"))
	f.Add([]byte("1 0 0 rg 3 Tr 10 10 m 20 20 l 5 5 10 10 re f* 0 G 1 2 3 4 5 6 c S n /Im1 Do"))
	f.Add([]byte("1 begincodespacerange <00> <FF> endcodespacerange 2 beginbfrange <00> <FF> <0041> <10> <12> [<00> <0041>] endbfrange 1 beginbfchar <01> /eacute endbfchar"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ex := &extractor{fonts: map[int]*pdfFont{}, visiting: map[int]bool{}}
		ex.run(data, nil, identity, 0)
		_ = layout(ex.chars)
		f := &pdfFont{codeLen: 2, toUni: parseCMap(data), scale: 0.001, dw: 1000}
		f.decode(data, func(glyph) {})
	})
}
