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
	// The key under a harmless name: its content tells.
	key, err := os.ReadFile("../../fixtures/certs/fournisseur.p12")
	if err != nil {
		t.Fatal(err)
	}
	w, _ = zw.Create("BIO-SGL-Va1-CR-00062.csv")
	w.Write(key)
	zw.Close()
	f.Close()
	zr.Close()
	if err := os.Rename(tmp, zips[0]); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runIn(t, "check", out)
	if code == exitOK || strings.Count(stdout, "[PIECE_INTERDITE]") < 2 || !strings.Contains(stdout, "CR-00062.csv") {
		t.Errorf("check: exit %d, want PIECE_INTERDITE for the .p12 and the key named .csv among:\n%s%s", code, stdout, stderr)
	}
}

// TestLoincCatalogueNeverTheKey (issue #22, the case reported): a BIO-LOINC
// record with pieces: [../../certs/fournisseur.p12] is refused by validate
// and pack (PIECE_INTERDITE), and its catalogue is a PDF or a spreadsheet
// (a .docx is PIECE_EXTENSION).
//
// The content decides, not the name (templates/contenus.yaml): the key
// renamed catalogue.csv or catalogue.pdf, PEM blocks in a .csv, the
// registre renamed .xlsx are PIECE_INTERDITE; a PDF named .csv is
// PIECE_CONTENU; a real CSV catalogue is packed.
func TestLoincCatalogueNeverTheKey(t *testing.T) {
	pdf := "../../fixtures/annexes/catalogue-loinc-00062.pdf"
	for _, tc := range []struct {
		name, piece, from, code string
	}{
		{"clé", "../../certs/fournisseur.p12", pdf, "PIECE_INTERDITE"},
		{"docx", "../annexes/catalogue.docx", pdf, "PIECE_EXTENSION"},
		{"clé renommée csv", "../annexes/catalogue.csv", "../../fixtures/certs/fournisseur.p12", "PIECE_INTERDITE"},
		{"clé renommée pdf", "../annexes/catalogue.pdf", "../../fixtures/certs/fournisseur.p12", "PIECE_INTERDITE"},
		{"PEM renommé csv", "../annexes/catalogue.csv", "../../fixtures/certs/fournisseur.pem", "PIECE_INTERDITE"},
		{"registre renommé xlsx", "../annexes/catalogue.xlsx", "sqlite", "PIECE_INTERDITE"},
		{"PDF renommé csv", "../annexes/catalogue.csv", pdf, "PIECE_CONTENU"},
		{"vrai CSV", "../annexes/catalogue.csv", "csv", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			proj := filepath.Join(root, "clients")
			for _, d := range []string{"dossiers", "annexes"} {
				os.MkdirAll(filepath.Join(proj, d), 0o755)
			}
			os.MkdirAll(filepath.Join(root, "certs"), 0o755)
			cp := func(from, to string) {
				data, err := os.ReadFile(from)
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(to, data, 0o644)
			}
			cp("../../fixtures/certs/fournisseur.p12", filepath.Join(root, "certs", "fournisseur.p12"))
			switch tc.from {
			case "sqlite":
				os.WriteFile(filepath.Join(proj, "annexes", filepath.Base(tc.piece)), append([]byte("SQLite format 3\x00"), make([]byte, 4096)...), 0o644)
			case "csv":
				os.WriteFile(filepath.Join(proj, "annexes", filepath.Base(tc.piece)), []byte("code local;code LOINC;libellé\nGLU;2345-7;Glucose\n"), 0o644)
			default:
				cp(tc.from, filepath.Join(proj, "annexes", filepath.Base(tc.piece)))
			}
			// segur.yaml beside certs/: its folder is an allowed root, so
			// ../../certs/fournisseur.p12 lies inside it.
			cp("../../fixtures/segur.yaml", filepath.Join(root, "segur.yaml"))
			rec, _ := os.ReadFile("../../fixtures/dossiers/bio-loinc.yaml")
			text := strings.Replace(string(rec), "pieces: [../annexes/catalogue-loinc-00062.pdf]", "pieces: ["+tc.piece+"]", 1)
			if text == string(rec) {
				t.Fatal("the fixture's pièce line changed: update this test")
			}
			os.WriteFile(filepath.Join(proj, "dossiers", "bio-loinc.yaml"), []byte(text), 0o644)
			code, stdout, stderr := runIn(t, "validate", "--config", filepath.Join(root, "segur.yaml"), filepath.Join(proj, "dossiers"))
			if tc.code == "" {
				if strings.Contains(stdout, "[PIECE_") {
					t.Errorf("validate: a good catalogue refused:\n%s%s", stdout, stderr)
				}
			} else if code == exitOK || !strings.Contains(stdout, "["+tc.code+"]") {
				t.Errorf("validate: exit %d, want %s among:\n%s%s", code, tc.code, stdout, stderr)
			}
			out := t.TempDir()
			signes, _ := filepath.Abs("../../fixtures/signes")
			code, stdout, stderr = runIn(t, "pack", "--config", filepath.Join(root, "segur.yaml"), "--date-depot", "2023-04-28", "--signes", signes, "-o", out, filepath.Join(proj, "dossiers"))
			if tc.code != "" && !strings.Contains(stdout, "["+tc.code+"]") {
				t.Errorf("pack: exit %d, want %s among:\n%s%s", code, tc.code, stdout, stderr)
			}
			packed := false
			for _, n := range zipNames(t, out) {
				if strings.Contains(n, "CATALOGUE") {
					packed = true
					if tc.code != "" {
						t.Errorf("packed as %s", n)
					}
				}
			}
			if tc.code == "" && !packed {
				t.Errorf("the good catalogue was not packed (exit %d):\n%s%s", code, stdout, stderr)
			}
		})
	}
}

// TestPackSignesInsideASignerCLI (issue #22): --signes out/a-signer exits 2
// with its reason, and the signed VAs put there are all still there.
func TestPackSignesInsideASignerCLI(t *testing.T) {
	proj, _ := project(t, "../annexes/cr.pdf")
	out := t.TempDir()
	args := []string{"pack", "--config", filepath.Join(proj, "segur.yaml"), "--date-depot", "2023-03-01", "-o", out}
	if code, stdout, stderr := runIn(t, append(args, "--signes", filepath.Join(proj, "signes"), filepath.Join(proj, "dossiers"))...); code != exitOK {
		t.Fatalf("pack: exit %d\n%s%s", code, stdout, stderr)
	}
	signed := filepath.Join(out, "a-signer", "BIO-SGL-Va1-VA-00061-signee-par-client.pdf")
	os.MkdirAll(filepath.Dir(signed), 0o755)
	os.WriteFile(signed, []byte("%PDF-1.7"), 0o644)
	code, stdout, stderr := runIn(t, append(args, "--signes", filepath.Join(out, "a-signer"), filepath.Join(proj, "dossiers"))...)
	if code != exitCannot || !strings.Contains(stdout+stderr, "[ENTREE_DANS_SORTIE]") {
		t.Errorf("exit %d, want 2 and ENTREE_DANS_SORTIE:\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(signed); err != nil {
		t.Errorf("the client-signed VA is gone: %v", err)
	}
}
