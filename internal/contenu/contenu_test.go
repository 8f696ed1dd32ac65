package contenu

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"os"
	"testing"

	"github.com/xuri/excelize/v2"
)

func read(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func zipOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[i+1]))
	}
	zw.Close()
	return b.Bytes()
}

func xlsx(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "LOINC")
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestContentOfPieces: what each kind accepts, and the contents never
// accepted whatever the name (issue #22: a key renamed .csv or .pdf).
func TestContentOfPieces(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	pem := read(t, "../../fixtures/certs/fournisseur.pem")
	ole := append(append([]byte{}, magicOLE...), make([]byte, 512)...)
	ods := zipOf(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet", "content.xml", "<x/>")
	odt := zipOf(t, "mimetype", "application/vnd.oasis.opendocument.text", "content.xml", "<x/>")
	cases := []struct {
		name      string
		data      []byte
		is        string // the one kind it is, "" for none
		forbidden bool
	}{
		{"PDF", read(t, "../../fixtures/annexes/catalogue-loinc-00062.pdf"), PDF, false},
		{"xlsx", xlsx(t), OOXML, false},
		{"ods", ods, ODF, false},
		{"odt (pas un classeur)", odt, "", false},
		{"zip quelconque", zipOf(t, "a.txt", "a"), "", false},
		{"xls (OLE)", ole, OLE, false},
		{"CSV UTF-8", []byte("code;libellé\n1;glucose\n"), Texte, false},
		{"CSV Latin-1", []byte("code;libell\xe9\r\n1;glucose\r\n"), Texte, false},
		{"clé PKCS#12", read(t, "../../fixtures/certs/fournisseur.p12"), "", true},
		{"clé PKCS#12 ancienne", read(t, "../../fixtures/certs/fournisseur-legacy.p12"), "", true},
		{"certificat et clé PEM", pem, "", true},
		{"PEM après du texte", append([]byte("Bag Attributes\n    localKeyID: 01\n"), pem...), "", true},
		{"clé PKCS#8 DER", pkcs8, "", true},
		{"SQLite", append([]byte("SQLite format 3\x00"), make([]byte, 100)...), "", true},
		{"binaire", []byte{0, 1, 2, 3}, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Forbidden(tc.data) != ""; got != tc.forbidden {
				t.Errorf("Forbidden = %q, want forbidden %v", Forbidden(tc.data), tc.forbidden)
			}
			for _, k := range []string{PDF, OOXML, ODF, OLE, Texte} {
				if got := Is(k, tc.data); got != (k == tc.is) && !(tc.forbidden && k == Texte) {
					t.Errorf("Is(%s) = %v", k, got)
				}
			}
			if Describe(tc.data) == "" {
				t.Error("no description")
			}
		})
	}
	if Is("inconnu", []byte("%PDF-1.7")) || Known("inconnu") || !Known(Texte) {
		t.Error("an unknown kind must never match")
	}
}

// FuzzContenu: no input makes the sniffers panic or run away.
func FuzzContenu(f *testing.F) {
	f.Add([]byte("%PDF-1.7"))
	f.Add([]byte{0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x03, 0x30, 0x80})
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----"))
	f.Fuzz(func(t *testing.T, data []byte) {
		Forbidden(data)
		Describe(data)
		for _, k := range []string{PDF, OOXML, ODF, OLE, Texte} {
			Is(k, data)
		}
	})
}
