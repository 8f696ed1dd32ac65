package rapport

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/retours"
	"github.com/segur-sons/segur/signature"
)

// TestRapportHTMLLinksReceivedFile (issue 19, item 4): once a VA or MOM
// came back, rapport.html links the file as received (in --signes), apart
// from the unsigned document of dossiers/, which it names « non signée ».
func TestRapportHTMLLinksReceivedFile(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "sortie")
	signes := filepath.Join(root, "VA signées")
	const va = "MDV-LGC-Va1-VA-00043.pdf"
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(root)}).String()
	if !strings.HasPrefix(filepath.ToSlash(root), "/") {
		base = (&url.URL{Scheme: "file", Path: "/" + filepath.ToSlash(root)}).String()
	}
	tests := []struct {
		name      string
		preuve    *retours.Preuve
		justif    dossier.Kind
		wantLinks []string // href, then label, of each link to a received file
		nonSignee bool
	}{
		{"signed electronically", &retours.Preuve{Document: va, Type: signature.Electronic, Source: filepath.Join(signes, va)}, "VA",
			[]string{base + "/VA%20sign%C3%A9es/" + va, "VA signée reçue"}, true},
		{"a scan", &retours.Preuve{Document: va, Type: signature.Scan, Source: filepath.Join(signes, va)}, "VA",
			[]string{base + "/VA%20sign%C3%A9es/" + va, "VA numérisée reçue"}, true},
		{"scans per beneficiary", &retours.Preuve{Document: va, Type: signature.Scan, Source: "a.pdf, b.pdf",
			Parts: []string{filepath.Join(signes, "a.pdf"), filepath.Join(signes, "b.pdf")}}, "VA",
			[]string{base + "/VA%20sign%C3%A9es/a.pdf", "VA numérisée reçue (1/2)", base + "/VA%20sign%C3%A9es/b.pdf", "VA numérisée reçue (2/2)"}, true},
		{"scans per beneficiary, names alone", &retours.Preuve{Document: va, Type: signature.Scan, Source: "a.pdf, b.pdf"}, "VA", nil, false},
		{"MOM signed by segur", &retours.Preuve{Document: "MDV-LGC-Va1-MOM-00043.pdf", Type: signature.Electronic}, "MOM", nil, false},
		{"MOM signed by hand", &retours.Preuve{Document: "MDV-LGC-Va1-MOM-00043.pdf", Type: signature.Electronic, Source: filepath.Join(out, "..", "mom", "MDV-LGC-Va1-MOM-00043.pdf")}, "MOM",
			[]string{base + "/mom/MDV-LGC-Va1-MOM-00043.pdf", "MOM signée reçue"}, true},
		{"awaiting its signatures", &retours.Preuve{Document: va, Attendus: []string{"Hélène Rousseau"}}, "VA", nil, false},
		{"no proof", nil, "VA", nil, false},
	}
	link := regexp.MustCompile(`<a class="recu" href="([^"]*)" title="[^"]*">([^<]*)</a>`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := va
			if tt.justif == "MOM" {
				doc = "MDV-LGC-Va1-MOM-00043.pdf"
			}
			rap := &Rapport{Dossiers: []RapportDossier{{
				NumeroEditeur: "00043", Dispositif: "MDV-LGC-Va1", Statut: StatutPret, Justificatif: tt.justif,
				Fichiers: []Fichier{{Nom: "MDV-LGC-Va1-BDC-00043.pdf"}, {Nom: doc}},
				Preuve:   tt.preuve,
			}}}
			if err := WriteHTML(filepath.Join(out, "rapport.html"), rap); err != nil {
				t.Fatal(err)
			}
			html, err := os.ReadFile(filepath.Join(out, "rapport.html"))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range link.FindAllStringSubmatch(string(html), -1) {
				got = append(got, m[1], m[2])
			}
			if !slices.Equal(got, tt.wantLinks) {
				t.Errorf("links to received files: %q, want %q", got, tt.wantLinks)
			}
			unsigned := `href="dossiers/00043/` + doc + `" title="` + doc + `">` + strings.TrimSuffix(strings.TrimPrefix(doc, "MDV-LGC-Va1-"), "-00043.pdf")
			if !strings.Contains(string(html), unsigned) {
				t.Fatalf("no link to the document of dossiers/:\n%s", html)
			}
			if has := strings.Contains(string(html), unsigned+" non signée</a>"); has != tt.nonSignee {
				t.Errorf("document of dossiers/ named « non signée »: %v, want %v", has, tt.nonSignee)
			}
		})
	}
}

// TestRapportHTMLShowsSignatureLevel (issue 20): each signature of the
// proof is shown under « Justificatif » with its signer and level.
func TestRapportHTMLShowsSignatureLevel(t *testing.T) {
	out := t.TempDir()
	const va = "MDV-LGC-Va1-VA-00048.pdf"
	rap := &Rapport{Dossiers: []RapportDossier{{
		NumeroEditeur: "00048", Dispositif: "MDV-LGC-Va1", Statut: StatutPret, Justificatif: "VA",
		Fichiers: []Fichier{{Nom: va}},
		Preuve: &retours.Preuve{Document: va, Type: signature.Electronic, Signataires: []signature.SignerInfo{
			{Name: "Anne Schmitt", RPPS: "10875011016", Valid: true, Level: signature.LevelCPx},
			{Name: "Francois Muller", Valid: true, Level: signature.LevelSimple, Covers: "document entier"},
		}},
	}}}
	if err := WriteHTML(filepath.Join(out, "rapport.html"), rap); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(out, "rapport.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"signé par Anne Schmitt (RPPS 10875011016) : carte CPx (IGC-Santé)",
		"signé par Francois Muller : signature électronique simple, couvre le document entier",
	} {
		if !strings.Contains(string(html), want) {
			t.Errorf("rapport.html lacks %q", want)
		}
	}
}
