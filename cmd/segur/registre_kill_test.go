package main

import (
	"encoding/json"
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
