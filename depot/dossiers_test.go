package depot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// tree is a folder's files (slash paths) and their content.
type tree map[string]string

func readTree(t *testing.T, root string) tree {
	t.Helper()
	if _, err := os.Lstat(root); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	got := tree{}
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		got[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// run is one pack run as the depot package sees it: the dossiers' documents
// written into the staged dossiers/, the pairs, rapport.json and
// rapport.html beside the next depot/, then the switch.
type run struct {
	depot    gen  // pairs and rapport.json
	dossiers tree // documents written by this run
	html     string
	aSigner  tree // a-signer/ as this run writes it (segur's files only)
}

func (f faults) pack(t *testing.T, dir string, r run) error {
	t.Helper()
	next, stage, err := BeginNextWithDossiers(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer Abandon(dir)
	for name, content := range r.dossiers {
		if err := f.writeFile(filepath.Join(stage, dossiersDir, filepath.FromSlash(name)), []byte(content), false); err != nil {
			return err
		}
	}
	var names []string
	for name, content := range r.depot {
		p := filepath.Join(next, name)
		if name == RapportFile {
			p = filepath.Join(filepath.Dir(next), name)
		} else {
			names = append(names, name)
		}
		if err := f.writeFile(p, []byte(content), true); err != nil {
			return err
		}
	}
	if err := f.writeFile(filepath.Join(filepath.Dir(next), RapportHTML), []byte(r.html), true); err != nil {
		return err
	}
	// a-signer/ as rapport.WriteForPeople makes it: its files written,
	// segur's own files it no longer has removed from the staged copy,
	// the staged manifest listing what it wrote.
	written := ReadASignerManifest(filepath.Join(dir, ASignerManifest))
	sums := map[string]string{}
	for name, content := range r.aSigner {
		if err := f.writeFile(filepath.Join(stage, aSignerDir, name), []byte(content), true); err != nil {
			return err
		}
		sums[name] = sha(content)
	}
	for name, sum := range written {
		if _, ok := r.aSigner[name]; !ok && fileSHA256(filepath.Join(stage, aSignerDir, name)) == sum {
			os.Remove(filepath.Join(stage, aSignerDir, name))
		}
	}
	if err := WriteASignerManifest(StagedASignerManifest(stage), sums); err != nil {
		return err
	}
	_, err = f.commit(dir, names, nil)
	return err
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestDossiersAndReportsAgreeWithTheDepotAfterAnyFault (issue #22, Done
// when: the kill and full-disk tests extend to dossiers/ and the reports).
// A run is stopped at each step of its switch, as a kill would, with and
// without the atomic exchange, and fails on a full disk at each of its
// writes: depot/ and dossiers/ are each wholly the old or wholly the new
// one; whenever they (or rapport.json, rapport.html) disagree, the switch
// is pending (check warns, the next run finishes it); after Recover, all
// are the new run's. A file someone put in dossiers/ or a-signer/ is never
// lost; segur's own file a-signer/ no longer lists is deleted with the
// switch, not before, and the a-signer manifest switches with a-signer/.
func TestDossiersAndReportsAgreeWithTheDepotAfterAnyFault(t *testing.T) {
	a := run{depot: genA, dossiers: tree{"00042/F-00042.pdf": "facture A", "00043/F-00043.pdf": "facture A3"}, html: "page A",
		aSigner: tree{"liste.csv": "liste A", "VA-00043.pdf": "VA A3", "VA-00044.pdf": "VA A4"}}
	b := run{depot: genB, dossiers: tree{"00042/F-00042.pdf": "facture B"}, html: "page B",
		aSigner: tree{"liste.csv": "liste B", "VA-00044.pdf": "VA B4"}}
	user := tree{"00042/notes.txt": "à l'utilisateur"}
	userASigner := tree{"VA-00045-signee-par-client.pdf": "signée par le client"}
	treeA := tree{}
	maps.Copy(treeA, a.dossiers)
	maps.Copy(treeA, user)
	treeB := maps.Clone(treeA)
	maps.Copy(treeB, b.dossiers)
	signA, signB := maps.Clone(a.aSigner), maps.Clone(b.aSigner)
	maps.Copy(signA, userASigner)
	maps.Copy(signB, userASigner)
	same := func(x, y tree) bool { return x != nil && maps.Equal(x, y) }
	// state is what the output folder holds, each part read on its own.
	type state struct {
		dep            gen
		dos, sign      tree
		html, manifest string
	}
	read := func(dir string) state {
		html, _ := os.ReadFile(filepath.Join(dir, RapportHTML))
		return state{depotState(t, dir), readTree(t, filepath.Join(dir, dossiersDir)), readTree(t, filepath.Join(dir, aSignerDir)),
			string(html), fmt.Sprint(ReadASignerManifest(filepath.Join(dir, ASignerManifest)))}
	}
	manifestOf := func(r run) string {
		m := map[string]string{}
		for name, content := range r.aSigner {
			m[name] = sha(content)
		}
		return fmt.Sprint(m)
	}
	isRun := func(s state, r run, dos, sign tree) bool {
		return sameDepot(s.dep, r.depot) && same(s.dos, dos) && same(s.sign, sign) && s.dep[RapportFile] == r.depot[RapportFile] &&
			s.html == r.html && s.manifest == manifestOf(r)
	}

	check := func(t *testing.T, dir string) {
		t.Helper()
		s := read(dir)
		if s.dep != nil && !sameDepot(s.dep, genB) && !sameDepot(s.dep, genA) {
			t.Fatalf("depot/ is a mix: %v", s.dep)
		}
		if s.dos != nil && !same(s.dos, treeB) && !same(s.dos, treeA) {
			t.Fatalf("dossiers/ is a mix: %v", s.dos)
		}
		if s.sign != nil && !same(s.sign, signB) && !same(s.sign, signA) {
			t.Fatalf("a-signer/ is a mix: %v", s.sign)
		}
		if !isRun(s, b, treeB, signB) && !isRun(s, a, treeA, signA) && !SwitchPending(dir) {
			t.Fatalf("depot/, dossiers/, a-signer/ and the reports disagree and no switch is pending: %+v", s)
		}
		if _, err := Recover(dir); err != nil {
			t.Fatal(err)
		}
		s = read(dir)
		if !isRun(s, b, treeB, signB) && !isRun(s, a, treeA, signA) {
			t.Fatalf("after recovery they still disagree: %+v", s)
		}
		if entries, _ := os.ReadDir(filepath.Join(dir, asideDir)); len(entries) > 0 {
			t.Errorf("set aside: %v (every file was segur's or kept in place)", entries)
		}
		if SwitchPending(dir) {
			t.Error("still pending after recovery")
		}
		for _, p := range []string{journalFile, oldDir, nextDir} {
			if exists(filepath.Join(dir, p)) {
				t.Errorf("%s left after recovery", p)
			}
		}
	}
	start := func(t *testing.T) string {
		dir := t.TempDir()
		if err := (faults{}).pack(t, dir, a); err != nil {
			t.Fatal(err)
		}
		for name, content := range user {
			os.WriteFile(filepath.Join(dir, dossiersDir, filepath.FromSlash(name)), []byte(content), 0o644)
		}
		for name, content := range userASigner {
			os.WriteFile(filepath.Join(dir, aSignerDir, name), []byte(content), 0o644)
		}
		if s := read(dir); !isRun(s, a, treeA, signA) {
			t.Fatalf("first run: %+v", s)
		}
		return dir
	}
	for _, noExchange := range []bool{false, true} {
		for _, step := range []string{"journal", "exchange", "aside", "depot", "dossiers", "a-signer", "rapport", "manifest"} {
			if noExchange && step == "exchange" || !noExchange && step == "aside" {
				continue
			}
			name := step
			if noExchange {
				name += "/deux-renommages"
			}
			t.Run("tué à "+name, func(t *testing.T) {
				dir := start(t)
				killed := errors.New("tué")
				n := 0
				f := faults{noExchange: noExchange, crash: func(s string) error {
					if s == step {
						// each step may come twice (depot/, then dossiers/):
						// the test stops at the first, a second case below
						// at the second.
						n++
						if n == 1 {
							return killed
						}
					}
					return nil
				}}
				if err := f.pack(t, dir, b); !errors.Is(err, killed) {
					t.Fatalf("not stopped at %s: %v", step, err)
				}
				check(t, dir)
			})
		}
	}
	// The second and third exchanges (dossiers/, then a-signer/, after
	// depot/) stopped too.
	for _, noExchange := range []bool{false, true} {
		step := "exchange"
		if noExchange {
			step = "aside"
		}
		for _, nth := range []int{2, 3} {
			t.Run(fmt.Sprintf("tué au %de %s", nth, step), func(t *testing.T) {
				dir := start(t)
				killed := errors.New("tué")
				n := 0
				f := faults{noExchange: noExchange, crash: func(s string) error {
					if s == step {
						if n++; n == nth {
							return killed
						}
					}
					return nil
				}}
				if err := f.pack(t, dir, b); !errors.Is(err, killed) {
					t.Fatalf("not stopped at %s n° %d: %v", step, nth, err)
				}
				check(t, dir)
			})
		}
	}
	// A full disk at each write of the run: everything stays the old run's.
	for i := 1; i <= len(b.dossiers)+len(b.depot)+len(b.aSigner)+4; i++ {
		t.Run("disque plein à l'écriture "+strings.Repeat("I", i), func(t *testing.T) {
			dir := start(t)
			n := 0
			full := faults{write: func(path string) error {
				if n++; n == i {
					return &fs.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
				}
				return nil
			}}
			err := full.pack(t, dir, b)
			if err == nil {
				if n < i {
					t.Skipf("the run makes only %d writes", n)
				}
				t.Fatal("the full disk was not reported")
			}
			s := read(dir)
			if !SwitchPending(dir) && !isRun(s, a, treeA, signA) {
				// Past the journal the new run is the one (a write of
				// the switch's own book-keeping failed): check says so.
				if !isRun(s, b, treeB, signB) {
					t.Fatalf("after a full disk: %+v — want all of one run", s)
				}
				return
			}
			if SwitchPending(dir) {
				check(t, dir)
				return
			}
			if exists(filepath.Join(dir, nextDir)) {
				t.Error("the failed build was not removed")
			}
		})
	}
}

// TestASignerFileChangedDuringTheRunIsNeverLost: a client-signed VA put in
// a-signer/ over segur's VA, or beside it, while a run builds the next
// a-signer/ (after its staging, before its switch) is not in the new
// a-signer/: it is set aside in hors-depot/, never deleted; segur's own
// unchanged VA the new a-signer/ no longer has is deleted.
func TestASignerFileChangedDuringTheRunIsNeverLost(t *testing.T) {
	dir := t.TempDir()
	first := run{depot: genA, html: "A", aSigner: tree{"liste.csv": "A", "VA-1.pdf": "VA 1", "VA-2.pdf": "VA 2"}}
	if err := (faults{}).pack(t, dir, first); err != nil {
		t.Fatal(err)
	}
	next, stage, err := BeginNextWithDossiers(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The run: VA-1 and VA-2 no longer waiting, removed from the staged
	// copy (they are segur's, unchanged then).
	for _, n := range []string{"VA-1.pdf", "VA-2.pdf"} {
		if err := os.Remove(filepath.Join(stage, aSignerDir, n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteFile(filepath.Join(stage, aSignerDir, "liste.csv"), []byte("B")); err != nil {
		t.Fatal(err)
	}
	if err := WriteASignerManifest(StagedASignerManifest(stage), map[string]string{"liste.csv": sha("B")}); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(next, "P.json"), []byte("p")); err != nil {
		t.Fatal(err)
	}
	// Meanwhile someone puts the client's signed VA-1 over segur's, and a
	// new file beside.
	os.Remove(filepath.Join(dir, aSignerDir, "VA-1.pdf"))
	os.WriteFile(filepath.Join(dir, aSignerDir, "VA-1.pdf"), []byte("VA 1 signée"), 0o644)
	os.WriteFile(filepath.Join(dir, aSignerDir, "VA-3-signee.pdf"), []byte("VA 3 signée"), 0o644)
	aside, err := CommitWith(dir, []string{"P.json"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, filepath.Join(dir, aSignerDir)); !maps.Equal(got, tree{"liste.csv": "B"}) {
		t.Errorf("a-signer/ = %v, want the new run's", got)
	}
	kept := readTree(t, filepath.Join(dir, asideDir))
	if !maps.Equal(kept, tree{"a-signer-VA-1.pdf": "VA 1 signée", "a-signer-VA-3-signee.pdf": "VA 3 signée"}) {
		t.Errorf("hors-depot/ = %v (returned %v), want both signed VAs and not segur's VA-2", kept, aside)
	}
}
