package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// project makes a records project in a temporary folder: segur.yaml, the
// bio-sgl record with its pièce replaced by piece, the annexes, the signed
// VAs, and a folder « ailleurs » beside it (outside the project). It
// returns the project's and the outside folder's paths.
func project(t *testing.T, piece string) (string, string) {
	t.Helper()
	root := t.TempDir()
	proj, outside := filepath.Join(root, "projet"), filepath.Join(root, "ailleurs")
	for _, d := range []string{"dossiers", "annexes", "signes"} {
		os.MkdirAll(filepath.Join(proj, d), 0o755)
	}
	os.MkdirAll(outside, 0o755)
	copyFile := func(from, to string) {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("../../fixtures/segur.yaml", filepath.Join(proj, "segur.yaml"))
	os.MkdirAll(filepath.Join(proj, "certs"), 0o755) // segur.yaml signs the MOMs with the TEST certificate
	copyFile("../../fixtures/certs/fournisseur.p12", filepath.Join(proj, "certs", "fournisseur.p12"))
	copyFile("../../fixtures/annexes/cr-biologie-test-00061.pdf", filepath.Join(proj, "annexes", "cr.pdf"))
	copyFile("../../fixtures/annexes/cr-biologie-test-00061.pdf", filepath.Join(outside, "etranger.pdf"))
	copyFile("../../fixtures/signes/BIO-SGL-Va1-VA-00061.pdf", filepath.Join(proj, "signes", "BIO-SGL-Va1-VA-00061.pdf"))
	rec, err := os.ReadFile("../../fixtures/dossiers/bio-sgl.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(rec), "pieces: [../annexes/cr-biologie-test-00061.pdf]", "pieces: ["+piece+"]", 1)
	if text == string(rec) {
		t.Fatal("the fixture's pièce line changed: update this test")
	}
	os.WriteFile(filepath.Join(proj, "dossiers", "bio-sgl.yaml"), []byte(text), 0o644)
	return proj, outside
}

// zipNames lists the entries of every zip under out/depot.
func zipNames(t *testing.T, out string) []string {
	t.Helper()
	var names []string
	zips, _ := filepath.Glob(filepath.Join(out, "depot", "*.zip"))
	for _, z := range zips {
		zr, err := zip.OpenReader(z)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		zr.Close()
	}
	return names
}

// TestPiecesStayInTheRecordsTree (issue #10, cases 9 and 10): an absolute
// path, a path or a link leading out of the project, a name the upload
// rejects — each is refused with its code, and never packed.
func TestPiecesStayInTheRecordsTree(t *testing.T) {
	cases := []struct {
		name, piece string
		link        string // when set: annexes/lien.pdf is a link to this (relative to the outside folder)
		code        string
	}{
		{"chemin absolu", "/etc/passwd.pdf", "", "PIECE_CHEMIN_ABSOLU"},
		{"sortie par ..", "../../ailleurs/etranger.pdf", "", "PIECE_HORS_DOSSIER"},
		{"lien vers l'extérieur", "../annexes/lien.pdf", "etranger.pdf", "PIECE_HORS_DOSSIER"},
		{"lien vers /etc/shadow", "../annexes/lien.pdf", "/etc/shadow", "PIECE_HORS_DOSSIER"},
		{"sans extension", "../annexes/cr", "", "PIECE_EXTENSION"},
		{"extension accentuée", "../annexes/cr.é", "", "PIECE_EXTENSION"},
		{"extension avec espace", "../annexes/cr.p df", "", "PIECE_EXTENSION"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			proj, outside := project(t, tc.piece)
			if tc.link != "" {
				target := tc.link
				if !filepath.IsAbs(target) {
					target = filepath.Join(outside, target)
				}
				if err := os.Symlink(target, filepath.Join(proj, "annexes", "lien.pdf")); err != nil {
					t.Skip("no symbolic links here")
				}
			}
			for _, n := range []string{"cr", "cr.é", "cr.p df"} {
				os.WriteFile(filepath.Join(proj, "annexes", n), []byte("%PDF-1.4"), 0o644)
			}
			out := t.TempDir()
			code, stdout, stderr := runIn(t, "pack", "--date-depot", "2023-03-01", "--signes", filepath.Join(proj, "signes"), "-o", out, filepath.Join(proj, "dossiers"))
			if !strings.Contains(stdout, "["+tc.code+"]") {
				t.Errorf("exit %d, want %s among:\n%s%s", code, tc.code, stdout, stderr)
			}
			for _, n := range zipNames(t, out) {
				if strings.Contains(n, "-CR-") {
					t.Errorf("the refused pièce was packed as %s", n)
				}
			}
		})
	}
	// Through a link to the records folder, ../annexes is beside the
	// folder the link names, as the system resolves it.
	proj, _ := project(t, "../annexes/cr.pdf")
	link := filepath.Join(t.TempDir(), "lien-dossiers")
	if err := os.Symlink(filepath.Join(proj, "dossiers"), link); err != nil {
		t.Skip("no symbolic links here")
	}
	out := t.TempDir()
	code, stdout, stderr := runIn(t, "pack", "--config", filepath.Join(proj, "segur.yaml"), "--date-depot", "2023-03-01", "--signes", filepath.Join(proj, "signes"), "-o", out, link)
	if code != exitOK {
		t.Fatalf("through a link: exit %d\n%s%s", code, stdout, stderr)
	}
	if names := zipNames(t, out); !strings.Contains(strings.Join(names, " "), "BIO-SGL-Va1-CR-00061.pdf") {
		t.Errorf("through a link: zip holds %v", names)
	}
}
