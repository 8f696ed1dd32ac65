package app

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// packedOut packs two MOM dossiers into a new output folder.
func packedOut(t *testing.T) string {
	t.Helper()
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	out := t.TempDir()
	res, err := Pack(context.Background(), PackOptions{
		Inputs:    Inputs{Paths: []string{"../fixtures/dossiers/liberal-mom.yaml", "../fixtures/dossiers/facture-taux-8-5.yaml"}, Config: "../fixtures/segur.yaml"},
		Out:       out,
		DateDepot: time.Date(2023, 4, 28, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ready != 2 || len(res.Pairs) == 0 {
		t.Fatalf("%d ready, pairs %v, %v", res.Ready, res.Pairs, res.Problems)
	}
	return out
}

// listing is every path under dir with its size.
func listing(t *testing.T, dir string) []string {
	t.Helper()
	var l []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		st, _ := d.Info()
		l = append(l, fmt.Sprint(p, " ", st.Mode(), " ", st.Size()))
		return nil
	})
	return l
}

// TestDepotArchive (issue 19, item 4, « Tout télécharger »): the zip holds
// every pair of depot/, byte for byte, and nothing else; it is written
// only to the writer (the output folder is the same after); the dépôt it
// holds is the one of the moment it was opened, even when depot/ changes
// while it is written.
func TestDepotArchive(t *testing.T) {
	out := packedOut(t)
	names := DepotFiles(out)
	if len(names) < 2 || len(names)%2 != 0 {
		t.Fatalf("DepotFiles: %v, want JSON + zip pairs", names)
	}
	before := listing(t, out)
	a, err := OpenDepotArchive(out)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if !slices.Equal(a.Files, names) {
		t.Errorf("archive files %v, want %v", a.Files, names)
	}
	want := map[string][]byte{}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(out, "depot", n))
		if err != nil {
			t.Fatal(err)
		}
		want[n] = data
	}
	// depot/ changes after the archive was opened: a file replaced, one
	// removed. The archive keeps what was there.
	os.Remove(filepath.Join(out, "depot", names[0]))
	os.WriteFile(filepath.Join(out, "autre"), []byte("autre"), 0o644)
	if err := os.Rename(filepath.Join(out, "autre"), filepath.Join(out, "depot", names[1])); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := a.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo: %d bytes of %d, %v", n, buf.Len(), err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(data, want[f.Name]) {
			t.Errorf("%s in the archive differs from depot/ (%v)", f.Name, err)
		}
		if strings.HasSuffix(f.Name, ".zip") && f.Method != zip.Store {
			t.Errorf("%s: a zip is stored as it is, not compressed again (method %d)", f.Name, f.Method)
		}
	}
	if !slices.Equal(got, names) {
		t.Errorf("archive entries %v, want %v", got, names)
	}
	os.WriteFile(filepath.Join(out, "depot", names[0]), want[names[0]], 0o644)
	os.WriteFile(filepath.Join(out, "depot", names[1]), want[names[1]], 0o644)
	if after := listing(t, out); !slices.Equal(before, after) {
		t.Errorf("the output folder changed: a second copy on disk?\nbefore %v\nafter  %v", before, after)
	}
}

func TestDepotArchiveRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) string
		want  string
	}{
		{"no dépôt yet", func(t *testing.T) string { return t.TempDir() }, "aucun dépôt préparé"},
		{"a switch under way", func(t *testing.T) string {
			out := packedOut(t)
			os.WriteFile(filepath.Join(out, ".segur", "bascule.json"), []byte(`{"fichiers":[]}`), 0o644)
			return out
		}, "changement du dépôt est en cours"},
		{"a pair gone", func(t *testing.T) string {
			out := packedOut(t)
			os.Remove(filepath.Join(out, "depot", DepotFiles(out)[1]))
			return out
		}, "n'est plus dans"},
		{"a pair replaced by a link", func(t *testing.T) string {
			out := packedOut(t)
			p := filepath.Join(out, "depot", DepotFiles(out)[0])
			os.Remove(p)
			if err := os.Symlink("/etc/passwd", p); err != nil {
				t.Skip("no symbolic links here")
			}
			return out
		}, "ne peut pas être lu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := OpenDepotArchive(tt.setup(t))
			var ae *Error
			if err == nil {
				a.Close()
			}
			if !errors.As(err, &ae) || !strings.Contains(ae.Message, tt.want) {
				t.Errorf("got %v, want an *Error saying « %s »", err, tt.want)
			}
		})
	}
}
