package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestOriginCheck(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recWaiting)
	tests := []struct {
		name, method, path, host, origin, site string
		want                                   int
	}{
		{"same origin", "POST", "/relire", "", f.origin, "same-origin", 200},
		{"other site, fetch metadata", "POST", "/preparer", "", "https://evil.example", "cross-site", 403},
		{"other origin, no fetch metadata", "POST", "/dossier/00045/va", "", "http://evil.example", "", 403},
		{"DNS rebinding: another host name", "GET", "/", "evil.example", "", "", 403},
		{"DNS rebinding on a POST", "POST", "/preparer", "evil.example:80", "http://evil.example:80", "same-origin", 403},
		{"read without origin", "GET", "/", "", "", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, f.base+tt.path, nil)
			if tt.host != "" {
				req.Host = tt.host
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.site != "" {
				req.Header.Set("Sec-Fetch-Site", tt.site)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	if st := f.srv.state(); st.EnCours || st.Fini {
		t.Errorf("a refused request started a preparation: %+v", st)
	}
	if _, err := os.Stat(filepath.Join(f.signes, waitingVA)); err == nil {
		t.Errorf("a refused request wrote %s", waitingVA)
	}
}

func TestUploadLimits(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 1<<20, recWaiting, recMOM)
	signed := scanVA(t, f.unsignedVA(t), "Nathalie Lambert")
	if len(signed) > 1<<20 {
		t.Fatalf("signed VA is %d bytes, over the test's bound", len(signed))
	}
	tests := []struct {
		name string
		data []byte
		want int
		text string
	}{
		{"too big", append(bytes.Clone(signed), make([]byte, 1<<20)...), http.StatusRequestEntityTooLarge, "trop gros"},
		{"far too big", make([]byte, 4<<20), http.StatusRequestEntityTooLarge, "trop gros"},
		{"empty", nil, http.StatusBadRequest, "aucun fichier"},
		{"not a PDF", []byte("bonjour"), http.StatusUnprocessableEntity, "PIECE_ILLISIBLE"},
		{"the unsigned VA itself", f.unsignedVA(t), http.StatusUnprocessableEntity, "VA_NON_SIGNEE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := f.upload(t, waiting, tt.data, false)
			if code != tt.want || !strings.Contains(body, tt.text) {
				t.Errorf("got %d %s, want %d with %q", code, body, tt.want, tt.text)
			}
			if _, err := os.Stat(filepath.Join(f.signes, waitingVA)); err == nil {
				t.Fatalf("a refused upload was saved")
			}
		})
	}
	if code, body := f.upload(t, waiting, signed, false); code != 200 {
		t.Fatalf("signed VA within bounds: %d %s", code, body)
	}
	if code, body := f.upload(t, "99999", signed, false); code != 404 {
		t.Errorf("unknown dossier: %d %s", code, body)
	}
	if code, body := f.upload(t, "00042", signed, false); code != http.StatusConflict || !strings.Contains(body, "n'attend pas de VA") {
		t.Errorf("MOM dossier: %d %s", code, body)
	}
}

func TestPathEscapes(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recWaiting, recMOM)
	secret := filepath.Join(filepath.Dir(f.out), "secret.zip")
	os.WriteFile(secret, []byte("secret"), 0o600)
	depot := filepath.Join(f.out, "depot")
	os.MkdirAll(depot, 0o755)
	if err := os.Symlink(secret, filepath.Join(depot, "lien.zip")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../secret.zip", filepath.Join(depot, "relatif.zip")); err != nil {
		t.Fatal(err)
	}
	if err := mkfifo(filepath.Join(depot, "tube.zip")); err != nil {
		t.Log(err)
	}
	os.WriteFile(filepath.Join(depot, "vrai.zip"), []byte("PK"), 0o644)
	for _, path := range []string{
		"/dossier/00045/fichier/..%2F..%2Frapport.json",
		"/dossier/00045/fichier/..%2F00042%2FMDV-LGC-Va1-MOM-00042.pdf",
		"/dossier/00045/fichier/MDV-LGC-Va1-MOM-00042.pdf", // another dossier's document
		"/dossier/..%2F..%2F/fichier/rapport.json",
		"/depot/..%2Frapport.json",
		"/depot/..%2F..%2Fsecret.zip",
		"/depot/%2Fetc%2Fpasswd",
		"/depot/lien.zip",
		"/depot/relatif.zip",
		"/depot/tube.zip",
		"/static/..%2Fserver.go",
		"/../../etc/passwd",
	} {
		code, body := f.get(t, path)
		if code == 200 || strings.Contains(string(body), "secret") || !strings.Contains(string(body), "introuvable") {
			t.Errorf("%s: %d %.80s", path, code, body)
		}
	}
	if code, body := f.get(t, "/depot/vrai.zip"); code != 200 || string(body) != "PK" {
		t.Errorf("a file of depot/: %d %s", code, body)
	}
	if code, body := f.get(t, "/dossier/00045/fichier/"+waitingVA); code != 200 || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Errorf("the dossier's VA: %d %.20s", code, body)
	}
}

func TestConcurrentUploadsOfTheSameVA(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recWaiting)
	unsigned := f.unsignedVA(t)
	a, b := scanVA(t, unsigned, "Nathalie Lambert"), scanVA(t, unsigned, "N. Lambert")
	if bytes.Equal(a, b) {
		t.Fatal("the two signed versions are the same")
	}
	dest := filepath.Join(f.signes, waitingVA)

	// The same file, several times at once: every upload is accepted.
	// Four at once keep the upload lock contended on two cores (eight cost
	// the race detector twice the time and tested nothing more).
	var wg sync.WaitGroup
	codes := make([]int, 4)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = f.upload(t, waiting, a, false)
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Errorf("upload %d of the same file: %d", i, c)
		}
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, a) {
		t.Fatal("saved VA differs from the upload")
	}

	// A different file is not saved over it without asking, however many
	// are sent at once.
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = f.upload(t, waiting, b, false)
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusConflict {
			t.Errorf("upload %d of a different file: %d, want 409", i, c)
		}
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, a) {
		t.Fatal("a different VA was saved without confirmation")
	}

	// Confirmed: replaced, and the old one kept aside.
	if code, body := f.upload(t, waiting, b, true); code != 200 {
		t.Fatalf("confirmed replacement: %d %s", code, body)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, b) {
		t.Error("confirmed replacement not saved")
	}
	aside, _ := filepath.Glob(filepath.Join(f.signes, "MDV-LGC-Va1-VA-00045.remplacee-*"))
	if len(aside) != 1 {
		t.Fatalf("old VA kept aside: %v", aside)
	}
	if got, _ := os.ReadFile(aside[0]); !bytes.Equal(got, a) {
		t.Error("the VA kept aside is not the old one")
	}
}

func TestOverviewShowsStatuses(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	code, body := f.get(t, "/")
	if code != 200 {
		t.Fatalf("overview: %d", code)
	}
	ready := 0
	for _, d := range f.srv.current().rapport.Dossiers {
		if d.Etat() == "prêt" {
			ready++
		}
	}
	if ready == 0 {
		t.Fatal("no dossier prêt in the fixtures")
	}
	for _, want := range []string{`data-etat="à signer"`, "VA non signée", "Centre de santé municipal de Villeurbanne", fmt.Sprintf(`<span class="etat pret">prêt</span> %d<`, ready)} {
		if !strings.Contains(string(body), want) {
			t.Errorf("overview lacks %q", want)
		}
	}
}

// A record changed on disk shows on the next page load, without restart.
func TestRecordsReReadWhenTheyChange(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// segur.yaml names the fournisseur's certificate beside it.
	if err := os.Mkdir(filepath.Join(dir, "certs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for f, to := range map[string]string{"segur.yaml": "segur.yaml", "dossiers/liberal-mom.yaml": "liberal-mom.yaml", "certs/fournisseur.p12": "certs/fournisseur.p12"} {
		data, err := os.ReadFile(filepath.Join("../fixtures", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f := newFixtureWith(t, 0, func(c *Config) {
		c.Paths, c.ConfigPath = []string{filepath.Join(dir, "liberal-mom.yaml")}, filepath.Join(dir, "segur.yaml")
	})
	if _, body := f.get(t, "/dossier/00042"); strings.Contains(string(body), "NUMERO_ASP_FORMAT") || !strings.Contains(string(body), "Cabinet médical des Lilas") {
		t.Fatalf("00042 before the edit:\n%s", body)
	}
	record := filepath.Join(dir, "liberal-mom.yaml")
	data, _ := os.ReadFile(record)
	broken := strings.Replace(string(data), `numero_asp: FINMDV000042`, `numero_asp: finmdv42`, 1)
	if broken == string(data) {
		t.Fatal("fixture changed: numero_asp not found")
	}
	if err := os.WriteFile(record, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	// The page looks at its inputs at most once a second: the second is
	// not waited for (stale is what its passing does), then the new
	// reading is, by its state, not by a time.
	f.srv.stale()
	if body, ok := f.waitPage(t, "/dossier/00042", func(p string) bool {
		return strings.Contains(p, `id="etat">bloqué<`) && strings.Contains(p, "NUMERO_ASP_FORMAT")
	}); !ok {
		t.Fatalf("after the edit, 00042 is not blocked by NUMERO_ASP_FORMAT:\n%s", body)
	}
}

// « Relire » reads the prepared dépôt back (segur check) and says so; with
// nothing prepared it says what to do first.
func TestRelire(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recWaiting, recMOM)
	post := func() string {
		code, body := f.post(t, "/relire")
		if code != 200 {
			t.Fatalf("relire: %d %s", code, body)
		}
		return body
	}
	if body := post(); !strings.Contains(body, "abord le dépôt") {
		t.Errorf("before any dépôt: %s", body)
	}
	f.srv.runPack()
	if st := f.srv.state(); st.Erreur != "" || len(st.Paires) == 0 || st.Prets == 0 || st.Prets+st.Bloques != 2 {
		t.Fatalf("préparation: %+v", st)
	}
	if body := post(); strings.Contains(body, "abord le dépôt") || !strings.Contains(body, "Relecture du dépôt") || strings.Contains(body, "NOM_DEPOT") {
		t.Errorf("after the dépôt: %s", body)
	}
	os.WriteFile(filepath.Join(f.out, "depot", "intrus.txt"), []byte("x"), 0o644)
	if body := post(); !strings.Contains(body, "NOM_DEPOT") {
		t.Errorf("with a stray file: %s", body)
	}
}

// A VA signed by hand and scanned is accepted with a warning: 00045 turns
// « avertissement » (VA_NUMERISEE), not « prêt » as with an electronic
// signature (TestBrowser).
func TestScannedVAWarns(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recWaiting)
	if code, body := f.upload(t, waiting, scanVA(t, f.unsignedVA(t), "Nathalie Lambert"), false); code != 200 {
		t.Fatalf("scanned VA: %d %s", code, body)
	}
	if body, ok := f.waitPage(t, "/dossier/"+waiting, func(p string) bool {
		return strings.Contains(p, `id="etat">avertissement<`) && strings.Contains(p, "VA_NUMERISEE")
	}); !ok {
		t.Fatalf("00045 after a scanned VA is not « avertissement » with VA_NUMERISEE:\n%s", body)
	}
}

// TestVAOfAnotherDossierSaysWhose (issue 19, item 6): the signed VA of
// 00043 dropped on 00045's page is refused, and the reply says whose VA it
// is: its dossier and file.
func TestVAOfAnotherDossierSaysWhose(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 0, recWaiting, recSignedVA)
	other, err := os.ReadFile("../fixtures/signes/MDV-LGC-Va1-VA-00043.pdf")
	if err != nil {
		t.Fatal(err)
	}
	code, body := f.upload(t, waiting, other, false)
	if code == 200 || !strings.Contains(body, "VA_AUTRE_DOSSIER") ||
		!strings.Contains(body, "c'est la VA du dossier 00043 (MDV-LGC-Va1-VA-00043.pdf), pas celle du dossier 00045") {
		t.Errorf("VA of 00043 on 00045's page: %d %s", code, body)
	}
	if _, err := os.Stat(filepath.Join(f.signes, waitingVA)); err == nil {
		t.Error("the VA of another dossier was saved")
	}
}

// TestMalformedUploadsAnsweredInFrench (issue #22, item 5): a truncated
// form, a part of 11 000 headers, a body that is no form: a French reply,
// never Go's « multipart: message too large » or « NextPart: EOF ».
func TestMalformedUploadsAnsweredInFrench(t *testing.T) {
	t.Parallel()
	f := newFixtureOf(t, 1<<20, recWaiting)
	var headers strings.Builder
	for i := range 11000 {
		fmt.Fprintf(&headers, "X-%d: a\r\n", i)
	}
	for name, body := range map[string]string{
		"truncated":           "--B\r\nContent-Disposition: form-data; name=\"va\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.7 tronqu",
		"11 000 part headers": "--B\r\nContent-Disposition: form-data; name=\"va\"\r\n" + headers.String() + "\r\nx\r\n--B--\r\n",
		"no boundary":         "du texte",
	} {
		req, _ := http.NewRequest("POST", f.base+"/dossier/"+waiting+"/va", strings.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=B")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Origin", f.origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		reply, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(reply), "multipart") || strings.Contains(string(reply), "EOF") || !strings.Contains(string(reply), "déposez") {
			t.Errorf("%s: %d %s", name, resp.StatusCode, reply)
		}
	}
}

// With the registre « Préparer le dépôt » records in, « Relire » also
// compares the dépôt with it: clean after the preparation, DEPOT_MODIFIE
// once a zip changed.
func TestRelireWithTheRegistre(t *testing.T) {
	t.Parallel()
	reg := filepath.Join(t.TempDir(), "registre.sqlite")
	f := newFixtureWith(t, 0, func(c *Config) { c.Registre, c.Paths = reg, fixtureFiles(recWaiting, recMOM) })
	post := func() string {
		_, body := f.post(t, "/relire")
		return body
	}
	f.srv.runPack()
	if st := f.srv.state(); st.Erreur != "" || len(st.Paires) == 0 {
		t.Fatalf("préparation: %+v", st)
	}
	for _, code := range []string{"DEPOT_MODIFIE", "PAIRE_HORS_REGISTRE", "DOCUMENT_MODIFIE"} {
		if body := post(); strings.Contains(body, code) {
			t.Errorf("right after the preparation: %s\n%s", code, body)
		}
	}
	zips, _ := filepath.Glob(filepath.Join(f.out, "depot", "*.zip"))
	if len(zips) == 0 {
		t.Fatal("no zip prepared")
	}
	fh, err := os.OpenFile(zips[0], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.Write([]byte("x"))
	fh.Close()
	if body := post(); !strings.Contains(body, "DEPOT_MODIFIE") {
		t.Errorf("a zip changed since written: no DEPOT_MODIFIE\n%s", body)
	}
}
