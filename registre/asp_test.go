package registre

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/segur-sons/segur/asp"
)

func TestImportASPSample(t *testing.T) {
	c := newClock()
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), c)
	for _, f := range []string{"retour-avance.json", "retour-solde.json"} {
		data, err := os.ReadFile(filepath.Join("..", "fixtures", "asp", f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.ImportASP(ctx(), bytes.NewReader(data), f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	want := map[string]struct {
		asp  string
		etat Etat
		code string
	}{
		"00042": {"FINMDV000042", SoldeDepose, ""},
		"00045": {"FINMDV000045", SoldeDepose, ""},
		"00046": {"FINMDV000046", Rejete, "ERR_MONTANT"},
		"00053": {"FINMDV000053", AvancePayee, ""},
		"00054": {"", Rejete, "ERR_SIRET"},
	}
	st, err := r.States()
	if err != nil || len(st) != len(want) {
		t.Fatalf("states %+v %v", st, err)
	}
	for _, s := range st {
		w := want[s.Dossier]
		if s.NumeroASP != w.asp || s.Etat != w.etat || s.Code != w.code || s.File == "" || s.Command != "asp importer" {
			t.Errorf("%s: %+v, want %+v", s.Dossier, s, w)
		}
		if s.Etat == Rejete && s.Label == "" {
			t.Errorf("%s: rejected without the ASP's label", s.Dossier)
		}
	}
	// Importing the same answer again changes no numéro; one with another
	// numéro for a known dossier records nothing at all.
	data, _ := os.ReadFile(filepath.Join("..", "fixtures", "asp", "retour-solde.json"))
	other := bytes.Replace(data, []byte("FINMDV000045"), []byte("FINMDV000099"), 1)
	other = bytes.Replace(other, []byte(`"numeroEditeur": "00042"`), []byte(`"numeroEditeur": "00043"`), 1)
	_, err = r.ImportASP(ctx(), bytes.NewReader(other), "autre.json")
	if codeOf(err) != CodeNumeroASPDifferent || !strings.Contains(err.Error(), "autre.json:") {
		t.Fatalf("different numéro: %v", err)
	}
	if n, _ := r.NumeroASP("00043"); n != "" {
		t.Error("a refused import recorded a line")
	}
}

func TestParseRetourASPRefuses(t *testing.T) {
	line := func(fields string) string {
		return `{"impId": 1, "numeroAns": "2201140317", "siret": "74784908100019", "lignesImport": [
  ` + fields + `
]}`
	}
	ok := `{"numLigne": 1, "numeroEditeur": "00042", "numeroASP": "FINMDV000042", "codeTraitement": null, "libelleTraitement": null}`
	if r, err := ParseRetourASP([]byte(line(ok))); err != nil || len(r.Lines) != 1 || r.Lines[0].Line != 2 || r.Lines[0].Phase != PhaseAvance {
		t.Fatalf("valid: %+v %v", r, err)
	}
	for _, tc := range []struct {
		name, src, want string
	}{
		{"not json", "numeroEditeur;numeroASP\n00042;FIN", "ligne 1"},
		{"array", `[]`, "objet JSON"},
		{"truncated", line(ok)[:60], "tronqué"},
		{"unknown key", `{"impId": 1, "numeroAns": "2201140317", "siret": "74784908100019", "lignes": []}`, "« lignes » inconnue"},
		{"twice", `{"siret": "74784908100019", "siret": "74784908100019"}`, "deux fois"},
		{"missing lines", `{"numeroAns": "2201140317", "siret": "74784908100019"}`, "lignesImport » absente"},
		{"bad siret", `{"siret": "123"}`, "14 chiffres"},
		{"siret number", `{"siret": 74784908100019}`, "texte"},
		{"bad ans", `{"numeroAns": "12"}`, "10 chiffres"},
		{"lines object", `{"lignesImport": {}}`, "liste"},
		{"line not object", line(`1`), "ligne 2"},
		{"no numLigne", line(`{"numeroEditeur": "00042", "numeroASP": "FINMDV000042"}`), "numLigne absent"},
		{"numLigne zero", line(`{"numLigne": 0, "numeroEditeur": "00042", "numeroASP": "FINMDV000042"}`), "entier"},
		{"bad editeur", line(`{"numLigne": 1, "numeroEditeur": "00 42", "numeroASP": "FINMDV000042"}`), "numeroEditeur « 00 42 »"},
		{"bad numero asp", line(`{"numLigne": 1, "numeroEditeur": "00042", "numeroASP": "ASP-42"}`), "FIN, trois lettres"},
		{"untreated", line(`{"numLigne": 1, "numeroEditeur": "00042", "numeroASP": null, "codeTraitement": null}`), "pas été traitée"},
		{"label alone", line(`{"numLigne": 1, "numeroEditeur": "00042", "numeroASP": "FINMDV000042", "libelleTraitement": "x"}`), "sans codeTraitement"},
		{"code object", line(`{"numLigne": 1, "numeroEditeur": "00042", "codeTraitement": {}}`), "codeTraitement"},
		{"dup numLigne", line(ok + ",\n  " + strings.Replace(ok, "00042", "00043", 1)), "numLigne 1 donné deux fois"},
		{"dup dossier", line(ok + ",\n  " + strings.Replace(ok, `"numLigne": 1`, `"numLigne": 2`, 1)), "déjà à la ligne 1"},
		{"trailing", line(ok) + " {}", "après la fin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRetourASP([]byte(tc.src))
			if err == nil {
				t.Fatal("accepted")
			}
			if codeOf(err) != CodeRetourASP || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "ligne ") {
				t.Errorf("%v, want %q", err, tc.want)
			}
		})
	}
}

func TestImportASPMalformedRecordsNothing(t *testing.T) {
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), newClock())
	src := `{"numeroAns": "2201140317", "siret": "74784908100019", "lignesImport": [
  {"numLigne": 1, "numeroEditeur": "00042", "numeroASP": "FINMDV000042"},
  {"numLigne": 2, "numeroEditeur": "00043", "numeroASP": "nope"}
]}`
	_, err := r.ImportASP(ctx(), strings.NewReader(src), "retour.json")
	if codeOf(err) != CodeRetourASP || !strings.HasPrefix(err.Error(), "retour.json : ligne 3 :") {
		t.Fatalf("%v", err)
	}
	if st, _ := r.States(); len(st) != 0 {
		t.Errorf("recorded %+v", st)
	}
	big := strings.NewReader(strings.Repeat(" ", MaxRetourASP+1))
	if _, err := r.ImportASP(ctx(), big, "gros.json"); codeOf(err) != CodeRetourASP {
		t.Errorf("too big: %v", err)
	}
}

// FuzzParseRetourASP: any input gives a result or a French error with a
// line, never a panic; a result's lines are well formed.
func FuzzParseRetourASP(f *testing.F) {
	for _, name := range []string{"retour-avance.json", "retour-solde.json"} {
		data, err := os.ReadFile(filepath.Join("..", "fixtures", "asp", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"lignesImport": [1, {}]}`))
	f.Add([]byte(`{"numeroAns": null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRetourASP(data)
		if err != nil {
			if codeOf(err) != CodeRetourASP || !strings.Contains(err.Error(), "ligne ") {
				t.Fatalf("error without code or line: %v", err)
			}
			return
		}
		for _, l := range r.Lines {
			if l.NumeroEditeur == "" || l.Line < 1 || (l.NumeroASP == "" && !l.Rejected()) {
				t.Fatalf("bad line %+v", l)
			}
		}
	})
}

// Every key ImportASP reads from a line of the ASP's answer is one package
// asp names: the format is described there once.
func TestRetourLineKeysAreASPs(t *testing.T) {
	known := append(slices.Clone(asp.LineKeys), asp.KeyCodeTraitement, asp.KeyLibelleTraitement)
	rt := reflect.TypeOf(retourLine{})
	for i := range rt.NumField() {
		key, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if !slices.Contains(known, key) {
			t.Errorf("retourLine.%s reads %q, a key package asp does not name", rt.Field(i).Name, key)
		}
	}
}
