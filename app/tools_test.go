package app

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/tools/sigtest"
)

// Records of the dossiers fixtures/outils signs (tools/realsign).
var toolRecords = map[string]string{
	"00045": "../fixtures/dossiers/cas1-perimetre-identique.yaml",
	"00048": "../fixtures/dossiers/cas5-mandataire-retire.yaml",
}

// toolFiles are the VAs signed by tools nobody here wrote
// (fixtures/outils, written by tools/realsign), with who signed them and
// whether the signature is visible in segur's box.
var toolFiles = []struct {
	file, numero string
	signers      []string
	invisible    bool
}{
	{"00045-pdfsig.pdf", "00045", []string{"Nathalie Lambert"}, false},
	{"00045-signpdf.pdf", "00045", []string{"Nathalie Lambert"}, true},
	{"00045-pdflib.pdf", "00045", []string{"Nathalie Lambert"}, true},
	{"00045-pdfbox.pdf", "00045", []string{"Nathalie Lambert"}, true},
	{"00045-podofosign.pdf", "00045", []string{"Nathalie Lambert"}, true},
	{"00048-pdfsig-pdfbox.pdf", "00048", []string{"Anne Schmitt", "Francois Muller"}, true},
	{"00045-qpdf-pdfsig.pdf", "00045", []string{"Nathalie Lambert"}, false},
	{"00048-podofosign-pdfsig.pdf", "00048", []string{"Anne Schmitt", "Francois Muller"}, true},
}

// packWith packs the record of numero with the signed VA data in --signes
// and returns the result and the output folder.
func packWith(t *testing.T, numero string, data []byte) (*PackResult, string) {
	t.Helper()
	signes, out := t.TempDir(), t.TempDir()
	if data != nil {
		if err := os.WriteFile(filepath.Join(signes, "MDV-LGC-Va1-VA-"+numero+".pdf"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Pack(context.Background(), PackOptions{
		Inputs:    Inputs{Paths: []string{toolRecords[numero]}, Config: "../fixtures/segur.yaml"},
		Out:       out,
		Signes:    signes,
		DateDepot: time.Date(2023, 3, 1, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, out
}

func dossierOf(rap *rapport.Rapport, numero string) *rapport.RapportDossier {
	for i := range rap.Dossiers {
		if rap.Dossiers[i].NumeroEditeur == numero {
			return &rap.Dossiers[i]
		}
	}
	return nil
}

// TestGenuineToolSignatures (issue 20): VAs signed by pdfsig, @signpdf,
// pdf-lib, PDFBox and podofosign, and one signed in turn by two
// signatories with two tools, are packed « prêt » with their signatories
// in the proof, read back clean by check, and pdfsig finds every
// signature valid. Invisible ones carry VA_SIGNATURE_INVISIBLE, a warning.
func TestGenuineToolSignatures(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", sigtest.Password)
	for _, c := range toolFiles {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("../fixtures/outils", c.file))
			if err != nil {
				t.Fatal(err)
			}
			res, out := packWith(t, c.numero, data)
			d := dossierOf(res.Rapport, c.numero)
			if d == nil {
				t.Fatalf("%s not in rapport.json", c.numero)
			}
			var codes []string
			for _, p := range d.Problemes {
				codes = append(codes, p.Code)
				if p.Niveau == "erreur" {
					t.Errorf("pack blocks a genuine %s: %s %s", c.file, p.Code, p.Message)
				}
			}
			if d.Statut != "pret" || res.Ready != 1 {
				t.Fatalf("pack: statut %q, %d ready, problems %v", d.Statut, res.Ready, codes)
			}
			if got := slices.Contains(codes, "VA_SIGNATURE_INVISIBLE"); got != c.invisible {
				t.Errorf("VA_SIGNATURE_INVISIBLE reported %v, want %v (%v)", got, c.invisible, codes)
			}
			if d.Preuve == nil {
				t.Fatal("no proof in rapport.json")
			}
			var who []string
			for _, s := range d.Preuve.Signataires {
				if !s.Valid || s.As == "" {
					t.Errorf("signature of %s not valid or not tied to a signatory: %+v", s.Name, s)
				}
				who = append(who, s.Name)
			}
			if !slices.Equal(who, c.signers) {
				t.Errorf("signers %v, want %v", who, c.signers)
			}
			chk, err := Check(context.Background(), CheckOptions{Dir: out})
			if err != nil {
				t.Fatal(err)
			}
			if chk.Errors != 0 {
				t.Errorf("check finds errors in a genuine %s: %v", c.file, chk.Problems)
			}
			for _, p := range chk.Problems {
				if p.Level == dossier.Attention && p.Code != "VA_SIGNATURE_INVISIBLE" && !strings.HasPrefix(p.Code, "DISPOSITIF_") {
					t.Errorf("check warns: %s %s", p.Code, p.Message)
				}
			}
			said := sigtest.Pdfsig(t, data)
			if n := strings.Count(said, "Signature is Valid."); n != len(c.signers) {
				t.Errorf("pdfsig finds %d valid signature(s), want %d:\n%s", n, len(c.signers), said)
			}
		})
	}
}

// unsignedVAOf packs numero's record without any signed VA and returns the
// unsigned VA pack wrote under dossiers/.
func unsignedVAOf(t *testing.T, numero string) []byte {
	t.Helper()
	_, out := packWith(t, numero, nil)
	data, err := os.ReadFile(filepath.Join(out, "dossiers", numero, "MDV-LGC-Va1-VA-"+numero+".pdf"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// swapInDepot replaces the zip entry name of the dépôt dir by data and
// records data's SHA-256 in rapport.json, as a forger who holds the
// output folder would: check must then block data by what it is.
func swapInDepot(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	zips, _ := filepath.Glob(filepath.Join(dir, "depot", "*.zip"))
	found := false
	for _, z := range zips {
		zr, err := zip.OpenReader(z)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if f.Name == name {
				body, found = data, true
			}
			w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method, Modified: f.Modified})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(body)
		}
		zr.Close()
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(z, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !found {
		t.Fatalf("%s in no zip", name)
	}
	rap, err := os.ReadFile(filepath.Join(dir, "rapport.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r rapport.Rapport
	if err := json.Unmarshal(rap, &r); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	for i := range r.Dossiers {
		for j := range r.Dossiers[i].Fichiers {
			if r.Dossiers[i].Fichiers[j].Nom == name {
				old := r.Dossiers[i].Fichiers[j].SHA256
				rap = bytes.ReplaceAll(rap, []byte(old), []byte(hex.EncodeToString(sum[:])))
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "rapport.json"), rap, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// TestForgeriesBlockedByPackAndCheck (issue 20): each shadow attack
// (a)–(e) and each /ByteRange gap forgery, built on the VA segur renders
// for 00048 (Anne Schmitt then François Muller), is blocked with its code
// by pack and by check (the forged VA swapped into the zip, its SHA-256
// in rapport.json, so that only the signature rule can stop it), while
// pdfsig calls every signature valid. web's
// TestUploadForgeriesRefused runs the same table through segur serve.
func TestForgeriesBlockedByPackAndCheck(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", sigtest.Password)
	va := unsignedVAOf(t, "00048")
	a, err := sigtest.Load("..", "schmitt")
	if err != nil {
		t.Fatal(err)
	}
	b, err := sigtest.Load("..", "muller")
	if err != nil {
		t.Fatal(err)
	}
	forgeries, err := sigtest.Forgeries(va, a, b, "Signature 10875011016", "Signature 10073697418", time.Date(2023, 1, 25, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	genuine, err := os.ReadFile("../fixtures/signes/MDV-LGC-Va1-VA-00048.pdf")
	if err != nil {
		t.Fatal(err)
	}
	res, packed := packWith(t, "00048", genuine)
	if res.Ready != 1 {
		t.Fatalf("the genuine VA of 00048 is not packed: %v", res.Problems)
	}
	for _, f := range forgeries {
		t.Run("pack/"+f.Name, func(t *testing.T) {
			res, _ := packWith(t, "00048", f.Data)
			var got []string
			for _, p := range res.Problems {
				if p.Level == dossier.Erreur {
					got = append(got, p.Code)
				}
			}
			if res.Ready != 0 || !slices.Contains(got, f.Code) {
				t.Errorf("pack: want %s, got %v (%d ready)", f.Code, got, res.Ready)
			}
		})
		t.Run("check/"+f.Name, func(t *testing.T) {
			dir := copyDir(t, packed)
			swapInDepot(t, dir, "MDV-LGC-Va1-VA-00048.pdf", f.Data)
			chk, err := Check(context.Background(), CheckOptions{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range chk.Problems {
				if p.Level == dossier.Erreur {
					got = append(got, p.Code)
				}
			}
			if !slices.Contains(got, f.Code) || slices.Contains(got, "PIECE_REMPLACEE") {
				t.Errorf("check: want %s, got %v", f.Code, got)
			}
		})
		t.Run("pdfsig/"+f.Name, func(t *testing.T) {
			said := sigtest.Pdfsig(t, f.Data)
			if strings.Contains(said, "Signature is Invalid") || strings.Count(said, "Signature is Valid.") < 2 {
				t.Errorf("pdfsig should find every signature valid (a shadow attack keeps them valid):\n%s", said)
			}
		})
	}
}

// TestRewrittenVAComparedWhole (issue 20, item 4): pack ties a VA re-created
// before its signature to its dossier by its text, then compares its
// whole drawing with segur's: the genuine rewrite passes, a reservation
// or a box changed only in the drawing is VA_MODIFIEE, saying what.
func TestRewrittenVAComparedWhole(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", sigtest.Password)
	va := unsignedVAOf(t, "00045")
	s, err := sigtest.Load("..", "lambert")
	if err != nil {
		t.Fatal(err)
	}
	forgeries, err := sigtest.Rewritten(va, s, "Signature 690943600", time.Date(2023, 1, 25, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range forgeries {
		t.Run(f.Name, func(t *testing.T) {
			res, _ := packWith(t, "00045", f.Data)
			var got []string
			for _, p := range res.Problems {
				if p.Level == dossier.Erreur {
					got = append(got, p.Code+" "+p.Message)
				}
			}
			if f.Code == "" {
				if res.Ready != 1 {
					t.Fatalf("the genuine rewrite is refused: %v", got)
				}
				d := dossierOf(res.Rapport, "00045")
				if d.Preuve == nil || d.Preuve.Rattachement != "comparaison du texte" {
					t.Errorf("not tied by its content: %+v", d.Preuve)
				}
				return
			}
			if res.Ready != 0 || len(got) == 0 || !strings.HasPrefix(got[0], f.Code+" ") {
				t.Fatalf("want %s, got %v", f.Code, got)
			}
			t.Log(got[0])
		})
	}
}
