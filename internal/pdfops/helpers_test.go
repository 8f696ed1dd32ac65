package pdfops

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/phpdave11/gofpdf"
)

const fontPath = "../../templates/fonts/DejaVuSans-segur.ttf"

// TestMain disables pdfcpu's config dir before anything else runs.
func TestMain(m *testing.M) {
	Init()
	os.Exit(m.Run())
}

// fixedDate keeps gofpdf output reproducible.
var fixedDate = time.Date(2023, 2, 10, 9, 30, 0, 0, time.UTC)

// fixturePage is one page of a fixture: texts drawn at (x, y) in mm, or in
// consecutive cells when cells is set.
type fixturePage struct {
	lines []fixtureLine
}

type fixtureLine struct {
	x, y  float64
	cells []string // drawn with Cell, 60 mm wide each, left to right
	text  string   // drawn with Text
}

// buildPDF renders pages with gofpdf and the embedded DejaVu subset, as
// maroto does.
func buildPDF(t testing.TB, pages ...fixturePage) []byte {
	t.Helper()
	return buildPDFCompressed(t, true, pages...)
}

// buildPDFCompressed is buildPDF with a choice of stream compression.
func buildPDFCompressed(t testing.TB, compress bool, pages ...fixturePage) []byte {
	t.Helper()
	ttf, err := os.ReadFile(fontPath)
	if err != nil {
		t.Fatalf("read font: %v", err)
	}
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(fixedDate)
	pdf.SetModificationDate(fixedDate)
	pdf.SetCompression(compress)
	pdf.AddUTF8FontFromBytes("dejavu", "", ttf)
	pdf.SetFont("dejavu", "", 11)
	for _, p := range pages {
		pdf.AddPage()
		for _, l := range p.lines {
			if l.cells != nil {
				pdf.SetXY(l.x, l.y)
				for _, c := range l.cells {
					pdf.CellFormat(60, 6, c, "", 0, "L", false, 0, "")
				}
				continue
			}
			pdf.Text(l.x, l.y, l.text)
		}
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatalf("gofpdf: %v", err)
	}
	return b.Bytes()
}

// facture is the two-page fixture used by most tests.
func facture(t testing.TB) []byte { return factureCompressed(t, true) }

func factureCompressed(t testing.TB, compress bool) []byte {
	return buildPDFCompressed(t, compress,
		fixturePage{lines: []fixtureLine{
			{x: 20, y: 30, text: "Facture n° F2023-0042 du 10/02/2023"},
			{x: 20, y: 40, cells: []string{"Montant total HT :", "1 075,00 €"}},
			{x: 20, y: 50, text: "L’œuvre « intégrale » à 20 %"},
		}},
		fixturePage{lines: []fixtureLine{
			{x: 20, y: 30, text: "☒ Que ces envois sont assurés par le logiciel"},
			{x: 20, y: 37, text: "☐ Que ces envois sont assurés par un logiciel distinct"},
		}},
	)
}

// traite is a one-page "traité de fusion" fixture.
func traite(t testing.TB) []byte {
	return buildPDF(t, fixturePage{lines: []fixtureLine{
		{x: 20, y: 30, text: "Traité de fusion"},
		{x: 20, y: 40, text: "Signé le 10/02/2023"},
	}})
}

// newCoreFontPDF returns a gofpdf document using only core fonts.
func newCoreFontPDF() *gofpdf.Fpdf {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(fixedDate)
	pdf.SetModificationDate(fixedDate)
	return pdf
}
