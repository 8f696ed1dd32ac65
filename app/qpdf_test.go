package app

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/tools/sigtest"
)

// TestQpdfRewriteAfterSignature (issue 20): a VA signed by a client's tool
// (fixtures/outils/00045-pdfsig.pdf) then rewritten by qpdf — as is, or
// with object streams — is no longer what the signature covers: pack and
// check refuse it with VA_SIGNATURE_INVALIDE saying it was re-saved.
func TestQpdfRewriteAfterSignature(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", sigtest.Password)
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Fatal("qpdf is needed (apt-get install qpdf; .ci/run installs it)")
	}
	genuine, err := os.ReadFile("../fixtures/outils/00045-pdfsig.pdf")
	if err != nil {
		t.Fatal(err)
	}
	const name = "MDV-LGC-Va1-VA-00045.pdf"
	for _, args := range [][]string{nil, {"--object-streams=generate"}} {
		t.Run("qpdf "+strings.Join(args, " "), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "q.pdf")
			if msg, err := exec.Command("qpdf", append(args, "../fixtures/outils/00045-pdfsig.pdf", out)...).CombinedOutput(); err != nil {
				t.Fatalf("qpdf: %v %s", err, msg)
			}
			rewritten, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			res, _ := packWith(t, "00045", rewritten)
			var msgs []string
			for _, p := range res.Problems {
				if p.Level == dossier.Erreur && p.Code == "VA_SIGNATURE_INVALIDE" {
					msgs = append(msgs, p.Message)
				}
			}
			if res.Ready != 0 || len(msgs) == 0 || !strings.Contains(msgs[0], "réenregistré en entier après la signature") {
				t.Errorf("pack: want VA_SIGNATURE_INVALIDE (re-saved), got %d ready, %v", res.Ready, res.Problems)
			}
			// check: packed with the genuine file, then the zip's VA
			// replaced by the rewrite (its SHA-256 in rapport.json).
			_, dir := packWith(t, "00045", genuine)
			swapInDepot(t, dir, name, rewritten)
			chk, err := Check(context.Background(), CheckOptions{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(problemCodes(chk.Problems, dossier.Erreur), "VA_SIGNATURE_INVALIDE") {
				t.Errorf("check: want VA_SIGNATURE_INVALIDE, got %v", chk.Problems)
			}
		})
	}
}

// TestQpdfRewriteBeforeSignature (issue 20): segur's VA rewritten by
// `qpdf --object-streams=generate`, then signed with pdfsig
// (fixtures/outils/00045-qpdf-pdfsig.pdf, tools/realsign) is accepted:
// its bytes are not segur's, so it is tied by its text and its whole
// drawing is compared with segur's (pack) — the same drawing, the same
// empty field. The same rewrite with a reservation added is refused.
func TestQpdfRewriteBeforeSignature(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", sigtest.Password)
	data, err := os.ReadFile("../fixtures/outils/00045-qpdf-pdfsig.pdf")
	if err != nil {
		t.Fatal(err)
	}
	res, _ := packWith(t, "00045", data)
	d := dossierOf(res.Rapport, "00045")
	if res.Ready != 1 || d == nil || d.Preuve == nil || d.Preuve.Rattachement != "comparaison du texte" {
		t.Fatalf("want ready, tied by its text: %d ready, %+v, %v", res.Ready, d, res.Problems)
	}

	// The same path with a reservation added before qpdf's rewrite.
	va := unsignedVAOf(t, "00045")
	added, err := sigtest.AddContent(va, "BT /SegurHelv 9 Tf 60 120 Td (RESERVE : Je n'atteste PAS le seuil) Tj ET")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, added, 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command("qpdf", "--object-streams=generate", in, out).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v %s", err, msg)
	}
	rewritten, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigtest.Load("..", "lambert")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := sigtest.SignField(rewritten, s, "Signature 690943600", time.Date(2023, 1, 25, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	res, _ = packWith(t, "00045", signed)
	if res.Ready != 0 || !slices.Contains(problemCodes(res.Problems, dossier.Erreur), "VA_MODIFIEE") {
		t.Errorf("a reservation added then rewritten by qpdf: want VA_MODIFIEE, got %v", res.Problems)
	}
}

// TestOneRevisionAppearanceOverVA (issue 20): a file signed in one go
// (pdf-lib's, fixtures/outils/00045-pdflib.pdf) whose own signature widget
// is made visible over the whole page (bytes edited in place, same
// length) is blocked VA_SIGNATURE_HORS_CASE by pack and check: no earlier
// revision holds the empty boxes, so any appearance over what the page
// draws is refused. (The edit also breaks the signature, reported apart.)
func TestOneRevisionAppearanceOverVA(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", sigtest.Password)
	data, err := os.ReadFile("../fixtures/outils/00045-pdflib.pdf")
	if err != nil {
		t.Fatal(err)
	}
	const from, to = "/Rect [ 0 0 0 0 ]\n/V", "/Rect[0 0 600 800]/V"
	if len(from) != len(to) || strings.Count(string(data), from) != 1 {
		t.Fatal("pdf-lib's invisible widget not found once")
	}
	covering := []byte(strings.Replace(string(data), from, to, 1))
	res, _ := packWith(t, "00045", covering)
	if !slices.Contains(problemCodes(res.Problems, dossier.Erreur), "VA_SIGNATURE_HORS_CASE") {
		t.Errorf("pack: want VA_SIGNATURE_HORS_CASE, got %v", res.Problems)
	}
	_, dir := packWith(t, "00045", data)
	swapInDepot(t, dir, "MDV-LGC-Va1-VA-00045.pdf", covering)
	chk, err := Check(context.Background(), CheckOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(problemCodes(chk.Problems, dossier.Erreur), "VA_SIGNATURE_HORS_CASE") {
		t.Errorf("check: want VA_SIGNATURE_HORS_CASE, got %v", chk.Problems)
	}
}
