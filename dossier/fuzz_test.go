package dossier

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/segur-sons/segur/templates"
)

// FuzzDecode feeds arbitrary bytes to the record decoder and the checker:
// whatever the input, they must return problems, never panic.
func FuzzDecode(f *testing.F) {
	files, err := Files([]string{"../fixtures"})
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("dispositif: &a [*a]\n"))
	reg, err := LoadRegistry(templates.FS)
	if err != nil {
		f.Fatal(err)
	}
	cfgData, err := os.ReadFile(filepath.Join("..", "fixtures", ConfigName))
	if err != nil {
		f.Fatal(err)
	}
	cfg, _ := ParseConfig("segur.yaml", cfgData, reg, testFiles)
	f.Fuzz(func(t *testing.T, data []byte) {
		recs := Decode("fuzz.yaml", data)
		ds := Check(cfg, reg, recs, Options{Phase: PhaseSolde, Files: testFiles})
		for _, d := range ds {
			for _, p := range d.Problems {
				if p.Code == "" || p.Message == "" {
					t.Fatalf("problem without code or message: %+v", p)
				}
			}
		}
	})
}
