package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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

// agree checks that out's registre and depot/ say the same, as the next
// run sees them (after its recovery): every pair in depot/ is recorded
// with the SHA-256 of its files, and the last pair recorded is in depot/.
// It returns the highest pair number in depot/.
func agree(t *testing.T, out string, when string) int {
	t.Helper()
	r, err := registre.Open(filepath.Join(out, "registre.sqlite"), registre.Options{})
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	defer r.Close()
	if _, err := depot.RecoverWith(out, r.Committed); err != nil {
		t.Fatalf("%s: recovery: %v", when, err)
	}
	res, err := r.Verify(t.Context())
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("%s: registre: %+v %v", when, res, err)
	}
	pairs, err := r.Pairs()
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]registre.Pair{}
	last := registre.Pair{}
	for _, p := range pairs {
		recorded[p.Name] = p
		if p.Number > last.Number {
			last = p
		}
	}
	files := depotBytes(t, out)
	highest := 0
	for name, data := range files {
		base := strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".zip")
		p, ok := recorded[base]
		if !ok {
			t.Fatalf("%s: depot/%s is in no pair of the registre", when, name)
		}
		want := p.ZipSHA256
		if strings.HasSuffix(name, ".json") {
			want = p.JSONSHA256
		}
		if registre.Hash(data) != want {
			t.Fatalf("%s: depot/%s differs from what the registre recorded", when, name)
		}
		highest = max(highest, p.Number)
	}
	if _, ok := files[last.Name+".zip"]; !ok {
		t.Fatalf("%s: the registre's last pair %s is not in depot/ (%d files)", when, last.Name, len(files))
	}
	return highest
}

// SIGKILL at moments spread over a whole pack with the registre (≥ 20
// kills): after the next run's recovery, the registre and depot/ are both
// the previous state or both the new one, never a mix.
func TestKilledPackLeavesRegistreAndDepotTogether(t *testing.T) {
	t.Parallel() // real processes
	bin := segurBinary(t)
	q := sharedQuarter(t).dir
	base := t.TempDir()
	args := func(out string, extra ...string) []string {
		a := quarterArgs(q, out, 50)
		return append(append(a[:len(a)-1], append([]string{"--registre", filepath.Join(out, "registre.sqlite")}, extra...)...), a[len(a)-1])
	}
	run := func(out string, extra ...string) {
		cmd := exec.Command(bin, args(out, extra...)...)
		cmd.Env = registreEnv()
		if o, err := cmd.CombinedOutput(); err != nil && cmd.ProcessState.ExitCode() != exitRejected {
			t.Fatalf("pack: %v\n%s", err, o)
		}
	}
	run(base)
	old := agree(t, base, "first pack")
	// A dossier to deposit again: each killed run makes one more pair.
	var rap struct {
		Dossiers []struct {
			NumeroEditeur string `json:"numero_editeur"`
			Statut        string `json:"statut"`
		} `json:"dossiers"`
	}
	data, _ := os.ReadFile(filepath.Join(base, "rapport.json"))
	json.Unmarshal(data, &rap)
	numero := ""
	for _, d := range rap.Dossiers {
		if d.Statut == "pret" {
			numero = d.NumeroEditeur
			break
		}
	}
	if numero == "" {
		t.Fatal("no dossier ready in the first pack")
	}
	// The kills are spread over a whole run, measured now.
	start := time.Now()
	run(copyTree(t, base), "--redeposer", numero)
	full := time.Since(start)
	const kills = 20
	sawOld, sawNew := 0, 0
	for i := 1; i <= kills; i++ {
		out := copyTree(t, base)
		cmd := exec.Command(bin, args(out, "--redeposer", numero)...)
		cmd.Env = registreEnv()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// From half a run (the documents made) to past its end.
		time.Sleep(full/2 + full*time.Duration(i)*6/(10*kills))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		switch got := agree(t, out, "kill "+itoa(i)); got {
		case old:
			sawOld++
		case old + 1:
			sawNew++
		default:
			t.Fatalf("kill %d: depot/ holds pair %d, neither %d nor %d", i, got, old, old+1)
		}
	}
	t.Logf("%d kills: previous state %d times, new state %d times (a run: %s)", kills, sawOld, sawNew, full)
	if sawOld == 0 {
		t.Error("no kill landed before the decision: the test proved less than it says")
	}
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
