package pack

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/shopspring/decimal"
)

func TestWriteZipGivesTheSameBytesWhateverTheOrder(t *testing.T) {
	t.Parallel()
	mod := time.Date(2023, 2, 10, 0, 0, 0, 0, time.UTC)
	a := []Entry{{Name: "B.pdf", Data: []byte("b"), Modified: mod}, {Name: "A.pdf", Data: []byte("a"), Modified: mod}}
	b := []Entry{a[1], a[0]}
	var za, zb bytes.Buffer
	if err := WriteZip(&za, a); err != nil {
		t.Fatal(err)
	}
	if err := WriteZip(&zb, b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(za.Bytes(), zb.Bytes()) {
		t.Error("got different zips for the same entries in another order")
	}
	for _, bad := range []string{"", "sous/dossier.pdf", `a\b.pdf`} {
		if err := WriteZip(&bytes.Buffer{}, []Entry{{Name: bad, Data: []byte("x")}}); err == nil {
			t.Errorf("entry name %q: got no error, want a refusal (the zip is flat)", bad)
		}
	}
}

func TestSoldeJSONFormat(t *testing.T) {
	t.Parallel()
	date, _ := dossier.ParseDate("2023-02-10")
	d := &dossier.Dossier{
		Ref: dossier.Ref{NumeroASP: "FINMDV000042", NumeroEditeur: "00042", Dispositif: "MDV-LGC-Va1"},
		Facture: dossier.Factures{
			Date:  date,
			Segur: dossier.WithTVA(decimal.RequireFromString("716.6"), decimal.NewFromInt(20)),
		},
		Realisation: dossier.Installation{DMPDirect: false, MSSProDirect: true, AdresseMSSPro: "cabinet@medecin.mssante.fr"},
		JSON: dossier.LigneJSON{
			CommandePour:  "LIBERAL",
			Beneficiaires: []string{"10003461034"},
			Extra:         []dossier.ChampValeur{{Cle: "typePrestation", Valeur: "MAJ_V2"}},
		},
	}
	var b bytes.Buffer
	if err := WriteSolde(&b, "1234567890", "73282932000074", []*dossier.Dossier{d}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"{\n  \"impId\": null,\n  \"numeroAns\": \"1234567890\",\n  \"siret\": \"73282932000074\",\n  \"lignesImport\": [",
		`"montantSegurHTFacture": 716.60`,
		`"dateFacture": "10/02/2023"`,
		`"structureFINESSGeo": []`,
		`"identDMP": null`,
		`"adresseBoiteMSSPro": "cabinet@medecin.mssante.fr"`,
		`"adresseBoiteMSSCitoyen": null`,
		"  },\n      \"typePrestation\": \"MAJ_V2\"\n    }",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the JSON lacks %q:\n%s", want, got)
		}
	}
	order := []string{"numLigne", "typeAction", "numeroASP", "numeroEditeur", "facture", "beneficiaires", "scenariosEffectivementInstalles", "typePrestation"}
	last := -1
	for _, k := range order {
		i := strings.Index(got, `"`+k+`"`)
		if i < last {
			t.Errorf("key %s is out of order", k)
		}
		last = i
	}
}

// TestZipHoldsTheBytesChecked (issue #10, case 4): a pièce changed between
// its check and its copy into the zip stops the zip, never packs garbage.
func TestZipHoldsTheBytesChecked(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "piece.pdf")
	os.WriteFile(p, []byte("les octets vérifiés"), 0o644)
	checked := sum([]byte("les octets vérifiés"))
	if err := WriteZip(io.Discard, []Entry{{Name: "A-CR-1.pdf", Path: p, SHA256: checked}}); err != nil {
		t.Fatalf("unchanged pièce: %v", err)
	}
	os.WriteFile(p, []byte("des octets échangés entre-temps"), 0o644)
	if err := WriteZip(io.Discard, []Entry{{Name: "A-CR-1.pdf", Path: p, SHA256: checked}}); !errors.Is(err, ErrChanged) {
		t.Fatalf("swapped pièce: got %v, want ErrChanged", err)
	}
}
