package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/registre"
)

// registreEnv is the test process's environment with the registre on.
func registreEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEGUR_SANS_REGISTRE=") {
			env = append(env, kv)
		}
	}
	return env
}

// recordedPairs are the pairs out's registre recorded, by name.
func recordedPairs(t *testing.T, out string) map[string]registre.Pair {
	t.Helper()
	r, err := registre.Open(filepath.Join(out, "registre.sqlite"), registre.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pairs, err := r.Pairs()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]registre.Pair{}
	for _, p := range pairs {
		m[p.Name] = p
	}
	return m
}

// readyDossiers are the dossiers out's rapport.json says in a pair.
func readyDossiers(t *testing.T, out string) []string {
	t.Helper()
	var rap struct {
		Dossiers []struct {
			NumeroEditeur string `json:"numero_editeur"`
			Statut        string `json:"statut"`
		} `json:"dossiers"`
	}
	data, err := os.ReadFile(filepath.Join(out, "rapport.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rap); err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, d := range rap.Dossiers {
		if d.Statut == "pret" {
			ns = append(ns, d.NumeroEditeur)
		}
	}
	return ns
}

// seenState counts the kills that left state ("old", "new").
func seenState(seen map[string]int, state string) int {
	n := 0
	for k, v := range seen {
		if strings.HasSuffix(k, " "+state) {
			n += v
		}
	}
	return n
}

// registreAgrees checks out as the next run sees it (the switch an
// interrupted run left finished or discarded by the registre's decision):
// the registre is intact; the pairs it recorded beyond old are exactly the
// pairs of depot/ (none when it recorded nothing new: then depot/ must
// hold old's), with the SHA-256 recorded; and every facture and MOM in
// the zips is a document the registre archived for its dossier, every
// dossier of a recorded pair having its facture there. It returns "old"
// or "new".
func registreAgrees(t *testing.T, out string, old map[string]registre.Pair, when string) string {
	t.Helper()
	r, err := registre.Open(filepath.Join(out, "registre.sqlite"), registre.Options{})
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	defer r.Close()
	if _, err := depot.RecoverWith(out, r.Committed); err != nil {
		t.Fatalf("%s: recovery: %v", when, err)
	}
	if res, err := r.Verify(t.Context()); err != nil || len(res.Problems) > 0 {
		t.Fatalf("%s: registre: %+v %v", when, res, err)
	}
	pairs, err := r.Pairs()
	if err != nil {
		t.Fatal(err)
	}
	state := "old"
	want := map[string]string{} // depot file → SHA-256
	inPair := map[string]string{}
	for _, p := range pairs {
		if _, ok := old[p.Name]; ok {
			continue
		}
		state = "new"
		want[p.Name+".json"], want[p.Name+".zip"] = p.JSONSHA256, p.ZipSHA256
		for _, d := range p.Dossiers {
			inPair[d] = p.Name
		}
	}
	if state == "old" {
		for _, p := range old {
			want[p.Name+".json"], want[p.Name+".zip"] = p.JSONSHA256, p.ZipSHA256
			for _, d := range p.Dossiers {
				inPair[d] = p.Name
			}
		}
	}
	files := depotBytes(t, out)
	if len(files) != len(want) {
		t.Fatalf("%s: depot/ holds %d files, the registre's %s pairs %d", when, len(files), state, len(want))
	}
	factures := map[string]bool{}
	for name, data := range files {
		sum, ok := want[name]
		if !ok {
			t.Fatalf("%s: depot/%s is not a pair the registre recorded (%s)", when, name, state)
		}
		if registre.Hash(data) != sum {
			t.Fatalf("%s: depot/%s differs from what the registre recorded", when, name)
		}
		if !strings.HasSuffix(name, ".zip") {
			continue
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %s: %v", when, name, err)
		}
		for _, f := range zr.File {
			base := strings.TrimSuffix(filepath.Base(f.Name), ".pdf")
			parts := strings.Split(base, "-")
			if len(parts) < 2 {
				continue
			}
			numero, kind := parts[len(parts)-1], parts[len(parts)-2]
			if kind != "FACTURE" && kind != "MOM" {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			docs, err := r.Documents(numero)
			if err != nil {
				t.Fatal(err)
			}
			archived := false
			for _, d := range docs {
				archived = archived || d.Kind == kind && d.SHA256 == registre.Hash(body)
			}
			if !archived {
				t.Fatalf("%s: %s in %s is not a document the registre archived", when, f.Name, name)
			}
			if inPair[numero] != strings.TrimSuffix(name, ".zip") {
				t.Fatalf("%s: %s is in %s, the registre puts dossier %s in %q", when, f.Name, name, numero, inPair[numero])
			}
			if kind == "FACTURE" {
				factures[numero] = true
			}
		}
	}
	for d := range inPair {
		if !factures[d] {
			t.Fatalf("%s: dossier %s is in a recorded pair, its facture in no zip of depot/", when, d)
		}
	}
	return state
}
