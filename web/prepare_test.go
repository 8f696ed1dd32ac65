package web

import (
	stdzip "archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestPreparationWhileThePageIsRead runs « Préparer le dépôt » as the
// page's script does — POST /preparer starts pack in a goroutine of the
// server, which reports its progress — while the page is read at the same
// time (the overview, a dossier, the state the script polls), then
// downloads a pair: the same bytes as in the output folder. A second
// « Préparer » during the first is refused. `make test` runs it under the
// race detector, with TestConcurrentUploadsOfTheSameVA for the uploads.
func TestPreparationWhileThePageIsRead(t *testing.T) {
	t.Parallel()
	// Four dossiers, not the sixteen of the fixtures: one awaiting its VA,
	// one ready with its MOM, two with their signed VA (one signed by two
	// signatories) — what the pair and the page show is the same, and the
	// race detector sees the same goroutines for a quarter of the work.
	records := []string{recWaiting, recMOM, recSignedVA, recTwoVA}
	f := newFixtureOf(t, 0, records...)
	post := func() (int, Preparation) {
		req, _ := http.NewRequest("POST", f.base+"/preparer", nil)
		req.Header.Set("Origin", f.origin)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st Preparation
		if resp.StatusCode == http.StatusAccepted {
			if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode, st
	}
	state := func() (Preparation, error) {
		var st Preparation
		resp, err := http.Get(f.base + "/preparer/etat")
		if err != nil {
			return st, err
		}
		defer resp.Body.Close()
		return st, json.NewDecoder(resp.Body).Decode(&st)
	}

	// « Tout télécharger » before any dépôt: refused with the reason.
	if code, body := f.get(t, "/tout-telecharger"); code != http.StatusNotFound || !bytes.Contains(body, []byte("aucun dépôt préparé")) {
		t.Errorf("GET /tout-telecharger before any dépôt: %d %s", code, body)
	}
	if _, page := f.get(t, "/"); bytes.Contains(page, []byte(`id="tout-telecharger"`)) {
		t.Error("the overview offers « Tout télécharger » before any dépôt")
	}

	code, st := post()
	if code != http.StatusAccepted || !st.EnCours {
		t.Fatalf("POST /preparer: %d %+v, want 202 and en_cours", code, st)
	}
	if again, _ := post(); again != http.StatusConflict {
		if now, _ := state(); now.EnCours {
			t.Errorf("a second « Préparer » during the first: %d, want 409", again)
		}
	}

	// Readers of the page while the preparation runs.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, path := range []string{"/", "/dossier/" + waiting, "/preparer/etat"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				resp, err := http.Get(f.base + path)
				if err != nil {
					t.Errorf("GET %s: %v", path, err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("GET %s during the preparation: %d", path, resp.StatusCode)
					return
				}
			}
		}()
	}
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(50 * time.Millisecond) { // the loop ends on the state; the deadline only bounds it
		var err error
		if st, err = state(); err != nil {
			t.Fatal(err)
		}
		if st.Fini || time.Now().After(deadline) {
			break
		}
		if st.Fait > st.Total {
			t.Errorf("progress %d/%d", st.Fait, st.Total)
		}
	}
	close(stop)
	wg.Wait()

	zip := "MDV-LGC-Va1-SOLDE-2201140317-01.zip"
	if !st.Fini || st.EnCours || st.Erreur != "" || st.Total != len(records) || st.Fait != st.Total || st.Prets+st.Bloques != len(records) || st.Prets == 0 || !slices.Contains(st.Paires, zip) {
		t.Fatalf("preparation: %+v", st)
	}
	want, err := os.ReadFile(filepath.Join(f.out, "depot", zip))
	if err != nil {
		t.Fatal(err)
	}
	if code, got := f.get(t, "/depot/"+zip); code != http.StatusOK || !bytes.Equal(got, want) || len(got) == 0 {
		t.Errorf("GET /depot/%s: %d, %d bytes, want the %d bytes of the output folder", zip, code, len(got), len(want))
	}

	// « Tout télécharger » (issue 19, item 4): every pair in one zip, as
	// in depot/, offered on the overview.
	if _, page := f.get(t, "/"); !bytes.Contains(page, []byte(`href="/tout-telecharger"`)) {
		t.Error("the overview does not offer « Tout télécharger » once the dépôt is prepared")
	}
	resp, err := http.Get(f.base + "/tout-telecharger")
	if err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "depot.zip") {
		t.Fatalf("GET /tout-telecharger: %d %v %v", resp.StatusCode, resp.Header, err)
	}
	zr, err := stdzip.NewReader(bytes.NewReader(all), int64(len(all)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range zr.File {
		names = append(names, e.Name)
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		want, _ := os.ReadFile(filepath.Join(f.out, "depot", e.Name))
		if err != nil || !bytes.Equal(got, want) || len(got) == 0 {
			t.Errorf("%s in « Tout télécharger » differs from depot/ (%v)", e.Name, err)
		}
	}
	if !slices.Equal(names, st.Paires) {
		t.Errorf("« Tout télécharger » holds %v, want the pairs %v", names, st.Paires)
	}
}

// TestCloseWaitsForTheWorkUnderWay: Close stops « Préparer le dépôt » and a
// reading of the records under way, waits for them, then removes the
// private folders; afterwards nothing starts.
func TestCloseWaitsForTheWorkUnderWay(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	req, _ := http.NewRequest("POST", f.base+"/preparer", nil)
	req.Header.Set("Origin", f.origin)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /preparer: %d", resp.StatusCode)
	}
	f.srv.stale()
	f.srv.current() // a reading in the background
	if err := f.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if st := f.srv.state(); st.EnCours || !st.Fini {
		t.Errorf("after Close, the preparation still runs: %+v", st)
	}
	if f.srv.updating() {
		t.Error("after Close, a reading of the records still runs")
	}
	if _, err := os.Stat(filepath.Dir(f.srv.work)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("private folder left after Close: %v", err)
	}
	if f.srv.spawn(func() {}) {
		t.Error("work started after Close")
	}
}
