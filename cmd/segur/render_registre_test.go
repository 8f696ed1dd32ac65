package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/segur-sons/segur/registre"
	"github.com/segur-sons/segur/tools/sigtest"
)

// registreDocuments lists the documents the registre at path issued for
// numero, as « KIND role numero ».
func registreDocuments(t *testing.T, path, numero string) []string {
	t.Helper()
	r, err := registre.Open(path, registre.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	docs, err := r.Documents(numero)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range docs {
		out = append(out, d.Kind+" "+d.Role+" "+d.Numero)
	}
	return out
}

// render --phase commande issues the BDC (signed at the moment of issue),
// gives the same bytes back the next day, and pack reuses them; a preview
// (--apercu) issues nothing and marks every page of every document.
func TestRenderIssuesTheBDCAndThePreviewNothing(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed: apt-get install -y poppler-utils")
	}
	old := testClock
	t.Cleanup(func() { testClock = old })
	dir := t.TempDir()
	reg := filepath.Join(dir, "registre.sqlite")
	out := filepath.Join(dir, "out")
	q := quarterDir(t, filepath.Join(dir, "q"), map[string][2]any{"00042.yaml": {"liberal-mom.yaml", [][2]string{}}})
	withRegistre := []string{"--sans-registre=false", "--registre", reg, "--config", repo("fixtures/segur.yaml")}
	bdcPath := filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-BDC-00042.pdf")

	testClock = "2022-06-15T09:30:00Z"
	code, stdout, stderr := runIn(t, append(append([]string{"render", "--phase", "commande", "-o", out}, withRegistre...), q)...)
	if code != exitOK || !strings.Contains(stderr, "1 bon(s) de commande émis") {
		t.Fatalf("render --phase commande: exit %d\n%s%s", code, stdout, stderr)
	}
	bdc, err := os.ReadFile(bdcPath)
	if err != nil {
		t.Fatal(err)
	}
	if ps := sigtest.Pdfsig(t, bdc); !strings.Contains(ps, "Jun 15 2022") {
		t.Errorf("pdfsig of the BDC issued on 15/06/2022 09:30 UTC:\n%s", ps)
	}
	if got := registreDocuments(t, reg, "00042"); strings.Join(got, ",") != "BDC  BDC-2022-00042" {
		t.Errorf("registre after render --phase commande: %q, want the BDC alone", got)
	}

	// The next day, the same bytes, nothing issued; pack reuses them.
	testClock = "2022-06-16T09:30:00Z"
	code, stdout, stderr = runIn(t, append(append([]string{"render", "--phase", "commande", "-o", out}, withRegistre...), q)...)
	if code != exitOK || !strings.Contains(stderr, "0 bon(s) de commande émis, 1 document(s) déjà émis repris") {
		t.Fatalf("second render --phase commande: exit %d\n%s%s", code, stdout, stderr)
	}
	if again, _ := os.ReadFile(bdcPath); !bytes.Equal(again, bdc) {
		t.Error("the BDC was rendered again the next day, want the issued bytes")
	}
	testClock = "2023-04-28T10:00:00Z"
	if err := os.Remove(bdcPath); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runIn(t, append(append([]string{"pack", "--date-depot", "2023-04-28", "-o", out}, withRegistre...), q)...)
	if code != exitOK {
		t.Fatalf("pack: exit %d\n%s%s", code, stdout, stderr)
	}
	if again, _ := os.ReadFile(bdcPath); !bytes.Equal(again, bdc) {
		t.Error("pack rendered or signed the BDC again, want the bytes render issued")
	}
	// rapport.json and rapport.html carry the state and its history.
	var rap struct {
		Dossiers []struct {
			NumeroEditeur string `json:"numero_editeur"`
			Registre      *struct {
				Etat       string `json:"etat"`
				Historique []struct{ Etat, Commande, Le string }
			} `json:"registre"`
		} `json:"dossiers"`
	}
	raw, err := os.ReadFile(filepath.Join(out, "rapport.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rap); err != nil {
		t.Fatal(err)
	}
	if len(rap.Dossiers) != 1 || rap.Dossiers[0].Registre == nil {
		t.Fatalf("rapport.json: no registre state:\n%s", raw)
	}
	st := rap.Dossiers[0].Registre
	var steps []string
	for _, e := range st.Historique {
		steps = append(steps, e.Etat+" ("+e.Commande+" "+e.Le+")")
	}
	want := []string{"commandé (render 2022-06-15T09:30:00Z)", "réalisé (pack 2023-04-28T10:00:00Z)", "solde déposé (pack 2023-04-28T10:00:00Z)"}
	if st.Etat != "solde déposé" || len(steps) < 3 || steps[0] != want[0] || steps[len(steps)-1] != want[2] || !slices.Contains(steps, want[1]) {
		t.Errorf("rapport.json's registre state: %q, history %q, want « solde déposé » after %q", st.Etat, steps, want)
	}
	html, err := os.ReadFile(filepath.Join(out, "rapport.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`<td class="registre"><strong>solde déposé</strong>`, "15/06/2022 à 09:30 UTC : commandé", "segur render ("} {
		if !strings.Contains(string(html), w) {
			t.Errorf("rapport.html has no %q", w)
		}
	}
	issued := registreDocuments(t, reg, "00042")
	if len(issued) != 3 {
		t.Errorf("registre after pack: %q, want BDC, facture and MOM", issued)
	}

	// A preview: every page of every document says « APERÇU », nothing
	// is signed, issued, recorded or handed out for signature.
	prev := filepath.Join(dir, "apercu")
	code, stdout, stderr = runIn(t, append(append([]string{"render", "--apercu", "-o", prev}, withRegistre...), q)...)
	if code != exitOK || !strings.Contains(stderr, "aperçu") {
		t.Fatalf("render --apercu: exit %d\n%s%s", code, stdout, stderr)
	}
	if got := registreDocuments(t, reg, "00042"); strings.Join(got, ",") != strings.Join(issued, ",") {
		t.Errorf("the preview changed the registre: %q, was %q", got, issued)
	}
	if _, err := os.Stat(filepath.Join(prev, "a-signer")); err == nil {
		t.Error("a preview was handed out for signature (a-signer/)")
	}
	n := 0
	filepath.WalkDir(prev, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".pdf") {
			return err
		}
		n++
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if issuedBytes, _ := os.ReadFile(filepath.Join(out, "dossiers", "00042", filepath.Base(p))); bytes.Equal(data, issuedBytes) {
			t.Errorf("%s: the preview is the issued document", filepath.Base(p))
		}
		txt, err := exec.Command("pdftotext", p, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		pages := strings.Split(strings.TrimRight(string(txt), "\f"), "\f")
		for i, pg := range pages {
			if !strings.Contains(pg, "APERÇU") {
				t.Errorf("%s page %d/%d: no « APERÇU »", filepath.Base(p), i+1, len(pages))
			}
		}
		return nil
	})
	if n != 3 {
		t.Errorf("the preview wrote %d PDF, want BDC, MOM and facture", n)
	}
}
