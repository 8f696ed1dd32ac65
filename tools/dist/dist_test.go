package main

import (
	"bytes"
	"debug/pe"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The Linux binary of a release runs with nothing installed: no Go in its
// PATH (an empty folder), for its version, its help and a validate of the
// fixtures. The Windows binary is cross-built, is an amd64 Windows program,
// and is run under wine for its version, its help and a validate of a
// fixture (required in CI; skipped on a desk without wine).
func TestReleaseBinariesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	dir := t.TempDir()
	root, _ := filepath.Abs("../..")
	bin, err := Build(root, dir, Target{"linux", "amd64"}, "9.8.7", "cafe1234", false)
	if err != nil {
		t.Fatal(err)
	}
	// The system's folders, as on a desk without Go; an empty folder if
	// Go is installed there.
	path := NoGoPath(t.TempDir())
	if err := SmokeRun(bin, "9.8.7"); err != nil {
		t.Error(err)
	}
	// As make dist gives it: a path relative to the working folder.
	if rel, err := filepath.Rel(must(os.Getwd()), bin); err != nil {
		t.Error(err)
	} else if err := SmokeRun(rel, "9.8.7"); err != nil {
		t.Errorf("relative path %s: %v", rel, err)
	}
	empty := t.TempDir()
	run := func(args ...string) (string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		cmd.Env = []string{"PATH=" + path, "HOME=" + empty, "LANG=C"}
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	if out, code := run("version"); code != 0 || !strings.Contains(out, "segur 9.8.7\ncommit cafe1234\nlinux/amd64") {
		t.Errorf("version: %d %q", code, out)
	}
	if out, code := run("--help"); code != 0 || !strings.Contains(out, "COMMANDES :") || !strings.Contains(out, "validate") {
		t.Errorf("help: %d %q", code, out)
	}
	// The fixtures have one record kept on purpose with warnings only:
	// validate reads all of them and exits 0 or 1 (rejected), never 2.
	out, code := run("validate", "fixtures/dossiers")
	if code == 2 || !strings.Contains(out, "dossier(s) lu(s)") {
		t.Errorf("validate: %d %q", code, out)
	}

	win, err := Build(root, dir, Target{"windows", "amd64"}, "9.8.7", "cafe1234", false)
	if err != nil {
		t.Fatal(err)
	}
	f, err := pe.Open(win)
	if err != nil {
		t.Fatalf("segur.exe is not a Windows program: %v", err)
	}
	defer f.Close()
	if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		t.Errorf("segur.exe machine %#x", f.Machine)
	}
	if data, _ := os.ReadFile(win); !bytes.Contains(data, []byte("9.8.7")) {
		t.Errorf("segur.exe does not carry its version")
	}
	// segur.exe is run under wine: segur-wine (tools/wine: Debian 13's
	// wine 10 in a folder of its own, which .ci/run installs), else a
	// wine of the system. Debian 12's wine (8.0) cannot start it: a Go ≥
	// 1.22 program needs ProcessPrng of bcryptprimitives.dll at start-up,
	// in Wine ≥ 8.13 (« fatal error: bcryptprimitives.dll not found »).
	wine, err := exec.LookPath("segur-wine")
	if err != nil {
		wine, err = exec.LookPath("wine")
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI : ni segur-wine ni wine : segur.exe doit y être lancé (tools/wine/install.sh)")
		}
		t.Log("wine n'est pas installé : segur.exe est construit et vérifié comme programme Windows amd64, pas lancé (tools/wine/install.sh l'installe)")
		return
	}
	runWin := func(args ...string) (string, int) {
		cmd := exec.Command(wine, append([]string{win}, args...)...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	if out, code := runWin("version"); code != 0 || !strings.Contains(out, "segur 9.8.7\ncommit cafe1234\nwindows/amd64") {
		t.Errorf("%s segur.exe version: %d %q", filepath.Base(wine), code, out)
	}
	if out, code := runWin("aide"); code != 0 || !strings.Contains(out, "Format des fichiers de segur") {
		t.Errorf("%s segur.exe aide: %d %q", filepath.Base(wine), code, out)
	}
	// A fixture named as on Windows (backslashes), read and found correct.
	out, code = runWin("validate", `fixtures\dossiers\liberal-mom.yaml`)
	if code != 0 || !strings.Contains(out, "1 dossier(s) lu(s), 1 correct(s), 0 rejeté(s)") || !strings.Contains(out, `fixtures\dossiers\liberal-mom.yaml`) {
		t.Errorf("%s segur.exe validate: %d %q", filepath.Base(wine), code, out)
	}
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}
