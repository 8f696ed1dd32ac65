package dossier

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/templates"
)

// aliasBomb is a record of about 20 KB whose aliases expand into n×n
// values: a list of n RPPS, and n beneficiaries each naming that list.
func aliasBomb(n int) []byte {
	var b strings.Builder
	b.WriteString("dispositif: MDV-LGC-Va1\nnumero_editeur: \"00042\"\nmodeles:\n  rpps: &s [")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\"1\"")
	}
	b.WriteString("]\n  b: &b {rpps_medecins: *s}\nbeneficiaires: [")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("*b")
	}
	b.WriteString("]\n")
	return []byte(b.String())
}

// TestAliasBombIsBounded (issue #10, case 5): 20 KB of aliases expanding
// into millions of values is refused with a coded error, in bounded time
// and memory.
func TestAliasBombIsBounded(t *testing.T) {
	data := aliasBomb(maxListItems)
	if len(data) > 25000 {
		t.Fatalf("the bomb is %d bytes", len(data))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	recs := Decode("bombe.yaml", data)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	if len(recs) != 1 {
		t.Fatalf("got %d records", len(recs))
	}
	var found *Problem
	for i, p := range recs[0].Problems {
		if p.Code == "ALIAS_EXCESSIF" {
			found = &recs[0].Problems[i]
		}
	}
	if found == nil {
		t.Fatalf("no ALIAS_EXCESSIF among %d problems", len(recs[0].Problems))
	}
	// Reported where the alias is used (line 5), not at the anchor.
	if found.Pos.Line != 5 {
		t.Errorf("ALIAS_EXCESSIF at line %d, want 5 (the use)", found.Pos.Line)
	}
	if allocated > 64<<20 || took > 5*time.Second {
		t.Errorf("decoding the bomb allocated %d MiB in %s; want < 64 MiB, < 5 s", allocated>>20, took)
	}
	t.Logf("alias bomb of %d bytes: %d MiB allocated, %s", len(data), allocated>>20, took)
}

// TestAliasErrorAtTheUse (case 13): a bad value reached through an alias
// is reported at the line of the alias, not of the anchor.
func TestAliasErrorAtTheUse(t *testing.T) {
	data := []byte("modeles:\n  m: &m pas-un-montant\ndispositif: MDV-LGC-Va1\nnumero_editeur: \"00042\"\nfacture:\n  montant_ht: *m\n")
	recs := Decode("alias.yaml", data)
	for _, p := range recs[0].Problems {
		if strings.HasPrefix(p.Field, "facture") {
			if p.Pos.Line != 6 {
				t.Errorf("%s reported at line %d, want 6: %s", p.Field, p.Pos.Line, p)
			}
			return
		}
	}
	t.Errorf("no problem on facture: %v", fmt.Sprint(recs[0].Problems))
}

// TestSyntaxErrorsAtTheirLine (case 13): a NUL byte, a bad indentation.
func TestSyntaxErrorsAtTheirLine(t *testing.T) {
	var long strings.Builder
	long.WriteString("dispositif: MDV-LGC-Va1\nclient:\n  nom: Cabinet\n")
	for i := 4; i < 34; i++ {
		fmt.Fprintf(&long, "  k%d: v\n", i)
	}
	withNUL := long.String() + "  bad: x\x00y\n"
	cases := []struct {
		name, text string
		line, col  int
		code       string
	}{
		{"NUL", withNUL, 34, 9, "CARACTERE_INTERDIT"},
		{"indentation", "dispositif: MDV-LGC-Va1\nrealisation:\n  pieces:\n    - a.pdf\n    - b.pdf\n   - c.pdf\n", 6, 0, "YAML_SYNTAXE"},
	}
	for _, tc := range cases {
		recs := Decode("f.yaml", []byte(tc.text))
		if len(recs) != 1 || len(recs[0].Problems) != 1 {
			t.Fatalf("%s: %v", tc.name, recs)
		}
		p := recs[0].Problems[0]
		if p.Code != tc.code || p.Pos.Line != tc.line || (tc.col != 0 && p.Pos.Col != tc.col) {
			t.Errorf("%s: got %s at %d:%d, want %s at %d:%d", tc.name, p.Code, p.Pos.Line, p.Pos.Col, tc.code, tc.line, tc.col)
		}
	}
}

// TestLongValuesAndControlCharacters (cases 11 and 13): a 1 MB client name
// is refused in validate, echoed short; control characters are escaped.
func TestLongValuesAndControlCharacters(t *testing.T) {
	long := strings.Repeat("Cabinet médical ", 65536)
	recs := Decode("f.yaml", []byte("dispositif: MDV-LGC-Va1\nclient:\n  nom: \""+long+"\"\nfacture:\n  date: \"2023\\u0007-01\"\n"))
	var codes []string
	for _, p := range recs[0].Problems {
		codes = append(codes, p.Code)
		if len(p.Message) > 400 {
			t.Errorf("%s: message of %d bytes", p.Code, len(p.Message))
		}
		if strings.ContainsRune(p.Message, 7) {
			t.Errorf("%s: raw control character in %q", p.Code, p.Message)
		}
	}
	joined := strings.Join(codes, " ")
	if !strings.Contains(joined, "VALEUR_TROP_LONGUE") || !strings.Contains(joined, "DATE_FORMAT") {
		t.Errorf("codes: %v", codes)
	}
	if got := Echo("a\x07b\nc", 10); got != `aU+0007b\nc` {
		t.Errorf("Echo: %q", got)
	}
}

// TestTypoIsNotARemoval (case 13): one digit of an RPPS mistyped at the
// solde is called a typing mistake, with the digit, never advised away; the
// same RPPS twice in one dossier is not « déjà financé dans un autre
// dossier ».
func TestTypoIsNotARemoval(t *testing.T) {
	cases := []struct {
		name, beneficiaires, want, banned string
	}{
		{"one digit", "beneficiaires:\n  - {rpps: \"10003461035\", nom: Dupont}\n  - {rpps: \"10100000008\", nom: Bernard}", "11e chiffre : 5 au lieu de 4", "retirez-le"},
		{"two digits swapped", "beneficiaires:\n  - {rpps: \"10003461043\", nom: Dupont}\n  - {rpps: \"10100000008\", nom: Bernard}", "inversés", "retirez-le"},
		{"twice in one dossier", "beneficiaires:\n  - {rpps: \"10003461034\", nom: Dupont}\n  - {rpps: \"10003461034\", nom: Dupont}\n  - {rpps: \"10100000008\", nom: Bernard}", "deux fois dans ce dossier", "autre dossier"},
	}
	for _, tc := range cases {
		ds := checkYAML(t, PhaseSolde, record(map[string]string{"beneficiaires": tc.beneficiaires}))
		var all []string
		for _, p := range ds[0].Problems {
			all = append(all, p.Code+": "+p.Message)
		}
		text := strings.Join(all, "\n")
		if !strings.Contains(text, tc.want) || strings.Contains(text, tc.banned) {
			t.Errorf("%s: want %q and no %q in:\n%s", tc.name, tc.want, tc.banned, text)
		}
	}
}

// TestFinessTypoIsNotATakeover (case 13): one digit of a FINESS géo
// mistyped at the solde does not advise declaring a takeover.
func TestFinessTypoIsNotATakeover(t *testing.T) {
	ds := checkYAML(t, PhaseSolde, record(map[string]string{
		"client": structureClient, "beneficiaires": strings.Replace(structureSites, `"010000032"`, `"010000033"`, 1),
		"avance": structureAvance}))
	var all []string
	for _, p := range ds[0].Problems {
		all = append(all, p.Code+": "+p.Message)
	}
	text := strings.Join(all, "\n")
	if !strings.Contains(text, "IDENTIFIANT_FAUTE_FRAPPE") || strings.Contains(text, "reprise") {
		t.Errorf("want a typing mistake and no takeover advice in:\n%s", text)
	}
}

// TestHostileRecordsAreBoundedBySize (issue #22, item 4): small records
// that used to take memory and messages without bound — a 400,000-item
// list, thousands of unknown keys, a document of a million values, a file
// of thousands of bad records, an alias bomb followed by the rules'
// messages on what it left out — each give a bounded number of problems,
// the rest counted.
func TestHostileRecordsAreBoundedBySize(t *testing.T) {
	list := func(n int) string {
		return "dispositif: MDV-LGC-Va1\nnumero_editeur: \"00999\"\nbeneficiaires: [" + strings.TrimSuffix(strings.Repeat("1,", n), ",") + "]\n"
	}
	var keys strings.Builder
	keys.WriteString("dispositif: MDV-LGC-Va1\n")
	for i := range 5000 {
		fmt.Fprintf(&keys, "inconnue%d: 1\n", i)
	}
	cases := []struct {
		name, text string
		records    int
		want       []string // codes
		wantText   string
	}{
		{"liste de 40 000", list(40_000), 1, []string{"LISTE_TROP_LONGUE"}, "40000 éléments"},
		{"liste de 400 000", list(400_000), 1, []string{"ENREGISTREMENT_TROP_GRAND"}, ""},
		{"5000 clés inconnues", keys.String(), 1, []string{"CHAMP_INCONNU", "PROBLEMES_NOMBREUX"}, "autres problèmes dans cet enregistrement"},
		{"un million de valeurs", "a: [" + strings.Repeat("[],", 1_000_000) + "]\n", 1, []string{"ENREGISTREMENT_TROP_GRAND"}, ""},
		{"30 000 petits enregistrements", strings.Repeat("a: 1\n---\n", 30_000), 0, []string{"PROBLEMES_NOMBREUX"}, "autres documents du fichier non lus"},
		{"bombe d'alias", string(aliasBomb(maxListItems)), 1, []string{"ALIAS_EXCESSIF"}, ""},
	}
	reg, err := LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg, probs := ParseConfig("segur.yaml", []byte(testConfig), reg, testFiles)
	if len(probs) > 0 {
		t.Fatalf("test config: %v", probs)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hostile.yaml")
			os.WriteFile(path, []byte(tc.text), 0o644)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			ds := CheckFiles(cfg, reg, []string{path}, Options{Phase: PhaseSolde, Files: testFiles})
			runtime.ReadMemStats(&after)
			if tc.records > 0 && len(ds) != tc.records {
				t.Errorf("%d dossiers, want %d", len(ds), tc.records)
			}
			var all []Problem
			codes := map[string]bool{}
			for _, d := range ds {
				if len(d.Problems) > MaxProblemsPerRecord+1 {
					t.Errorf("%d problems kept for one record", len(d.Problems))
				}
				if !d.Blocked() {
					t.Errorf("a hostile record is not blocked")
				}
				all = append(all, d.Problems...)
				for _, p := range d.Problems {
					codes[p.Code] = true
				}
			}
			if len(all) > MaxProblemsPerFile+MaxProblemsPerRecord+2 {
				t.Errorf("%d problems for the file", len(all))
			}
			for _, c := range tc.want {
				if !codes[c] {
					t.Errorf("no %s among %d problems: %v", c, len(all), all[:min(len(all), 5)])
				}
			}
			if tc.name == "bombe d'alias" && len(all) > 3 {
				t.Errorf("the alias bomb gives %d problems, want it refused alone: %v", len(all), all)
			}
			if tc.wantText != "" && !slices.ContainsFunc(all, func(p Problem) bool { return strings.Contains(p.Message, tc.wantText) }) {
				t.Errorf("no problem says %q: %v", tc.wantText, all[len(all)-1])
			}
			if grew := after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc); grew > 64<<20 {
				t.Errorf("%d MiB held after the check", grew>>20)
			}
		})
	}
}
