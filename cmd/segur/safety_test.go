package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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

// packedQuarter is a synthetic quarter of 30 dossiers packed twice by the
// real binary: the previous dépôt (pairs of 50 lines: one pair) and the
// new one (pairs of 20: two pairs), both accepted by `check`. The tests that kill a real
// segur share it (sync.Once): its two full packs are made once per run.
type packedQuarter struct {
	dir            string // the quarter: segur.yaml, dossiers/, signes/
	oldOut, newOut string // read-only: tests copy them before packing into them
}

// quarterSize is enough for a pack that lasts, for a dépôt of more than one
// pair, and for pairs that differ between the two dépôts.
const quarterSize = 30

var quarterPacked shared[packedQuarter]

func sharedQuarter(t *testing.T) packedQuarter {
	t.Helper()
	bin := segurBinary(t)
	return quarterPacked.get(t, "segur-quarter-", func(dir string) (packedQuarter, error) { return makeQuarter(bin, dir) })
}

func makeQuarter(bin, dir string) (packedQuarter, error) {
	q := packedQuarter{dir: filepath.Join(dir, "q"), oldOut: filepath.Join(dir, "old"), newOut: filepath.Join(dir, "new")}
	if err := quarter.Write(q.dir, quarterSize); err != nil {
		return q, err
	}
	// The two dépôts, each packed then read back, at the same time.
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, d := range []struct {
		out    string
		lignes int
	}{{q.oldOut, 50}, {q.newOut, 20}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := exec.Command(bin, quarterArgs(q.dir, d.out, d.lignes)...).CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("pack, pairs of %d lines: %v\n%s", d.lignes, err, out)
			} else if out, err := exec.Command(bin, "check", d.out).CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("check %s: %v\n%s", d.out, err, out)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return q, err
	}
	return q, nil
}

// TestKilledOrInterruptedRepackIsWhollyOldOrWhollyNew (cases 2 and 3)
// kills a real re-pack with the registre (SIGKILL, 20 times and more) and
// interrupts one (Ctrl-C). After each kill, as the next run sees it (its
// recovery done), depot/ is byte for byte the previous dépôt or the new
// one, and the registre agrees: the pairs it recorded are the pairs
// present (none more, none less, same SHA-256), and the factures and MOMs
// in the zips are the documents it archived. The kills are placed by
// events (the lock held, the next dépôt's folder or the journal
// appearing), and any kill point is accepted: only consistency is
// asserted, so a loaded machine changes where they land, not the verdict.
// Ctrl-C stops promptly, in French, leaving the previous dépôt.
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
	// The previous dépôt: pairs of 50 lines, recorded in its registre.
	base := t.TempDir()
	run(base, 50)
	oldDepot := depotBytes(t, base)
	oldPairs := recordedPairs(t, base)
	// The re-pack deposits every ready dossier again (--redeposer), in
	// pairs of 20 lines numbered after the previous ones.
	var redeposer []string
	for _, n := range readyDossiers(t, base) {
		redeposer = append(redeposer, "--redeposer", n)
	}
	if len(redeposer) == 0 {
		t.Fatal("no dossier ready in the previous dépôt")
	}
	ref := copyTree(t, base)
	start := time.Now()
	run(ref, 20, redeposer...)
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
	// whole checks out as the next run sees it: old or new, registre and
	// depot/ agreeing. It says which.
	whole := func(out, when string) string {
		t.Helper()
		state := registreAgrees(t, out, oldPairs, when)
		got := depotBytes(t, out)
		switch {
		case state == "old" && equalBytes(got, oldDepot):
		case state == "new" && equalBytes(got, newDepot):
		default:
			t.Fatalf("%s: depot/ (%d files) is not the %s dépôt its registre says", when, len(got), state)
		}
		return state
	}
	seen := map[string]int{}
	// kill starts a re-pack of a copy of the previous dépôt and SIGKILLs
	// it once at(out, cmd) returns; the process may have ended by then.
	kill := func(name string, at func(out string, pid int, ended func() bool)) string {
		t.Helper()
		out := copyTree(t, base)
		cmd := command(out, 20, redeposer...)
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
	for i := 0; i < 3; i++ {
		kill("nouveau", waitFor(filepath.Join(".segur", "nouveau")))      // the next dépôt under way
		kill("journal", waitFor(filepath.Join(".segur", "bascule.json"))) // the decision's window
		kills += 2
	}
	// A re-run after a kill finishes or redoes the work: the new dépôt.
	out := copyTree(t, base)
	cmd := command(out, 20, redeposer...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitHolds(t, cmd.Process.Pid, filepath.Join(out, ".segur.lock"), func() bool { return false })
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	run(out, 20, redeposer...)
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
		cmd := command(out, 20, redeposer...)
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
