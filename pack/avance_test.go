package pack

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/golden"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/templates"
)

// avanceFixtures checks fixtures/avances as `segur pack --phase avance`
// does, on the demo's dépôt day.
func avanceFixtures(t *testing.T) []*dossier.Dossier {
	t.Helper()
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	files := pdfops.Disk{}
	cfg, probs, err := dossier.LoadConfig("../fixtures/segur.yaml", reg, files)
	if err != nil || dossier.HasError(probs) {
		t.Fatalf("fixtures/segur.yaml: %v %v", err, probs)
	}
	recs, _ := filepath.Glob("../fixtures/avances/*.yaml")
	if len(recs) < 4 {
		t.Fatalf("fixtures/avances: %d records", len(recs))
	}
	ds := dossier.CheckFiles(cfg, reg, recs, dossier.Options{Phase: dossier.PhaseAvance, DateDepot: time.Date(2022, 11, 15, 12, 0, 0, 0, time.UTC), Files: files})
	for _, d := range ds {
		if d.Blocked() {
			t.Fatalf("%s blocked: %v", d.Numero(), d.Problems)
		}
	}
	return ds
}

// TestAvanceJSON: the avance JSON of the fixtures, as the golden holds it.
func TestAvanceJSON(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteAvance(&b, "2201140317", "74784908100019", avanceFixtures(t)); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/avance.json", b.Bytes())
}

// TestAvanceKeysFollowTheProfile: every line of the avance JSON has the
// keys of its dispositif's profile, in its order (a list's item keys when
// the list has items).
func TestAvanceKeysFollowTheProfile(t *testing.T) {
	t.Parallel()
	ds := avanceFixtures(t)
	var b bytes.Buffer
	if err := WriteAvance(&b, "2201140317", "74784908100019", ds); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		LignesImport []json.RawMessage `json:"lignesImport"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.LignesImport) != len(ds) {
		t.Fatalf("%d lines for %d dossiers", len(doc.LignesImport), len(ds))
	}
	if keys := keyPaths(t, b.Bytes()); !slices.Equal(keys[:4], []string{"impId", "numeroAns", "siret", "lignesImport"}) {
		t.Errorf("envelope: %v", keys[:4])
	}
	for i, raw := range doc.LignesImport {
		d := ds[i]
		var want []string
		for _, p := range d.Dispositif.ProfilAvance().Paths() {
			if strings.HasPrefix(p, "beneficiaires.liberal[].") && d.JSON.CommandePour != "LIBERAL" {
				continue // no médecin: an empty list
			}
			want = append(want, p)
		}
		if got := keyPaths(t, raw); !slices.Equal(got, want) {
			t.Errorf("line %d (%s): keys\n%v\nwant\n%v", i+1, d.Numero(), got, want)
		}
	}
}

// TestEveryAvanceValueIsWritten: every value name a profile may use is one
// the writer knows.
func TestEveryAvanceValueIsWritten(t *testing.T) {
	t.Parallel()
	d := avanceFixtures(t)[0]
	for name, kind := range dossier.AvanceValeurs {
		if kind != dossier.ValeurFeuille {
			continue
		}
		if _, ok := avanceLeaf(d, 1, name, avanceItem{}); !ok {
			t.Errorf("value %q is not written by pack", name)
		}
	}
}

// keyPaths lists the distinct key paths of a JSON document in the order
// they first appear (« a.b », « a.list[].c »).
func keyPaths(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []string
	seen := map[string]bool{}
	var value func(prefix string)
	value = func(prefix string) {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					t.Fatal(err)
				}
				p := prefix + k.(string)
				if !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
				value(p + ".")
			}
			dec.Token() // }
		case json.Delim('['):
			for dec.More() {
				value(strings.TrimSuffix(prefix, ".") + "[].")
			}
			dec.Token() // ]
		}
	}
	value("")
	return out
}
