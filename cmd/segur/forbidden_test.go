package main

import (
	"archive/zip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPiecesNeverKeysOrConfig (issue #22): a certificate or key, segur.yaml
// (by name or under another name), the registre are never pièces, whatever
// the record says; a pièce too big, a folder or a FIFO is refused with its
// reason, not « introuvable ». validate and pack both refuse, and nothing
// is zipped.
func TestPiecesNeverKeysOrConfig(t *testing.T) {
	cases := []struct {
		name, piece string
		make        func(t *testing.T, proj string) // prepares annexes/
		code        string
	}{
		{"clé de signature", "../certs/fournisseur.p12", nil, "PIECE_INTERDITE"},
		{"segur.yaml", "../segur.yaml", nil, "PIECE_INTERDITE"},
		{"clé PEM", "../annexes/cle.pem", func(t *testing.T, p string) { write(t, filepath.Join(p, "annexes", "cle.pem"), 10) }, "PIECE_INTERDITE"},
		{"journal du registre", "../annexes/registre.sqlite-wal", func(t *testing.T, p string) { write(t, filepath.Join(p, "annexes", "registre.sqlite-wal"), 10) }, "PIECE_INTERDITE"},
		{"segur.yaml sous un autre nom", "../annexes/config.pdf", func(t *testing.T, p string) {
			if err := os.Link(filepath.Join(p, "segur.yaml"), filepath.Join(p, "annexes", "config.pdf")); err != nil {
				t.Skip("no hard links here")
			}
		}, "PIECE_INTERDITE"},
		{"trop grande", "../annexes/grande.pdf", func(t *testing.T, p string) { write(t, filepath.Join(p, "annexes", "grande.pdf"), 33<<20) }, "PIECE_TROP_GRANDE"},
		{"dossier", "../annexes/sous.pdf", func(t *testing.T, p string) { os.Mkdir(filepath.Join(p, "annexes", "sous.pdf"), 0o755) }, "PIECE_NON_FICHIER"},
		{"tube", "../annexes/tube.pdf", func(t *testing.T, p string) {
			if err := exec.Command("mkfifo", filepath.Join(p, "annexes", "tube.pdf")).Run(); err != nil {
				t.Skip("no mkfifo here")
			}
		}, "PIECE_NON_FICHIER"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			proj, _ := project(t, tc.piece)
			if tc.make != nil {
				tc.make(t, proj)
			}
			code, stdout, stderr := runIn(t, "validate", "--config", filepath.Join(proj, "segur.yaml"), filepath.Join(proj, "dossiers"))
			if code == exitOK || !strings.Contains(stdout, "["+tc.code+"]") || strings.Contains(stdout, "introuvable") {
				t.Errorf("validate: exit %d, want %s (and not « introuvable ») among:\n%s%s", code, tc.code, stdout, stderr)
			}
			out := t.TempDir()
			code, stdout, stderr = runIn(t, "pack", "--config", filepath.Join(proj, "segur.yaml"), "--date-depot", "2023-03-01", "--signes", filepath.Join(proj, "signes"), "-o", out, filepath.Join(proj, "dossiers"))
			if !strings.Contains(stdout, "["+tc.code+"]") {
				t.Errorf("pack: exit %d, want %s among:\n%s%s", code, tc.code, stdout, stderr)
			}
			for _, n := range zipNames(t, out) {
				if strings.Contains(n, "-CR-") {
					t.Errorf("the refused pièce was packed as %s", n)
				}
			}
		})
	}
}

func write(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestCheckFlagsAKeyInAZip (issue #22): a key slipped into a zip of the
// dépôt is reported by check as PIECE_INTERDITE.
func TestCheckFlagsAKeyInAZip(t *testing.T) {
	proj, _ := project(t, "../annexes/cr.pdf")
	out := t.TempDir()
	if code, stdout, stderr := runIn(t, "pack", "--config", filepath.Join(proj, "segur.yaml"), "--date-depot", "2023-03-01", "--signes", filepath.Join(proj, "signes"), "-o", out, filepath.Join(proj, "dossiers")); code != exitOK {
		t.Fatalf("pack: exit %d\n%s%s", code, stdout, stderr)
	}
	zips, _ := filepath.Glob(filepath.Join(out, "depot", "*.zip"))
	if len(zips) == 0 {
		t.Fatal("no zip")
	}
	zr, err := zip.OpenReader(zips[0])
	if err != nil {
		t.Fatal(err)
	}
	tmp := zips[0] + ".new"
	f, _ := os.Create(tmp)
	zw := zip.NewWriter(f)
	for _, e := range zr.File {
		w, _ := zw.Create(e.Name)
		r, _ := e.Open()
		io.Copy(w, r)
		r.Close()
	}
	w, _ := zw.Create("BIO-SGL-Va1-CR-00061.p12")
	w.Write([]byte("0\x82 not a pdf"))
	zw.Close()
	f.Close()
	zr.Close()
	if err := os.Rename(tmp, zips[0]); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runIn(t, "check", out)
	if code == exitOK || !strings.Contains(stdout, "[PIECE_INTERDITE]") {
		t.Errorf("check: exit %d, want PIECE_INTERDITE among:\n%s%s", code, stdout, stderr)
	}
}
