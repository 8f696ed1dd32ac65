package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/signature"
	"github.com/segur-sons/segur/tools/sigtest"
)

// checkConfig writes a copy of fixtures/segur.yaml whose signature section
// ends with extra (paths absolute) and returns its path.
func checkConfig(t *testing.T, extra string) string {
	t.Helper()
	data, err := os.ReadFile("../fixtures/segur.yaml")
	if err != nil {
		t.Fatal(err)
	}
	certs, err := filepath.Abs("../fixtures/certs")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), "certificat: certs/", "certificat: "+certs+"/", 1)
	s = strings.Replace(s, "  mot_de_passe_env: SEGUR_CERTIFICAT_MDP\n", "  mot_de_passe_env: SEGUR_CERTIFICAT_MDP\n"+strings.ReplaceAll(extra, "CERTS", certs), 1)
	path := filepath.Join(t.TempDir(), "segur.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func problemCodes(ps []dossier.Problem, level dossier.Level) []string {
	var out []string
	for _, p := range ps {
		if p.Level == level {
			out = append(out, p.Code)
		}
	}
	return out
}

// TestCheckSignatureLevels (issue 20): check reads segur.yaml's roots and
// minimum level as pack does: each signature's level is in its result
// (printed by segur check), and a signature under the minimum blocks with
// pack's code.
func TestCheckSignatureLevels(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", sigtest.Password)
	signed, err := os.ReadFile("../fixtures/signes/MDV-LGC-Va1-VA-00048.pdf")
	if err != nil {
		t.Fatal(err)
	}
	_, out := packWith(t, "00048", signed)
	cases := []struct {
		name, extra string
		level       signature.Level
		errors      []string
	}{
		{"no segur.yaml: simple", "", signature.LevelSimple, nil},
		{"the test CA given as IGC-Santé root: cpx", "  racines_igc_sante: [CERTS/ac-test.pem]\n", signature.LevelCPx, nil},
		{"cpx asked, another root: blocked", "  racines_igc_sante: [CERTS/fournisseur.pem]\n  niveau_minimum: cpx\n", signature.LevelSimple, []string{"VA_SIGNATURE_NIVEAU", "VA_SIGNATURE_NIVEAU"}},
		{"cpx asked, the test CA as root: passes", "  racines_igc_sante: [CERTS/ac-test.pem]\n  niveau_minimum: cpx\n", signature.LevelCPx, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt := CheckOptions{Dir: out}
			if c.extra != "" {
				opt.Config = checkConfig(t, c.extra)
			}
			res, err := Check(context.Background(), opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := problemCodes(res.Problems, dossier.Erreur); !slices.Equal(got, c.errors) {
				t.Errorf("errors %v, want %v: %v", got, c.errors, res.Problems)
			}
			var levels []signature.Level
			for _, s := range res.Signed {
				for _, si := range s.Signers {
					levels = append(levels, si.Level)
					if !strings.Contains(si.Describe(), signature.LevelName(c.level)) {
						t.Errorf("described as %q", si.Describe())
					}
				}
			}
			if !slices.Equal(levels, []signature.Level{c.level, c.level}) {
				t.Errorf("levels %v, want two %s", levels, c.level)
			}
		})
	}
}

// TestCheckComparesDrawing (issue 20): check compares a VA re-created
// before its signature with segur's own VA (dossiers/<numéro>/, whose
// SHA-256 the ledger of documents handed out records) as pack does, and
// says so when it cannot find it.
func TestCheckComparesDrawing(t *testing.T) {
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
	const name = "MDV-LGC-Va1-VA-00045.pdf"
	for _, f := range forgeries {
		t.Run(f.Name, func(t *testing.T) {
			// Packed with the genuine rewrite, then the file in the zip
			// replaced (its SHA-256 written in rapport.json).
			res, out := packWith(t, "00045", forgeries[0].Data)
			if res.Ready != 1 {
				t.Fatalf("the genuine rewrite is not packed: %v", res.Problems)
			}
			swapInDepot(t, out, name, f.Data)
			chk, err := Check(context.Background(), CheckOptions{Dir: out})
			if err != nil {
				t.Fatal(err)
			}
			errs := problemCodes(chk.Problems, dossier.Erreur)
			if f.Code == "" {
				if len(errs) != 0 || slices.Contains(problemCodes(chk.Problems, dossier.Attention), "VA_NON_COMPAREE") {
					t.Fatalf("the genuine rewrite: %v", chk.Problems)
				}
				// segur's VA gone: check says it could not compare.
				if err := os.Remove(filepath.Join(out, "dossiers", "00045", name)); err != nil {
					t.Fatal(err)
				}
				if chk, err = Check(context.Background(), CheckOptions{Dir: out}); err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(problemCodes(chk.Problems, dossier.Attention), "VA_NON_COMPAREE") {
					t.Errorf("no VA_NON_COMPAREE without segur's VA: %v", chk.Problems)
				}
				return
			}
			if !slices.Contains(errs, f.Code) {
				t.Fatalf("check: want %s, got %v", f.Code, chk.Problems)
			}
		})
	}
}

// TestPackTimestampFailureBlocks (issue 20): segur.yaml's
// signature.horodatage reaches the fournisseur's signature: a TSA that
// fails blocks the MOM's dossier with HORODATAGE_IMPOSSIBLE naming it,
// instead of signing without the time-stamp asked.
func TestPackTimestampFailureBlocks(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", sigtest.Password)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "panne", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	cfg := checkConfig(t, "  horodatage: "+srv.URL+"/tsa\n")
	res, err := Pack(context.Background(), PackOptions{
		Inputs:    Inputs{Paths: []string{"../fixtures/dossiers/liberal-mom.yaml"}, Config: cfg, Registre: ""},
		Out:       t.TempDir(),
		DateDepot: time.Date(2023, 4, 28, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range res.Problems {
		if p.Code == "HORODATAGE_IMPOSSIBLE" && strings.Contains(p.Message, srv.URL+"/tsa") && strings.Contains(p.Message, "code HTTP 503") {
			found = true
		}
	}
	if !found || res.Ready != 0 {
		t.Errorf("want HORODATAGE_IMPOSSIBLE naming the TSA and nothing ready, got %d ready: %v", res.Ready, res.Problems)
	}
}
