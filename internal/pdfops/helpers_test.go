package pdfops

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

// fixedDate keeps gofpdf output reproducible.
var fixedDate = pdftest.FixedDate

func facture(t testing.TB) []byte { return pdftest.Facture(t, true) }

func traite(t testing.TB) []byte { return pdftest.Traite(t) }
