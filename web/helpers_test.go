package web

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/render"
	"github.com/segur-sons/segur/signature"
	"github.com/segur-sons/segur/templates"
	"github.com/segur-sons/segur/tools/sigtest"
)

const (
	waiting   = "00045" // fixtures: its VA is not in fixtures/signes
	waitingVA = "MDV-LGC-Va1-VA-00045.pdf"
)

// TestMain gives the page the password of the fournisseur's TEST
// certificate (fixtures/certs/fournisseur.p12, named by
// fixtures/segur.yaml), as the Makefile and cmd/segur's tests do, so that
// the MOMs are signed as in real use; after the tests, it stops the
// Chromium the browser tests share.
func TestMain(m *testing.M) {
	pdfops.Init()
	os.Setenv("SEGUR_CERTIFICAT_MDP", sigtest.Password)
	code := m.Run()
	stopChrome() // the browser the browser tests share
	os.Exit(code)
}

// fixture is a Server over fixtures/, with a copy of fixtures/signes and
// an empty output folder.
type fixture struct {
	srv          *Server
	signes, out  string
	ts           *httptest.Server
	origin, base string
}

func newFixture(t *testing.T, max int64) *fixture {
	t.Helper()
	return newFixtureWith(t, max, nil)
}

// The record files of fixtures/dossiers a test about one dossier's page
// reads (newFixtureOf): 00045 awaits its VA, 00042 is a MOM dossier, ready;
// 00043's VA is in fixtures/signes; 00048's too, signed by two signatories.
const (
	recWaiting  = "cas1-perimetre-identique.yaml" // 00045
	recMOM      = "liberal-mom.yaml"              // 00042
	recSignedVA = "liberal-va.yaml"               // 00043
	recTwoVA    = "cas5-mandataire-retire.yaml"   // 00048
)

// newFixtureOf is newFixture over the record files named only (in
// fixtures/dossiers): the server reads and renders its records at its
// start and after every upload, so a test about one dossier's page or
// upload reads that dossier, not the sixteen of the fixtures.
func newFixtureOf(t *testing.T, max int64, records ...string) *fixture {
	t.Helper()
	return newFixtureWith(t, max, func(c *Config) { c.Paths = fixtureFiles(records...) })
}

// fixtureFiles are the paths of the record files named, in fixtures/dossiers.
func fixtureFiles(records ...string) []string {
	var paths []string
	for _, r := range records {
		paths = append(paths, filepath.Join("../fixtures/dossiers", r))
	}
	return paths
}

// newFixtureWith is newFixture with its Config changed by edit first.
func newFixtureWith(t *testing.T, max int64, edit func(*Config)) *fixture {
	t.Helper()
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{signes: t.TempDir(), out: t.TempDir()}
	entries, err := os.ReadDir("../fixtures/signes")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("../fixtures/signes", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(f.signes, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{
		Paths:      []string{"../fixtures/dossiers"},
		ConfigPath: "../fixtures/segur.yaml",
		Registry:   reg,
		Assets:     testAssets,
		Signes:     f.signes,
		Out:        f.out,
		DateDepot:  time.Date(2023, 4, 28, 12, 0, 0, 0, time.Local),
		Version:    "test",
		MaxUpload:  max,
		// An upload waits for its turn as long as it takes: on a loaded
		// machine (and under -race) four uploads of a VA can take minutes,
		// and a test must not fail on the clock. The refusal after the wait
		// is tested on its own (TestParallelUploadsAreBounded).
		Limits: Limits{UploadWait: time.Hour},
	}
	if edit != nil {
		edit(&cfg)
	}
	f.srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.srv.Close() })
	ln, err := Listen(0)
	if err != nil {
		t.Fatal(err)
	}
	f.ts = &httptest.Server{Listener: ln, Config: &http.Server{Handler: f.srv}}
	f.ts.Start()
	t.Cleanup(f.ts.Close)
	f.base = f.ts.URL
	f.origin = f.ts.URL
	return f
}

func testAssets(cfg *dossier.Config) (render.Assets, error) {
	reg, err := templates.FS.ReadFile(templates.FontRegular)
	if err != nil {
		return render.Assets{}, err
	}
	bold, err := templates.FS.ReadFile(templates.FontBold)
	if err != nil {
		return render.Assets{}, err
	}
	// A fixed clock: the signatures of two readings are the same bytes.
	a := render.Assets{Fonts: render.Fonts{Regular: reg, Bold: bold}, Now: func() time.Time { return time.Date(2023, 4, 28, 10, 0, 0, 0, time.UTC) }}
	// The fournisseur's certificate signs the MOMs, as segur serve loads it.
	if sc := cfg.Signature; sc != nil {
		if a.Signer, err = signature.Load(sc.Path, os.Getenv(sc.MotDePasseEnv), time.Now()); err != nil {
			return a, err
		}
	}
	return a, nil
}

// fixtureRecords reads the fixtures as segur does: the registry,
// fixtures/segur.yaml and the record files of fixtures/dossiers.
func fixtureRecords(t testing.TB) (*dossier.Registry, *dossier.Config, []string) {
	t.Helper()
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := dossier.LoadConfig("../fixtures/segur.yaml", reg, pdfops.Disk{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := dossier.Files([]string{"../fixtures/dossiers"})
	if err != nil {
		t.Fatal(err)
	}
	return reg, cfg, files
}

// esignVA signs the VA of the waiting dossier (00045) as its signatory,
// Nathalie Lambert, would with her signing tool: her TEST certificate
// (fixtures/certs/lambert.p12) in the signature field of each of its
// pages, days after the end of the works (as tools/signfixtures signs
// the VAs of fixtures/signes). Two different days give two different files.
func esignVA(t testing.TB, unsigned []byte, days int) []byte {
	t.Helper()
	reg, cfg, files := fixtureRecords(t)
	s, err := sigtest.Load(sigtest.Root(), "lambert")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dossier.Check(cfg, reg, dossier.Read(files), dossier.Options{Phase: dossier.PhaseSolde, Files: pdfops.Disk{}}) {
		if d.Numero() != waiting {
			continue
		}
		when := d.Realisation.DateFin.Time.AddDate(0, 0, days)
		data := unsigned
		for _, p := range d.Justificatif.Pages {
			if data, err = sigtest.SignField(data, s, render.FieldName(p), when); err != nil {
				t.Fatalf("signing %s as %s: %v", render.FieldName(p), s.Cert.Subject.CommonName, err)
			}
		}
		if len(d.Justificatif.Pages) == 0 || bytes.Equal(data, unsigned) {
			t.Fatalf("%s: no signature field signed", waiting)
		}
		return data
	}
	t.Fatalf("%s not among the fixtures", waiting)
	return nil
}

// scanVA makes a signed VA the way a client without a signing tool
// does: the VA printed, signed by hand and scanned (pdftoppm then img2pdf,
// which CI installs). pack accepts a scan with the warning VA_NUMERISEE.
// who only changes the scan's resolution, so that two calls with
// different names give different files. A scan is made once per test
// binary (img2pdf, a Python program, takes half a CPU-second to start);
// each call gets its own copy.
func scanVA(t testing.TB, unsigned []byte, who string) []byte {
	t.Helper()
	for _, tool := range []string{"pdftoppm", "img2pdf"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s absent (poppler-utils, img2pdf ; .ci/run les installe)", tool)
		}
	}
	key := fmt.Sprintf("%x %s", sha256.Sum256(unsigned), who)
	scans.Lock()
	defer scans.Unlock()
	if data, ok := scans.m[key]; ok {
		return bytes.Clone(data)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "va.pdf")
	if err := os.WriteFile(in, unsigned, 0o600); err != nil {
		t.Fatal(err)
	}
	dpi := fmt.Sprint(60 + len(who))
	if out, err := exec.Command("pdftoppm", "-r", dpi, "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	scan := filepath.Join(dir, "scan.pdf")
	if out, err := exec.Command("img2pdf", append(pages, "-o", scan)...).CombinedOutput(); err != nil {
		t.Fatalf("img2pdf: %v %s", err, out)
	}
	data, err := os.ReadFile(scan)
	if err != nil {
		t.Fatal(err)
	}
	if scans.m == nil {
		scans.m = map[string][]byte{}
	}
	scans.m[key] = data
	return bytes.Clone(data)
}

// scans are scanVA's, by the unsigned VA's SHA-256 and the name.
var scans struct {
	sync.Mutex
	m map[string][]byte
}

// get fetches path from the page.
func (f *fixture) get(t testing.TB, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(f.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// waitPage fetches path until the page has read its inputs again (not
// updating) and ok holds of it, and returns the page and whether ok held:
// the loop ends on the page's state, its 3 minutes only bound a hang.
func (f *fixture) waitPage(t testing.TB, path string, ok func(page string) bool) (string, bool) {
	t.Helper()
	var page string
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_, body := f.get(t, path)
		if page = string(body); !f.srv.updating() && ok(page) {
			return page, true
		}
	}
	return page, false
}

// post posts an empty form to path from the page's origin.
func (f *fixture) post(t testing.TB, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", f.base+path, nil)
	req.Header.Set("Origin", f.origin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// upload posts a signed VA for numero as the page's script does.
func (f *fixture) upload(t testing.TB, numero string, data []byte, confirm bool) (int, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if confirm {
		mw.WriteField("confirmer", "1")
	}
	fw, _ := mw.CreateFormFile("va", "va-signee.pdf")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", f.base+"/dossier/"+numero+"/va", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", f.origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// unsignedVA is the VA of numero as the page renders it.
func (f *fixture) unsignedVA(t testing.TB) []byte {
	t.Helper()
	code, body := f.get(t, "/dossier/"+waiting+"/fichier/"+waitingVA)
	if code != 200 {
		t.Fatalf("unsigned VA: %d %s", code, body)
	}
	return body
}
