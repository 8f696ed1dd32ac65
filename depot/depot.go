package depot

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/segur-sons/segur/internal/safeio"
)

// The output folder (-o) is laid out as:
//
//	depot/          the upload pairs of the last complete run
//	rapport.json    that run's report
//	dossiers/       every dossier's documents
//	a-signer/       the VAs waiting for their signatures, liste.csv
//	hors-depot/     files found in depot/ that segur did not make, set aside
//	.segur/         segur's own state: the manifest, the switch journal,
//	                the next dépôt being built and the previous one set aside
//
// A run never edits depot/ in place. It builds the whole new dépôt
// (.segur/nouveau/depot/ and .segur/nouveau/rapport.json), syncs it to disk,
// writes a journal (.segur/bascule.json) saying the new dépôt is complete,
// and only then switches: depot/ is exchanged in one system call where the
// system has one (Linux renameat2 RENAME_EXCHANGE, macOS renamex_np
// RENAME_SWAP), or else (Windows) renamed aside and replaced by two renames.
// rapport.json is replaced by one rename. Whatever stops the process, the
// journal lets the next run (and Recover) finish the switch: depot/ is the
// previous dépôt until the journal is written, and the new one once the
// switch is finished; it is never a mix of both.
const (
	depotDir     = "depot"
	RapportFile  = "rapport.json"
	RapportHTML  = "rapport.html"
	dossiersDir  = "dossiers"
	aSignerDir   = "a-signer"
	asideDir     = "hors-depot"
	stateDir     = ".segur"
	nextDir      = ".segur/nouveau"
	oldDir       = ".segur/ancien"
	journalFile  = ".segur/bascule.json"
	manifestFile = ".segur/depot.json"
	// ASignerManifest lists the files segur wrote in a-signer/ with their
	// SHA-256: the only files a later run may replace or delete there.
	ASignerManifest = ".segur/a-signer.json"
	lockFile        = ".segur.lock"
)

// stateKind bounds the reading of segur's own state files.
var stateKind = safeio.Kind{Name: "fichier d'état de segur", Max: 16 << 20}

// manifest lists the files of depot/ that segur made: the only ones a later
// run may delete.
type manifest struct {
	Fichiers []string `json:"fichiers"`
}

// journal is written once the next dépôt is complete on disk; while it
// exists, a switch is under way and must be finished before anything else.
type journal struct {
	Fichiers []string `json:"fichiers"` // the new dépôt's files
	Anciens  []string `json:"anciens"`  // the previous manifest's
	// Nouveau identifies the new depot folder where an exchange is used,
	// to tell after a crash whether the exchange took place.
	Nouveau string `json:"nouveau,omitempty"`
	// Registre is the id of the registre transaction that records this
	// run (package registre): the switch is the registre's decision.
	Registre string `json:"registre,omitempty"`
	// Dossiers identifies the new dossiers/ folder, built beside the new
	// depot/ (.segur/nouveau/dossiers) and switched with it; "" when the
	// run built none.
	Dossiers string `json:"dossiers,omitempty"`
	// ASigner identifies the new a-signer/ folder (.segur/nouveau/a-signer),
	// switched with dossiers/; "" when the run built none. ASignerAnciens
	// is the previous a-signer manifest (file → SHA-256): a file of the
	// previous a-signer/ the new one no longer has is deleted only if it is
	// listed there with the same bytes (segur's own); anything else is set
	// aside in hors-depot/.
	ASigner        string            `json:"a_signer,omitempty"`
	ASignerAnciens map[string]string `json:"a_signer_anciens,omitempty"`
}

// Decider makes a switch and a registre transaction one unit: Commit
// writes the journal carrying TxID, then calls Decide (the registre's
// commit, the decision point), then switches; Recover asks Committed
// whether a journal's transaction was decided — if so the switch is rolled
// forward, if not it is discarded with the dépôt that was built.
type Decider struct {
	TxID   string
	Decide func() error
}

// Committed tells Recover whether the registre transaction id committed;
// nil when the run has no registre (--sans-registre).
type Committed func(id string) (bool, error)

// ErrSymlink is returned when a path segur writes under -o is a symbolic
// link: segur never follows one there.
var ErrSymlink = errors.New("lien symbolique")

// Guard refuses an output folder whose own entries (depot/, dossiers/,
// rapport.json, .segur/) are symbolic links or of the wrong kind; render
// calls it before writing under dossiers/.
func Guard(dir string) error { return guard(dir) }

// guard refuses an output folder whose own entries are symbolic links or
// of the wrong kind: segur would otherwise write or delete through them.
func guard(dir string) error {
	dirs := []string{depotDir, dossiersDir, aSignerDir, asideDir, stateDir, nextDir, oldDir}
	files := []string{RapportFile, RapportHTML, lockFile, journalFile, manifestFile, ASignerManifest}
	check := func(rel string, wantDir bool) error {
		st, err := os.Lstat(filepath.Join(dir, rel))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return fmt.Errorf("« %s » illisible : %w", filepath.Join(dir, rel), err)
		}
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("« %s » est un lien symbolique : segur ne suit aucun lien dans le dossier de sortie ; retirez-le ou choisissez un autre dossier (-o) (%w)", filepath.Join(dir, rel), ErrSymlink)
		case wantDir && !st.IsDir():
			return fmt.Errorf("« %s » devrait être un dossier : retirez ce fichier ou choisissez un autre dossier de sortie (-o)", filepath.Join(dir, rel))
		case !wantDir && !st.Mode().IsRegular():
			return fmt.Errorf("« %s » devrait être un fichier ordinaire : retirez-le ou choisissez un autre dossier de sortie (-o)", filepath.Join(dir, rel))
		}
		return nil
	}
	for _, d := range dirs {
		if err := check(d, true); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := check(f, false); err != nil {
			return err
		}
	}
	return nil
}

// Recover finishes a switch that an earlier run left under way (killed,
// interrupted, out of disk), so that depot/ is wholly the new dépôt. It does
// nothing when no switch is under way. pack calls it under the lock before
// anything else. It returns the names of the files found in the previous
// depot/ that segur did not make, moved to hors-depot/.
func Recover(dir string) ([]string, error) { return faults{}.recover(dir, nil) }

// RecoverWith is Recover for a run with a registre: a journal naming a
// registre transaction is finished if committed says it committed, and
// discarded (the journal and the dépôt it announced removed, depot/ left
// as it was) if not. Without committed, such a journal stops the run.
func RecoverWith(dir string, committed Committed) ([]string, error) {
	return faults{}.recover(dir, committed)
}

func (f faults) recover(dir string, committed Committed) ([]string, error) {
	if err := guard(dir); err != nil {
		return nil, err
	}
	data, err := safeio.ReadFile(filepath.Join(dir, journalFile), stateKind)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("journal de bascule illisible : %w", err)
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		// The journal is written atomically: a bad one was edited by hand.
		return nil, fmt.Errorf("journal de bascule « %s » illisible : supprimez le dossier %s et relancez", filepath.Join(dir, journalFile), filepath.Join(dir, stateDir))
	}
	if j.Registre != "" {
		if committed == nil {
			return nil, fmt.Errorf("une production interrompue dans « %s » attend le registre pour être terminée ou annulée : relancez avec le registre (sans --sans-registre)", dir)
		}
		ok, err := committed(j.Registre)
		if err != nil {
			return nil, err
		}
		if !ok {
			// The run died before its decision: its dépôt never was.
			if err := os.Remove(filepath.Join(dir, journalFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			syncDir(filepath.Join(dir, stateDir))     // durability of the journal's removal: a journal back after a power cut only runs this recovery again
			os.RemoveAll(filepath.Join(dir, nextDir)) // our own temporary files: a leftover is only space, removed again by the next run
			return nil, nil
		}
	}
	return f.finish(dir, &j)
}

// SwitchPending reports whether a switch of dir's dépôt was left under way
// (the next pack finishes it); check warns about it.
func SwitchPending(dir string) bool {
	st, err := os.Lstat(filepath.Join(dir, journalFile))
	return err == nil && st.Mode().IsRegular()
}

// Files are the files of dir's depot/ that segur made (its manifest), in
// the order of the last switch: the upload pairs, nothing set aside. None
// before the first pack. Only the manifest is read; the files are not.
func Files(dir string) ([]string, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	return slices.Clone(m.Fichiers), nil
}

// Dir is the name of the dépôt's folder in an output folder.
const Dir = depotDir

// Abandon removes a next dépôt whose build stopped before its journal was
// written (a full disk, Ctrl-C), giving its space back; once the journal is
// written, Recover needs it and it is kept.
func Abandon(dir string) {
	if !SwitchPending(dir) {
		// Only space is at stake: BeginNext removes it anyway.
		os.RemoveAll(filepath.Join(dir, nextDir))
	}
}

// BeginNext makes an empty .segur/nouveau/depot/ for the next dépôt. What an
// interrupted build left there is segur's own and is removed.
func BeginNext(dir string) (string, error) {
	next := filepath.Join(dir, nextDir)
	if err := os.RemoveAll(next); err != nil { // RemoveAll never follows links
		return "", err
	}
	d := filepath.Join(next, depotDir)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return "", err
	}
	return d, nil
}

// BeginNextWithDossiers is BeginNext, and also stages the next dossiers/
// and a-signer/: .segur/nouveau/dossiers/ and .segur/nouveau/a-signer/
// start as copies of dossiers/ and a-signer/ made of hard links (copies
// where the system has none), into which the run writes its documents and
// the VAs to sign (always by a new file — created where nothing stands
// (WriteStaged) or renamed into place — or by removing a staged link, so
// the current folders are never changed), and the next
// a-signer manifest (.segur/nouveau/a-signer.json, see StagedASignerManifest);
// the switch exchanges them with dossiers/ and a-signer/ with depot/, so
// that none of them disagrees with the dépôt after a fault. It returns the
// next depot/ and the folder to write documents under (its dossiers/ and
// a-signer/ are the staged ones).
func BeginNextWithDossiers(dir string) (depotNext, root string, err error) {
	d, err := BeginNext(dir)
	if err != nil {
		return "", "", err
	}
	root = filepath.Join(dir, nextDir)
	for _, sub := range []string{dossiersDir, aSignerDir} {
		if err := stageTree(filepath.Join(dir, sub), filepath.Join(root, sub)); err != nil {
			return "", "", err
		}
	}
	return d, root, nil
}

// StagedASignerManifest is where a run writes the next a-signer manifest,
// under the root BeginNextWithDossiers returned: it replaces ASignerManifest
// at the switch, with a-signer/.
func StagedASignerManifest(root string) string {
	return filepath.Join(root, filepath.Base(ASignerManifest))
}

// aSignerManifest is the content of ASignerManifest.
type aSignerManifest struct {
	Fichiers map[string]string `json:"fichiers"`
}

// ReadASignerManifest reads an a-signer manifest (ASignerManifest under
// an output folder, or a staged one): file name → SHA-256. A missing or
// unreadable one lists nothing (then nothing in a-signer/ is segur's).
func ReadASignerManifest(path string) map[string]string {
	m := aSignerManifest{}
	if data, err := safeio.ReadFile(path, stateKind); err == nil && json.Unmarshal(data, &m) != nil {
		// Not half of one: a manifest that cannot be decoded lists
		// nothing, so no file of a-signer/ is taken as segur's.
		m = aSignerManifest{}
	}
	if m.Fichiers == nil {
		m.Fichiers = map[string]string{}
	}
	return m.Fichiers
}

// WriteASignerManifest writes an a-signer manifest at path, atomically.
func WriteASignerManifest(path string, files map[string]string) error {
	data, err := json.MarshalIndent(aSignerManifest{Fichiers: files}, "", "  ")
	if err != nil {
		return err
	}
	return WriteFile(path, data)
}

// stageTree recreates the folder tree from under to, its regular files as
// hard links (copies where links fail) and its links as links; anything
// else (a FIFO, a device) is left out (set aside at the switch).
func stageTree(from, to string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(from)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	for _, e := range entries {
		src, dst := filepath.Join(from, e.Name()), filepath.Join(to, e.Name())
		switch {
		case e.IsDir():
			if err := stageTree(src, dst); err != nil {
				return err
			}
		case e.Type()&fs.ModeSymlink != 0:
			if target, err := os.Readlink(src); err == nil {
				os.Symlink(target, dst) // not kept where links cannot be made: set aside at the switch
			}
		case e.Type().IsRegular():
			if isTemp(e.Name()) {
				continue // an interrupted run's: never carried over
			}
			if os.Link(src, dst) != nil {
				if err := copyFile(src, dst); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// copyFile copies the regular file src to dst (a new file).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close() // read-only: closing it loses nothing
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close() // on the way out of a failure: that failure is what is reported
		return err
	}
	return out.Close()
}

// CommitWith switches to the dépôt built in .segur/nouveau: files are the
// names written in its depot/, rapport.json is beside it. It returns the
// files of the previous depot/ that segur did not make, moved to
// hors-depot/. With a registre transaction (dec not nil, see Decider) the
// switch is made one unit with it: the journal names dec.TxID, dec.Decide
// commits the registre, then the switch is made; if Decide fails, the
// journal is removed and depot/ stays the previous dépôt, as the registre
// does.
func CommitWith(dir string, files []string, dec *Decider) ([]string, error) {
	return faults{}.commit(dir, files, dec)
}

func (f faults) commit(dir string, files []string, dec *Decider) ([]string, error) {
	next := filepath.Join(dir, nextDir)
	for _, d := range []string{filepath.Join(next, depotDir), next} {
		if err := syncDir(d); err != nil {
			return nil, err
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, oldDir)); err == nil {
		// Left by a finished switch whose clean-up failed: finish it now.
		if _, err := clearOld(dir, nil, nil); err != nil {
			return nil, err
		}
	}
	old, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	j := &journal{Fichiers: slices.Sorted(slices.Values(files)), Anciens: old.Fichiers}
	j.Nouveau = dirID(filepath.Join(next, depotDir))
	if exists(filepath.Join(next, dossiersDir)) {
		j.Dossiers = dirID(filepath.Join(next, dossiersDir))
	}
	if exists(filepath.Join(next, aSignerDir)) {
		j.ASigner = dirID(filepath.Join(next, aSignerDir))
		j.ASignerAnciens = ReadASignerManifest(filepath.Join(dir, ASignerManifest))
	}
	if dec != nil {
		j.Registre = dec.TxID
	}
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, err
	}
	// From here on, the new dépôt is the one: a crash is finished by Recover.
	if err := f.writeFile(filepath.Join(dir, journalFile), data, true); err != nil {
		return nil, err
	}
	if err := syncDir(filepath.Join(dir, stateDir)); err != nil {
		return nil, err
	}
	if err := f.at("journal"); err != nil {
		return nil, err
	}
	if dec != nil {
		if err := dec.Decide(); err != nil {
			// Not decided: the journal goes, depot/ stays the previous one.
			if rerr := os.Remove(filepath.Join(dir, journalFile)); rerr == nil {
				syncDir(filepath.Join(dir, stateDir)) // durability of the journal's removal: a journal back after a power cut only runs this recovery again
			}
			return nil, err
		}
		if err := f.at("registre"); err != nil {
			return nil, err
		}
	}
	return f.finish(dir, j)
}

// finish carries out (or carries on) the switch the journal describes. Each
// step can be done again after a crash.
func (f faults) finish(dir string, j *journal) ([]string, error) {
	cur := filepath.Join(dir, depotDir)
	next := filepath.Join(dir, nextDir, depotDir)
	old := filepath.Join(dir, oldDir)
	if err := os.MkdirAll(old, 0o755); err != nil {
		return nil, err
	}
	prev := filepath.Join(old, depotDir)
	if exists(next) {
		if err := f.swap(next, cur, prev, j.Nouveau); err != nil {
			return nil, fmt.Errorf("bascule du dépôt impossible (un fichier de depot/ est-il ouvert dans un autre programme ? fermez-le puis relancez) : %w", err)
		}
	}
	if err := f.at("depot"); err != nil {
		return nil, err
	}
	if nd := filepath.Join(dir, nextDir, dossiersDir); j.Dossiers != "" && exists(nd) {
		if err := f.swap(nd, filepath.Join(dir, dossiersDir), filepath.Join(old, dossiersDir), j.Dossiers); err != nil {
			return nil, fmt.Errorf("bascule de dossiers/ impossible (un fichier de dossiers/ est-il ouvert dans un autre programme ? fermez-le puis relancez) : %w", err)
		}
	}
	if err := f.at("dossiers"); err != nil {
		return nil, err
	}
	if na := filepath.Join(dir, nextDir, aSignerDir); j.ASigner != "" && exists(na) {
		if err := f.swap(na, filepath.Join(dir, aSignerDir), filepath.Join(old, aSignerDir), j.ASigner); err != nil {
			return nil, fmt.Errorf("bascule de a-signer/ impossible (un fichier de a-signer/ est-il ouvert dans un autre programme ? fermez-le puis relancez) : %w", err)
		}
	}
	if err := f.at("a-signer"); err != nil {
		return nil, err
	}
	for _, name := range []string{RapportFile, RapportHTML, ASignerManifest} {
		if r := filepath.Join(dir, nextDir, filepath.Base(name)); exists(r) {
			if err := os.Rename(r, filepath.Join(dir, name)); err != nil {
				return nil, fmt.Errorf("bascule du rapport impossible : %w", err)
			}
		}
	}
	if err := f.at("rapport"); err != nil {
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(manifest{Fichiers: j.Fichiers}, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := f.writeFile(filepath.Join(dir, manifestFile), data, true); err != nil {
		return nil, err
	}
	if err := f.at("manifest"); err != nil {
		return nil, err
	}
	aside, err := clearOld(dir, j.Anciens, j.ASignerAnciens)
	if err != nil {
		return aside, err
	}
	if err := os.Remove(filepath.Join(dir, journalFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return aside, err
	}
	os.Remove(filepath.Join(dir, nextDir)) // empty now; kept if not
	return aside, nil
}

// swap makes next the current depot/, the previous one going to aside.
func (f faults) swap(next, cur, aside, id string) error {
	if !exists(cur) {
		return os.Rename(next, cur)
	}
	if id != "" && dirID(cur) == id {
		// Exchanged before a crash: the previous dépôt is at next.
		return os.Rename(next, aside)
	}
	if !f.noExchange && exchange(next, cur) == nil {
		if err := f.at("exchange"); err != nil {
			return err
		}
		return os.Rename(next, aside)
	}
	// No atomic exchange here (Windows): depot/ is missing for the time
	// between the two renames, never a mix; a crash there is finished by
	// Recover.
	if err := os.Rename(cur, aside); err != nil {
		return err // nothing moved: the previous dépôt is in place
	}
	if err := f.at("aside"); err != nil {
		return err
	}
	if err := os.Rename(next, cur); err != nil {
		// Windows refuses to rename a folder a program holds open (an
		// Explorer window, an antivirus): put the previous dépôt back;
		// the journal makes the next run try again.
		if os.Rename(aside, cur) == nil {
			return fmt.Errorf("%w ; le dépôt précédent est resté en place, relancez segur pack", err)
		}
		return err
	}
	return nil
}

// clearOld empties .segur/ancien: the previous dépôt's files listed in its
// manifest are deleted; anything else found there (a file segur did not
// make) is moved to hors-depot/, never deleted. The previous dossiers/ and
// a-signer/ are cleared by clearOldTree; in a-signer/, a file is deleted
// only if the new a-signer/ holds the same bytes at its place, or if
// segur wrote it (ownSums, the previous a-signer manifest) and it is
// unchanged.
func clearOld(dir string, listed []string, ownSums map[string]string) ([]string, error) {
	old := filepath.Join(dir, oldDir, depotDir)
	entries, err := os.ReadDir(old)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var aside []string
	for _, e := range entries {
		p := filepath.Join(old, e.Name())
		if slices.Contains(listed, e.Name()) && e.Type().IsRegular() {
			if err := os.Remove(p); err != nil {
				return aside, err
			}
			continue
		}
		if err := setAside(dir, p, e.Name()); err != nil {
			return aside, err
		}
		aside = append(aside, e.Name())
	}
	if err := os.Remove(old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return aside, err
	}
	more, err := clearOldTree(dir, filepath.Join(dir, oldDir, dossiersDir), filepath.Join(dir, dossiersDir), dossiersDir, sameType)
	aside = append(aside, more...)
	if err != nil {
		return aside, err
	}
	own := func(rel, p, q string, e fs.DirEntry) bool {
		if !e.Type().IsRegular() {
			return false
		}
		if sameBytes(p, q) {
			return true
		}
		sum, ok := ownSums[strings.TrimPrefix(filepath.ToSlash(rel), aSignerDir+"/")]
		return ok && fileSHA256(p) == sum
	}
	more, err = clearOldTree(dir, filepath.Join(dir, oldDir, aSignerDir), filepath.Join(dir, aSignerDir), aSignerDir, own)
	aside = append(aside, more...)
	if err != nil {
		return aside, err
	}
	if err := os.Remove(filepath.Join(dir, oldDir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return aside, err
	}
	return aside, nil
}

// sameType is dossiers/' rule for clearOldTree: a file the new tree also
// has at its place (the same file, staged as a link, or segur's new
// version of it) is removed.
func sameType(_, _, q string, e fs.DirEntry) bool {
	st, err := os.Lstat(q)
	return err == nil && st.Mode().Type() == e.Type()
}

// clearOldTree empties a previous staged folder (old: dossiers/ or
// a-signer/) once the new one (cur) is in place: a file removable says
// may go (rel is its path from the output folder, p its path in old, q
// the same place in cur) is removed; anything else (a file the staging
// could not carry over, one changed meanwhile) is set aside in
// hors-depot/, never deleted.
func clearOldTree(dir, old, cur, rel string, removable func(rel, p, q string, e fs.DirEntry) bool) ([]string, error) {
	entries, err := os.ReadDir(old)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var aside []string
	for _, e := range entries {
		p, q := filepath.Join(old, e.Name()), filepath.Join(cur, e.Name())
		if e.IsDir() {
			more, err := clearOldTree(dir, p, q, filepath.Join(rel, e.Name()), removable)
			aside = append(aside, more...)
			if err != nil {
				return aside, err
			}
			continue
		}
		if removable(filepath.Join(rel, e.Name()), p, q, e) {
			if err := os.Remove(p); err != nil {
				return aside, err
			}
			continue
		}
		name := strings.ReplaceAll(filepath.ToSlash(filepath.Join(rel, e.Name())), "/", "-")
		if err := setAside(dir, p, name); err != nil {
			return aside, err
		}
		aside = append(aside, name)
	}
	if err := os.Remove(old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return aside, err
	}
	return aside, nil
}

// setAside moves p to hors-depot/, under a free name.
func setAside(dir, p, name string) error {
	aside := filepath.Join(dir, asideDir)
	if err := os.MkdirAll(aside, 0o755); err != nil {
		return err
	}
	target := filepath.Join(aside, name)
	for i := 2; exists(target); i++ {
		ext := filepath.Ext(name)
		target = filepath.Join(aside, strings.TrimSuffix(name, ext)+"-"+strconv.Itoa(i)+ext)
	}
	return os.Rename(p, target)
}

// aSignerKind bounds the reading of a file of a-signer/ (a VA, liste.csv).
var aSignerKind = safeio.Kind{Name: "fichier de a-signer", Max: 64 << 20}

// sameBytes reports whether p and q are the same file or regular files
// with the same bytes (q where links could not be made: a copy).
func sameBytes(p, q string) bool {
	sp, err1 := os.Lstat(p)
	sq, err2 := os.Lstat(q)
	if err1 != nil || err2 != nil || !sp.Mode().IsRegular() || !sq.Mode().IsRegular() {
		return false
	}
	if os.SameFile(sp, sq) {
		return true
	}
	a, err1 := safeio.ReadFile(p, aSignerKind)
	b, err2 := safeio.ReadFile(q, aSignerKind)
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

// fileSHA256 is the SHA-256 (hex) of the regular file at p, "" when it
// cannot be read as one.
func fileSHA256(p string) string {
	data, err := safeio.ReadFile(p, aSignerKind)
	if err != nil {
		return ""
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

func readManifest(dir string) (manifest, error) {
	var m manifest
	data, err := safeio.ReadFile(filepath.Join(dir, manifestFile), stateKind)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	} else if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		// Unreadable: nothing in depot/ is known to be segur's, so
		// nothing will be deleted (all is set aside instead).
		return manifest{}, nil
	}
	return m, nil
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// syncDir makes a folder's entries (creations, renames) durable. Windows
// cannot sync a folder; NTFS journals its metadata.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close() // a folder opened only to Sync it
	if err := f.Sync(); err != nil && !syncUnsupported(err) {
		return err
	}
	return nil
}

// RemoveTemps deletes the temporary files an interrupted run left where
// segur writes under the output folder: the folder itself (rapport.json,
// rapport.html), depot/, dossiers/, a-signer/ and .segur/ (every file segur
// writes goes through a temporary name there first). Only names segur makes
// are removed (<name>.segur-tmp-<digits>), no link is followed, and other
// folders (someone's own under -o) are not looked into.
func RemoveTemps(dir string) error {
	clean := func(p string, e fs.DirEntry) error {
		if e.Type().IsRegular() && isTemp(e.Name()) {
			return os.Remove(p)
		}
		return nil
	}
	top, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	for _, e := range top {
		if err := clean(filepath.Join(dir, e.Name()), e); err != nil {
			return err
		}
	}
	for _, sub := range []string{depotDir, dossiersDir, "a-signer", stateDir} {
		err := filepath.WalkDir(filepath.Join(dir, sub), func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			return clean(p, e)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// isTemp reports whether name is one of segur's temporary names:
// <final name>.segur-tmp-<digits>, as os.CreateTemp makes them.
func isTemp(name string) bool {
	i := strings.LastIndex(name, TmpMarker)
	if i <= 0 {
		return false
	}
	rest := name[i+len(TmpMarker):]
	if rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
