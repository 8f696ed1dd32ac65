package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/tools/quarter"
)

// TestZeroRecordsIsAnErrorThatTouchesNothing (issue #10, case 1): an empty
// folder, a file of comments or of --- only reads no record: exit 2, and the
// previous dépôt is left byte for byte.
func TestZeroRecordsIsAnErrorThatTouchesNothing(t *testing.T) {
	p := packedFixtures(t)
	if p.code != exitRejected {
		t.Fatalf("first pack: exit %d: %s", p.code, p.stderr)
	}
	out := copyTree(t, p.dir)
	before := tree(t, out)
	empty := t.TempDir()
	comments := filepath.Join(t.TempDir(), "vide.yaml")
	os.WriteFile(comments, []byte("# rien\n---\n# toujours rien\n---\n"), 0o644)
	cfg, _ := filepath.Abs("../../fixtures/segur.yaml")
	for _, in := range []string{empty, comments} {
		for _, cmd := range []string{"pack", "validate", "render"} {
			args := []string{cmd, "--config", cfg, in}
			if cmd != "validate" {
				args = append(args, "-o", out)
			}
			code, _, stderr := runIn(t, args...)
			if code != exitCannot || !strings.Contains(stderr, "aucun") {
				t.Errorf("%s %s: exit %d (%q), want %d and « aucun … »", cmd, in, code, stderr, exitCannot)
			}
		}
	}
	sameTree(t, before, tree(t, out))
}

// TestRecordsFolderGivenAsALink (case 1): a records folder reached through
// a symbolic link (no trailing slash) is read like the folder itself.
func TestRecordsFolderGivenAsALink(t *testing.T) {
	abs, _ := filepath.Abs("../../fixtures/dossiers")
	link := filepath.Join(t.TempDir(), "lien")
	if err := os.Symlink(abs, link); err != nil {
		t.Skip("no symbolic links here")
	}
	cfg, _ := filepath.Abs("../../fixtures/segur.yaml")
	_, _, viaLink := runIn(t, "validate", "--date-depot", "2023-03-01", "--config", cfg, link)
	_, _, direct := runIn(t, "validate", "--date-depot", "2023-03-01", "--config", cfg, abs)
	if viaLink != direct || strings.HasPrefix(viaLink, "0 ") {
		t.Errorf("through a link: %q; directly: %q", viaLink, direct)
	}
}

// TestCommandLine (case 12): a flag missing its value, a negative count,
// global flags before the command, no English.
func TestCommandLine(t *testing.T) {
	out := t.TempDir()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"render", repo("fixtures/dossiers"), "-o"}, exitCannot, "l'option -o attend une valeur"},
		{[]string{"pack", repo("fixtures/dossiers"), "-o", "--", "x"}, exitCannot, "attend une valeur"},
		{[]string{"pack", "--jobs", "-5", "-o", out, repo("fixtures/dossiers")}, exitCannot, "--jobs doit valoir"},
		{[]string{"validate", "--inconnue", "x", repo("fixtures/dossiers")}, exitCannot, "option inconnue : --inconnue"},
		{[]string{"render", repo("fixtures/dossiers")}, exitCannot, "option obligatoire manquante"},
		{[]string{"--config", "/nulle/part/segur.yaml", "validate", repo("fixtures/dossiers")}, exitCannot, "/nulle/part/segur.yaml"},
		{[]string{"frobnique"}, exitCannot, "commande inconnue"},
	}
	for _, tc := range cases {
		code, stdout, stderr := runIn(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("segur %s: exit %d, %q; want %d and %q", strings.Join(tc.args, " "), code, stderr, tc.code, tc.want)
		}
		for _, en := range []string{"Incorrect Usage", "flag provided", "Required flag", "NAME:", "USAGE:"} {
			if strings.Contains(stdout+stderr, en) {
				t.Errorf("segur %s: English in the output: %q", strings.Join(tc.args, " "), en)
			}
		}
	}
	for _, p := range []string{repo("--"), "--"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("a folder named -- was written")
		}
	}
	_, help, _ := runIn(t, "pack", "--help")
	for _, en := range []string{"NAME:", "USAGE:", "OPTIONS:", "show help", "(default:"} {
		if strings.Contains(help, en) {
			t.Errorf("help holds English: %q", en)
		}
	}
}

// quarterPack packs a synthetic quarter of n dossiers into out with the
// real binary, pairs of lignes lines.
func quarterArgs(q, out string, lignes int) []string {
	return []string{"pack", "--config", filepath.Join(q, "segur.yaml"), "--date-depot", "2023-03-01",
		"--signes", filepath.Join(q, "signes"), "--jobs", "2", "--lignes", itoa(lignes), "-o", out, filepath.Join(q, "dossiers")}
}

func itoa(n int) string { return strconv.Itoa(n) }

// depotBytes maps the files of out's depot/ to their bytes.
func depotBytes(t *testing.T, out string) map[string][]byte {
	t.Helper()
	m, err := readDepot(out)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// readDepot maps every file under out's depot/ (but the lock), at any
// depth, to its bytes: no depot/ is an empty one.
func readDepot(out string) (map[string][]byte, error) {
	m, err := readTree(filepath.Join(out, "depot"))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string][]byte{}, nil
	}
	return m, err
}

func equalBytes(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// packedQuarter is a synthetic quarter of quarterSize dossiers and its
// dépôt in pairs of newLines lines (several pairs), packed by the real
// binary and accepted by `check`. The tests that kill a real segur share
// it (sync.Once): it is made once per run.
type packedQuarter struct {
	dir    string // the quarter: segur.yaml, dossiers/, signes/
	newOut string // read-only: tests copy it before packing into it
}

// quarterSize is enough for a pack that lasts, for a dépôt of more than one
// pair, and for pairs that differ between the two dépôts: the previous one
// in pairs of oldLines lines (one pair), the next in pairs of newLines
// (three pairs or more). It is small: the kill test runs twenty packs and
// more, and what it tests is where they are killed, not the quarter's size.
const (
	quarterSize = 12
	oldLines    = 50
	newLines    = 5
)

var quarterPacked shared[packedQuarter]

func sharedQuarter(t *testing.T) packedQuarter {
	t.Helper()
	bin := segurBinary(t)
	return quarterPacked.get(t, "segur-quarter-", func(dir string) (packedQuarter, error) { return makeQuarter(bin, dir) })
}

func makeQuarter(bin, dir string) (packedQuarter, error) {
	q := packedQuarter{dir: filepath.Join(dir, "q"), newOut: filepath.Join(dir, "new")}
	if err := quarter.Write(q.dir, quarterSize); err != nil {
		return q, err
	}
	if out, err := exec.Command(bin, quarterArgs(q.dir, q.newOut, newLines)...).CombinedOutput(); err != nil {
		return q, fmt.Errorf("pack, pairs of %d lines: %v\n%s", newLines, err, out)
	}
	if out, err := exec.Command(bin, "check", q.newOut).CombinedOutput(); err != nil {
		return q, fmt.Errorf("check %s: %v\n%s", q.newOut, err, out)
	}
	return q, nil
}

// TestKilledOrInterruptedRepackIsWhollyOldOrWhollyNew (cases 2 and 3)
// kills a real re-pack with the registre (SIGKILL, 20 times and more) and
// interrupts one (Ctrl-C). After each kill, as the next run sees it (its
// recovery done), depot/ is byte for byte the previous dépôt or the new
// one, and the registre agrees: the pairs it recorded are the pairs
// present (none more, none less, same SHA-256), and the factures and MOMs
// in the zips are the documents it archived. dossiers/, rapport.json,
// rapport.html, a-signer/ and its manifest are then the same run's as
// depot/ (issue #22: all of them in the switch); right after the kill,
// before any recovery, each of them is wholly the previous run's or the
// new one's, and they may disagree only while the switch's journal is
// there (check says so, the next run finishes it). The kills are placed by
// events (the lock held, the next dépôt's folder or the journal
// appearing, the journal gone), and any kill point is accepted: only
// consistency is asserted, so a loaded machine changes where they land,
// not the verdict. Ctrl-C stops promptly, in French, leaving the previous
// dépôt.
func TestKilledOrInterruptedRepackIsWhollyOldOrWhollyNew(t *testing.T) {
	t.Parallel() // real processes: they share nothing with the in-process runs
	bin := segurBinary(t)
	q := sharedQuarter(t).dir
	args := func(out string, lignes int, extra ...string) []string {
		a := quarterArgs(q, out, lignes)
		extra = append([]string{"--registre", filepath.Join(out, "registre.sqlite")}, extra...)
		return append(append(a[:len(a)-1:len(a)-1], extra...), a[len(a)-1])
	}
	command := func(out string, lignes int, extra ...string) *exec.Cmd {
		cmd := exec.Command(bin, args(out, lignes, extra...)...)
		cmd.Env = registreEnv()
		return cmd
	}
	run := func(out string, lignes int, extra ...string) {
		t.Helper()
		cmd := command(out, lignes, extra...)
		if o, err := cmd.CombinedOutput(); err != nil && cmd.ProcessState.ExitCode() != exitRejected {
			t.Fatalf("pack: %v\n%s", err, o)
		}
	}
	// The previous dépôt: pairs of oldLines lines (one pair), recorded in its registre,
	// made from the quarter's first records only and without three of its
	// signed VAs (those three VAs then wait in a-signer/): so that
	// dossiers/, a-signer/ and the reports differ between the two dépôts,
	// as depot/ does.
	base := t.TempDir()
	oldRecords, oldSignes := previousQuarter(t, q, 3, 3)
	{
		a := args(base, oldLines)
		for i := range a {
			if a[i] == "--signes" {
				a[i+1] = oldSignes
			}
		}
		a[len(a)-1] = oldRecords
		cmd := exec.Command(bin, a...)
		cmd.Env = registreEnv()
		if o, err := cmd.CombinedOutput(); err != nil && cmd.ProcessState.ExitCode() != exitRejected {
			t.Fatalf("pack: %v\n%s", err, o)
		}
	}
	oldDepot := depotBytes(t, base)
	oldPairs := recordedPairs(t, base)
	// The re-pack deposits every ready dossier again (--redeposer), in
	// pairs of newLines lines numbered after the previous ones.
	var redeposer []string
	for _, n := range readyDossiers(t, base) {
		redeposer = append(redeposer, "--redeposer", n)
	}
	if len(redeposer) == 0 {
		t.Fatal("no dossier ready in the previous dépôt")
	}
	ref := copyTree(t, base)
	start := time.Now()
	run(ref, newLines, redeposer...)
	full := time.Since(start)
	newDepot := depotBytes(t, ref)
	if equalBytes(oldDepot, newDepot) || len(newDepot) == 0 {
		t.Fatal("the two dépôts are the same: the test would prove nothing")
	}
	for _, out := range []string{base, ref} {
		cmd := exec.Command(bin, "check", "--registre", filepath.Join(out, "registre.sqlite"), out)
		cmd.Env = registreEnv()
		if o, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(o), "comparé au registre") {
			t.Fatalf("check %s: %v\n%s", out, err, o)
		}
	}
	// What people and check read beside depot/, in each dépôt: both are
	// consistent (each with its own depot/), and they differ part by part.
	oldParts, newParts := outputParts(t, base), outputParts(t, ref)
	for _, out := range []string{base, ref} {
		partsAgree(t, out)
	}
	for _, part := range slices.Sorted(maps.Keys(oldParts)) {
		if oldParts[part] == newParts[part] {
			t.Fatalf("%s is the same in both dépôts: the test would prove nothing of it", part)
		}
	}
	// whole checks out as the next run sees it: old or new, registre and
	// depot/ agreeing, and the other parts of the output folder with them.
	// Before recovery, each part is wholly old or new, and they disagree
	// only while a switch is pending. It says which.
	whole := func(out, when string) string {
		t.Helper()
		isOld := map[string]bool{}
		for part, sum := range outputParts(t, out) {
			switch sum {
			case oldParts[part]:
				isOld[part] = true
			case newParts[part]:
			default:
				t.Fatalf("%s: %s is neither the previous run's nor the new one's (a mix)", when, part)
			}
		}
		for part := range oldParts {
			if isOld[part] != isOld["depot"] && !depot.SwitchPending(out) {
				t.Fatalf("%s: %s and depot/ are not the same run's (depot/ the previous: %v), and no switch is pending", when, part, isOld["depot"])
			}
		}
		state := registreAgrees(t, out, oldPairs, when)
		got := depotBytes(t, out)
		switch {
		case state == "old" && equalBytes(got, oldDepot):
		case state == "new" && equalBytes(got, newDepot):
		default:
			t.Fatalf("%s: depot/ (%d files) is not the %s dépôt its registre says", when, len(got), state)
		}
		want := map[string]map[string]string{"old": oldParts, "new": newParts}[state]
		for part, sum := range outputParts(t, out) {
			if sum != want[part] {
				t.Fatalf("%s: after recovery, %s is not the %s run's, as depot/ and the registre are", when, part, state)
			}
		}
		return state
	}
	seen := map[string]int{}
	// kill starts a re-pack of a copy of the previous dépôt and SIGKILLs
	// it once at(out, cmd) returns; the process may have ended by then.
	kill := func(name string, at func(out string, pid int, ended func() bool)) string {
		t.Helper()
		out := copyTree(t, base)
		cmd := command(out, newLines, redeposer...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		at(out, cmd.Process.Pid, func() bool {
			select {
			case <-exited:
				return true
			default:
				return false
			}
		})
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		state := whole(out, name)
		seen[name+" "+state]++
		return state
	}
	// waitFor polls for a file appearing, yielding to the process.
	waitFor := func(path string) func(string, int, func() bool) {
		return func(out string, _ int, ended func() bool) {
			for !ended() {
				if _, err := os.Lstat(filepath.Join(out, path)); err == nil {
					return
				}
				time.Sleep(time.Millisecond)
			}
		}
	}
	const spread = 14
	kills := 0
	for i := 0; i < spread; i++ {
		// Once the lock is held (the records read), after a delay spread
		// over a whole run and beyond.
		delay := full * time.Duration(i) * 5 / (4 * spread)
		kill("verrou+"+itoa(i), func(out string, pid int, ended func() bool) {
			waitHolds(t, pid, filepath.Join(out, ".segur.lock"), ended)
			time.Sleep(delay)
		})
		kills++
	}
	// switched waits for the journal to come and go: the switch is done,
	// what the run writes after it (before issue #22: a-signer/) is hit.
	switched := func(out string, pid int, ended func() bool) {
		waitFor(filepath.Join(".segur", "bascule.json"))(out, pid, ended)
		for !ended() {
			if _, err := os.Lstat(filepath.Join(out, ".segur", "bascule.json")); err != nil {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	for i := 0; i < 3; i++ {
		if i < 2 {
			kill("nouveau", waitFor(filepath.Join(".segur", "nouveau"))) // the next dépôt under way
		} else {
			kill("bascule faite", switched)
		}
		kill("journal", waitFor(filepath.Join(".segur", "bascule.json"))) // the decision's window
		kills += 2
	}
	// A re-run after a kill finishes or redoes the work: the new dépôt.
	out := copyTree(t, base)
	cmd := command(out, newLines, redeposer...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitHolds(t, cmd.Process.Pid, filepath.Join(out, ".segur.lock"), func() bool { return false })
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	run(out, newLines, redeposer...)
	if got := whole(out, "re-run after a kill"); got != "new" {
		t.Fatalf("after the re-run, the registre says %s, want the new dépôt", got)
	}
	// The kills proved the previous state survives: if none landed before
	// the decision (a fast machine), kill at the lock until one does.
	for extra := 0; seenState(seen, "old") == 0 && extra < 10; extra++ {
		kill("verrou", func(out string, pid int, ended func() bool) {
			waitHolds(t, pid, filepath.Join(out, ".segur.lock"), ended)
		})
		kills++
	}
	t.Logf("%d kills (a run: %s): %v", kills, full, seen)
	if seenState(seen, "old") == 0 {
		t.Error("no kill landed before the decision: the test proved less than it says")
	}

	// Ctrl-C, a quarter of a run in. A run that ended before the signal
	// (the machine got less busy than when full was measured) proves
	// nothing: then again, sooner (twice at most).
	for delay := full / 4; ; delay /= 2 {
		out := copyTree(t, base)
		cmd := command(out, newLines, redeposer...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		ended := func() bool {
			select {
			case <-exited:
				return true
			default:
				return false
			}
		}
		// segur catches Ctrl-C before it reads the records, and locks the
		// output folder after: once it holds the lock, the signal is its
		// own to handle, however slow the machine made its start. The
		// delay then only places the signal within the run.
		held := waitHolds(t, cmd.Process.Pid, filepath.Join(out, ".segur.lock"), ended)
		time.Sleep(delay)
		cmd.Process.Signal(os.Interrupt)
		sent := time.Now()
		<-exited
		took := time.Since(sent)
		code := cmd.ProcessState.ExitCode()
		if code == exitOK && delay > full/16 {
			t.Logf("Ctrl-C %s after the lock was seen held (%v): the run had ended; again, sooner", delay, held)
			continue
		}
		if code != exitCannot {
			t.Errorf("Ctrl-C %s in: exit %d, want %d", delay, code, exitCannot)
		}
		if !strings.Contains(stderr.String(), "interrompu") || !strings.Contains(stderr.String(), "dépôt précédent est intact") {
			t.Errorf("Ctrl-C: stderr %q, want a French message", stderr.String())
		}
		// Between two dossiers: a worker ends the document it is making.
		// The bound follows the machine's load, as full does.
		if bound := max(5*time.Second, full/2); took > bound {
			t.Errorf("Ctrl-C took %s to stop (more than %s)", took, bound)
		}
		t.Logf("Ctrl-C %s after the lock was seen held (%v): stopped %s after the signal", delay, held, took)
		if code == exitCannot && whole(out, "Ctrl-C") != "old" {
			t.Error("Ctrl-C: depot/ and the registre are not the previous dépôt")
		}
		break
	}
}

// previousQuarter writes, beside the quarter q, the records of its first
// dossiers (all but the last without) and its signes/ without the signed
// VAs of its first unsigned VA dossiers: an earlier state of the quarter.
func previousQuarter(t *testing.T, q string, without, unsigned int) (records, signes string) {
	t.Helper()
	records, signes = t.TempDir(), t.TempDir()
	lots, err := filepath.Glob(filepath.Join(q, "dossiers", "*.yaml"))
	if err != nil || len(lots) != 1 {
		t.Fatalf("the quarter's records: %v %v (want one file)", lots, err)
	}
	data, err := os.ReadFile(lots[0])
	if err != nil {
		t.Fatal(err)
	}
	recs := strings.Split(string(data), "\n---\n")
	if len(recs) <= without {
		t.Fatalf("%d records", len(recs))
	}
	if err := os.WriteFile(filepath.Join(records, filepath.Base(lots[0])), []byte(strings.Join(recs[:len(recs)-without], "\n---\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vas, err := filepath.Glob(filepath.Join(q, "signes", "*.pdf"))
	if err != nil || len(vas) <= unsigned {
		t.Fatalf("signed VAs: %v %v", vas, err)
	}
	for _, va := range vas[unsigned:] {
		if err := os.Link(va, filepath.Join(signes, filepath.Base(va))); err != nil {
			t.Fatal(err)
		}
	}
	return records, signes
}

// outputParts sums each part of the output folder out that a pack writes
// beside depot/: depot/ itself, dossiers/, a-signer/, its manifest,
// rapport.html, and rapport.json without the registre's times (« le »,
// when a state was recorded: a re-run records it again).
func outputParts(t *testing.T, out string) map[string]string {
	t.Helper()
	sum := func(files map[string][]byte) string {
		names := slices.Sorted(maps.Keys(files))
		h := sha256.New()
		for _, n := range names {
			fmt.Fprintf(h, "%s\x00%d\x00", n, len(files[n]))
			h.Write(files[n])
		}
		return hex.EncodeToString(h.Sum(nil))
	}
	folder := func(sub string) string {
		files, err := readTree(filepath.Join(out, sub))
		if errors.Is(err, fs.ErrNotExist) {
			return "absent"
		} else if err != nil {
			t.Fatal(err)
		}
		return sum(files)
	}
	file := func(name string, keep func([]byte) []byte) string {
		data, err := os.ReadFile(filepath.Join(out, name))
		if errors.Is(err, fs.ErrNotExist) {
			return "absent"
		} else if err != nil {
			t.Fatal(err)
		}
		return sum(map[string][]byte{"": keep(data)})
	}
	same := func(b []byte) []byte { return b }
	times := regexp.MustCompile(`"le": "[^"]*"`)
	return map[string]string{
		"depot":         folder("depot"),
		"dossiers":      folder("dossiers"),
		"a-signer":      folder("a-signer"),
		"a-signer.json": file(filepath.Join(".segur", "a-signer.json"), same),
		"rapport.html":  file("rapport.html", same),
		"rapport.json":  file("rapport.json", func(b []byte) []byte { return times.ReplaceAll(b, nil) }),
	}
}

// partsAgree checks that the parts of out agree with each other: every
// dossier of rapport.json in a pair of depot/ (and no other pair there),
// its facture in dossiers/ and in its pair's zip with
// the SHA-256 rapport.json gives; a-signer/ holds exactly the VAs of the
// dossiers rapport.json says wait only for their signatures, each as in
// dossiers/, with liste.csv naming them, and its manifest lists what it
// holds.
func partsAgree(t *testing.T, out string) {
	t.Helper()
	var rap struct {
		Dossiers []struct {
			Numero    string `json:"numero_editeur"`
			Statut    string `json:"statut"`
			Depot     string `json:"depot"`
			Problemes []struct {
				Niveau, Code string
			} `json:"problemes"`
			Fichiers []struct{ Nom, SHA256 string } `json:"fichiers"`
			Preuve   struct {
				Document string `json:"document"`
			} `json:"preuve"`
		} `json:"dossiers"`
	}
	data, err := os.ReadFile(filepath.Join(out, "rapport.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rap); err != nil {
		t.Fatal(err)
	}
	zips := map[string]map[string][]byte{} // pair → entry base name → bytes
	for name, data := range depotBytes(t, out) {
		if !strings.HasSuffix(name, ".zip") {
			continue
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		entries := map[string][]byte{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			entries[filepath.Base(f.Name)] = b
		}
		zips[strings.TrimSuffix(name, ".zip")] = entries
	}
	hash := func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }
	used := map[string]bool{}
	waiting := map[string]bool{} // VA file names
	for _, d := range rap.Dossiers {
		if d.Statut == "pret" {
			if zips[d.Depot] == nil {
				t.Fatalf("%s: dossier %s is in pair %q, not in depot/", out, d.Numero, d.Depot)
			}
			used[d.Depot] = true
		}
		for _, f := range d.Fichiers {
			if !strings.Contains(f.Nom, "-FACTURE-") {
				continue // the BDC, the MOM, the VA in the zip may be their signed copies
			}
			b, err := os.ReadFile(filepath.Join(out, "dossiers", d.Numero, f.Nom))
			if err != nil || hash(b) != f.SHA256 {
				t.Fatalf("%s: dossiers/%s/%s is not the document rapport.json gives (%v)", out, d.Numero, f.Nom, err)
			}
			if d.Statut == "pret" && !bytes.Equal(zips[d.Depot][f.Nom], b) {
				t.Fatalf("%s: %s in the zip of %s differs from dossiers/", out, f.Nom, d.Depot)
			}
		}
		onlyVA := d.Statut == "bloque" && d.Preuve.Document != ""
		errs := 0
		for _, p := range d.Problemes {
			if p.Niveau == "erreur" {
				errs++
				onlyVA = onlyVA && p.Code == "VA_NON_SIGNEE"
			}
		}
		if onlyVA && errs > 0 {
			waiting[d.Preuve.Document] = true
			b, err := os.ReadFile(filepath.Join(out, "a-signer", d.Preuve.Document))
			doc, _ := os.ReadFile(filepath.Join(out, "dossiers", d.Numero, d.Preuve.Document))
			if err != nil || !bytes.Equal(b, doc) {
				t.Fatalf("%s: a-signer/%s is not the VA of dossiers/%s (%v)", out, d.Preuve.Document, d.Numero, err)
			}
		}
	}
	if len(used) != len(zips) {
		t.Fatalf("%s: depot/ holds %d pairs, rapport.json puts dossiers in %d", out, len(zips), len(used))
	}
	files, err := readTree(filepath.Join(out, "a-signer"))
	if err != nil {
		t.Fatal(err)
	}
	list := string(files["liste.csv"])
	manifest := depot.ReadASignerManifest(filepath.Join(out, depot.ASignerManifest))
	for name, b := range files {
		if manifest[name] != hash(b) {
			t.Fatalf("%s: a-signer/%s is not listed as written in its manifest", out, name)
		}
		if name != "liste.csv" && (!waiting[name] || !strings.Contains(list, name)) {
			t.Fatalf("%s: a-signer/%s is not a VA rapport.json says waits, or not in liste.csv", out, name)
		}
	}
	if len(manifest) != len(files) || len(files) != len(waiting)+1 {
		t.Fatalf("%s: a-signer/ holds %d files, its manifest lists %d, %d VAs wait", out, len(files), len(manifest), len(waiting))
	}
}

// TestLogoCheckedByValidate (case 8): a logo that is not an image is
// reported by validate at segur.yaml's logo line (exit 2); a 16-bit PNG, as
// ImageMagick writes by default, is accepted and drawn.
func TestLogoCheckedByValidate(t *testing.T) {
	dir := t.TempDir()
	cfg, err := os.ReadFile(repo("fixtures/segur.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(cfg), "\nfournisseur:\n", "\nfournisseur:\n  logo: logo.png\n", 1)
	if text == string(cfg) {
		t.Fatal("fixtures/segur.yaml changed: update this test")
	}
	line := strings.Count(text[:strings.Index(text, "  logo: logo.png")], "\n") + 1
	os.WriteFile(filepath.Join(dir, "segur.yaml"), []byte(text), 0o644)
	os.WriteFile(filepath.Join(dir, "logo.png"), []byte("pas une image"), 0o644)
	// segur.yaml signs the MOMs with the TEST certificate, beside it.
	p12, err := os.ReadFile(repo("fixtures/certs/fournisseur.p12"))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
	os.WriteFile(filepath.Join(dir, "certs", "fournisseur.p12"), p12, 0o644)
	code, stdout, stderr := runIn(t, "validate", "--config", filepath.Join(dir, "segur.yaml"), repo("fixtures/dossiers/liberal-mom.yaml"))
	want := fmt.Sprintf("segur.yaml:%d:", line)
	if code != exitCannot || !strings.Contains(stdout, "[LOGO_ILLISIBLE]") || !strings.Contains(stdout, want) {
		t.Errorf("exit %d, want %d and LOGO_ILLISIBLE at %s:\n%s%s", code, exitCannot, want, stdout, stderr)
	}
	img := image.NewRGBA64(image.Rect(0, 0, 30, 10))
	var b bytes.Buffer
	png.Encode(&b, img)
	os.WriteFile(filepath.Join(dir, "logo.png"), b.Bytes(), 0o644)
	out := t.TempDir()
	code, stdout, stderr = runIn(t, "render", "--date-depot", "2023-03-01", "--config", filepath.Join(dir, "segur.yaml"), "-o", out, repo("fixtures/dossiers/liberal-mom.yaml"))
	if code != exitOK || !strings.Contains(stderr, "3 document(s) écrit(s)") {
		t.Errorf("16-bit logo: exit %d\n%s%s", code, stdout, stderr)
	}
}
