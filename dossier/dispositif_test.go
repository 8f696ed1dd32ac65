package dossier

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/segur-sons/segur/templates"
)

// TestEveryDispositifFileLoads loads every embedded data file with all its
// consistency checks, and pins what the rules rely on.
func TestEveryDispositifFileLoads(t *testing.T) {
	t.Parallel()
	reg, err := LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		avance   int
		momQuand MOMQuand
		base     PlafondBase
	}{
		"MDV-LGC-Va1":   {30, "tous_directs", "ttc"},
		"MDV-LGC-Va2":   {40, "dmp_direct", "ht"},
		"BIO-SGL-Va1":   {30, "jamais", "commande"},
		"BIO-LOINC-Va1": {30, "jamais", "commande"},
	}
	if got := len(reg.All()); got != len(want) {
		t.Fatalf("got %d dispositifs (%s), want %d", got, reg.Names(), len(want))
	}
	for id, w := range want {
		d := reg.Get(id)
		if d == nil {
			t.Errorf("%s: missing", id)
			continue
		}
		if d.Split.Avance != w.avance || d.Justificatif.MOMQuand != w.momQuand || d.Plafond.Base != w.base {
			t.Errorf("%s: got avance %d, MOM %s, base %s; want %d, %s, %s", id, d.Split.Avance, d.Justificatif.MOMQuand, d.Plafond.Base, w.avance, w.momQuand, w.base)
		}
	}
	if !reg.Get("MDV-LGC-Va2").Provisoire() || reg.Get("MDV-LGC-Va1").Provisoire() {
		t.Error("only Va2 is provisional")
	}
}

func TestBrokenDispositifDataIsRefused(t *testing.T) {
	t.Parallel()
	good, err := templates.FS.ReadFile("dispositifs/MDV-LGC-Va1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to, want string
	}{
		{"a split that does not add up to 100", "  solde: 70", "  solde: 60", "avance + solde doit faire 100"},
		{"a table without its source", "  source: \"seed 003, AF ch. 6 « Barème", "  sourc: \"", "clé inconnue « sourc »"},
		{"an unknown MOM rule", "mom_quand: tous_directs", "mom_quand: toujours", "n'est pas une valeur permise"},
		{"a file whose id differs from its name", "id: MDV-LGC-Va1", "id: MDV-LGC-Va3", "différent du nom du fichier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.Replace(string(good), tt.from, tt.to, 1)
			if data == string(good) {
				t.Fatalf("the test's replacement %q did not apply", tt.from)
			}
			fsys := fstest.MapFS{"dispositifs/MDV-LGC-Va1.yaml": {Data: []byte(data)}}
			_, err := LoadRegistry(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
