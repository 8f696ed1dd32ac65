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
	dir                string            // the quarter: segur.yaml, dossiers/, signes/
	oldOut, newOut     string            // read-only: tests copy them before packing into them
	oldDepot, newDepot map[string][]byte // depot/ of each
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
	var err error
	if q.oldDepot, err = readDepot(q.oldOut); err != nil {
		return q, err
	}
	q.newDepot, err = readDepot(q.newOut)
	return q, err
}

// TestKilledOrInterruptedRepackIsWhollyOldOrWhollyNew (cases 2 and 3)
// kills a real re-pack (SIGKILL) at many moments, and interrupts one
// (Ctrl-C): depot/ is always byte for byte the previous dépôt or the new
// one, both of which `check` accepts; Ctrl-C stops promptly, in French.
func TestKilledOrInterruptedRepackIsWhollyOldOrWhollyNew(t *testing.T) {
	t.Parallel() // real processes: they share nothing with the in-process runs
	bin := segurBinary(t)
	sq := sharedQuarter(t)
	q, oldOut := sq.dir, sq.oldOut
	oldDepot, newDepot := sq.oldDepot, sq.newDepot
	if equalBytes(oldDepot, newDepot) {
		t.Fatal("the two dépôts are the same: the test would prove nothing")
	}
	// The kills are timed against a whole pack, measured now, on the
	// machine as busy as it is now.
	start := time.Now()
	if out, err := exec.Command(bin, quarterArgs(q, t.TempDir(), 20)...).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	full := time.Since(start)
	sawOld, sawNew := false, false
	const kills = 6
	for i := 1; i <= kills; i++ {
		out := copyTree(t, oldOut)
		cmd := exec.Command(bin, quarterArgs(q, out, 20)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(full * time.Duration(i) * 5 / (4 * kills))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		got := depotBytes(t, out)
		switch {
		case equalBytes(got, oldDepot):
			sawOld = true
		case equalBytes(got, newDepot):
			sawNew = true
		default:
			t.Fatalf("killed at %d/6 of a run: depot/ is neither the previous dépôt (%d files) nor the new one (%d files): %d files", i, len(oldDepot), len(newDepot), len(got))
		}
		if i%3 != 0 {
			continue
		}
		// The next run finishes or redoes the work.
		if o, err := exec.Command(bin, quarterArgs(q, out, 20)...).CombinedOutput(); err != nil {
			t.Fatalf("re-run: %v\n%s", err, o)
		}
		if !equalBytes(depotBytes(t, out), newDepot) {
			t.Fatalf("after the re-run, depot/ is not the new dépôt")
		}
	}
	if !sawOld {
		t.Error("no kill landed before the switch: the test proved less than it says")
	}
	t.Logf("kills: previous dépôt seen %v, new dépôt seen %v (full run %s)", sawOld, sawNew, full)

	// Ctrl-C, a quarter of a run in. A run that ended before the signal
	// (the machine got less busy than when full was measured) proves
	// nothing: then again, sooner (twice at most).
	for delay := full / 4; ; delay /= 2 {
		out := copyTree(t, oldOut)
		cmd := exec.Command(bin, quarterArgs(q, out, 20)...)
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
		if !equalBytes(depotBytes(t, out), oldDepot) {
			t.Error("Ctrl-C: depot/ is not the previous dépôt")
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
