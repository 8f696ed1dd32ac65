package pdfin

import (
	"os"
	"testing"

	"github.com/segur-sons/segur/internal/pdftest"
)

// TestMain disables pdfcpu's config dir before anything else runs.
func TestMain(m *testing.M) {
	Init()
	os.Exit(m.Run())
}

// buildPDF renders pages with gofpdf and segur's DejaVu subset.
func buildPDF(t testing.TB, pages ...pdftest.Page) []byte {
	t.Helper()
	return pdftest.Build(t, true, pages...)
}

// facture is the two-page fixture used by most tests.
func facture(t testing.TB) []byte { return pdftest.Facture(t, true) }

func factureCompressed(t testing.TB, compress bool) []byte { return pdftest.Facture(t, compress) }

// traite is a one-page "traité de fusion" fixture.
func traite(t testing.TB) []byte { return pdftest.Traite(t) }
