package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segur-sons/segur/internal/quarter"
)

// TestZeroRecordsIsAnErrorThatTouchesNothing (issue #10, case 1): an empty
// folder, a file of comments or of --- only reads no record: exit 2, and the
// previous dépôt is left byte for byte.
func TestZeroRecordsIsAnErrorThatTouchesNothing(t *testing.T) {
	out := t.TempDir()
	if code, _, stderr := packFixtures(t, out); code != exitRejected {
		t.Fatalf("first pack: exit %d: %s", code, stderr)
	}
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

// depotBytes maps depot/ and rapport.json to their bytes.
func depotBytes(t *testing.T, out string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for rel, data := range tree(t, out) {
		if strings.HasPrefix(rel, "depot"+string(filepath.Separator)) {
			m[rel] = data
		}
	}
	return m
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

// TestKilledOrInterruptedRepackIsWhollyOldOrWhollyNew (cases 2 and 3)
// kills a real re-pack (SIGKILL) at many moments, and interrupts one
// (Ctrl-C): depot/ is always byte for byte the previous dépôt or the new
// one, both of which `check` accepts; Ctrl-C stops promptly, in French.
func TestKilledOrInterruptedRepackIsWhollyOldOrWhollyNew(t *testing.T) {
	bin := segurBinary(t)
	q := t.TempDir()
	if err := quarter.Write(q, 60); err != nil {
		t.Fatal(err)
	}
	// The previous dépôt: pairs of 50 lines; the new one: pairs of 20.
	oldOut, newOut := t.TempDir(), t.TempDir()
	if out, err := exec.Command(bin, quarterArgs(q, oldOut, 50)...).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	start := time.Now()
	if out, err := exec.Command(bin, quarterArgs(q, newOut, 20)...).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	full := time.Since(start)
	for _, d := range []string{oldOut, newOut} {
		if out, err := exec.Command(bin, "check", d).CombinedOutput(); err != nil {
			t.Fatalf("check %s: %v\n%s", d, err, out)
		}
	}
	oldDepot, newDepot := depotBytes(t, oldOut), depotBytes(t, newOut)
	if equalBytes(oldDepot, newDepot) {
		t.Fatal("the two dépôts are the same: the test would prove nothing")
	}
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

	// Ctrl-C.
	out := copyTree(t, oldOut)
	cmd := exec.Command(bin, quarterArgs(q, out, 20)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(full / 4)
	cmd.Process.Signal(os.Interrupt)
	sent := time.Now()
	cmd.Wait()
	took := time.Since(sent)
	if code := cmd.ProcessState.ExitCode(); code != exitCannot {
		t.Errorf("Ctrl-C: exit %d, want %d", code, exitCannot)
	}
	if !strings.Contains(stderr.String(), "interrompu") || !strings.Contains(stderr.String(), "dépôt précédent est intact") {
		t.Errorf("Ctrl-C: stderr %q, want a French message", stderr.String())
	}
	if took > 5*time.Second {
		t.Errorf("Ctrl-C took %s to stop", took)
	}
	t.Logf("Ctrl-C: stopped %s after the signal", took)
	if !equalBytes(depotBytes(t, out), oldDepot) {
		t.Error("Ctrl-C: depot/ is not the previous dépôt")
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
