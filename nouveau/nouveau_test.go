package nouveau

import (
	"strings"
	"testing"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/templates"
)

// Every skeleton is a record segur reads without a syntax, type or
// unknown-key problem: only the values left to fill are reported.
func TestSkeletonsAreReadableRecords(t *testing.T) {
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range reg.All() {
		for _, client := range d.Clients.Types {
			for _, n := range []int{1, 3} {
				name := d.ID + "/" + client
				t.Run(name, func(t *testing.T) {
					out, err := Skeleton(reg, Options{Dispositif: d.ID, Client: client, Beneficiaires: n})
					if err != nil {
						t.Fatal(err)
					}
					recs := dossier.Decode("nouveau.yaml", out)
					if len(recs) != 1 {
						t.Fatalf("%d records", len(recs))
					}
					for _, p := range recs[0].Problems {
						t.Errorf("%s\n%s", p, out)
					}
					if got := len(recs[0].Beneficiaires); got != n {
						t.Errorf("%d beneficiaires, want %d", got, n)
					}
					if recs[0].Dispositif != d.ID || recs[0].Client.Type != client {
						t.Errorf("dispositif %q client %q", recs[0].Dispositif, recs[0].Client.Type)
					}
				})
			}
		}
	}
}

func TestSkeletonRefusesWhatDoesNotFit(t *testing.T) {
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		opt  Options
		want string
	}{
		{Options{Dispositif: "XYZ", Client: "liberal"}, "inconnu"},
		{Options{Dispositif: "BIO-SGL-Va1", Client: "liberal"}, "n'accepte que"},
		{Options{Dispositif: "MDV-LGC-Va1", Client: "liberal", Beneficiaires: 500}, "de 1 à 200"},
	} {
		if _, err := Skeleton(reg, tt.opt); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.opt, err, tt.want)
		}
	}
}
