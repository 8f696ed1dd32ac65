package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/tableur"
	"github.com/segur-sons/segur/templates"
)

// importServer is a page over an empty records folder.
func importServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	srv, err := New(Config{Paths: []string{dir}, ConfigPath: "../fixtures/segur.yaml", Registry: reg, Assets: testAssets,
		Signes: t.TempDir(), Out: t.TempDir(), DateDepot: time.Date(2023, 4, 28, 12, 0, 0, 0, time.Local), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ln, err := Listen(0)
	if err != nil {
		t.Fatal(err)
	}
	ts := &httptest.Server{Listener: ln, Config: &http.Server{Handler: srv}}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, dir
}

func post(t *testing.T, ts *httptest.Server, path string, body io.Reader, ctype string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+path, body)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Origin", ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The template uploaded on the page: a preview that writes nothing, then
// the import; the page then lists the dossiers and their totals.
func TestImportThroughThePage(t *testing.T) {
	ts, dir := importServer(t)
	var sheet bytes.Buffer
	if err := tableur.ModeleTableur(&sheet); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("tableur", "commandes.xlsx")
	fw.Write(sheet.Bytes())
	mw.Close()
	code, page := post(t, ts, "/importer", &b, mw.FormDataContentType())
	if code != http.StatusOK || !strings.Contains(page, "5 dossier(s) prêt(s) à écrire") || strings.Count(page, "à écrire</span>") != 5 {
		t.Fatalf("preview: %d\n%s", code, page)
	}
	if !strings.Contains(page, "commandes.xlsx, feuille « Commandes », B10 (Dispositif) · dossier 00051") {
		t.Errorf("preview: the Va2 warning without its cell")
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("the preview wrote %d files", len(files))
	}
	jeton := regexp.MustCompile(`action="/importer/([0-9a-f]{32})"`).FindStringSubmatch(page)
	if jeton == nil {
		t.Fatal("no import button")
	}
	code, page = post(t, ts, "/importer/"+jeton[1], nil, "")
	if code != http.StatusOK || strings.Count(page, ">écrit</span>") != 5 {
		t.Fatalf("import: %d\n%s", code, page)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) != 5 {
		t.Fatalf("%d records written", len(files))
	}
	// The same token again: the spreadsheet is gone.
	if code, _ := post(t, ts, "/importer/"+jeton[1], nil, ""); code != http.StatusNotFound {
		t.Errorf("second import: %d", code)
	}
	// The overview once the records written are read: a request waits two
	// seconds at most for the reading, then gets the previous one, saying
	// the reading is under way (on a loaded machine, more than once). Only
	// bounded: the loop ends on the page read from the five records.
	var over string
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(ts.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if over = string(body); strings.Contains(over, `href="/dossier/00051"`) && !strings.Contains(over, "relecture est en cours") || time.Now().After(deadline) {
			break
		}
	}
	for _, want := range []string{`href="/dossier/00051"`, "Totaux par état et dispositif", "<strong>Total</strong>", "<td class=\"montant\">5</td>", "4 604,57 €"} {
		if !strings.Contains(over, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
}

// A spreadsheet with a bad cell: the preview says which, and offers to
// import only the others.
func TestImportPreviewShowsCells(t *testing.T) {
	ts, dir := importServer(t)
	csv := "Numéro éditeur;Dispositif;Date de commande\r\n00042;MDV-LGC-Va1;31/02/2022\r\n"
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("tableur", "c.csv")
	fw.Write([]byte(csv))
	mw.Close()
	code, page := post(t, ts, "/importer", &b, mw.FormDataContentType())
	if code != http.StatusOK || !strings.Contains(page, "TABLEUR_DATE") || !strings.Contains(page, "c.csv, C2 (Date de commande) · dossier 00042") || strings.Contains(page, "importer-confirmer") {
		t.Fatalf("%d\n%s", code, page)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("wrote %d files", len(files))
	}
}

// A scanned VA: the page links the file as received apart from the
// unsigned one, and records « Vérifié » with who and when, in the output
// folder's side file (no registre here) and in rapport.json.
func TestScanReviewed(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recWaiting)
	// Before: the signatory is asked by a prepared e-mail (the same link
	// as rapport.html's, rapport.TestSignatures).
	if _, body := f.get(t, "/dossier/"+waiting); !strings.Contains(string(body), `href="mailto:cds@villeurbanne-sante.example?subject=Dossier%20S%C3%A9gur%2000045%20%3A%20VA%20%C3%A0%20signer&amp;body=Bonjour`) {
		t.Errorf("no mailto link with its subject and body:\n%s", body)
	}
	if code, body := f.upload(t, waiting, scanVA(t, f.unsignedVA(t), "Nathalie Lambert"), false); code != 200 {
		t.Fatalf("scanned VA: %d %s", code, body)
	}
	page, _ := f.waitPage(t, "/dossier/"+waiting, func(p string) bool { return strings.Contains(p, `id="form-verification"`) })
	if !strings.Contains(page, `href="/dossier/00045/recu/`+waitingVA+`"`) || !strings.Contains(page, "une numérisation") {
		t.Fatalf("no received file on the page:\n%s", page)
	}
	if strings.Contains(page, `href="mailto:`) {
		t.Errorf("the VA came back, yet its signatory is still asked to sign by e-mail")
	}
	if code, pdf := f.get(t, "/dossier/00045/recu/"+waitingVA); code != 200 || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("received file: %d", code)
	}
	if code, _ := f.get(t, "/dossier/00045/recu/autre.pdf"); code != http.StatusNotFound {
		t.Errorf("another file served: %d", code)
	}
	form := strings.NewReader("qui=Claire+Martin&verdict=V%C3%A9rifi%C3%A9")
	req, _ := http.NewRequest("POST", f.base+"/dossier/00045/verification", form)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "<strong>Vérifié</strong> par Claire Martin") {
		t.Fatalf("review: %d\n%s", resp.StatusCode, b)
	}
	side, err := os.ReadFile(filepath.Join(f.out, ".segur", "verifications.json"))
	if err != nil || !strings.Contains(string(side), `"verdict": "Vérifié"`) || !strings.Contains(string(side), `"qui": "Claire Martin"`) {
		t.Fatalf("side file: %v %s", err, side)
	}
	rap, err := os.ReadFile(filepath.Join(f.srv.work, "rapport.json"))
	if err != nil || !strings.Contains(string(rap), `"verifications": [`) || !strings.Contains(string(rap), `"fichier": "`+waitingVA+`"`) {
		t.Fatalf("rapport.json: %v", err)
	}
	// An empty name is refused, nothing recorded.
	req, _ = http.NewRequest("POST", f.base+"/dossier/00045/verification", strings.NewReader("qui=&verdict=Refus%C3%A9"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("empty name: %d", resp.StatusCode)
	}
}

// TestDeposePathHasNoDoubleSlash: --signes given with a trailing separator
// (signees/) does not make the page say « signees//<VA> ».
func TestDeposePathHasNoDoubleSlash(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recWaiting)
	f.srv.cfg.Signes = f.signes + string(filepath.Separator)
	page, _ := f.waitPage(t, "/dossier/"+waiting, func(p string) bool { return strings.Contains(p, "enregistré sous") })
	want := "enregistré sous " + filepath.Join(f.signes, waitingVA) + "."
	if !strings.Contains(page, want) {
		t.Errorf("the page has no %q:\n%s", want, page)
	}
}
