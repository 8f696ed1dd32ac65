package app

import (
	"context"
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
}

// packWith packs the record of numero with the signed VA data in --signes
// and returns the result and the output folder.
func packWith(t *testing.T, numero string, data []byte) (*PackResult, string) {
	t.Helper()
	signes, out := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(signes, "MDV-LGC-Va1-VA-"+numero+".pdf"), data, 0o644); err != nil {
		t.Fatal(err)
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
