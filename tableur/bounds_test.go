package tableur

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

func zipOf(t *testing.T, entries map[string]int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zero := make([]byte, 1<<20)
	for name, mb := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		for range mb {
			if _, err := w.Write(zero); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Hostile spreadsheets are refused from what they declare, before anything
// is decompressed or parsed into cells.
func TestBounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		code string
	}{
		{"zip bomb", zipOf(t, map[string]int{"xl/worksheets/sheet1.xml": 130}), "TABLEUR_TROP_GRAND"},
		{"not a workbook", zipOf(t, map[string]int{"a.txt": 0}), "TABLEUR_ILLISIBLE"},
		{"too large", bytes.Repeat([]byte("a;"), int(File.Max/2)+1), "TABLEUR_TROP_GRAND"},
		{"too wide", []byte("Numéro éditeur" + strings.Repeat(";", MaxColumns+5) + "\n"), "TABLEUR_TROP_GRAND"},
		{"no header", []byte("a;b\n1;2\n"), "TABLEUR_ENTETE"},
		{"long cell", []byte("Numéro éditeur;Nom du client\n1;" + strings.Repeat("é", MaxCell+1) + "\n"), "TABLEUR_CELLULE_TROP_LONGUE"},
		{"control character", []byte("Numéro éditeur;Nom du client\n1;a\x01b\n"), "TABLEUR_CARACTERE_INTERDIT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Import("x", tc.data)
			if len(res.Problems) == 0 || res.Problems[0].Code != tc.code {
				t.Fatalf("%v, want %s", res.Problems, tc.code)
			}
			if res.Ready() != 0 {
				t.Errorf("%d records ready", res.Ready())
			}
		})
	}
}
