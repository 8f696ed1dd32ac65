//go:build linux && amd64

package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestPieceFolderSwappedAtTheOpenNeverZipsAnOutsideFile (issue #22, item
// 3: « a pièce from outside by a race », pinned): a real `segur pack` runs
// under ptrace, stopped at the entry of every system call. At the entry of
// an open of the pièce's file — after whatever checked its path, before
// the kernel resolves the path the open was given — the pièce's folder is
// swapped for a link to an outside folder holding a file of the same name,
// and left so; one run for each open of the pièce in turn (validation's,
// pack's). The swap thus lands exactly in the window between a check and
// an open, every run, whatever the machine's load: no clock, no luck.
// Code that checks a path then opens it again by name (pack before round 2
// of the issue: Resolve, then ReadFile of the resolved path) reads the
// outside file there and zips it (its name still leads to it when the zip
// is written); segur opens the pièce by handle, confined to its folders
// (os.Root, no link out of them followed), so the outside file never
// reaches a zip: the pièce is refused with its PIECE_ code, or the real
// one packed.
func TestPieceFolderSwappedAtTheOpenNeverZipsAnOutsideFile(t *testing.T) {
	bin := segurBinary(t)
	root := t.TempDir()
	proj := filepath.Join(root, "clients")
	recs, annexes := filepath.Join(proj, "dossiers"), filepath.Join(proj, "annexes")
	secret := filepath.Join(root, "ailleurs")
	for _, d := range []string{recs, annexes, secret} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := os.ReadFile(repo("fixtures/dossiers/bio-loinc.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(rec), "pieces: [../annexes/catalogue-loinc-00062.pdf]", "pieces: [../annexes/catalogue.csv]", 1)
	if text == string(rec) {
		t.Fatal("the fixture's pièce line changed: update this test")
	}
	os.WriteFile(filepath.Join(recs, "bio-loinc.yaml"), []byte(text), 0o644)
	os.WriteFile(filepath.Join(annexes, "catalogue.csv"), []byte("code;loinc\nGLU;2345-7\n"), 0o644)
	os.WriteFile(filepath.Join(secret, "catalogue.csv"), []byte("SECRET;hors du dossier\n"), 0o644)
	link := annexes + ".lien"
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	// pack runs under ptrace with the folder swapped at the entry of the
	// k-th open of the pièce's file (0: never, to count them): each open
	// in turn, the validation's and pack's own.
	pack := func(k int) (opens int) {
		t.Helper()
		// The folder back in place, a new output folder.
		if fi, err := os.Lstat(annexes); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			if err := unix.Renameat2(unix.AT_FDCWD, annexes, unix.AT_FDCWD, link, unix.RENAME_EXCHANGE); err != nil {
				t.Fatal(err)
			}
		}
		out := filepath.Join(root, "sortie", itoa(k))
		cmd := exec.Command(bin, "pack", "--config", repo("fixtures/segur.yaml"), "--pieces", proj, "--signes", repo("fixtures/signes"),
			"--date-depot", "2023-04-28", "-o", out, recs)
		// A file, not a pipe: nothing copies it while the process is traced.
		// The problems are on stdout, the summary on stderr.
		errFile, err := os.Create(filepath.Join(root, "sortie-"+itoa(k)+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		defer errFile.Close()
		cmd.Stdout, cmd.Stderr = errFile, errFile
		swapped, opens, code := traceSwapping(t, cmd, func(path string) bool {
			return filepath.Base(path) == "catalogue.csv"
		}, k, func() error {
			return unix.Renameat2(unix.AT_FDCWD, annexes, unix.AT_FDCWD, link, unix.RENAME_EXCHANGE)
		})
		output, _ := os.ReadFile(errFile.Name())
		if k > 0 && !swapped {
			t.Fatalf("open n° %d of the pièce never came (%d opens): the test tested nothing\n%s", k, opens, output)
		}
		zips, _ := filepath.Glob(filepath.Join(out, "depot", "*.zip"))
		packed := false
		for _, z := range zips {
			zr, err := zip.OpenReader(z)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range zr.File {
				rc, _ := f.Open()
				data, _ := io.ReadAll(rc)
				rc.Close()
				if bytes.Contains(data, []byte("SECRET")) {
					t.Errorf("swap at open n° %d: the outside file is in %s as %s", k, filepath.Base(z), f.Name)
				}
				packed = packed || strings.Contains(f.Name, "CATALOGUE")
			}
			zr.Close()
		}
		why := ""
		for _, l := range strings.Split(string(output), "\n") {
			if strings.Contains(l, "[PIECE_") {
				why = l[strings.LastIndex(l, "[PIECE_"):]
			}
		}
		switch {
		case k == 0 && !packed:
			t.Fatalf("without a swap the pièce is not packed (exit %d):\n%s", code, output)
		case k > 0 && !packed && why == "":
			t.Errorf("swap at open n° %d: the pièce neither packed nor refused with a PIECE_ code (exit %d):\n%s", k, code, output)
		}
		t.Logf("swap at open n° %d of %d: exit %d, packed %v %s", k, opens, code, packed, why)
		return opens
	}
	n := pack(0)
	if n == 0 {
		t.Fatal("the pièce was never opened: the test tested nothing")
	}
	for k := 1; k <= n; k++ {
		pack(k)
	}
}

// traceSwapping runs cmd under ptrace (Linux, amd64), stopping every
// thread at the entry of each system call; at the entry of the nth openat
// or openat2 whose path match accepts, it calls swap, once, before letting
// the call go on (nth 0: never). It returns whether swap ran, how many
// matching opens it saw, and cmd's exit code.
func traceSwapping(t *testing.T, cmd *exec.Cmd, match func(string) bool, nth int, swap func() error) (swapped bool, opens, code int) {
	t.Helper()
	// ptrace requests come from the thread that started the process.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, syscall.EPERM) {
			t.Skipf("ptrace refused here: %v", err)
		}
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil || !ws.Stopped() {
		t.Fatalf("the traced process did not stop at its start: %v %v", ws, err)
	}
	if err := unix.PtraceSetOptions(pid, unix.PTRACE_O_TRACESYSGOOD|unix.PTRACE_O_TRACECLONE|unix.PTRACE_O_EXITKILL); err != nil {
		t.Fatal(err)
	}
	if err := unix.PtraceSyscall(pid, 0); err != nil {
		t.Fatal(err)
	}
	known := map[int]bool{pid: true}
	deadline := time.Now().Add(5 * time.Minute) // against a hang only
	for {
		tid, err := unix.Wait4(-1, &ws, unix.WALL, nil)
		if err != nil {
			t.Fatalf("wait: %v", err)
		}
		if time.Now().After(deadline) {
			unix.Kill(pid, unix.SIGKILL)
			t.Fatal("the traced pack did not end")
		}
		switch {
		case ws.Exited() || ws.Signaled():
			delete(known, tid)
			if tid == pid {
				cmd.Process.Release()
				if ws.Signaled() {
					return swapped, opens, -1
				}
				return swapped, opens, ws.ExitStatus()
			}
			continue
		case !ws.Stopped():
			continue
		}
		sig := ws.StopSignal()
		deliver := 0
		switch {
		case sig == unix.SIGTRAP|0x80: // a system call's entry or exit
			var regs unix.PtraceRegs
			if err := unix.PtraceGetRegs(tid, &regs); err == nil && int64(regs.Rax) == -int64(unix.ENOSYS) &&
				(regs.Orig_rax == unix.SYS_OPENAT || regs.Orig_rax == unix.SYS_OPENAT2) {
				if match(peekString(tid, uintptr(regs.Rsi))) {
					opens++
					if opens == nth {
						if err := swap(); err != nil {
							unix.Kill(pid, unix.SIGKILL)
							t.Fatalf("swap: %v", err)
						}
						swapped = true
					}
				}
			}
		case sig == unix.SIGTRAP: // a clone event, or the exec
		case sig == unix.SIGSTOP && !known[tid]: // a new thread's first stop
			known[tid] = true
		default:
			deliver = int(sig) // the process's own signal (SIGURG, SIGCHLD…)
		}
		known[tid] = true
		unix.PtraceSyscall(tid, deliver)
	}
}

// peekString reads the NUL-terminated string at addr in the traced thread.
func peekString(tid int, addr uintptr) string {
	var b []byte
	word := make([]byte, 8)
	for len(b) < 4096 {
		if n, err := unix.PtracePeekData(tid, addr+uintptr(len(b)), word); err != nil || n == 0 {
			break
		}
		if i := bytes.IndexByte(word, 0); i >= 0 {
			return string(append(b, word[:i]...))
		}
		b = append(b, word...)
	}
	return string(b)
}
