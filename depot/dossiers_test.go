package depot

import (
	"errors"
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
	_, err = f.commit(dir, names, nil)
	return err
}

// TestDossiersAndReportsAgreeWithTheDepotAfterAnyFault (issue #22, Done
// when: the kill and full-disk tests extend to dossiers/ and the reports).
// A run is stopped at each step of its switch, as a kill would, with and
// without the atomic exchange, and fails on a full disk at each of its
// writes: depot/ and dossiers/ are each wholly the old or wholly the new
// one; whenever they (or rapport.json, rapport.html) disagree, the switch
// is pending (check warns, the next run finishes it); after Recover, all
// are the new run's. A file someone put in dossiers/ is never lost.
func TestDossiersAndReportsAgreeWithTheDepotAfterAnyFault(t *testing.T) {
	a := run{depot: genA, dossiers: tree{"00042/F-00042.pdf": "facture A", "00043/F-00043.pdf": "facture A3"}, html: "page A"}
	b := run{depot: genB, dossiers: tree{"00042/F-00042.pdf": "facture B"}, html: "page B"}
	user := tree{"00042/notes.txt": "à l'utilisateur"}
	treeA := tree{}
	maps.Copy(treeA, a.dossiers)
	maps.Copy(treeA, user)
	treeB := maps.Clone(treeA)
	maps.Copy(treeB, b.dossiers)
	same := func(x, y tree) bool { return x != nil && maps.Equal(x, y) }

	check := func(t *testing.T, dir string) {
		t.Helper()
		dep, dos := depotState(t, dir), readTree(t, filepath.Join(dir, dossiersDir))
		html, _ := os.ReadFile(filepath.Join(dir, RapportHTML))
		depNew, dosNew := sameDepot(dep, genB), same(dos, treeB)
		if dep != nil && !depNew && !sameDepot(dep, genA) {
			t.Fatalf("depot/ is a mix: %v", dep)
		}
		if dos != nil && !dosNew && !same(dos, treeA) {
			t.Fatalf("dossiers/ is a mix: %v", dos)
		}
		allNew := depNew && dosNew && dep[RapportFile] == genB[RapportFile] && string(html) == b.html
		allOld := sameDepot(dep, genA) && same(dos, treeA) && dep[RapportFile] == genA[RapportFile] && string(html) == a.html
		if !allNew && !allOld && !SwitchPending(dir) {
			t.Fatalf("depot/, dossiers/ and the reports disagree and no switch is pending: depot new %v, dossiers new %v, rapport.json %q, rapport.html %q", depNew, dosNew, dep[RapportFile], html)
		}
		if _, err := Recover(dir); err != nil {
			t.Fatal(err)
		}
		dep, dos = depotState(t, dir), readTree(t, filepath.Join(dir, dossiersDir))
		html, _ = os.ReadFile(filepath.Join(dir, RapportHTML))
		newNow := sameDepot(dep, genB) && same(dos, treeB) && dep[RapportFile] == genB[RapportFile] && string(html) == b.html
		oldNow := sameDepot(dep, genA) && same(dos, treeA) && dep[RapportFile] == genA[RapportFile] && string(html) == a.html
		if !newNow && !oldNow {
			t.Fatalf("after recovery they still disagree: depot %v, dossiers %v, rapport.html %q", dep, dos, html)
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
		if got := readTree(t, filepath.Join(dir, dossiersDir)); !same(got, treeA) {
			t.Fatalf("first run: %v", got)
		}
		return dir
	}
	for _, noExchange := range []bool{false, true} {
		for _, step := range []string{"journal", "exchange", "aside", "depot", "dossiers", "rapport", "manifest"} {
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
	// The second exchange (dossiers/, after depot/) stopped too.
	for _, noExchange := range []bool{false, true} {
		step := "exchange"
		if noExchange {
			step = "aside"
		}
		t.Run("tué au second "+step, func(t *testing.T) {
			dir := start(t)
			killed := errors.New("tué")
			n := 0
			f := faults{noExchange: noExchange, crash: func(s string) error {
				if s == step {
					if n++; n == 2 {
						return killed
					}
				}
				return nil
			}}
			if err := f.pack(t, dir, b); !errors.Is(err, killed) {
				t.Fatalf("not stopped at the second %s: %v", step, err)
			}
			check(t, dir)
		})
	}
	// A full disk at each write of the run: everything stays the old run's.
	for i := 1; i <= len(b.dossiers)+len(b.depot)+3; i++ {
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
			dep, dos := depotState(t, dir), readTree(t, filepath.Join(dir, dossiersDir))
			html, _ := os.ReadFile(filepath.Join(dir, RapportHTML))
			if !SwitchPending(dir) && !(sameDepot(dep, genA) && same(dos, treeA) && string(html) == a.html) {
				// Past the journal the new run is the one (a write of
				// the switch's own book-keeping failed): check says so.
				if !(sameDepot(dep, genB) && same(dos, treeB) && string(html) == b.html) {
					t.Fatalf("after a full disk: depot %v, dossiers %v, rapport.html %q — want all of one run", dep, dos, html)
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
