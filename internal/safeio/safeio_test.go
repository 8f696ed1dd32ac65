//go:build unix

package safeio

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRefusesWhatIsNotABoundedRegularFile (issue #10, case 6): /dev/zero,
// a FIFO (without hanging), a folder, a 5 GB (sparse) file.
func TestRefusesWhatIsNotABoundedRegularFile(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "enorme.yaml")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(5 << 30); err != nil {
		t.Skip("no sparse files here")
	}
	f.Close()
	fifo := filepath.Join(dir, "tube.yaml")
	hasFIFO := syscall.Mkfifo(fifo, 0o644) == nil
	cases := []struct {
		path string
		want error
	}{
		{huge, nil}, // TooLargeError
		{dir, ErrNotRegular},
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		cases = append(cases, struct {
			path string
			want error
		}{"/dev/zero", ErrNotRegular})
	}
	if hasFIFO {
		cases = append(cases, struct {
			path string
			want error
		}{fifo, ErrNotRegular})
	}
	for _, tc := range cases {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		done := make(chan error, 1)
		go func() {
			_, err := ReadFile(tc.path, Records)
			done <- err
		}()
		select {
		case err = <-done:
		case <-time.After(time.Minute): // a hang, not a slow machine
			t.Fatalf("%s: still reading after a minute", tc.path)
		}
		runtime.ReadMemStats(&after)
		if tc.want == nil {
			var tl *TooLargeError
			if !errors.As(err, &tl) || !strings.Contains(Message(err), "trop volumineux") {
				t.Errorf("%s: got %v, want too large", tc.path, err)
			}
		} else if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.path, err, tc.want)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Errorf("%s: %d KiB allocated to refuse it", tc.path, grew>>10)
		}
		if strings.ContainsAny(Message(err), "abcdefghijklmnopqrstuvwxyz") && strings.Contains(Message(err), "not ") {
			t.Errorf("%s: English in %q", tc.path, Message(err))
		}
	}
}

// TestRoots: a path resolves inside the roots, or is refused, links and
// ".." taken as the system takes them.
func TestRoots(t *testing.T) {
	root := t.TempDir()
	in := filepath.Join(root, "projet")
	os.MkdirAll(filepath.Join(in, "annexes"), 0o755)
	os.WriteFile(filepath.Join(in, "annexes", "a.pdf"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(root, "b.pdf"), []byte("x"), 0o644)
	os.Symlink(filepath.Join(root, "b.pdf"), filepath.Join(in, "annexes", "lien.pdf"))
	r := NewRoots(in)
	if _, err := r.Resolve(filepath.Join(in, "annexes", "a.pdf")); err != nil {
		t.Errorf("inside: %v", err)
	}
	for _, p := range []string{filepath.Join(in, "..", "b.pdf"), filepath.Join(in, "annexes", "lien.pdf")} {
		if _, err := r.Resolve(p); !errors.Is(err, ErrOutside) {
			t.Errorf("%s: got %v, want outside", p, err)
		}
	}
	if _, err := r.Resolve(filepath.Join(in, "absent.pdf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: got %v", err)
	}
}

// TestMessage: system errors in French, segur's own context kept.
func TestMessage(t *testing.T) {
	inner := &os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.EACCES}
	err := fmt.Errorf("bascule du dépôt impossible : %w", inner)
	if got, want := Message(err), "bascule du dépôt impossible : « a » → « b » : droits d'accès insuffisants"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	full := &os.PathError{Op: "write", Path: "x.zip", Err: syscall.ENOSPC}
	if got := Message(full); !strings.Contains(got, "disque plein") || strings.Contains(got, "no space") {
		t.Errorf("got %q", got)
	}
}
