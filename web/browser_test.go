//go:build !race

package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/pack"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/render"
	"github.com/segur-sons/segur/tableur"
)

var screenshots = flag.String("screenshots", "", "folder where the browser test saves the README's screenshots (1280×800)")

// The headless Chromiums the browser tests share, each started by the
// first test that asks for it and stopped by TestMain: starting one costs
// about 2 CPU-seconds, more than most of these tests. Each test gets its
// own browser context (chrome, fullChrome), as isolated as a fresh
// profile: its own cookies, storage, cache and tabs.
//
// Two builds of the same engine (Blink and V8, Debian's packages, installed
// by .ci/run): chromium-headless-shell, Chromium's headless build without
// the desktop browser around it, for the tests of the page itself — it
// runs them with about a third of the CPU (4 tests: 6 CPU-seconds, against
// 17 with the whole browser) —, and the whole chromium where the test needs
// what only the desktop browser has: its PDF viewer (a scan opened beside
// the dossier's data, as staff see it).
var (
	shellChrome sharedBrowser // chromium-headless-shell, or chromium when it is not installed
	wholeChrome sharedBrowser // chromium
)

type sharedBrowser struct {
	once sync.Once
	ctx  context.Context // the browser's first tab; nil until started
	stop func()          // stops the browser and removes its profile
	err  error
}

// start starts the shared browser with no network of its own.
func (b *sharedBrowser) start(path string) {
	profile, err := os.MkdirTemp("", "segur-chromium-")
	if err != nil {
		b.err = err
		return
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // as root in CI
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 800),
		// The staff's browsers are in French: so are the file picker's words.
		chromedp.Flag("lang", "fr-FR"),
		chromedp.Env("LANGUAGE=fr", "LANG=fr_FR.UTF-8"),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel2 := chromedp.NewContext(actx)
	b.stop = func() {
		cancel2() // waits for the browser to end
		cancel()
		os.RemoveAll(profile)
	}
	// The first run starts the browser, tied to the context it runs on
	// (so not a child with a deadline: go test's -timeout bounds a hang).
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		b.err = err
		return
	}
	b.ctx = ctx
}

// stopChrome stops the shared browsers the tests started.
func stopChrome() {
	for _, b := range []*sharedBrowser{&shellChrome, &wholeChrome} {
		if b.stop != nil {
			b.stop()
		}
	}
}

// chrome gives the test a new tab, in a browser context of its own, of the
// shared headless shell (of the whole chromium when the shell is not
// installed); the test is skipped only when neither is installed.
func chrome(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium-headless-shell")
	if err != nil {
		path, err = exec.LookPath("chromium")
	}
	if err != nil {
		t.Skip("chromium absent (Debian : apt-get install chromium-headless-shell chromium ; .ci/run les installe)")
	}
	return tab(t, &shellChrome, path)
}

// fullChrome is chrome in the whole chromium, for a test that needs its PDF
// viewer; skipped only when chromium is not installed.
func fullChrome(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium absent (Debian : apt-get install chromium ; .ci/run l'installe)")
	}
	return tab(t, &wholeChrome, path)
}

// tab starts b (the program at path) at the first call, and gives the test
// a new tab of it in a browser context of its own.
func tab(t *testing.T, b *sharedBrowser, path string) context.Context {
	t.Helper()
	b.once.Do(func() { b.start(path) })
	if b.err != nil {
		t.Fatalf("chromium: %v", b.err)
	}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancel2 := context.WithTimeout(ctx, 10*time.Minute) // a bound against a hang, not a measure: loaded CI machines are slow
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return ctx
}

func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if *screenshots == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*screenshots, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// browserRecords are TestBrowser's: 00045 awaiting its VA, 00042 ready
// with its MOM; the pair holding 00045 is compared with pack's of them.
var browserRecords = []string{recWaiting, recMOM}

// TestBrowser drives the real page: the blocked dossier and its reason,
// its VA signed electronically by its signatory (TEST certificate) and
// uploaded, « prêt », another signed version dropped and replaced only on
// « Remplacer », still « prêt », the dépôt prepared and downloaded, the
// same bytes as pack's.
func TestBrowser(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, browserRecords...)
	ctx := chrome(t)

	// The overview: 00045 awaits its VA, and says so.
	if err := chromedp.Do(ctx, chromedp.Navigate(f.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#dossiers`))); err != nil {
		t.Fatal(err)
	}
	etat := text(t, ctx, `//tr[td/a[text()="00045"]]/td[6]`)
	raison := text(t, ctx, `//tr[td/a[text()="00045"]]/td[8]`)
	if etat != "à signer" || !strings.Contains(raison, "VA non signée") {
		t.Fatalf("00045 in the overview: %q, %q", etat, raison)
	}
	// A MOM dossier is ready: segur signs its MOM with the fournisseur's
	// certificate, as serve does with segur.yaml's signature block.
	if etat := text(t, ctx, `//tr[td/a[text()="00042"]]/td[6]`); etat != string(rapport.EtatPret) {
		t.Fatalf("00042 (MOM) in the overview: « %s », want « prêt »", etat)
	}

	// Its page: the reason, then its signed VA uploaded through the form.
	signed := filepath.Join(t.TempDir(), "va-signee.pdf")
	if err := os.WriteFile(signed, esignVA(t, f.unsignedVA(t), 3), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`//a[text()="00045"]`), chromedp.WaitVisible(chromedp.CSS(`#etat`))); err != nil {
		t.Fatal(err)
	}
	etat = text(t, ctx, `#etat`)
	problems := text(t, ctx, `#problemes`)
	if etat != "à signer" || !strings.Contains(problems, "VA non signée") || !strings.Contains(problems, "cas1-perimetre-identique.yaml, ligne 8") {
		t.Fatalf("00045's page: %q, %q", etat, problems)
	}
	shoot(t, ctx, "serve-dossier.png")
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#fichier-va`), []string{signed}),
		chromedp.Click(chromedp.CSS(`#form-va button[type=submit]`)),
	); err != nil {
		t.Fatalf("upload: %v", err)
	}
	// The page reloads itself once the VA is accepted, and shows
	// « acceptée » once: that message is not waited for (a second reload
	// takes it away), but the durable states it announces.
	f.waitRead(t, ctx, data(t, signed), rapport.EtatPret)
	if _, err := os.Stat(filepath.Join(f.signes, waitingVA)); err != nil {
		t.Fatalf("signed VA not saved: %v", err)
	}

	// Another signed version, dropped on the page: the page asks before
	// replacing the one saved, and replaces it on « Remplacer ».
	other := esignVA(t, f.unsignedVA(t), 4)
	drop := `(() => {
		const bytes = Uint8Array.from(atob("` + base64.StdEncoding.EncodeToString(other) + `"), c => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], "va-autre.pdf", {type: "application/pdf"}));
		document.querySelector("#form-va").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
		return true;
	})()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](drop)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`//div[contains(@class,"question")]//button[text()="Remplacer"]`)); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(f.signes, waitingVA)); bytes.Equal(got, other) {
		t.Fatal("replaced before the user said so")
	}
	if err := chromedp.Do(ctx, chromedp.Click(`//div[contains(@class,"question")]//button[text()="Remplacer"]`)); err != nil {
		t.Fatal(err)
	}
	// The page reloads once the VA is saved, and again while the records
	// are read again: wait for the saved VA and the reading, not for the
	// page's message.
	f.waitRead(t, ctx, other, rapport.EtatPret)
	if etat := text(t, ctx, `#etat`); etat != string(rapport.EtatPret) {
		t.Fatalf("00045 after « Remplacer »: « %s », want « prêt »", etat)
	}

	// « Préparer le dépôt », then download the pair holding 00045.
	downloads := t.TempDir()
	done := make(chan string, 4)
	go func() {
		for e, err := range chromedp.BrowserEvents(ctx, browser.DownloadProgress) {
			if err != nil {
				return
			}
			if e.State == browser.DownloadProgressStateCompleted {
				done <- e.GUID
			}
		}
	}()
	yes := true
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &yes,
		BrowserContextID: chromedp.FromContext(ctx).BrowserContextID, // this test's context only: the browser is shared
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(f.base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#preparer`)),
		chromedp.Click(chromedp.CSS(`#preparer`)),
		chromedp.WaitVisible(chromedp.CSS(`#paires a`)),
	); err != nil {
		t.Fatalf("préparer: %v", err)
	}
	pairs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#paires a")).map(a => a.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	zip := "MDV-LGC-Va1-SOLDE-2201140317-01.zip"
	if !contains(pairs, zip) {
		t.Fatalf("pairs offered: %v", pairs)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`//a[text()="`+zip+`"]`)); err != nil {
		t.Fatal(err)
	}
	var guid string
	select {
	case guid = <-done:
	case <-time.After(3 * time.Minute): // only a bound: a download of some kilobytes
		t.Fatal("download did not finish")
	}
	got, err := os.ReadFile(filepath.Join(downloads, guid))
	if err != nil {
		t.Fatal(err)
	}
	want := packZip(t, f.signes, zip, browserRecords...)
	if !bytes.Equal(got, want) || len(got) == 0 {
		t.Errorf("downloaded zip (%d bytes) differs from pack's (%d bytes)", len(got), len(want))
	}
	shoot(t, ctx, "serve-depot.png")
}

// waitRead waits for durable states, never for a message the page shows
// once: the signed VA of 00045 saved with the bytes uploaded, then the
// server's reading of the records made from the inputs as they are now
// (the saved VA included) with 00045 in state want. It then reloads 00045's
// page, which must show that state.
func (f *fixture) waitRead(t *testing.T, ctx context.Context, uploaded []byte, want rapport.Etat) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute) // only a bound: the loop ends on the state
	for {
		got, _ := os.ReadFile(filepath.Join(f.signes, waitingVA))
		saved := bytes.Equal(got, uploaded)
		var etat rapport.Etat
		if saved {
			sn := f.srv.current()
			if rd, ok := sn.dossierOf("00045"); ok && !f.srv.updating() && sn.finger == f.srv.fingerprint() {
				if etat = rd.Etat(); etat == want {
					break
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("00045 after the upload: VA saved %v, state « %s », want « %s »; page: %s", saved, etat, want, text(t, ctx, `#reponse-va`))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The page may still be reloading itself (after the upload, or every
	// 3 s while it said the records were being read).
	f.pageShows(t, ctx, "/dossier/00045", `#etat`, func(etat string) bool { return strings.TrimSpace(etat) == string(want) }, deadline)
}

// pageShows navigates to path until the text of the element sel satisfies
// ok, and fails the test at deadline. A navigation the page's own reload
// aborts can leave WaitVisible waiting for a page that never comes: each
// attempt is bounded, 5 s, then twice the previous bound up to a minute —
// an aborted navigation costs a few seconds, not a whole minute as with a
// fixed bound, and a machine so loaded that a page takes longer to come
// still gets attempts long enough for it.
func (f *fixture) pageShows(t *testing.T, ctx context.Context, path, sel string, ok func(string) bool, deadline time.Time) {
	t.Helper()
	for bound := 5 * time.Second; ; bound = min(2*bound, time.Minute) {
		actx, cancel := context.WithTimeout(ctx, bound)
		got := ""
		err := chromedp.Do(actx, chromedp.Navigate(f.base+path), chromedp.WaitVisible(chromedp.CSS(sel)))
		if err == nil {
			got, err = chromedp.Run(actx, chromedp.Text(chromedp.CSS(sel)))
		}
		cancel()
		if err == nil && ok(got) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s, %s : %q, %v", path, sel, got, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func data(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// text is the visible text of the element sel (a CSS selector, or an
// XPath when it starts with //).
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var (
		s   string
		err error
	)
	if strings.HasPrefix(sel, "//") {
		s, err = chromedp.Run(ctx, chromedp.Text(sel))
	} else {
		s, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	}
	if err != nil {
		t.Fatalf("%s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func contains[T comparable](list []T, s T) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// packZip runs pack on the record files named of the fixtures, as segur
// pack does (scan, then RunQuarter), and returns the bytes of one of its
// zips.
func packZip(t *testing.T, signes, name string, records ...string) []byte {
	t.Helper()
	reg, cfg, _ := fixtureRecords(t)
	files := fixtureFiles(records...)
	day := time.Date(2023, 4, 28, 12, 0, 0, 0, time.Local)
	roots := safeio.NewRoots("../fixtures/dossiers", "../fixtures")
	q := dossier.Scan(cfg, reg, files, dossier.Options{Phase: dossier.PhaseSolde, DateDepot: day, Files: pdfops.Disk{Roots: roots}})
	assets, err := testAssets(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := pack.RunQuarter(pack.Options{Dir: out, Signes: signes, Roots: roots, Version: "test", DateDepot: "2023-04-28",
		NewRenderer: func() pack.Renderer { return render.New(assets) }}, q); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, "depot", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestRapportHTMLOpensFromDisk opens rapport.html from the output folder
// (file://, no server) and reads the statuses it shows: the same dossiers
// as rapport.json, each with a status that agrees with its statut.
func TestRapportHTMLOpensFromDisk(t *testing.T) {
	t.Parallel()
	reg := filepath.Join(t.TempDir(), "registre.sqlite")
	f := newFixtureWith(t, 0, func(c *Config) { c.Paths, c.Registre = fixtureFiles(recWaiting, recMOM, recSignedVA), reg })
	ctx := chrome(t)
	f.srv.runPack()
	if st := f.srv.state(); st.Erreur != "" {
		t.Fatal(st.Erreur)
	}
	data, err := os.ReadFile(filepath.Join(f.out, "rapport.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rap rapport.Rapport
	if err := json.Unmarshal(data, &rap); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate("file://"+filepath.Join(f.out, "rapport.html")),
		chromedp.WaitVisible(chromedp.CSS(`#dossiers`)),
	); err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]struct {
		Numero, Lien, Registre string
		Etat                   rapport.Etat
	}](`Array.from(document.querySelectorAll("#dossiers tbody tr")).map(tr => ({
			Numero: tr.id.replace(/^d-/, ""),
			Etat: tr.querySelector(".etat").textContent,
			Registre: tr.querySelector("td.registre").textContent.trim(),
			Lien: (tr.querySelector("td:last-child a") || {}).href || ""}))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(shown) != len(rap.Dossiers) || len(shown) == 0 {
		t.Fatalf("rapport.html shows %d dossiers, rapport.json has %d", len(shown), len(rap.Dossiers))
	}
	agree := map[rapport.Statut][]rapport.Etat{
		rapport.StatutPret:   {rapport.EtatPret, rapport.EtatAvertissement},
		rapport.StatutBloque: {rapport.EtatASigner, rapport.EtatBloque},
	}
	registered := 0
	for i, d := range rap.Dossiers {
		s := shown[i]
		if s.Numero != d.NumeroEditeur || !contains(agree[d.Statut], s.Etat) {
			t.Errorf("row %d: rapport.html %s « %s », rapport.json %s %s", i, s.Numero, s.Etat, d.NumeroEditeur, d.Statut)
		}
		if len(d.Fichiers) > 0 {
			// The link opens the document beside the rapport.
			p := strings.TrimPrefix(s.Lien, "file://")
			if _, err := os.Stat(p); err != nil {
				t.Errorf("row %d: link %s: %v", i, s.Lien, err)
			}
		}
		// The « Registre » column: the state the registre gives, or « — ».
		switch {
		case d.Registre == nil && s.Registre != "—":
			t.Errorf("row %d: %s unknown to the registre, « Registre » shows %q", i, s.Numero, s.Registre)
		case d.Registre != nil && !strings.HasPrefix(s.Registre, d.Registre.Texte()+" depuis le "):
			t.Errorf("row %d: %s « Registre » shows %q, rapport.json says %q", i, s.Numero, s.Registre, d.Registre.Texte())
		case d.Registre != nil:
			registered++
		}
		if d.NumeroEditeur == waiting && s.Etat != rapport.EtatASigner {
			t.Errorf("%s: « %s », want « à signer »", waiting, s.Etat)
		}
	}
	if registered == 0 {
		t.Error("no dossier has a state in the registre: the « Registre » column is not tested")
	}
	if *screenshots != "" {
		shoot(t, ctx, "rapport-html.png")
	}
}

// TestBrowserImport imports the spreadsheet template through the page:
// chosen in the form, previewed (nothing written), then imported; the
// waits are on the pages the server returns, never on a passing message.
func TestBrowserImport(t *testing.T) {
	t.Parallel()
	ts, dir := importServer(t)
	ctx := chrome(t)
	sheet := filepath.Join(t.TempDir(), "commandes.xlsx")
	var buf bytes.Buffer
	if err := tableur.ModeleTableur(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sheet, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/importer"), chromedp.WaitVisible(chromedp.CSS(`#tableur`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#tableur`), []string{sheet})); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, `#importer-apercu`, `#import-apercu`)
	if got := text(t, ctx, `#import-apercu`); !strings.Contains(got, "5 dossier(s) prêt(s) à écrire") {
		t.Fatalf("preview: %q", got)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("the preview wrote %d files", len(files))
	}
	shoot(t, ctx, "serve-importer.png")
	submit(t, ctx, `#importer-confirmer`, `#import-fait`)
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) != 5 {
		t.Fatalf("%d records written", len(files))
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#table-totaux`))); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `#table-totaux tr.total`); !strings.Contains(got, "4 604,57 €") {
		t.Errorf("totals: %q", got)
	}
}

// submit clicks the submit button sel of a form and waits for the page
// that answers it to show the element answer. A click can be lost: once,
// in a warm make test (8 Dec 2026, TestBrowserImport), the page stayed on
// « Importer ces 5 dossier(s) » for the whole 10 minutes of the test's
// bound, nothing written, nothing asked of the server. The page records
// whether its form was submitted (the submit event, which a click on a
// submit button fires before the browser sends anything); a click that
// submitted nothing is clicked again, so that no form is ever sent twice
// (chromedp's click returns once the renderer has handled the mouse
// release, and the submit event fires within that handling).
func submit(t *testing.T, ctx context.Context, sel, answer string) {
	t.Helper()
	const mark = `(() => { window.segurSoumis = false; document.addEventListener("submit", () => { window.segurSoumis = true }, true); return true })()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](mark)); err != nil {
		t.Fatalf("%s: %v", sel, err)
	}
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := chromedp.Do(cctx, chromedp.Click(chromedp.CSS(sel)))
		cancel()
		// Sent, or answered already (the new page has no mark: its
		// segurSoumis is undefined, and its answer is there).
		state, serr := chromedp.Run(ctx, chromedp.Evaluate[string](`window.segurSoumis === true ? "envoyé" : (window.segurSoumis === false ? "rien" : "nouvelle page")`))
		if serr != nil || state != "rien" {
			break
		}
		if attempt == 5 {
			t.Fatalf("%s: five clicks submitted nothing (last click: %v)", sel, err)
		}
		t.Logf("%s: the click submitted nothing (%v), clicked again", sel, err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(answer))); err != nil {
		t.Fatalf("%s, then %s: %v", sel, answer, err)
	}
}

// TestBrowserScanReviewed: a scanned VA uploaded through the form, opened
// beside the dossier's data, marked « Vérifié » by a named person; the mark
// is in rapport.json. The waits are on the saved file, the page's reading
// and the recorded mark, never on a passing message.
func TestBrowserScanReviewed(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recWaiting)
	ctx := fullChrome(t) // the scan is shown by the desktop browser's PDF viewer
	scan := filepath.Join(t.TempDir(), "va-scannee.pdf")
	if err := os.WriteFile(scan, scanVA(t, f.unsignedVA(t), "Nathalie Lambert"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(f.base+"/dossier/00045"), chromedp.WaitVisible(chromedp.CSS(`#fichier-va`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#fichier-va`), []string{scan}),
		chromedp.Click(chromedp.CSS(`#form-va button[type=submit]`))); err != nil {
		t.Fatalf("upload: %v", err)
	}
	f.waitRead(t, ctx, data(t, scan), rapport.EtatAvertissement)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#form-verification`)),
		chromedp.Click(chromedp.CSS(`#ouvrir-recu`)),
		chromedp.WaitVisible(chromedp.CSS(`iframe.apercu`))); err != nil {
		t.Fatal(err)
	}
	// The frame beside the data navigates to the scan: wait for its
	// address (only bounded, the loop ends on the state).
	var src string
	for deadline := time.Now().Add(3 * time.Minute); !strings.HasSuffix(src, "/dossier/00045/recu/"+waitingVA); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the scan is not opened beside the data: %q", src)
		}
		src, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { try { return document.querySelector("iframe.apercu").contentWindow.location.href } catch (e) { return "" } })()`))
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#qui`), "Claire Martin"), chromedp.Click(chromedp.CSS(`#verifie`))); err != nil {
		t.Fatal(err)
	}
	// The mark is waited for where it is kept: rapport.json of the page's
	// reading (the page may reload itself meanwhile).
	var rap struct {
		Dossiers []struct {
			NumeroEditeur string                 `json:"numero_editeur"`
			Verifications []rapport.Verification `json:"verifications"`
		} `json:"dossiers"`
	}
	var marks []rapport.Verification
	for deadline := time.Now().Add(3 * time.Minute); len(marks) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no mark in rapport.json")
		}
		b, err := os.ReadFile(filepath.Join(f.srv.work, "rapport.json"))
		if err != nil || json.Unmarshal(b, &rap) != nil {
			continue
		}
		for _, d := range rap.Dossiers {
			if d.NumeroEditeur == "00045" {
				marks = d.Verifications
			}
		}
	}
	if len(marks) != 1 || marks[0].Verdict != "Vérifié" || marks[0].Qui != "Claire Martin" || marks[0].Le == "" || marks[0].Fichier != waitingVA {
		t.Fatalf("rapport.json: %+v", marks)
	}
	// The page shows it (the page may be reloading itself).
	f.pageShows(t, ctx, "/dossier/00045", `#verifications`, func(got string) bool { return strings.Contains(got, "Vérifié par Claire Martin") }, time.Now().Add(3*time.Minute))
	// The screenshot of the guide: the mark recorded, and the scan opened
	// beside the dossier's data.
	if *screenshots != "" {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#ouvrir-recu`)), chromedp.WaitVisible(chromedp.CSS(`iframe.apercu`))); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(window.scrollTo(0, Math.min(document.querySelector("iframe.apercu").getBoundingClientRect().top, document.querySelector("#recu").getBoundingClientRect().top) + window.scrollY - 16), true)`)); err != nil {
			t.Fatal(err)
		}
		shoot(t, ctx, "serve-scan.png")
	}
}
