package registre

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestIssuedKnown: IssuedKnown gives what Issued gives, without the bytes,
// with their size; nothing for a document never issued, or cancelled.
func TestIssuedKnown(t *testing.T) {
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), newClock())
	tx := begin(t, r)
	defer tx.Rollback()
	for _, d := range []*Document{
		{Dossier: "00042", Kind: Facture, Numero: "F2023-00042", Date: "2023-03-15", Fournisseur: "747849081", Entrees: []byte(`{"montant":"716.67"}`), Octets: []byte("%PDF-facture")},
		{Dossier: "00042", Kind: MOM, Numero: "MOM-00042", Date: "2023-03-01", Signataire: "Claire Dubois", Entrees: []byte(`{"fin":"2023-03-01"}`), Octets: []byte("%PDF-mom, longer")},
	} {
		if err := tx.Issue(d); err != nil {
			t.Fatal(err)
		}
	}
	for _, kind := range []string{Facture, MOM} {
		full, err := tx.Issued("00042", kind, "")
		if err != nil || full == nil {
			t.Fatalf("Issued %s: %v %v", kind, full, err)
		}
		known, size, err := tx.IssuedKnown("00042", kind, "")
		if err != nil || known == nil {
			t.Fatalf("IssuedKnown %s: %v %v", kind, known, err)
		}
		if size != int64(len(full.Octets)) || known.Octets != nil {
			t.Errorf("%s: size %d, bytes %q; want %d and none", kind, size, known.Octets, len(full.Octets))
		}
		full.Octets = nil
		if !reflect.DeepEqual(known, full) {
			t.Errorf("%s: IssuedKnown %+v\nIssued %+v", kind, known, full)
		}
	}
	if d, size, err := tx.IssuedKnown("00042", BDC, ""); d != nil || size != 0 || err != nil {
		t.Errorf("a BDC never issued: %v %d %v", d, size, err)
	}
	if err := tx.Issue(&Document{Dossier: "00042", Kind: Avoir, Numero: "A2023-00001", Date: "2023-04-01", Fournisseur: "747849081", Cancels: "F2023-00042", Octets: []byte("%PDF-avoir")}); err != nil {
		t.Fatal(err)
	}
	if d, _, err := tx.IssuedKnown("00042", Facture, ""); d != nil || err != nil {
		t.Errorf("a cancelled facture: %v %v", d, err)
	}
}
