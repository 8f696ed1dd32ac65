//go:build linux

package pack

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/segur-sons/segur/internal/safeio"
)

// openFiles counts this process's open file descriptors. The runtime's
// poller (an epoll and an eventfd, made when the process first opens a
// file or sets a timer: go test's -timeout sets one before any test, a
// test binary run without it does not) is made first, so that its two
// descriptors are never counted as held by the code under test.
func openFiles(t *testing.T) int {
	t.Helper()
	if f, err := os.Open(os.DevNull); err == nil {
		f.Close()
	}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestPieceHandlesAreBounded (issue #22: open files measured, bounded when
// they grow with the quarter): the pièces pack has checked stay open until
// their zip only up to the budget; beyond it each handle is closed once
// checked, and the zip opens the pièce again the same way (by handle,
// confined: a folder swapped for a link meanwhile is refused, never
// followed) and holds exactly the bytes checked. Once closed, the handles
// go back to the budget.
func TestPieceHandlesAreBounded(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "clients"), filepath.Join(base, "ailleurs")
	annexes := filepath.Join(root, "annexes")
	os.MkdirAll(annexes, 0o755)
	os.MkdirAll(outside, 0o755)
	const n, budget = 40, 8
	opt := Options{Roots: safeio.NewRoots(root), handles: &handleBudget{max: budget}}
	w := &dossierWork{}
	before := openFiles(t)
	for i := range n {
		name := fmt.Sprintf("piece-%02d.csv", i)
		content := []byte(fmt.Sprintf("pièce %d\n", i))
		os.WriteFile(filepath.Join(annexes, name), content, 0o644)
		os.WriteFile(filepath.Join(outside, name), []byte("SECRET\n"), 0o644)
		f, data, ok := openPiece(opt, filepath.Join(annexes, name), "pièce", "pieces", "texte", func(field, code, format string, args ...any) {
			t.Fatalf("%s: %s", code, fmt.Sprintf(format, args...))
		})
		if !ok || !bytes.Equal(data, content) {
			t.Fatalf("pièce %d: %q", i, data)
		}
		w.pieces = append(w.pieces, opt.pieceEntry(name, filepath.Join(annexes, name), f, data, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)))
	}
	if held := openFiles(t) - before; held > budget {
		t.Fatalf("%d pièces checked: %d files held open, want at most %d", n, held, budget)
	}
	var b bytes.Buffer
	if err := WriteZip(&b, w.pieces); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil || len(zr.File) != n {
		t.Fatalf("zip: %v, %d entries", err, len(zr.File))
	}
	for i, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if want := fmt.Sprintf("pièce %d\n", i); string(data) != want {
			t.Errorf("%s: %q, want %q", f.Name, data, want)
		}
	}
	// The folder swapped for a link before the zip: the pièces held are
	// the handles checked, the others are refused, none is the outside file.
	os.Rename(annexes, annexes+".vrai")
	if err := os.Symlink(outside, annexes); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := WriteZip(&b, w.pieces); !errors.Is(err, safeio.ErrOutside) {
		t.Errorf("the folder swapped for a link: %v, want ErrOutside", err)
	}
	if bytes.Contains(b.Bytes(), []byte("SECRET")) {
		t.Error("the outside file went into the zip")
	}
	w.closePieces()
	w.closePieces() // twice: nothing given back twice
	if left := openFiles(t) - before; left > 0 {
		t.Errorf("%d files left open", left)
	}
	if opt.handles.held != 0 || opt.handles.peak != budget {
		t.Errorf("budget: %d held, peak %d, want 0 and %d", opt.handles.held, opt.handles.peak, budget)
	}
}
