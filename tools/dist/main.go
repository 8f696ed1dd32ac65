// Command dist builds segur's release files (`make dist`): one archive per
// system — Windows amd64 (segur.exe), macOS amd64 and arm64, Linux amd64 —
// each holding the binary, the staff guide and the README, and SHA256SUMS
// over the archives. The version and commit are written into each binary
// (-ldflags -X), which `segur version` prints. Builds are reproducible:
// -trimpath, no VCS stamp, fixed dates in the archives.
package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Target is one system segur is built for.
type Target struct{ OS, Arch string }

// Targets are the systems of a release.
var Targets = []Target{{"windows", "amd64"}, {"darwin", "amd64"}, {"darwin", "arm64"}, {"linux", "amd64"}}

// Exe is the binary's name on t.
func (t Target) Exe() string {
	if t.OS == "windows" {
		return "segur.exe"
	}
	return "segur"
}

// Build compiles segur for t into dir/<os>-<arch>/, and returns the path.
// A release is built with -trimpath (no path of the build machine in the
// binary); the test builds without it, to reuse the build cache.
func Build(root, dir string, t Target, version, commit string, trimpath bool) (string, error) {
	out := filepath.Join(dir, t.OS+"-"+t.Arch, t.Exe())
	args := []string{"build", "-buildvcs=false"}
	if trimpath {
		args = append(args, "-trimpath")
	}
	args = append(args, "-ldflags", fmt.Sprintf("-s -w -X main.version=%s -X main.commit=%s", version, commit), "-o", out, "./cmd/segur")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS="+t.OS, "GOARCH="+t.Arch, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s/%s : %v\n%s", t.OS, t.Arch, err, b)
	}
	return out, nil
}

// zipped writes the archive name holding files (path in the archive →
// path on disk), with a fixed date so that the same build gives the same
// bytes.
func zipped(name string, files [][2]string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, e := range files {
		src, err := os.Open(e[1])
		if err != nil {
			f.Close() // on the way out of a failure: that failure is what is reported
			return err
		}
		h := &zip.FileHeader{Name: e[0], Method: zip.Deflate, Modified: date}
		mode := os.FileMode(0o644)
		if filepath.Base(e[0]) == "segur" || strings.HasSuffix(e[0], ".exe") {
			mode = 0o755
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err == nil {
			_, err = io.Copy(w, src)
		}
		src.Close() // read-only: closing it loses nothing
		if err != nil {
			f.Close() // on the way out of a failure: that failure is what is reported
			return err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close() // on the way out of a failure: that failure is what is reported
		return err
	}
	return f.Close()
}

func sha(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close() // read-only: closing it loses nothing
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// NoGoPath is a PATH with the system's folders and no go command in it,
// as on a desk without Go: /usr/bin:/bin, or an empty folder (made under
// tmp) when Go is installed there.
func NoGoPath(tmp string) string {
	path := "/usr/bin:/bin"
	for _, d := range filepath.SplitList(path) {
		if _, err := os.Stat(filepath.Join(d, "go")); err == nil {
			return tmp
		}
	}
	return path
}

// SmokeRun runs `bin version` with a PATH without Go and an empty HOME,
// and checks it prints version.
func SmokeRun(bin, version string) error {
	// The run happens in an empty folder: a relative path (make dist's
	// dist/build/…) must be made absolute first.
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "segur-dist-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // our own temporary files: a leftover is only space, removed again by the next run
	cmd := exec.Command(bin, "version")
	cmd.Dir = tmp
	cmd.Env = []string{"PATH=" + NoGoPath(tmp), "HOME=" + tmp, "LANG=C"}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "segur "+version+"\n") {
		return fmt.Errorf("%s version, sans Go dans le PATH : %v %s", bin, err, out)
	}
	fmt.Printf("%s version (sans Go dans le PATH) : %s\n", filepath.Base(bin), strings.SplitN(string(out), "\n", 2)[0])
	return nil
}

func main() {
	version := flag.String("version", "", "version written in the binaries")
	commit := flag.String("commit", "", "commit written in the binaries")
	out := flag.String("out", "dist", "output folder")
	flag.Parse()
	if *version == "" {
		fmt.Fprintln(os.Stderr, "dist : -version est obligatoire")
		os.Exit(2)
	}
	if err := run(".", *out, *version, *commit); err != nil {
		fmt.Fprintln(os.Stderr, "dist :", err)
		os.Exit(1)
	}
}

func run(root, out, version, commit string) error {
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	build := filepath.Join(out, "build")
	var sums strings.Builder
	for _, t := range Targets {
		bin, err := Build(root, build, t, version, commit, true)
		if err != nil {
			return err
		}
		if t.OS == runtime.GOOS && t.Arch == runtime.GOARCH {
			// The binary of this machine, as zipped, runs without Go.
			if err := SmokeRun(bin, version); err != nil {
				return err
			}
		}
		dir := fmt.Sprintf("segur-%s-%s-%s", version, t.OS, t.Arch)
		name := filepath.Join(out, dir+".zip")
		if err := zipped(name, [][2]string{
			{dir + "/" + t.Exe(), bin},
			{dir + "/guide.md", filepath.Join(root, "docs", "guide.md")},
			{dir + "/README.md", filepath.Join(root, "README.md")},
		}); err != nil {
			return err
		}
		s, err := sha(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(&sums, "%s  %s\n", s, filepath.Base(name))
		fmt.Printf("%s\n", name)
	}
	if err := os.RemoveAll(build); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "SHA256SUMS"), []byte(sums.String()), 0o644)
}
