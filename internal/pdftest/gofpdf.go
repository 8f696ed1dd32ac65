package pdftest

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/phpdave11/gofpdf"
)

// FixedDate keeps gofpdf output reproducible.
var FixedDate = time.Date(2023, 2, 10, 9, 30, 0, 0, time.UTC)

// Page is one page of a fixture: texts drawn at (x, y) in mm, or in
// consecutive cells when Cells is set.
type Page struct {
	Lines []Line
}

// Line is one text of a Page.
type Line struct {
	X, Y  float64
	Cells []string // drawn with Cell, 60 mm wide each, left to right
	Text  string   // drawn with Text
}

// fontPath is segur's DejaVu subset, found from this file's folder.
func fontPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "templates", "fonts", "DejaVuSans-segur.ttf")
}

// Build renders pages with gofpdf and the embedded DejaVu subset, as
// maroto does, its streams compressed or not.
func Build(t testing.TB, compress bool, pages ...Page) []byte {
	t.Helper()
	ttf, err := os.ReadFile(fontPath())
	if err != nil {
		t.Fatalf("read font: %v", err)
	}
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(FixedDate)
	pdf.SetModificationDate(FixedDate)
	pdf.SetCompression(compress)
	pdf.AddUTF8FontFromBytes("dejavu", "", ttf)
	pdf.SetFont("dejavu", "", 11)
	for _, p := range pages {
		pdf.AddPage()
		for _, l := range p.Lines {
			if l.Cells != nil {
				pdf.SetXY(l.X, l.Y)
				for _, c := range l.Cells {
					pdf.CellFormat(60, 6, c, "", 0, "L", false, 0, "")
				}
				continue
			}
			pdf.Text(l.X, l.Y, l.Text)
		}
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatalf("gofpdf: %v", err)
	}
	return b.Bytes()
}

// Facture is a two-page fixture: amounts, accents, guillemets, ☒ and ☐.
func Facture(t testing.TB, compress bool) []byte {
	return Build(t, compress,
		Page{Lines: []Line{
			{X: 20, Y: 30, Text: "Facture n° F2023-0042 du 10/02/2023"},
			{X: 20, Y: 40, Cells: []string{"Montant total HT :", "1 075,00 €"}},
			{X: 20, Y: 50, Text: "L’œuvre « intégrale » à 20 %"},
		}},
		Page{Lines: []Line{
			{X: 20, Y: 30, Text: "☒ Que ces envois sont assurés par le logiciel"},
			{X: 20, Y: 37, Text: "☐ Que ces envois sont assurés par un logiciel distinct"},
		}},
	)
}

// Traite is a one-page « traité de fusion » fixture.
func Traite(t testing.TB) []byte {
	return Build(t, true, Page{Lines: []Line{
		{X: 20, Y: 30, Text: "Traité de fusion"},
		{X: 20, Y: 40, Text: "Signé le 10/02/2023"},
	}})
}

// CoreFontPDF returns a gofpdf document using only core fonts.
func CoreFontPDF() *gofpdf.Fpdf {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(FixedDate)
	pdf.SetModificationDate(FixedDate)
	return pdf
}
