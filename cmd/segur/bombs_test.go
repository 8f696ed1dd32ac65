//go:build linux

package main

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/segur-sons/segur/internal/pdftest"
)

// inflateBombPDF is a PDF of about 250 KB whose one content stream inflates
// to 256 MiB.
func inflateBombPDF() []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	zeros := make([]byte, 1<<20)
	for range 256 {
		zw.Write(zeros)
	}
	zw.Close()
	return pdftest.Raw(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", z.Len(), z.Bytes()),
	)
}

// rssRelay, set in a child's environment, makes the test binary a relay:
// it runs the segur command given after it and writes that command's peak
// resident memory (KiB) to the file the variable names.
const rssRelay = "SEGUR_TEST_RELAIS_RSS"

// relayRSS is the relay's work (see TestMain). On Linux a child started
// by a process inherits, in its peak resident memory, that of the process
// which started it (exec records the old address space's high-water mark,
// and os/exec's vfork shares the test process's): measured straight from
// the test process — which packs in-process meanwhile — a small segur run
// read 103 MiB. The relay is a fresh process of a few MiB, so the peak it
// reads is the command's own.
func relayRSS() int {
	args := os.Args[len(os.Args)-1]
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil || len(argv) == 0 {
		return 125
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Run()
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 125
	}
	if err := os.WriteFile(os.Getenv(rssRelay), []byte(strconv.FormatInt(int64(ru.Maxrss), 10)), 0o644); err != nil {
		return 125
	}
	return cmd.ProcessState.ExitCode()
}

// maxRSS runs segur with args through the relay and returns its exit code,
// its output and its peak resident memory in MiB.
func maxRSS(t *testing.T, args ...string) (int, string, int64) {
	t.Helper()
	argv, err := json.Marshal(append([]string{segurBinary(t)}, args...))
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "rss")
	cmd := exec.Command(self, "-test.run=^$", string(argv))
	cmd.Env = append(os.Environ(), rssRelay+"="+report)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Run()
	if cmd.ProcessState.ExitCode() == 125 {
		t.Fatalf("the relay could not run segur: %s", out.String())
	}
	kib, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("the relay wrote no peak memory: %v\n%s", err, out.String())
	}
	n, err := strconv.ParseInt(string(kib), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), n >> 10 // Linux: KiB
}

// TestHostileInputsInBoundedPeakMemory (issue #10, cases 5 and 6) runs a
// real `segur pack` on a records folder holding every bomb at once — an
// alias bomb, a records file that is /dev/zero, a FIFO, a pièce whose PDF
// inflates to 256 MiB — and a `segur validate` whose logo claims
// 20000×20000 pixels: each is refused with its code, the good dossier is
// packed, nothing hangs, and the peak resident memory of the process stays
// what a normal run takes.
func TestHostileInputsInBoundedPeakMemory(t *testing.T) {
	t.Parallel() // real processes, each measured alone: they share nothing with the in-process runs
	proj, _ := project(t, "../annexes/bombe.pdf")
	os.WriteFile(filepath.Join(proj, "annexes", "bombe.pdf"), inflateBombPDF(), 0o644)
	var bomb strings.Builder
	bomb.WriteString("dispositif: MDV-LGC-Va1\nnumero_editeur: \"00999\"\nmodeles:\n  rpps: &s [")
	for i := range 1000 {
		if i > 0 {
			bomb.WriteString(",")
		}
		bomb.WriteString(`"1"`)
	}
	bomb.WriteString("]\n  b: &b {rpps_medecins: *s}\nbeneficiaires: [" + strings.TrimSuffix(strings.Repeat("*b,", 1000), ",") + "]\n")
	os.WriteFile(filepath.Join(proj, "dossiers", "bombe.yaml"), []byte(bomb.String()), 0o644)
	os.Symlink("/dev/zero", filepath.Join(proj, "dossiers", "zero.yaml"))
	syscall.Mkfifo(filepath.Join(proj, "dossiers", "tube.yaml"), 0o644)

	code, out, rss := maxRSS(t, "pack", "--date-depot", "2023-03-01", "--signes", filepath.Join(proj, "signes"), "-o", t.TempDir(), filepath.Join(proj, "dossiers"))
	for _, want := range []string{"[ALIAS_EXCESSIF]", "[PIECE_ILLISIBLE]", "zero.yaml", "tube.yaml", "décompressés"} {
		if !strings.Contains(out, want) {
			t.Errorf("pack: %q missing from:\n%s", want, out)
		}
	}
	if code != exitRejected {
		t.Errorf("pack: exit %d, want %d", code, exitRejected)
	}
	if rss > 150 {
		t.Errorf("pack: peak resident memory %d MiB, want < 150", rss)
	}
	t.Logf("pack on every bomb: exit %d, peak RSS %d MiB", code, rss)

	// The logo.
	cfg, _ := os.ReadFile(filepath.Join(proj, "segur.yaml"))
	os.WriteFile(filepath.Join(proj, "segur.yaml"), bytes.Replace(cfg, []byte("\nfournisseur:\n"), []byte("\nfournisseur:\n  logo: logo.png\n"), 1), 0o644)
	ihdr := []byte("IHDR\x00\x00\x4e\x20\x00\x00\x4e\x20\x08\x06\x00\x00\x00") // 20000×20000, RGBA
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...)
	png = binary.BigEndian.AppendUint32(png, crc32.ChecksumIEEE(ihdr))
	os.WriteFile(filepath.Join(proj, "logo.png"), png, 0o644)
	os.Remove(filepath.Join(proj, "dossiers", "tube.yaml"))
	code, out, rss = maxRSS(t, "validate", "--date-depot", "2023-03-01", filepath.Join(proj, "dossiers", "bio-sgl.yaml"))
	if code != exitCannot || !strings.Contains(out, "[LOGO_ILLISIBLE]") || !strings.Contains(out, "trop grand") {
		t.Errorf("validate with a 20000×20000 logo: exit %d\n%s", code, out)
	}
	if rss > 100 {
		t.Errorf("validate: peak resident memory %d MiB, want < 100", rss)
	}
	t.Logf("validate with a 20000×20000 logo: exit %d, peak RSS %d MiB", code, rss)
}

// hostileSizes writes into dir small files whose content, not their
// size, used to take memory without bound (issue #22, item 4): each is
// under the limit of its kind. They are written as a stream: a child's
// peak resident memory counts its parent's at the time it starts (Linux
// carries it over the exec), so this process must stay small.
func hostileSizes(t *testing.T, dir string) (records []string, depot string) {
	t.Helper()
	write := func(path string, parts ...func(w *bufio.Writer)) {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(f)
		for _, p := range parts {
			p(w)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	text := func(s string) func(*bufio.Writer) { return func(w *bufio.Writer) { w.WriteString(s) } }
	repeat := func(s string, n int) func(*bufio.Writer) {
		return func(w *bufio.Writer) {
			for range n {
				w.WriteString(s)
			}
		}
	}
	head := "dispositif: MDV-LGC-Va1\nnumero_editeur: \"00999\"\nbeneficiaires: ["
	files := []struct {
		name  string
		parts []func(*bufio.Writer)
	}{
		{"liste-800ko.yaml", []func(*bufio.Writer){text(head), repeat("1,", 400_000), text("1]\n")}},
		// Just under the records file's limit (16 Mo).
		{"liste-15mo.yaml", []func(*bufio.Writer){text(head), repeat("1,", 7_900_000), text("1]\n")}},
		{"petits.yaml", []func(*bufio.Writer){repeat("a: 1\n---\n", 15<<20/10)}},
		{"lignes.yaml", []func(*bufio.Writer){text("dispositif: MDV-LGC-Va1\n"), repeat("\n", 15800<<10)}},
	}
	for _, f := range files {
		write(filepath.Join(dir, f.name), f.parts...)
		records = append(records, f.name)
	}
	// A dépôt whose solde JSON is 6 Mo of {} lines and whose rapport.json
	// is 60 Mo of empty dossiers.
	depot = filepath.Join(dir, "sortie")
	os.MkdirAll(filepath.Join(depot, "depot"), 0o755)
	write(filepath.Join(depot, "depot", "MDV-LGC-Va1-SOLDE-1234567890-01.json"),
		text(`{"impId":null,"numeroAns":"1234567890","siret":"12345678900011","lignesImport":[`), repeat("{},\n", 6<<20/4), text("{}]}\n"))
	write(filepath.Join(depot, "depot", "MDV-LGC-Va1-SOLDE-1234567890-01.zip"))
	write(filepath.Join(depot, "rapport.json"), text(`{"genere_par":"x","dossiers":[`), repeat("{},", 60<<20/3), text("{}]}"))
	return records, depot
}

// TestHostileSizesInBoundedPeakMemory (issue #22, item 4): records of a
// few hundred kilobytes holding a 400,000-item list, a 15 Mo list, 15 Mo of
// tiny records, 15,8 Mo of empty lines (the records file's limit is 16 Mo); a dépôt whose solde JSON is 6 Mo
// of {} lines and whose rapport.json is 60 Mo of empty entries. Each real
// segur process stays under 256 MiB of peak resident memory and prints a
// bounded number of lines, the rest counted.
func TestHostileSizesInBoundedPeakMemory(t *testing.T) {
	t.Parallel()
	const maxMiB = 256
	dir := t.TempDir()
	names, depot := hostileSizes(t, dir)
	for _, name := range names {
		code, out, rss := maxRSS(t, "validate", "--date-depot", "2023-03-01", "--config", "../../fixtures/segur.yaml", filepath.Join(dir, name))
		lines := strings.Count(out, "\n")
		t.Logf("validate %s: exit %d, %d lines, peak RSS %d MiB", name, code, lines, rss)
		if code != exitRejected {
			t.Errorf("validate %s: exit %d, want %d\n%.2000s", name, code, exitRejected, out)
		}
		if rss > maxMiB {
			t.Errorf("validate %s: peak resident memory %d MiB, want ≤ %d", name, rss, maxMiB)
		}
		if lines > 1100 {
			t.Errorf("validate %s: %d lines printed, want the problems capped", name, lines)
		}
	}
	code, out, rss := maxRSS(t, "pack", "--date-depot", "2023-03-01", "--config", "../../fixtures/segur.yaml", "-o", t.TempDir(), dir)
	t.Logf("pack of them all: exit %d, %d lines, peak RSS %d MiB", code, strings.Count(out, "\n"), rss)
	if code != exitRejected || rss > maxMiB || strings.Count(out, "\n") > 4*1100 {
		t.Errorf("pack of them all: exit %d, %d lines, peak RSS %d MiB (want ≤ %d)\n%.2000s", code, strings.Count(out, "\n"), rss, maxMiB, out)
	}
	code, out, rss = maxRSS(t, "check", depot)
	lines := strings.Count(out, "\n")
	t.Logf("check: exit %d, %d lines, peak RSS %d MiB", code, lines, rss)
	if code != exitRejected || !strings.Contains(out, "[JSON_CHAMP]") || !strings.Contains(out, "autres") {
		t.Errorf("check: exit %d\n%.3000s", code, out)
	}
	if rss > maxMiB {
		t.Errorf("check: peak resident memory %d MiB, want ≤ %d", rss, maxMiB)
	}
	if lines > 1100 {
		t.Errorf("check: %d lines printed, want the problems capped", lines)
	}
}

// TestServeStoppedBySIGTERMLeavesNoTemporaryFiles (issue #22, item 5): a
// real `segur serve` stopped by SIGTERM (a service manager, a logout), as
// by Ctrl-C, removes the documents it rendered in its private folder.
func TestServeStoppedBySIGTERMLeavesNoTemporaryFiles(t *testing.T) {
	t.Parallel()
	proj, _ := project(t, "../annexes/cr.pdf")
	tmp := t.TempDir()
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		cmd := exec.Command(segurBinary(t), "serve", "--port", "0", "--date-depot", "2023-03-01", "-o", t.TempDir(), filepath.Join(proj, "dossiers"))
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		opened := false
		for sc.Scan() {
			if strings.Contains(sc.Text(), "page ouverte sur http://") {
				opened = true
				break
			}
		}
		if !opened {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("%v: the page never opened", sig)
		}
		if left, _ := filepath.Glob(filepath.Join(tmp, "segur-serve-*")); len(left) == 0 {
			t.Fatalf("%v: no private folder while the page runs (TMPDIR not used?)", sig)
		}
		cmd.Process.Signal(sig)
		go io.Copy(io.Discard, stderr)
		cmd.Wait()
		if left, _ := filepath.Glob(filepath.Join(tmp, "segur-serve-*")); len(left) > 0 {
			t.Errorf("%v: private folders left after the page stopped: %v", sig, left)
		}
	}
}
