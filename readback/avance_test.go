package readback

import (
	"os"
	"testing"
)

// FuzzCheckAvanceJSON: whatever an avance JSON holds, its check never
// panics and every problem has its line, code, message and numéro.
func FuzzCheckAvanceJSON(f *testing.F) {
	golden, err := os.ReadFile("../pack/testdata/avance.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add([]byte(`{"impId":null,"numeroAns":"1","siret":1,"lignesImport":[1,{"commande":{"montantSegurHT":1e999999999}}]}`))
	f.Add([]byte(`{"lignesImport":[{"numLigne":"1","beneficiaires":{"liberal":[1,{"RPPS":[]}],"structure":[]},"piecesJustificatives":{}}]}`))
	reg := testRegistry(f)
	dis := reg.Get("MDV-LGC-Va1")
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &depotCheck{reg: reg}
		s, _ := parseAvance(c, "depot/x.json", data, dis, "2201140317")
		if s == nil {
			t.Fatal("got a nil result, want one")
		}
		for _, p := range c.probs {
			if p.Line < 1 || p.Code == "" || p.Message == "" || p.Numero == "" {
				t.Fatalf("got an incomplete problem %+v", p)
			}
		}
	})
}

// TestAvanceGoldenReadsBackClean: the avance JSON pack writes passes its
// own read-back, and a line more than asp.MaxLines is refused.
func TestAvanceGoldenReadsBackClean(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../pack/testdata/avance.json")
	if err != nil {
		t.Fatal(err)
	}
	reg := testRegistry(t)
	c := &depotCheck{reg: reg}
	s, pieces := parseAvance(c, "depot/x.json", data, reg.Get("MDV-LGC-Va1"), "2201140317")
	if len(c.probs) != 0 || !s.readable || len(pieces) == 0 {
		t.Fatalf("got %v (%d pièces)", c.probs, len(pieces))
	}
}
