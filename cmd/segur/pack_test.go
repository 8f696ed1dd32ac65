package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/pack"
)

// packFixtures packs fixtures/dossiers into dir (absolute) and returns the
// exit code and outputs.
func packFixtures(t *testing.T, dir string, extra ...string) (int, string, string) {
	t.Helper()
	args := append([]string{"pack", "--date-depot", "2023-04-28", "--signes", repo("fixtures/signes"), "-o", dir}, extra...)
	return runIn(t, append(args, repo("fixtures/dossiers"))...)
}

// packed is the fixtures packed once per test run as packFixtures packs
// them (no extra flag), with pack's exit code and outputs. The tests that
// read that dépôt share it: it is read-only, copied (copyTree) by those
// that change it.
type packed struct {
	dir            string
	code           int
	stdout, stderr string
}

var fixturesPacked shared[packed]

func packedFixtures(t *testing.T) packed {
	t.Helper()
	return fixturesPacked.get(t, "segur-fixtures-", func(dir string) (packed, error) {
		p := packed{dir: dir}
		p.code, p.stdout, p.stderr = packFixtures(t, dir)
		return p, nil
	})
}

// depotListing describes a dépôt for the golden: every JSON byte for byte,
// and each zip's entries with size, CRC and time.
func depotListing(t *testing.T, dir string) []byte {
	t.Helper()
	var b bytes.Buffer
	names, err := filepath.Glob(filepath.Join(dir, "depot", "*"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "=== %s\n", filepath.Base(n))
		switch filepath.Ext(n) {
		case ".json":
			data, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(data)
		case ".zip":
			zr, err := zip.OpenReader(n)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range zr.File {
				fmt.Fprintf(&b, "%s %s\n", f.Modified.UTC().Format(time.RFC3339), f.Name)
			}
			zr.Close()
		}
	}
	return b.Bytes()
}

// tree maps every file under dir (but the lock) to its bytes.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out, err := readTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readTree(dir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == ".segur.lock" {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = data
		return err
	})
	return out, err
}

func sameTree(t *testing.T, a, b map[string][]byte) {
	t.Helper()
	for name, data := range a {
		if other, ok := b[name]; !ok {
			t.Errorf("%s: missing from the second output", name)
		} else if !bytes.Equal(data, other) {
			t.Errorf("%s: differs between the two outputs", name)
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			t.Errorf("%s: only in the second output", name)
		}
	}
}

func TestPackThenCheckFixtures(t *testing.T) {
	p := packedFixtures(t)
	out, code, stdout, stderr := p.dir, p.code, p.stdout, p.stderr
	if code != exitRejected {
		t.Fatalf("pack exit code: got %d, want %d (one VA awaits its signature)\n%s%s", code, exitRejected, stdout, stderr)
	}
	if !strings.Contains(stdout, "[VA_NON_SIGNEE]") {
		t.Errorf("pack should list the unsigned VA:\n%s", stdout)
	}
	checkGolden(t, "pack-depot.golden", depotListing(t, out))
	rap, err := os.ReadFile(filepath.Join(out, "rapport.json"))
	if err != nil {
		t.Fatal(err)
	}
	// rapport.json names each record by the path pack was given.
	checkGolden(t, "pack-rapport.golden", bytes.ReplaceAll(rap, []byte(repoRoot+string(filepath.Separator)), nil))
	// rapport.html links each VA as received, the file of --signes itself.
	page, err := os.ReadFile(filepath.Join(out, "rapport.html"))
	if err != nil {
		t.Fatal(err)
	}
	links := regexp.MustCompile(`<a class="recu" href="([^"]*)"`).FindAllStringSubmatch(string(page), -1)
	if len(links) == 0 {
		t.Error("rapport.html links no received file")
	}
	for _, m := range links {
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil || u.Scheme != "file" {
			t.Fatalf("rapport.html links %s: want a file: URL (%v)", m[1], err)
		}
		p := strings.TrimPrefix(u.Path, "/")
		if filepath.Separator == '/' {
			p = u.Path
		}
		got, err := os.ReadFile(filepath.FromSlash(p))
		if err != nil {
			t.Errorf("rapport.html links %s, which does not open: %v", m[1], err)
			continue
		}
		want, _ := os.ReadFile(repo(filepath.Join("fixtures/signes", path.Base(p))))
		if !bytes.Equal(got, want) {
			t.Errorf("rapport.html links %s, not the file of fixtures/signes", m[1])
		}
	}
	code, stdout, stderr = runIn(t, "check", out)
	if code != exitOK {
		t.Errorf("check exit code: got %d, want 0\n%s%s", code, stdout, stderr)
	}
	// Each signature read back, with its level (issue 20).
	if !strings.Contains(stderr, "signature : depot/MDV-LGC-Va1-SOLDE-2201140317-01.zip · MDV-LGC-Va1-VA-00048.pdf : Anne Schmitt (RPPS 10875011016) : signature électronique simple") {
		t.Errorf("check does not print 00048's signatures with their level:\n%s", stderr)
	}
	// The scanned VA's warning reaches its end: what to check by eye
	// (issue 19: check cut it to « …sans signature électronique : v… »).
	scanned := ""
	for _, l := range strings.Split(stdout, "\n") {
		if strings.Contains(l, "[VA_NUMERISEE]") {
			scanned = l
		}
	}
	if !strings.Contains(scanned, "vérifiez à l'œil le numéro de dossier, les cases cochées et la signature de chaque signataire") || strings.Contains(scanned, "…") {
		t.Errorf("check's VA_NUMERISEE line is missing or cut: %q\n%s", scanned, stdout)
	}
}

// copyTree copies the dépôt at src to a new folder.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	for name, data := range tree(t, src) {
		p := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// rewriteZip rewrites a zip keeping the entries keep accepts.
func rewriteZip(t *testing.T, path string, keep func(string) bool) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	var entries []pack.Entry
	for _, f := range zr.File {
		if !keep(f.Name) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, pack.Entry{Name: f.Name, Data: data, Modified: f.Modified})
	}
	zr.Close()
	var b bytes.Buffer
	if err := pack.WriteZip(&b, entries); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckFindsTampering(t *testing.T) {
	p := packedFixtures(t)
	out := p.dir // read-only: each case changes a copy
	if p.code == exitCannot {
		t.Fatalf("pack could not run:\n%s%s", p.stdout, p.stderr)
	}
	pair := filepath.Join(out, "depot", "MDV-LGC-Va1-SOLDE-2201140317-01")
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		code   string
	}{
		{"a facture removed from the zip", func(t *testing.T, dir string) {
			rewriteZip(t, filepath.Join(dir, "depot", filepath.Base(pair)+".zip"), func(n string) bool { return n != "MDV-LGC-Va1-FACTURE-00042.pdf" })
		}, "PIECE_ABSENTE"},
		{"a montant changed in the JSON", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "depot", filepath.Base(pair)+".json")
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			changed := bytes.Replace(data, []byte(`"montantSegurHTFacture": 716.66`), []byte(`"montantSegurHTFacture": 716.67`), 1)
			if bytes.Equal(changed, data) {
				t.Fatal("the amount to tamper with is not in the JSON")
			}
			if err := os.WriteFile(p, changed, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "FACTURE_INCOHERENTE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyTree(t, out)
			tt.tamper(t, dir)
			code, stdout, _ := runIn(t, "check", dir)
			if code != exitRejected {
				t.Errorf("check exit code: got %d, want %d", code, exitRejected)
			}
			if !strings.Contains(stdout, "["+tt.code+"]") {
				t.Errorf("check should report %s:\n%s", tt.code, stdout)
			}
		})
	}
}

func TestPackSameBytesWithOneOrFourWorkers(t *testing.T) {
	one, four := t.TempDir(), t.TempDir()
	for _, dir := range []string{one, four} {
		jobs := map[string]string{one: "1", four: "4"}[dir]
		if code, _, stderr := packFixtures(t, dir, "--jobs", jobs); code != exitRejected {
			t.Fatalf("--jobs %s: exit code %d, want %d (one VA awaits its signature): %s", jobs, code, exitRejected, stderr)
		}
	}
	a := tree(t, one)
	if len(a) < 40 {
		t.Fatalf("got %d files, want a whole dépôt", len(a))
	}
	sameTree(t, a, tree(t, four))
}

func TestSecondPackOnTheSameFolderIsRefused(t *testing.T) {
	out := t.TempDir()
	unlock, err := depot.Lock(out)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	code, _, stderr := packFixtures(t, out)
	if code != exitCannot || !strings.Contains(stderr, "travaille déjà") {
		t.Errorf("got exit %d (%s), want %d and a refusal", code, stderr, exitCannot)
	}
}

// TestInterruptedPackThenRerunEqualsCleanRun kills a real segur process in
// the middle of a first pack (an empty output folder), runs it again, and
// compares with a clean run: the new dépôt of the shared quarter.
func TestInterruptedPackThenRerunEqualsCleanRun(t *testing.T) {
	t.Parallel() // a real process: it shares nothing with the in-process runs
	bin := segurBinary(t)
	sq := sharedQuarter(t)
	crashed := t.TempDir()
	cmd := exec.Command(bin, quarterArgs(sq.dir, crashed, newLines)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once some dossiers are written, well before the end (a
	// quarter of the quarter).
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		// The documents go into the next dossiers/ (.segur/nouveau),
		// switched with the dépôt at the end.
		if n, _ := filepath.Glob(filepath.Join(crashed, ".segur", "nouveau", "dossiers", "*")); len(n) >= quarterSize/4 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(crashed, "rapport.json")); err == nil {
		t.Fatal("the run finished before it was killed: nothing was interrupted")
	}
	if out, err := exec.Command(bin, quarterArgs(sq.dir, crashed, newLines)...).CombinedOutput(); err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	sameTree(t, tree(t, sq.newOut), tree(t, crashed))
}

// TestPackRefusesUnsignedAndUnreadableVAs feeds pack a « signed » VA that is
// byte for byte the unsigned one, and one that is not a PDF.
func TestPackRefusesUnsignedAndUnreadableVAs(t *testing.T) {
	first := packedFixtures(t).dir // read-only
	signes := t.TempDir()
	for name, data := range tree(t, repo("fixtures/signes")) {
		if err := os.WriteFile(filepath.Join(signes, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	unsigned, err := os.ReadFile(filepath.Join(first, "dossiers", "00043", "MDV-LGC-Va1-VA-00043.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(signes, "MDV-LGC-Va1-VA-00043.pdf"), unsigned, 0o644)
	os.WriteFile(filepath.Join(signes, "MDV-LGC-Va1-VA-00050.pdf"), []byte("%PDF-1.7 scan illisible"), 0o644)
	out := t.TempDir()
	code, stdout, _ := runIn(t, "pack", "--date-depot", "2023-04-28", "--signes", signes, "-o", out, repo("fixtures/dossiers"))
	if code != exitRejected {
		t.Errorf("exit code: got %d, want %d", code, exitRejected)
	}
	for _, want := range []string{"00043: MDV-LGC-Va1-VA-00043.pdf: MDV-LGC-Va1-VA-00043.pdf est identique à la VA non signée", "00050: MDV-LGC-Va1-VA-00050.pdf: MDV-LGC-Va1-VA-00050.pdf n'est pas un PDF accepté"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("pack should say %q:\n%s", want, stdout)
		}
	}
	json, err := os.ReadFile(filepath.Join(out, "depot", "MDV-LGC-Va1-SOLDE-2201140317-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, blocked := range []string{`"00043"`, `"00050"`} {
		if bytes.Contains(json, []byte(blocked)) {
			t.Errorf("blocked dossier %s is in the JSON", blocked)
		}
	}
	if inputs := tree(t, repo("fixtures/signes")); len(inputs) != 12 {
		t.Errorf("fixtures/signes: got %d files, want the 12 inputs untouched (6 VAs, 6 BDCs)", len(inputs))
	}
}

// TestProgressBarOnlyOnATerminal runs pack under a pseudo-terminal (script
// from util-linux) and through a pipe. Two record files are enough: the bar
// is drawn at its first call (0 of the dossiers read), however fast the run.
func TestProgressBarOnlyOnATerminal(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script (util-linux) is needed to give pack a terminal: %v", err)
	}
	t.Parallel() // a real process: it shares nothing with the in-process runs
	bin := segurBinary(t)
	root := repoRoot
	packCmd := func(out string) string {
		return fmt.Sprintf("%s pack --date-depot 2023-04-28 --signes %s/fixtures/signes -o %s %[2]s/fixtures/dossiers/liberal-mom.yaml %[2]s/fixtures/dossiers/liberal-va.yaml", bin, root, out)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=xterm", "SEGUR_CERTIFICAT_MDP=segur-test", "SEGUR_SANS_REGISTRE=1"} // no CI variable; no registre beside fixtures/segur.yaml
	tty := exec.Command(script, "-qec", packCmd(t.TempDir()), "/dev/null")
	tty.Env = env
	onTerminal, _ := tty.CombinedOutput()
	if !bytes.Contains(onTerminal, []byte("/2, ")) || !bytes.Contains(onTerminal, []byte("\r")) {
		t.Errorf("on a terminal, want a progress bar (« (n/2, … dossiers/s) » redrawn with \\r):\n%q", onTerminal)
	}
	piped := exec.Command("sh", "-c", packCmd(t.TempDir())+" 2>&1 | cat")
	piped.Env = env
	throughPipe, _ := piped.CombinedOutput()
	if bytes.Contains(throughPipe, []byte("/2, ")) || bytes.Contains(throughPipe, []byte("\r")) {
		t.Errorf("through a pipe, want no progress bar:\n%q", throughPipe)
	}
}

// TestPackCountsLateDossiersApart: the BIO guichet closed on 28/04/2023 at
// 14h00; a dépôt at 14h30 that day is late for the two BIO dossiers. pack
// counts them apart and --strict blocks them.
func TestPackCountsLateDossiersApart(t *testing.T) {
	args := func(out string, extra ...string) []string {
		return append(append([]string{"pack", "--date-depot", "2023-04-28T14:30", "--signes", repo("fixtures/signes"), "-o", out}, extra...), repo("fixtures/dossiers"))
	}
	_, stdout, stderr := runIn(t, args(t.TempDir())...)
	if !strings.Contains(stderr, "dont 2 dossier(s) hors délai") || strings.Count(stdout, "[DELAI_DEPASSE]") != 2 || !strings.Contains(stdout, "attention: fixtures/dossiers/bio-loinc.yaml") {
		t.Errorf("without --strict: want two late dossiers counted apart as warnings:\n%s\n%s", stdout, stderr)
	}
	_, stdout, stderr = runIn(t, args(t.TempDir(), "--strict")...)
	if !strings.Contains(stderr, "dont 2 dossier(s) hors délai, bloqué(s) par --strict") || !strings.Contains(stdout, "\nfixtures/dossiers/bio-loinc.yaml:10:13: 00062: dispositif: dépôt du solde le 28/04/2023 à 14h30") {
		t.Errorf("with --strict: want the two late dossiers blocked:\n%s\n%s", stdout, stderr)
	}
	_, stdout, _ = runIn(t, "pack", "--date-depot", "2023-04-28T13:59", "--signes", repo("fixtures/signes"), "-o", t.TempDir(), repo("fixtures/dossiers"))
	if strings.Contains(stdout, "DELAI_DEPASSE") {
		t.Errorf("at 13h59 the guichet is open:\n%s", stdout)
	}
}
