package tableur

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/segur-sons/segur/dossier"
)

// FuzzImportCSV: whatever the bytes, the CSV decoder returns problems with
// a code and a French message, bounded, and each record it writes is YAML
// segur reads back without a syntax error.
func FuzzImportCSV(f *testing.F) {
	s, err := DefaultSpec()
	if err != nil {
		f.Fatal(err)
	}
	h := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		h[i] = c.Label
	}
	head := strings.Join(h, ";") + "\r\n"
	for _, ex := range s.Examples {
		var b strings.Builder
		b.WriteString(head)
		for _, r := range s.Rows(&ex.Record) {
			for i, v := range r {
				r[i] = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
			}
			b.WriteString(strings.Join(r, ";") + "\r\n")
		}
		f.Add([]byte(b.String()))
	}
	f.Add([]byte("\xef\xbb\xbfNuméro éditeur,Dispositif\n00042,MDV-LGC-Va1\n"))
	f.Add([]byte("Num\xe9ro \xe9diteur;Nom du client\n1;Caf\xe9\n"))
	f.Add([]byte("\xff\xfeN\x00"))
	f.Add([]byte("numero_editeur;\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res := Import("f.csv", data)
		for _, p := range res.Problems {
			if p.Code == "" || p.Message == "" || !utf8.ValidString(p.String()) {
				t.Fatalf("bad problem %#v", p)
			}
		}
		for _, r := range res.Records {
			if r.YAML == nil {
				continue
			}
			for _, rec := range dossier.Decode(r.FileName(), r.YAML) {
				for _, p := range rec.Problems {
					if p.Code == "YAML_SYNTAXE" || p.Code == "CARACTERE_INTERDIT" || p.Code == "ENCODAGE_INVALIDE" {
						t.Fatalf("record %s does not read back: %v\n%s", r.Numero, p, r.YAML)
					}
				}
			}
		}
	})
}
