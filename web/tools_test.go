package web

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/tools/sigtest"
)

// TestUploadGenuineToolSignatures (issue 20): the VAs of fixtures/outils,
// signed by pdfsig, @signpdf, pdf-lib, PDFBox, podofosign, and by two
// signatories with two tools (tools/realsign), are accepted by the page's
// upload and saved as sent.
func TestUploadGenuineToolSignatures(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recWaiting, recTwoVA)
	files, err := filepath.Glob("../fixtures/outils/*.pdf")
	if err != nil || len(files) < 6 {
		t.Fatalf("fixtures/outils: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			numero, _, _ := strings.Cut(filepath.Base(file), "-")
			// Confirmed: 00048's VA is already in fixtures/signes, and
			// each file replaces the previous one.
			code, body := f.upload(t, numero, data, true)
			if code != 200 {
				t.Fatalf("upload refused: %d %s", code, body)
			}
			saved, err := os.ReadFile(filepath.Join(f.signes, "MDV-LGC-Va1-VA-"+numero+".pdf"))
			if err != nil || !bytes.Equal(saved, data) {
				t.Errorf("saved VA differs from the upload (%v)", err)
			}
		})
	}
}

// TestUploadForgeriesRefused (issue 20): the forgeries of app's
// TestForgeriesBlockedByPackAndCheck (sigtest.Forgeries on the VA segur
// renders for 00048), uploaded to segur serve, are refused with their code
// and not saved.
func TestUploadForgeriesRefused(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recTwoVA)
	code, va := f.get(t, "/dossier/00048/fichier/MDV-LGC-Va1-VA-00048.pdf")
	if code != 200 {
		t.Fatalf("unsigned VA of 00048: %d", code)
	}
	a, err := sigtest.Load(sigtest.Root(), "schmitt")
	if err != nil {
		t.Fatal(err)
	}
	b, err := sigtest.Load(sigtest.Root(), "muller")
	if err != nil {
		t.Fatal(err)
	}
	forgeries, err := sigtest.Forgeries(va, a, b, "Signature 10875011016", "Signature 10073697418", time.Date(2023, 1, 25, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(f.signes, "MDV-LGC-Va1-VA-00048.pdf")
	before, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	for _, fg := range forgeries {
		t.Run(fg.Name, func(t *testing.T) {
			code, body := f.upload(t, "00048", fg.Data, true)
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, fg.Code) {
				t.Errorf("want 422 with %s, got %d %s", fg.Code, code, body)
			}
			if now, _ := os.ReadFile(dest); !bytes.Equal(now, before) {
				t.Fatal("a forged VA was saved")
			}
		})
	}
}

// TestUploadRewrittenVAComparedWhole (issue 20, item 4): a VA re-created
// before its signature is compared whole with segur's: the genuine
// rewrite is accepted, a reservation or a box changed in the drawing only
// is refused VA_MODIFIEE.
func TestUploadRewrittenVAComparedWhole(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recWaiting)
	s, err := sigtest.Load(sigtest.Root(), "lambert")
	if err != nil {
		t.Fatal(err)
	}
	forgeries, err := sigtest.Rewritten(f.unsignedVA(t), s, "Signature 690943600", time.Date(2023, 1, 25, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, fg := range forgeries {
		t.Run(fg.Name, func(t *testing.T) {
			code, body := f.upload(t, waiting, fg.Data, true)
			switch {
			case fg.Code == "" && code != 200:
				t.Errorf("the genuine rewrite is refused: %d %s", code, body)
			case fg.Code != "" && (code != http.StatusUnprocessableEntity || !strings.Contains(body, fg.Code)):
				t.Errorf("want 422 with %s, got %d %s", fg.Code, code, body)
			}
		})
	}
}

// TestDossierPageShowsSignatureLevel (issue 20): the dossier page lists
// each verified signature of the proof with its level.
func TestDossierPageShowsSignatureLevel(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recTwoVA)
	code, page := f.get(t, "/dossier/00048")
	if code != 200 {
		t.Fatalf("dossier page: %d", code)
	}
	_, list, ok := strings.Cut(string(page), `<ul id="signatures">`)
	list, _, _ = strings.Cut(list, "</ul>")
	for _, want := range []string{"Anne Schmitt (RPPS 10875011016) : signature électronique simple", "Francois Muller (RPPS 10073697418) : signature électronique simple"} {
		if !ok || !strings.Contains(list, want) {
			t.Errorf("the page's signatures lack %q:\n%s", want, list)
		}
	}
}
