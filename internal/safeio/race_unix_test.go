//go:build unix

package safeio

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestRootsOpenNeverFollowsAFolderSwappedForALink (issue #22, « a pièce
// from outside by a race »): the folder of a pièce is swapped for a link
// to an outside folder exactly between its resolution and its open. Read
// by name (what pack did: Resolve, then ReadFile of the resolved path), the
// outside file comes in; Roots.Open refuses it (ErrOutside), and once the
// folder is back opens the real file.
func TestRootsOpenNeverFollowsAFolderSwappedForALink(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "clients"), filepath.Join(base, "ailleurs")
	annexes := filepath.Join(root, "annexes")
	os.MkdirAll(annexes, 0o755)
	os.MkdirAll(outside, 0o755)
	os.WriteFile(filepath.Join(annexes, "catalogue.csv"), []byte("vrai"), 0o644)
	os.WriteFile(filepath.Join(outside, "catalogue.csv"), []byte("SECRET"), 0o644)
	roots := NewRoots(root)
	piece := filepath.Join(annexes, "catalogue.csv")
	swapped := false
	swap := func() {
		if err := os.Rename(annexes, annexes+".vrai"); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(outside, annexes); err != nil {
			t.Fatal(err)
		}
		swapped = true
	}
	restore := func() {
		os.Remove(annexes)
		os.Rename(annexes+".vrai", annexes)
		swapped = false
	}
	t.Cleanup(func() { afterResolve = nil })

	// The old way, to show the swap strikes where it should.
	real, err := roots.Resolve(piece)
	if err != nil {
		t.Fatal(err)
	}
	swap()
	if data, err := ReadFile(real, Piece); err != nil || string(data) != "SECRET" {
		t.Fatalf("the swap did not take: read by name gave %q, %v", data, err)
	}
	restore()

	afterResolve = swap
	f, _, err := roots.Open(piece, Piece)
	if err == nil {
		data, _ := readAll(f, piece, Piece)
		f.Close()
		t.Fatalf("opened %q through the swapped link", data)
	}
	if !errors.Is(err, ErrOutside) || !swapped {
		t.Fatalf("got %v (swapped %v), want ErrOutside", err, swapped)
	}
	restore()
	afterResolve = nil
	data, _, err := roots.ReadFile(piece, Piece)
	if err != nil || string(data) != "vrai" {
		t.Fatalf("the real pièce: %q, %v", data, err)
	}
	// A FIFO and a folder are refused on the handle, without blocking.
	os.Mkdir(filepath.Join(annexes, "dossier.csv"), 0o755)
	if _, _, err := roots.Open(filepath.Join(annexes, "dossier.csv"), Piece); !errors.Is(err, ErrNotRegular) {
		t.Errorf("a folder: %v, want ErrNotRegular", err)
	}
}
