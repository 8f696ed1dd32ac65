package depot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/segur-sons/segur/internal/safeio"
)

// gen is a dépôt as files and their content, rapport.json included.
type gen map[string]string

var (
	genA = gen{"MDV-SOLDE-X-01.json": "a1", "MDV-SOLDE-X-01.zip": "a1z", "MDV-SOLDE-X-02.json": "a2", "MDV-SOLDE-X-02.zip": "a2z", RapportFile: "rapport A"}
	genB = gen{"MDV-SOLDE-X-01.json": "b1", "MDV-SOLDE-X-01.zip": "b1z", RapportFile: "rapport B"}
)

// build writes g as the next dépôt under dir and switches to it.
func build(t *testing.T, dir string, g gen) error { return faults{}.build(t, dir, g) }

// build is build with the faults f.
func (f faults) build(t *testing.T, dir string, g gen) error {
	t.Helper()
	next, err := BeginNext(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name, content := range g {
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
	_, err = f.commit(dir, names, nil)
	return err
}

// depotState reads depot/ (and rapport.json) as a gen; nil when depot/ is
// missing.
func depotState(t *testing.T, dir string) gen {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, depotDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	g := gen{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, depotDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		g[e.Name()] = string(data)
	}
	if data, err := os.ReadFile(filepath.Join(dir, RapportFile)); err == nil {
		g[RapportFile] = string(data)
	}
	return g
}

// sameDepot compares the upload pairs of two gens, rapport.json aside.
func sameDepot(a, b gen) bool {
	if a == nil || b == nil {
		return false
	}
	pairs := func(g gen) gen {
		out := gen{}
		for k, v := range g {
			if k != RapportFile {
				out[k] = v
			}
		}
		return out
	}
	pa, pb := pairs(a), pairs(b)
	if len(pa) != len(pb) {
		return false
	}
	for k, v := range pa {
		if pb[k] != v {
			return false
		}
	}
	return true
}

// TestSwitchIsWhollyOldOrWhollyNew stops the switch at each of its steps,
// as a kill or a power cut would, with and without the atomic exchange:
// depot/ is always wholly the old dépôt or wholly the new one, and the next
// run (Recover) finishes the switch.
func TestSwitchIsWhollyOldOrWhollyNew(t *testing.T) {
	cases := []struct {
		step       string
		noExchange bool
		want       gen // what depot/ holds right after the crash
	}{
		{"journal", false, genA},
		{"exchange", false, genB},
		{"depot", false, genB},
		{"manifest", false, genB},
		{"journal", true, genA},
		{"aside", true, nil}, // between the two renames: no depot/, never a mix
		{"depot", true, genB},
		{"manifest", true, genB},
	}
	for _, tc := range cases {
		name := tc.step
		if tc.noExchange {
			name += "/deux-renommages"
		}
		t.Run(name, func(t *testing.T) {
			f := faults{noExchange: tc.noExchange}
			dir := t.TempDir()
			if err := build(t, dir, genA); err != nil {
				t.Fatal(err)
			}
			foreign := filepath.Join(dir, depotDir, "ARCHIVE-SOLDE-2022.zip")
			os.WriteFile(foreign, []byte("à l'utilisateur"), 0o644)
			killed := errors.New("tué")
			f.crash = func(step string) error {
				if step == tc.step {
					return killed
				}
				return nil
			}
			if err := f.build(t, dir, genB); !errors.Is(err, killed) {
				t.Fatalf("the switch was not stopped at %s: %v", tc.step, err)
			}
			got := depotState(t, dir)
			delete(got, "ARCHIVE-SOLDE-2022.zip")
			if tc.want == nil {
				if got != nil {
					t.Fatalf("depot/ after the crash: %v, want none (between the two renames)", got)
				}
			} else if !sameDepot(got, tc.want) {
				t.Fatalf("depot/ after the crash at %s is a mix: %v, want %v", tc.step, got, tc.want)
			}
			if !SwitchPending(dir) {
				t.Error("the interrupted switch is not reported as pending")
			}
			aside, err := Recover(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(aside, []string{"ARCHIVE-SOLDE-2022.zip"}) {
				t.Errorf("reported as set aside: %v", aside)
			}
			got = depotState(t, dir)
			if !sameDepot(got, genB) || got[RapportFile] != genB[RapportFile] {
				t.Fatalf("after recovery: %v, want %v", got, genB)
			}
			// The user's file was never deleted: it was set aside.
			data, err := os.ReadFile(filepath.Join(dir, asideDir, "ARCHIVE-SOLDE-2022.zip"))
			if err != nil || string(data) != "à l'utilisateur" {
				t.Errorf("the foreign file was lost: %v", err)
			}
			if SwitchPending(dir) {
				t.Error("the switch is still reported as pending after recovery")
			}
			for _, p := range []string{journalFile, oldDir, nextDir} {
				if exists(filepath.Join(dir, p)) {
					t.Errorf("%s left after recovery", p)
				}
			}
			m, _ := readManifest(dir)
			if !slices.Equal(m.Fichiers, []string{"MDV-SOLDE-X-01.json", "MDV-SOLDE-X-01.zip"}) {
				t.Errorf("manifest: %v", m.Fichiers)
			}
		})
	}
}

// TestFullDiskLeavesThePreviousDepot fails the writing of the new dépôt as
// a full disk does: the previous dépôt stays as it was.
func TestFullDiskLeavesThePreviousDepot(t *testing.T) {
	dir := t.TempDir()
	if err := build(t, dir, genA); err != nil {
		t.Fatal(err)
	}
	n := 0
	full := faults{write: func(path string) error {
		if n++; n == 2 {
			return &fs.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
		}
		return nil
	}}
	err := full.build(t, dir, genB)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("got %v, want a full disk", err)
	}
	if msg := safeio.Message(err); !strings.Contains(msg, "disque plein") || strings.Contains(msg, "no space") || strings.Contains(msg, "pack:") {
		t.Errorf("message: %q, want French", msg)
	}
	if got := depotState(t, dir); !sameDepot(got, genA) || got[RapportFile] != genA[RapportFile] {
		t.Fatalf("depot/ after a full disk: %v, want the previous %v", got, genA)
	}
	if SwitchPending(dir) {
		t.Error("a failed build left a switch pending")
	}
	if _, err := Recover(dir); err != nil {
		t.Fatal(err)
	}
	if got := depotState(t, dir); !sameDepot(got, genA) {
		t.Fatalf("a failed build was switched to: %v", got)
	}
}

// TestOnlyListedFilesAreDeleted: a dépôt without manifest (or with files
// segur did not make) loses nothing; they are set aside in hors-depot/.
func TestOnlyListedFilesAreDeleted(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, depotDir), 0o755)
	for _, n := range []string{"MDV-SOLDE-X-01.json", "ARCHIVE-SOLDE-2022.zip", "notes.txt"} {
		os.WriteFile(filepath.Join(dir, depotDir, n), []byte("ancien "+n), 0o644)
	}
	if err := build(t, dir, genB); err != nil {
		t.Fatal(err)
	}
	if got := depotState(t, dir); !sameDepot(got, genB) {
		t.Fatalf("depot/: %v", got)
	}
	for _, n := range []string{"MDV-SOLDE-X-01.json", "ARCHIVE-SOLDE-2022.zip", "notes.txt"} {
		data, err := os.ReadFile(filepath.Join(dir, asideDir, n))
		if err != nil || string(data) != "ancien "+n {
			t.Errorf("%s, not made by segur, was lost: %v", n, err)
		}
	}
	// Its own previous files are deleted at the next switch.
	if err := build(t, dir, genA); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, asideDir))
	if len(entries) != 3 {
		t.Errorf("hors-depot/ holds %d files, want the 3 foreign ones only", len(entries))
	}
}

// TestLinksInTheOutputFolderAreNeverFollowed: depot/ (or rapport.json)
// being a link elsewhere stops the run before anything is written there.
func TestLinksInTheOutputFolderAreNeverFollowed(t *testing.T) {
	for _, name := range []string{depotDir, RapportFile, dossiersDir, stateDir} {
		t.Run(name, func(t *testing.T) {
			dir, elsewhere := t.TempDir(), t.TempDir()
			victim := filepath.Join(elsewhere, "ARCHIVE-SOLDE-2022.zip")
			os.WriteFile(victim, []byte("étranger"), 0o644)
			target := elsewhere
			if name == RapportFile {
				target = victim
			}
			if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
				t.Skip("no symbolic links here")
			}
			_, err := Lock(dir)
			if !errors.Is(err, ErrSymlink) || !strings.Contains(err.Error(), "lien symbolique") {
				t.Fatalf("got %v, want a refusal of the link", err)
			}
			if data, err := os.ReadFile(victim); err != nil || string(data) != "étranger" {
				t.Fatalf("the file behind the link was touched: %v", err)
			}
			entries, _ := os.ReadDir(elsewhere)
			if len(entries) != 1 {
				t.Errorf("something was written behind the link: %d files", len(entries))
			}
		})
	}
}

// TestNoWriteThroughALinkedDossierFolder: dossiers/00042 being a link
// elsewhere, nothing is written there.
func TestNoWriteThroughALinkedDossierFolder(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(dir, dossiersDir), 0o755)
	if err := os.Symlink(elsewhere, filepath.Join(dir, dossiersDir, "00042")); err != nil {
		t.Skip("no symbolic links here")
	}
	err := WriteFile(filepath.Join(dir, dossiersDir, "00042", "x.pdf"), []byte("x"))
	if !errors.Is(err, ErrSymlink) {
		t.Fatalf("got %v, want a refusal", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("%d files written behind the link", len(entries))
	}
}

// A switch tied to a registre transaction follows the registre's decision:
// stopped after its journal and before the commit, the next run discards it
// (depot/ and the registre both old); stopped after the commit, the next run
// rolls it forward (both new); a failed commit leaves depot/ as it was.
func TestSwitchFollowsTheRegistreDecision(t *testing.T) {
	stop := errors.New("arrêt simulé")
	for _, tc := range []struct {
		name      string
		step      string // where the run stops; "" when Decide fails
		committed bool   // what the registre says afterwards
		want      gen
	}{
		{"killed before the decision", "journal", false, genA},
		{"killed after the decision", "registre", true, genB},
		{"commit refused", "", false, genA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := build(t, dir, genA); err != nil {
				t.Fatal(err)
			}
			next, err := BeginNext(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for name, content := range genB {
				p := filepath.Join(next, name)
				if name == RapportFile {
					p = filepath.Join(filepath.Dir(next), name)
				} else {
					names = append(names, name)
				}
				WriteFile(p, []byte(content))
			}
			decided := false
			dec := &Decider{TxID: "tx-1", Decide: func() error {
				if tc.step == "" {
					return stop
				}
				decided = true
				return nil
			}}
			f := faults{crash: func(step string) error {
				if step == tc.step {
					return stop
				}
				return nil
			}}
			_, err = f.commit(dir, names, dec)
			if !errors.Is(err, stop) {
				t.Fatalf("CommitWith: %v", err)
			}
			if tc.step == "" && SwitchPending(dir) {
				t.Error("a refused commit left its journal")
			}
			if _, err := Recover(dir); tc.step != "" && err == nil {
				t.Error("recovered without asking the registre")
			}
			asked := ""
			if _, err := RecoverWith(dir, func(id string) (bool, error) {
				asked = id
				return tc.committed || decided && tc.step == "registre", nil
			}); err != nil {
				t.Fatal(err)
			}
			if tc.step != "" && asked != "tx-1" {
				t.Errorf("the registre was asked about %q", asked)
			}
			if got := depotState(t, dir); !sameDepot(got, tc.want) || SwitchPending(dir) {
				t.Errorf("depot/ %v, want %v (pending %v)", got, tc.want, SwitchPending(dir))
			}
		})
	}
}
