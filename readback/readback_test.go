package readback

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/retours"
	"github.com/segur-sons/segur/signature"
	"github.com/segur-sons/segur/tools/sigtest"

	"github.com/phpdave11/gofpdf"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/fr"
	"github.com/segur-sons/segur/pack"
	"github.com/segur-sons/segur/templates"
	"github.com/shopspring/decimal"
)

const (
	chkMDV = "MDV-LGC-Va1-SOLDE-1234567890-01"
	chkBIO = "BIO-SGL-Va1-SOLDE-2205200233-01"
)

// chkPDF renders lines of text as a one-page PDF with the embedded DejaVu
// subset, as the renderers do.
func chkPDF(t testing.TB, lines ...string) []byte {
	t.Helper()
	ttf, err := os.ReadFile("../templates/fonts/DejaVuSans-segur.ttf")
	if err != nil {
		t.Fatalf("read font: %v", err)
	}
	fixed := time.Date(2023, 2, 10, 9, 30, 0, 0, time.UTC)
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(fixed)
	pdf.SetModificationDate(fixed)
	pdf.AddUTF8FontFromBytes("dejavu", "", ttf)
	pdf.SetFont("dejavu", "", 11)
	pdf.AddPage()
	for i, l := range lines {
		pdf.Text(20, float64(30+10*i), l)
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatalf("gofpdf: %v", err)
	}
	return b.Bytes()
}

// chkSign signs a document with the TEST certificate of the fournisseur, as
// the MOM and VA of a dépôt are.
func chkSign(t testing.TB, data []byte) []byte {
	t.Helper()
	s, err := sigtest.Load("..", "fournisseur")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := signature.Sign(data, s, signature.Box{Page: 1, Rect: [4]float64{50, 50, 300, 100}}, "Signe par Claire Martin", time.Date(2023, 2, 10, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func chkDate(t testing.TB, iso string) dossier.Date {
	t.Helper()
	d, err := dossier.ParseDate(iso)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// chkDossiers are the dossiers of the valid dépôt: two MDV lines (a MOM
// and a VA) and one BIO-SGL line (a VA and its CR).
func chkDossiers(t testing.TB) (mdv, bio []*dossier.Dossier) {
	dossierOf := func(dispositif, numero, asp, date, ht string, kind dossier.Kind) *dossier.Dossier {
		return &dossier.Dossier{
			Ref: dossier.Ref{Dispositif: dispositif, NumeroEditeur: numero, NumeroASP: asp},
			Facture: dossier.Factures{Numero: "F2023-" + numero, Date: chkDate(t, date),
				Segur: dossier.Montants{HT: decimal.RequireFromString(ht)}},
			Justificatif: dossier.Justificatif{Kind: kind},
		}
	}
	a := dossierOf("MDV-LGC-Va1", "00042", "FINMDV000042", "2023-02-10", "716.66", dossier.MOM)
	a.JSON = dossier.LigneJSON{CommandePour: "LIBERAL", Beneficiaires: []string{"10003461034", "10100000008"},
		IdentDMP: []string{"10003461034", "10100000008"}}
	a.Realisation = dossier.Installation{DMPDirect: true, MSSProDirect: true, AdresseMSSPro: "cabinet.lilas@medecin.mssante.fr"}
	b := dossierOf("MDV-LGC-Va1", "00043", "FINMDV000043", "2023-03-01", "716.60", dossier.VA)
	b.JSON = dossier.LigneJSON{CommandePour: "STRUCTURE", Beneficiaires: []string{"330063538"}}
	b.Realisation = dossier.Installation{MSSProDirect: true, AdresseMSSPro: "accueil@centre.mssante.fr"}
	c := dossierOf("BIO-SGL-Va1", "00061", "FINBIO000061", "2023-02-27", "4200.00", dossier.VA)
	c.JSON = dossier.LigneJSON{CommandePour: "STRUCTURE", Beneficiaires: []string{"330063538"}, IdentDMP: []string{"1330063538"}}
	c.Realisation = dossier.Installation{DMPDirect: true, MSSProDirect: true, AdresseMSSPro: "resultats@biolab-garonne.mssante.fr",
		MSSCitoyenDirect: true, AdresseMSSCitoyen: "resultats@biolab-garonne.mssante.fr"}
	c.Pieces = []dossier.PieceFile{{Type: "CR", Libelle: "CR de test", Path: "cr-test.hl7"}}
	return []*dossier.Dossier{a, b}, []*dossier.Dossier{c}
}

// chkFacture is the facture of d, showing its date, amount and numéro ASP;
// sep is the thousands separator.
func chkFacture(t testing.TB, d *dossier.Dossier, sep string) []byte {
	amount := strings.Replace(fr.Amount(d.Facture.Segur.HT.StringFixed(2)), " ", sep, 1)
	return chkPDF(t,
		"Facture",
		fmt.Sprintf("Facture n° %s du %s", d.Facture.Numero, d.Facture.Date.FR()),
		fmt.Sprintf("Dossier ASP : %s — n° éditeur : %s", d.Ref.NumeroASP, d.Ref.NumeroEditeur),
		fmt.Sprintf("Total HT Prestation Ségur : %s\u00a0€", amount),
		"Bénéficiaires : "+strings.Join(d.JSON.Beneficiaires, ", "),
		"Date de finalisation de la Prestation Ségur : 20/01/2023",
		"Montant pris en charge par l'Etat au titre du Ségur de la santé",
	)
}

var (
	chkOnce  sync.Once
	chkFiles map[string][]byte // the valid dépôt: path relative to dir → bytes
)

// chkValidFiles builds the valid dépôt once, with the real writers.
func chkValidFiles(t testing.TB) map[string][]byte {
	chkOnce.Do(func() {
		files := map[string][]byte{}
		remises := ""
		mdv, bio := chkDossiers(t)
		pair := func(name, ans string, ds []*dossier.Dossier, sep string) {
			var js bytes.Buffer
			if err := pack.WriteSolde(&js, ans, "73282932000074", ds); err != nil {
				t.Fatal(err)
			}
			var entries []pack.Entry
			for _, d := range ds {
				mod := d.Facture.Date.Time
				unsigned := chkPDF(t, string(d.Justificatif.Kind)+" "+d.Numero())
				if d.Justificatif.Kind == dossier.VA {
					// segur's own VA, handed out: check ties the signed
					// one to it.
					files["dossiers/"+d.Numero()+"/"+d.FileName(dossier.VA)] = unsigned
					h := sha256.Sum256(unsigned)
					remises += hex.EncodeToString(h[:]) + "  " + d.Numero() + "  " + d.FileName(dossier.VA) + "\n"
				}
				entries = append(entries,
					pack.Entry{Name: d.FileName(dossier.FACTURE), Data: chkFacture(t, d, sep), Modified: mod},
					pack.Entry{Name: d.FileName(d.Justificatif.Kind), Data: chkSign(t, unsigned), Modified: mod})
				for _, p := range d.Pieces {
					entries = append(entries, pack.Entry{Name: d.PieceName(p), Data: []byte("MSH|^~\\&|SGL|LAB\r"), Modified: mod})
				}
			}
			var zb bytes.Buffer
			if err := pack.WriteZip(&zb, entries); err != nil {
				t.Fatal(err)
			}
			files["depot/"+name+".json"] = js.Bytes()
			files["depot/"+name+".zip"] = zb.Bytes()
		}
		pair(chkMDV, "1234567890", mdv, " ")
		pair(chkBIO, "2205200233", bio, "\u202f")
		rap := &rapport.Rapport{GenerePar: "segur test"}
		for _, d := range append(mdv, bio...) {
			depot := chkMDV
			if d.Ref.Dispositif == "BIO-SGL-Va1" {
				depot = chkBIO
			}
			rap.Dossiers = append(rap.Dossiers, rapport.RapportDossier{NumeroEditeur: d.Numero(), NumeroASP: d.Ref.NumeroASP,
				Dispositif: d.Ref.Dispositif, Statut: rapport.StatutPret, Depot: depot, Problemes: []rapport.Probleme{}, Fichiers: []rapport.Fichier{}})
		}
		data, err := rap.JSON()
		if err != nil {
			t.Fatal(err)
		}
		files["rapport.json"] = data
		files[retours.RemisesName] = []byte(remises)
		chkFiles = files
	})
	if chkFiles == nil {
		t.Fatal("the valid dépôt could not be built")
	}
	return chkFiles
}

// chkWrite writes the valid dépôt into a new temporary folder.
func chkWrite(t *testing.T) string {
	dir := t.TempDir()
	for name, data := range chkValidFiles(t) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// chkEditJSON replaces old by new, once, in a file of the dépôt.
func chkEditJSON(t *testing.T, dir, name, old, new string) {
	t.Helper()
	path := filepath.Join(dir, "depot", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), old); n != 1 {
		t.Fatalf("%s holds %q %d times, want once", name, old, n)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// chkEditZip rewrites a zip of the dépôt after edit changed its entries.
func chkEditZip(t *testing.T, dir, name string, edit func(entries map[string][]byte)) {
	t.Helper()
	path := filepath.Join(dir, "depot", name)
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		entries[f.Name] = data
	}
	zr.Close()
	edit(entries)
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(entries[n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// chkSummary is a problem without its message: file numero field CODE, and
// « attention » for a warning.
func chkSummary(ps []dossier.Problem) []string {
	out := []string{}
	for _, p := range ps {
		s := fmt.Sprintf("%s %s %s %s", p.File, p.Numero, p.Field, p.Code)
		if p.Level == dossier.Attention {
			s += " attention"
		}
		out = append(out, s)
	}
	return out
}

func TestCheck(t *testing.T) {
	t.Parallel()
	mdvJSON, mdvZip := chkMDV+".json", chkMDV+".zip"
	bioZip := chkBIO + ".zip"
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		want   []string
	}{
		{
			name:   "a valid dépôt gives no problem",
			tamper: func(*testing.T, string) {},
			want:   []string{},
		},
		{
			name: "a MOM removed from the zip is reported absent",
			tamper: func(t *testing.T, dir string) {
				chkEditZip(t, dir, mdvZip, func(e map[string][]byte) { delete(e, "MDV-LGC-Va1-MOM-00042.pdf") })
			},
			want: []string{"depot/" + mdvZip + " 00042 MDV-LGC-Va1-VA-00042.pdf PIECE_ABSENTE"},
		},
		{
			name: "a facture removed from the zip is reported absent",
			tamper: func(t *testing.T, dir string) {
				chkEditZip(t, dir, mdvZip, func(e map[string][]byte) { delete(e, "MDV-LGC-Va1-FACTURE-00043.pdf") })
			},
			want: []string{"depot/" + mdvZip + " 00043 MDV-LGC-Va1-FACTURE-00043.pdf PIECE_ABSENTE"},
		},
		{
			name: "a missing CR of a BIO-SGL line is reported absent",
			tamper: func(t *testing.T, dir string) {
				chkEditZip(t, dir, bioZip, func(e map[string][]byte) { delete(e, "BIO-SGL-Va1-CR-00061.hl7") })
			},
			want: []string{"depot/" + bioZip + " 00061 BIO-SGL-Va1-CR-00061.<extension> PIECE_ABSENTE"},
		},
		{
			name: "a stray PDF for no line is reported in excess",
			tamper: func(t *testing.T, dir string) {
				chkEditZip(t, dir, mdvZip, func(e map[string][]byte) {
					e["MDV-LGC-Va1-FACTURE-00099.pdf"] = e["MDV-LGC-Va1-FACTURE-00042.pdf"]
				})
			},
			want: []string{"depot/" + mdvZip + " - MDV-LGC-Va1-FACTURE-00099.pdf PIECE_EN_TROP"},
		},
		{
			name: "a BDC in the zip is reported in excess",
			tamper: func(t *testing.T, dir string) {
				chkEditZip(t, dir, mdvZip, func(e map[string][]byte) {
					e["MDV-LGC-Va1-BDC-00042.pdf"] = e["MDV-LGC-Va1-MOM-00042.pdf"]
				})
			},
			want: []string{"depot/" + mdvZip + " 00042 MDV-LGC-Va1-BDC-00042.pdf PIECE_EN_TROP"},
		},
		{
			name: "both a MOM and a VA for one line are reported in excess",
			tamper: func(t *testing.T, dir string) {
				chkEditZip(t, dir, mdvZip, func(e map[string][]byte) {
					e["MDV-LGC-Va1-VA-00042.pdf"] = e["MDV-LGC-Va1-MOM-00042.pdf"]
				})
			},
			// segur never handed out a VA for this MOM dossier: nothing
			// to compare it with, and check says so.
			want: []string{"depot/" + mdvZip + " 00042 MDV-LGC-Va1-VA-00042.pdf PIECE_EN_TROP", "depot/" + mdvZip + " 00042 MDV-LGC-Va1-VA-00042.pdf VA_NON_COMPAREE attention"},
		},
		{
			name: "a pièce in a sub-folder of the zip is refused",
			tamper: func(t *testing.T, dir string) {
				chkEditZip(t, dir, mdvZip, func(e map[string][]byte) {
					e["pieces/MDV-LGC-Va1-MOM-00042.pdf"] = e["MDV-LGC-Va1-MOM-00042.pdf"]
					delete(e, "MDV-LGC-Va1-MOM-00042.pdf")
				})
			},
			want: []string{
				"depot/" + mdvZip + " 00042 MDV-LGC-Va1-VA-00042.pdf PIECE_ABSENTE",
				"depot/" + mdvZip + " - pieces/MDV-LGC-Va1-MOM-00042.pdf ZIP_INVALIDE",
			},
		},
		{
			name: "a zip that is not a zip is refused",
			tamper: func(t *testing.T, dir string) {
				if err := os.WriteFile(filepath.Join(dir, "depot", mdvZip), []byte("PK pas un zip"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"depot/" + mdvZip + " - - ZIP_INVALIDE"},
		},
		{
			name: "a montant changed in the JSON no longer matches the facture",
			tamper: func(t *testing.T, dir string) {
				chkEditJSON(t, dir, mdvJSON, "716.66", "716.67")
			},
			want: []string{"depot/" + mdvZip + " 00042 MDV-LGC-Va1-FACTURE-00042.pdf FACTURE_INCOHERENTE"},
		},
		{
			name: "a date changed in the JSON no longer matches the facture",
			tamper: func(t *testing.T, dir string) {
				chkEditJSON(t, dir, chkBIO+".json", "27/02/2023", "28/02/2023")
			},
			want: []string{"depot/" + bioZip + " 00061 BIO-SGL-Va1-FACTURE-00061.pdf FACTURE_INCOHERENTE"},
		},
		{
			name: "an amount with one decimal is refused",
			tamper: func(t *testing.T, dir string) {
				chkEditJSON(t, dir, mdvJSON, "716.60", "716.6")
			},
			want: []string{"depot/" + mdvJSON + " 00043 lignesImport[1].facture.montantSegurHTFacture JSON_CHAMP"},
		},
		{
			name: "identDMP set while isDirectToDMP is false is refused",
			tamper: func(t *testing.T, dir string) {
				chkEditJSON(t, dir, mdvJSON, `"identDMP": null`, `"identDMP": ["10003461034"]`)
			},
			want: []string{"depot/" + mdvJSON + " 00043 lignesImport[1].scenariosEffectivementInstalles.identDMP JSON_CHAMP"},
		},
		{
			name: "keys out of order are refused",
			tamper: func(t *testing.T, dir string) {
				chkEditJSON(t, dir, mdvJSON, "\"numLigne\": 1,\n      \"typeAction\": \"C\",", "\"typeAction\": \"C\",\n      \"numLigne\": 1,")
			},
			want: []string{"depot/" + mdvJSON + " 00042 lignesImport[0].numLigne JSON_INVALIDE"},
		},
		{
			name: "a garbage PDF is refused",
			tamper: func(t *testing.T, dir string) {
				chkEditZip(t, dir, mdvZip, func(e map[string][]byte) {
					e["MDV-LGC-Va1-MOM-00042.pdf"] = []byte("%PDF-1.7\nceci n'est pas un PDF\n%%EOF\n")
				})
			},
			want: []string{"depot/" + mdvZip + " 00042 MDV-LGC-Va1-MOM-00042.pdf PDF_INVALIDE"},
		},
		{
			name: "a JSON without its zip is reported",
			tamper: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "depot", mdvZip)); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"depot/" + mdvJSON + " - - NOM_DEPOT"},
		},
		{
			name: "a zip without its JSON is reported",
			tamper: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "depot", mdvJSON)); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{
				"depot/" + mdvZip + " - - NOM_DEPOT",
				"rapport.json 00042 dossiers[0] RAPPORT attention",
				"rapport.json 00043 dossiers[1] RAPPORT attention",
			},
		},
		{
			name: "a numéro ANS that differs from the pair's name is reported",
			tamper: func(t *testing.T, dir string) {
				chkEditJSON(t, dir, mdvJSON, `"numeroAns": "1234567890"`, `"numeroAns": "1234567891"`)
			},
			want: []string{"depot/" + mdvJSON + " - numeroAns NOM_DEPOT"},
		},
		{
			name: "a pair with a malformed name is reported",
			tamper: func(t *testing.T, dir string) {
				for _, ext := range []string{".json", ".zip"} {
					old := filepath.Join(dir, "depot", chkMDV+ext)
					if err := os.Rename(old, filepath.Join(dir, "depot", "MDV-LGC-Va1-SOLDE-1234567890-1"+ext)); err != nil {
						t.Fatal(err)
					}
				}
			},
			want: []string{
				"depot/MDV-LGC-Va1-SOLDE-1234567890-1.json - - NOM_DEPOT",
				"rapport.json 00042 dossiers[0].depot RAPPORT attention",
				"rapport.json 00043 dossiers[1].depot RAPPORT attention",
			},
		},
		{
			name: "a numéro éditeur filed in two pairs is a duplicate",
			tamper: func(t *testing.T, dir string) {
				chkEditJSON(t, dir, chkBIO+".json", `"numeroASP": "FINBIO000061"`, `"numeroASP": "FINMDV000042"`)
			},
			want: []string{
				"depot/" + bioZip + " 00061 BIO-SGL-Va1-FACTURE-00061.pdf FACTURE_INCOHERENTE",
				"depot/" + mdvJSON + " 00042 lignesImport[0].numeroASP DOUBLON",
			},
		},
		{
			name: "a missing rapport.json is only a warning",
			tamper: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "rapport.json")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"rapport.json - - RAPPORT attention"},
		},
		{
			name: "a leftover temporary file is only a warning",
			tamper: func(t *testing.T, dir string) {
				if err := os.WriteFile(filepath.Join(dir, "depot", chkMDV+".zip"+depot.TmpMarker+"123"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"depot/" + chkMDV + ".zip" + depot.TmpMarker + "123 - - NOM_DEPOT attention"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := chkWrite(t)
			tt.tamper(t, dir)
			ps, err := Check(dir, testRegistry(t))
			if err != nil {
				t.Fatalf("Check: got error %v, want none", err)
			}
			got := chkSummary(ps)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
				for _, p := range ps {
					t.Log(p)
				}
			}
			for _, p := range ps {
				if p.Message == "" || p.Code == "" || p.Numero == "" || p.Field == "" {
					t.Errorf("got an incomplete problem %+v, want file, numero, field, code and message", p)
				}
			}
		})
	}
}

func TestCheckCannotRun(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	tests := []struct {
		name string
		dir  string
	}{
		{"a missing folder cannot be checked", filepath.Join(empty, "absent")},
		{"a folder without depot/ cannot be checked", empty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Check(tt.dir, testRegistry(t)); err == nil {
				t.Errorf("got no error, want one")
			}
		})
	}
}

func TestCheckEmptyDepot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "depot"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rapport.json"), []byte(`{"genere_par": "segur", "dossiers": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	ps, err := Check(dir, testRegistry(t))
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if len(ps) != 0 {
		t.Errorf("got %q, want no problem", chkSummary(ps))
	}
}

// chkSolde is a valid solde JSON, written by hand.
const chkSolde = `{
  "impId": null,
  "numeroAns": "1234567890",
  "siret": "73282932000074",
  "lignesImport": [
    {
      "numLigne": 1,
      "typeAction": "C",
      "numeroASP": "FINMDV000042",
      "numeroEditeur": "00042",
      "facture": {
        "dateFacture": "10/02/2023",
        "montantSegurHTFacture": 716.66
      },
      "beneficiaires": {
        "commandePour": "LIBERAL",
        "liberalRPPS": ["10003461034"],
        "structureFINESSGeo": []
      },
      "scenariosEffectivementInstalles": {
        "isDirectToDMP": true,
        "identDMP": ["10003461034"],
        "isDirectToMSSPro": true,
        "adresseBoiteMSSPro": "cabinet.lilas@medecin.mssante.fr",
        "isDirectToMSSCitoyen": false,
        "adresseBoiteMSSCitoyen": null
      }
    }
  ]
}
`

func TestParseSolde(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		old, new string // replaced once in chkSolde
		want     []string
	}{
		{"a valid JSON gives no problem", "", "", nil},
		{"a JSON cut short is refused with its line", "    }\n  ]\n}\n", "    }\n", []string{"29 - JSON_INVALIDE"}},
		{"a top-level array is refused", chkSolde, "[]", []string{"1 - JSON_INVALIDE"}},
		{"a BOM is refused", "{\n  \"impId\"", "\ufeff{\n  \"impId\"", []string{"1 - JSON_INVALIDE"}},
		{"a non-null impId is refused", `"impId": null`, `"impId": 3`, []string{"2 impId JSON_CHAMP"}},
		{"a missing siret is refused", "  \"siret\": \"73282932000074\",\n", "", []string{"1 siret JSON_INVALIDE"}},
		{"an unknown top-level key is refused", `"impId": null,`, `"impId": null, "extra": 1,`, []string{"2 extra JSON_INVALIDE"}},
		{"a siret of 13 digits is refused", `"73282932000074"`, `"7328293200007"`, []string{"4 siret JSON_CHAMP"}},
		{"a siret with a wrong key is refused", `"73282932000074"`, `"73282932000075"`, []string{"4 siret JSON_CHAMP"}},
		{"a numéro ANS of 9 digits is refused", `"1234567890"`, `"123456789"`, []string{"3 numeroAns JSON_CHAMP"}},
		{"a numéro ANS as a number is refused", `"1234567890"`, `1234567890`, []string{"3 numeroAns JSON_INVALIDE"}},
		{"a numLigne of 2 on the first line is refused", `"numLigne": 1`, `"numLigne": 2`, []string{"7 lignesImport[0].numLigne JSON_CHAMP"}},
		{"a typeAction other than C is refused", `"typeAction": "C"`, `"typeAction": "M"`, []string{"8 lignesImport[0].typeAction JSON_CHAMP"}},
		{"a lower-case numéro ASP is refused", `"FINMDV000042"`, `"finmdv000042"`, []string{"9 lignesImport[0].numeroASP JSON_CHAMP"}},
		{"a numéro éditeur with a dash is refused", `"numeroEditeur": "00042"`, `"numeroEditeur": "00-42"`, []string{"10 lignesImport[0].numeroEditeur JSON_CHAMP"}},
		{"an ISO date is refused", `"10/02/2023"`, `"2023-02-10"`, []string{"12 lignesImport[0].facture.dateFacture JSON_CHAMP"}},
		{"a date off the calendar is refused", `"10/02/2023"`, `"31/02/2023"`, []string{"12 lignesImport[0].facture.dateFacture JSON_CHAMP"}},
		{"an amount as a string is refused", `716.66`, `"716.66"`, []string{"13 lignesImport[0].facture.montantSegurHTFacture JSON_INVALIDE"}},
		{"an amount without decimals is refused", `716.66`, `716`, []string{"13 lignesImport[0].facture.montantSegurHTFacture JSON_CHAMP"}},
		{"an amount of zero is refused", `716.66`, `0.00`, []string{"13 lignesImport[0].facture.montantSegurHTFacture JSON_CHAMP"}},
		{"a negative amount is refused", `716.66`, `-716.66`, []string{"13 lignesImport[0].facture.montantSegurHTFacture JSON_CHAMP"}},
		{"an amount in exponent form is refused", `716.66`, `7.1666e2`, []string{"13 lignesImport[0].facture.montantSegurHTFacture JSON_CHAMP"}},
		{"an unknown commandePour is refused", `"LIBERAL"`, `"liberal"`, []string{"16 lignesImport[0].beneficiaires.commandePour JSON_CHAMP"}},
		{"a non-empty unused list is refused", `"structureFINESSGeo": []`, `"structureFINESSGeo": ["330063538"]`, []string{"18 lignesImport[0].beneficiaires.structureFINESSGeo JSON_CHAMP"}},
		{"an empty used list is refused", `"liberalRPPS": ["10003461034"]`, `"liberalRPPS": []`, []string{"17 lignesImport[0].beneficiaires.liberalRPPS JSON_CHAMP"}},
		{"a short RPPS is refused", `"liberalRPPS": ["10003461034"]`, `"liberalRPPS": ["1000346103"]`, []string{"17 lignesImport[0].beneficiaires.liberalRPPS[0] JSON_CHAMP"}},
		{"a null identDMP with a direct DMP is refused", `"identDMP": ["10003461034"]`, `"identDMP": null`, []string{"22 lignesImport[0].scenariosEffectivementInstalles.identDMP JSON_CHAMP"}},
		{"an isDirectToDMP as a string is refused", `"isDirectToDMP": true`, `"isDirectToDMP": "true"`, []string{"21 lignesImport[0].scenariosEffectivementInstalles.isDirectToDMP JSON_INVALIDE"}},
		{"a null address with a direct MSS flow is refused", `"cabinet.lilas@medecin.mssante.fr"`, `null`, []string{"24 lignesImport[0].scenariosEffectivementInstalles.adresseBoiteMSSPro JSON_CHAMP"}},
		{"an empty address with a direct MSS flow is refused", `"cabinet.lilas@medecin.mssante.fr"`, `""`, []string{"24 lignesImport[0].scenariosEffectivementInstalles.adresseBoiteMSSPro JSON_CHAMP"}},
		{"an address with a flow not direct is refused", `"adresseBoiteMSSCitoyen": null`, `"adresseBoiteMSSCitoyen": "x@y.fr"`, []string{"26 lignesImport[0].scenariosEffectivementInstalles.adresseBoiteMSSCitoyen JSON_CHAMP"}},
		{"a dispositif field after the scenarios is accepted", "        \"adresseBoiteMSSCitoyen\": null\n      }\n", "        \"adresseBoiteMSSCitoyen\": null\n      },\n      \"typePrestation\": \"MAJ_VA2\"\n", nil},
		{"a dispositif field before the scenarios is refused", `"numLigne": 1,`, `"typePrestation": "x", "numLigne": 1,`, []string{"7 lignesImport[0].typePrestation JSON_INVALIDE"}},
		{"a key twice is refused", `"typeAction": "C",`, `"typeAction": "C", "typeAction": "C",`, []string{"8 lignesImport[0].typeAction JSON_INVALIDE"}},
		{"a missing facture is refused", "      \"facture\": {\n        \"dateFacture\": \"10/02/2023\",\n        \"montantSegurHTFacture\": 716.66\n      },\n", "", []string{"6 lignesImport[0].facture JSON_INVALIDE"}},
		{"swapped facture keys are refused", "\"dateFacture\": \"10/02/2023\",\n        \"montantSegurHTFacture\": 716.66", "\"montantSegurHTFacture\": 716.66,\n        \"dateFacture\": \"10/02/2023\"", []string{"13 lignesImport[0].facture.dateFacture JSON_INVALIDE"}},
		{"an empty lignesImport is refused", chkSolde[strings.Index(chkSolde, "\n    {"):strings.LastIndex(chkSolde, "  ]")], "\n", []string{"5 lignesImport JSON_CHAMP"}},
		{"a line that is not an object is refused", chkSolde[strings.Index(chkSolde, "\n    {"):strings.LastIndex(chkSolde, "  ]")], "\n  3\n", []string{"6 lignesImport[0] JSON_INVALIDE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := chkSolde
			if tt.old != "" {
				if !strings.Contains(data, tt.old) {
					t.Fatalf("the valid JSON does not hold %q", tt.old)
				}
				data = strings.Replace(data, tt.old, tt.new, 1)
			}
			s, ps := parseSolde("depot/x.json", []byte(data))
			var got []string
			for _, p := range ps {
				got = append(got, fmt.Sprintf("%d %s %s", p.Line, p.Field, p.Code))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
				for _, p := range ps {
					t.Log(p)
				}
			}
			if s == nil {
				t.Fatal("got a nil solde, want one")
			}
		})
	}
}

func TestParseSoldeLines(t *testing.T) {
	t.Parallel()
	s, ps := parseSolde("depot/x.json", []byte(chkSolde))
	if len(ps) != 0 {
		t.Fatalf("got %v, want no problem", ps)
	}
	want := []soldeLigne{{index: 0, line: 6, numero: "00042", asp: "FINMDV000042", date: "10/02/2023", montant: "716.66", aspLine: 9, dateLine: 12, montantLine: 13,
		ids: []string{"10003461034"}, extras: map[string]json.RawMessage{}, direct: [3]int8{1, 1, -1}}}
	if !s.readable || !reflect.DeepEqual(s.lignes, want) || s.numeroAns != "1234567890" || s.numeroAnsLine != 3 {
		t.Errorf("got %+v, want lines %+v and numéro ANS 1234567890 on line 3", s, want)
	}
}

func TestParseSoldeTooManyLines(t *testing.T) {
	t.Parallel()
	var ds []*dossier.Dossier
	for i := range 201 {
		ds = append(ds, &dossier.Dossier{
			Ref:     dossier.Ref{Dispositif: "MDV-LGC-Va1", NumeroEditeur: fmt.Sprintf("%05d", i+1), NumeroASP: fmt.Sprintf("FINMDV%06d", i+1)},
			Facture: dossier.Factures{Date: dossier.NewDate(2023, 2, 10), Segur: dossier.Montants{HT: decimal.RequireFromString("716.66")}},
			JSON:    dossier.LigneJSON{CommandePour: "LIBERAL", Beneficiaires: []string{"10003461034"}},
		})
	}
	var b bytes.Buffer
	if err := pack.WriteSolde(&b, "1234567890", "73282932000074", ds); err != nil {
		t.Fatal(err)
	}
	_, ps := parseSolde("depot/x.json", b.Bytes())
	got := chkSummary(ps)
	want := []string{"depot/x.json - lignesImport JSON_CHAMP"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFactureText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, amount string
		want               bool
	}{
		{"an amount with a plain space is found", "Total HT : 1 075,00 €", "1 075,00", true},
		{"an amount with no-break spaces is found", "Total HT : 1\u00a0075,00\u202f€", "1 075,00", true},
		{"an amount glued to € is found", "Total 716,66€", "716,66", true},
		{"an amount without € is not found", "Total 716,66 EUR", "716,66", false},
		{"the tail of a larger amount is not found", "Total 1 716,66 €", "716,66", false},
		{"an amount after another number is not found", "Total 3716,66 €", "716,66", false},
		{"a second occurrence is found", "1 716,66 € puis 716,66 €", "716,66", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ckHasAmount(ckNormalize(tt.text), tt.amount); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if !ckHasDate("du 10/02/2023.", "10/02/2023") || ckHasDate("110/02/2023", "10/02/2023") {
		t.Errorf("ckHasDate: got a wrong answer, want a date found only when not glued to digits")
	}
}

// TestFactureMentions: the facture must show each beneficiary of its JSON
// line, the completion date and, Va2, the prestation's libellé.
func TestFactureMentions(t *testing.T) {
	va2 := testRegistry(t).Get("MDV-LGC-Va2")
	full := "Bénéficiaire n° 1 Jean Dupont – RPPS 10003461034 Type de Prestation Ségur Mise à jour vague 2 Date de finalisation de la Prestation Ségur : 20/01/2023"
	extras := map[string]json.RawMessage{"typePrestation": json.RawMessage(`"MAJ_V2"`)}
	tests := []struct {
		name, text string
		ids        []string
		extras     map[string]json.RawMessage
		want       int
	}{
		{"a complete Va2 facture", full, []string{"10003461034"}, extras, 0},
		{"a missing RPPS", full, []string{"10003461034", "10100000008"}, extras, 1},
		{"an RPPS printed with spaces is found", strings.Replace(full, "10003461034", "100 034 610 34", 1), []string{"10003461034"}, extras, 0},
		{"no completion date", strings.Replace(full, "20/01/2023", "", 1), []string{"10003461034"}, extras, 1},
		{"the other prestation's libellé", strings.Replace(full, "Mise à jour vague 2", "Mise à jour vague 1 et vague 2", 1), []string{"10003461034"}, extras, 1},
		{"an unknown prestation code", full, []string{"10003461034"}, map[string]json.RawMessage{"typePrestation": json.RawMessage(`"MAJ_V9"`)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := factureMentionsManquantes(tt.text, tt.ids, tt.extras, va2)
			if len(got) != tt.want {
				t.Errorf("got %q, want %d message(s)", got, tt.want)
			}
		})
	}
}

func FuzzCheckJSON(f *testing.F) {
	f.Add([]byte(chkSolde))
	f.Add([]byte(`{"impId":null,"numeroAns":"1","siret":1,"lignesImport":[1,{"facture":{"montantSegurHTFacture":1e999999999}}]}`))
	f.Add([]byte(`{"lignesImport":[{"numLigne":"1","scenariosEffectivementInstalles":{"isDirectToDMP":true,"identDMP":[1]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, ps := parseSolde("depot/x.json", data)
		if s == nil {
			t.Fatal("got a nil solde, want one")
		}
		for _, p := range ps {
			if p.Line < 1 || p.Code == "" || p.Message == "" || p.Numero == "" {
				t.Fatalf("got an incomplete problem %+v", p)
			}
		}
		for _, l := range s.lignes {
			if l.montant != "" {
				_ = fr.Amount(l.montant)
			}
		}
	})
}

func testRegistry(tb testing.TB) *dossier.Registry {
	tb.Helper()
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		tb.Fatal(err)
	}
	return reg
}
