package tableur

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/asp"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/templates"
	"github.com/xuri/excelize/v2"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/encoding/charmap"
)

// checkRecords checks YAML records the way `segur validate` does (the
// fixtures' segur.yaml, the solde phase), and returns every error.
func checkRecords(t *testing.T, recs []*Record) []dossier.Problem {
	t.Helper()
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg, probs, err := dossier.LoadConfig("../fixtures/segur.yaml", reg, pdfops.Disk{})
	if err != nil || dossier.HasError(probs) {
		t.Fatal(err, probs)
	}
	var rs []*dossier.Record
	for _, r := range recs {
		if r.YAML == nil {
			t.Fatalf("%s: not written: %v", r.Numero, r.Problems)
		}
		rs = append(rs, dossier.Decode(r.FileName(), r.YAML)...)
	}
	opt := dossier.Options{Phase: dossier.PhaseSolde, DateDepot: time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC), Files: pdfops.Disk{Roots: nil}}
	var errs []dossier.Problem
	for _, d := range dossier.Check(cfg, reg, rs, opt) {
		for _, p := range d.Problems {
			if p.Level == dossier.Erreur {
				errs = append(errs, p)
			}
		}
	}
	return errs
}

// quarter makes n dossiers from the template's examples, each with its own
// numéro éditeur, ASP, BDC and facture numbers and its own identifiers
// (RPPS, FINESS, SIREN: new ones, with their Luhn key).
func quarter(t *testing.T, s *Spec, n int) [][]string {
	t.Helper()
	renumber := map[string]bool{"numero_editeur": true, "numero_asp": true, "commande.numero": true, "facture.numero": true}
	reID := regexp.MustCompile(`\b([0-9]{9}|[0-9]{11})\b`)
	var out [][]string
	for i := 0; i < n; i++ {
		ex := s.Examples[i%len(s.Examples)]
		ids := map[string]string{}
		for _, r := range s.Rows(&ex.Record) {
			r = slices.Clone(r)
			for j, c := range s.Columns {
				if renumber[c.Key] && r[j] != "" {
					head := strings.TrimRight(r[j], "0123456789")
					width := len(r[j]) - len(head)
					r[j] = fmt.Sprintf("%s%0*d", head, width, 100+i)
					continue
				}
				r[j] = reID.ReplaceAllStringFunc(r[j], func(id string) string {
					if _, ok := ids[id]; !ok {
						ids[id] = asp.LuhnDigit(fmt.Sprintf("%s%0*d", id[:2], len(id)-3, i*20+len(ids)+1))
					}
					return ids[id]
				})
			}
			out = append(out, r)
		}
	}
	return out
}

func header(s *Spec) []string {
	h := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		h[i] = c.Label
	}
	return h
}

func xlsxOf(t *testing.T, sheet string, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		for j, v := range r {
			if v != "" {
				if err := f.SetCellStr(sheet, fmt.Sprintf("%s%d", ColumnName(j+1), i+1), v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func csvOf(t *testing.T, sep rune, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = sep
	w.UseCRLF = true
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func spec(t *testing.T) *Spec {
	t.Helper()
	s, err := DefaultSpec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The template's examples import to records that dossier accepts, one per
// situation.
func TestTemplateImportsToValidRecords(t *testing.T) {
	s := spec(t)
	var buf bytes.Buffer
	if err := ModeleTableur(&buf); err != nil {
		t.Fatal(err)
	}
	res := Import("modele.xlsx", buf.Bytes())
	if len(res.Problems) > 0 || res.Blocked {
		t.Fatalf("problems: %v", res.Problems)
	}
	if len(res.Records) != len(s.Examples) {
		t.Fatalf("%d records, want %d", len(res.Records), len(s.Examples))
	}
	if errs := checkRecords(t, res.Records); len(errs) > 0 {
		t.Fatalf("dossier refuses the template's examples: %v", errs)
	}
	// The template has its drop-down lists and its help sheet.
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dvs, err := f.GetDataValidations(s.Sheet)
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]string{}
	for _, dv := range dvs {
		lists[dv.Sqref] = dv.Formula1
	}
	for j, c := range s.Columns {
		if c.Key == "dispositif" || c.Key == "client.type" || strings.HasPrefix(c.Key, "commande.scenario_prevu.") {
			col := ColumnName(j + 1)
			if got := lists[fmt.Sprintf("%s2:%s%d", col, col, templateRows)]; !strings.Contains(got, c.Values[0]) {
				t.Errorf("%s: no drop-down list (%q)", c.Key, got)
			}
		}
	}
	comments, err := f.GetComments(s.Sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(comments) < len(s.Columns) {
		t.Errorf("%d comments for %d columns", len(comments), len(s.Columns))
	}
	if !slices.Contains(f.GetSheetList(), s.HelpSheet) {
		t.Errorf("no help sheet: %v", f.GetSheetList())
	}
}

// A 30-dossier spreadsheet, as XLSX and as a Windows-1252 CSV of the same
// data, imports to the same records, which dossier accepts.
func TestThirtyDossiersXLSXAndWindows1252CSV(t *testing.T) {
	s := spec(t)
	rows := append([][]string{header(s)}, quarter(t, s, 30)...)
	x := Import("trimestre.xlsx", xlsxOf(t, "Commandes", rows))
	latin, err := charmap.Windows1252.NewEncoder().Bytes(csvOf(t, ';', rows))
	if err != nil {
		t.Fatal(err)
	}
	c := Import("trimestre.csv", latin)
	for _, res := range []*Result{x, c} {
		if len(res.Problems) > 0 {
			t.Fatalf("%s: %v", res.File, res.Problems)
		}
		if len(res.Records) != 30 || res.Ready() != 30 {
			t.Fatalf("%s: %d records, %d ready", res.File, len(res.Records), res.Ready())
		}
		if errs := checkRecords(t, res.Records); len(errs) > 0 {
			t.Fatalf("%s: %v", res.File, errs)
		}
	}
	if !strings.Contains(c.Encoding, "Windows-1252") || c.Separator != "« ; »" {
		t.Errorf("CSV read as %q, %q", c.Encoding, c.Separator)
	}
	for i := range x.Records {
		a, b := x.Records[i].YAML, c.Records[i].YAML
		// Only the comment naming the source differs.
		_, a, _ = bytes.Cut(a, []byte("\n"))
		_, b, _ = bytes.Cut(b, []byte("\n"))
		if !bytes.Equal(a, b) {
			t.Fatalf("record %d differs:\n%s\n---\n%s", i, a, b)
		}
	}
	if got := string(x.Records[2].YAML); !strings.HasPrefix(got, "# Importé par segur importer de trimestre.xlsx, feuille « Commandes », lignes 5, 6, 7.") {
		t.Errorf("source comment: %q", strings.SplitN(got, "\n", 2)[0])
	}
	// Written to a folder, then read by segur as files.
	dir := t.TempDir()
	ws, probs := Write(dir, x, false)
	if len(probs) > 0 || len(ws) != 30 {
		t.Fatal(probs, len(ws))
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) != 30 {
		t.Fatalf("%d files", len(files))
	}
}

// Ten broken cells give ten messages, each at its cell; the other dossiers
// are still written.
func TestTenBrokenCellsTenMessages(t *testing.T) {
	s := spec(t)
	rows := append([][]string{header(s)}, quarter(t, s, 12)...)
	col := func(key string) int {
		return slices.IndexFunc(s.Columns, func(c Column) bool { return c.Key == key })
	}
	type broken struct {
		row  int
		key  string
		val  string
		code string
	}
	cases := []broken{
		{1, "commande.date", "31/02/2022", "TABLEUR_DATE"},
		{1, "commande.montant_ht", "sept cents", "TABLEUR_MONTANT"},
		{2, "beneficiaires[].rpps", "1.07664766E+10", "TABLEUR_IDENTIFIANT_NOMBRE"},
		{3, "dispositif", "MDV-LGC-Va3", "TABLEUR_CHOIX"},
		{3, "commande.taux_tva", "19,6", "TABLEUR_TAUX"},
		{7, "client.siren", "52100554", "TABLEUR_ZEROS_PERDUS"},
		{7, "avance.mandataire", "peut-être", "TABLEUR_OUI_NON"},
		{9, "client.type", "libéral-ou-pas", "TABLEUR_CHOIX"},
		{10, "commande.scenario_prevu.dmp", "indirect", "TABLEUR_CHOIX"},
		{12, "facture.date", "2023-13-01", "TABLEUR_DATE"},
	}
	for _, b := range cases {
		j := col(b.key)
		if rows[b.row][j] == "" && b.key != "commande.montant_ht" {
			t.Fatalf("row %d has no %s to break", b.row, b.key)
		}
		rows[b.row][j] = b.val
	}
	for _, format := range []string{"xlsx", "csv"} {
		var data []byte
		if format == "xlsx" {
			data = xlsxOf(t, "Commandes", rows)
		} else {
			data = csvOf(t, ',', rows)
		}
		res := Import("casse."+format, data)
		if len(res.Problems) != len(cases) {
			t.Fatalf("%s: %d problems, want %d:\n%s", format, len(res.Problems), len(cases), joinProblems(res.Problems))
		}
		for i, b := range cases {
			p := res.Problems[i]
			cell := fmt.Sprintf("%s%d", ColumnName(col(b.key)+1), b.row+1)
			if p.Cell() != cell || p.Code != b.code || p.Header != s.Columns[col(b.key)].Label {
				t.Errorf("%s: problem %d = %s, want %s at %s", format, i, p, b.code, cell)
			}
			if !strings.Contains(p.String(), "cellule "+cell) {
				t.Errorf("message without its cell: %s", p)
			}
		}
		// The dossiers of rows 1, 3, 7, 9, 10, 12 are not written;
		// the others are.
		bad := map[string]bool{}
		for _, p := range res.Problems {
			bad[p.Numero] = true
		}
		if res.Ready() != len(res.Records)-len(bad) || res.Ready() == 0 {
			t.Errorf("%s: %d ready of %d, %d broken", format, res.Ready(), len(res.Records), len(bad))
		}
	}
}

func joinProblems(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

// The values staff type in a spreadsheet, and what they become.
func TestCellValues(t *testing.T) {
	cols := map[string]*Column{
		"montant": {Type: "montant"}, "taux": {Type: "taux", Values: []string{"20", "8.5", "0"}},
		"date": {Type: "date"}, "ident9": {Type: "identifiant", Digits: 9}, "oui": {Type: "oui-non"},
		"lignes": {Type: "lignes"}, "ids": {Type: "identifiants"}, "texte": {Type: "texte"},
	}
	for _, tc := range []struct {
		col, in, want, code string
	}{
		{"montant", "1 075,50 €", "1075.50", ""},
		{"montant", "716.6600000000001", "716.66", ""},
		{"montant", "716.665", "", "TABLEUR_MONTANT"},
		{"montant", "-3", "", "TABLEUR_MONTANT"},
		{"taux", "8,5", "8.5", ""},
		{"taux", "0.2", "20", ""},
		{"taux", "20 %", "20", ""},
		{"date", "03/10/2022", "2022-10-03", ""},
		{"date", "44837", "2022-10-03", ""},
		{"date", "2022-10-3", "2022-10-03", ""},
		{"date", "hier", "", "TABLEUR_DATE"},
		{"ident9", "052100554", `"052100554"`, ""},
		{"ident9", "52100554", "", "TABLEUR_ZEROS_PERDUS"},
		{"ident9", "0521-00554", "", "TABLEUR_IDENTIFIANT"},
		{"oui", "Oui", "true", ""},
		{"oui", "x", "true", ""},
		{"lignes", "3 rue des Lilas\n69003 Lyon", "[3 rue des Lilas, 69003 Lyon]", ""},
		{"lignes", "BP 12 | 69002 Lyon", "[BP 12, 69002 Lyon]", ""},
		{"ids", "10660451559, 10839956009;10003461034", `["10660451559", "10839956009", "10003461034"]`, ""},
		{"texte", "  Cabinet   des  Lilas ", "Cabinet des Lilas", ""},
		{"texte", "true", `"true"`, ""},
		{"texte", "0042", `"0042"`, ""},
	} {
		n, e := convert(cols[tc.col], tc.in, false)
		if tc.code != "" {
			if e == nil || e.code != tc.code {
				t.Errorf("%s %q: %v, want %s", tc.col, tc.in, e, tc.code)
			}
			continue
		}
		if e != nil {
			t.Errorf("%s %q: %s", tc.col, tc.in, e.msg)
			continue
		}
		out, err := yaml.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(out)); got != tc.want {
			t.Errorf("%s %q: %s, want %s", tc.col, tc.in, got, tc.want)
		}
	}
}

// The header names the columns: unknown, repeated or unnamed columns with
// data block the import (their data would be lost); several rows of one
// dossier must agree on its values.
func TestHeaderAndGroupProblems(t *testing.T) {
	s := spec(t)
	rows := append([][]string{header(s)}, quarter(t, s, 3)...)
	for _, tc := range []struct {
		name  string
		edit  func([][]string) [][]string
		codes []string
		block bool
	}{
		{"unknown column", func(r [][]string) [][]string { r[0][5] = "Date de comande"; return r }, []string{"TABLEUR_COLONNE_INCONNUE"}, true},
		{"repeated column", func(r [][]string) [][]string {
			for i := range r {
				r[i] = append(r[i], r[i][6])
			}
			return r
		}, []string{"TABLEUR_COLONNE_DOUBLE"}, true},
		{"no header", func(r [][]string) [][]string { return r[1:] }, []string{"TABLEUR_ENTETE"}, true},
		{"unnamed column", func(r [][]string) [][]string {
			for i := range r {
				r[i] = append(r[i], "")
			}
			r[2][len(r[2])-1] = "perdu"
			return r
		}, []string{"TABLEUR_COLONNE_SANS_ENTETE"}, true},
		{"diverging values", func(r [][]string) [][]string { r[2][5] = "BDC-AUTRE"; return r }, []string{"TABLEUR_VALEUR_DIVERGENTE"}, false},
		{"no numero", func(r [][]string) [][]string { r[1][0] = ""; return r }, []string{"TABLEUR_NUMERO_MANQUANT"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := make([][]string, len(rows))
			for i := range rows {
				r[i] = slices.Clone(rows[i])
			}
			res := Import("x.csv", csvOf(t, ';', tc.edit(r)))
			var codes []string
			for _, p := range res.Problems {
				codes = append(codes, p.Code)
			}
			if !slices.Equal(codes, tc.codes) || res.Blocked != tc.block {
				t.Fatalf("codes %v blocked %v, want %v %v", codes, res.Blocked, tc.codes, tc.block)
			}
			dir := t.TempDir()
			Write(dir, res, false)
			files, _ := os.ReadDir(dir)
			if tc.block && len(files) > 0 {
				t.Errorf("blocked import wrote %d files", len(files))
			}
			if !tc.block && len(files) == 0 {
				t.Errorf("nothing written")
			}
		})
	}
}

// An existing file is never replaced silently; the same bytes are left.
func TestWriteNeverOverwritesSilently(t *testing.T) {
	s := spec(t)
	rows := append([][]string{header(s)}, quarter(t, s, 2)...)
	res := Import("x.csv", csvOf(t, ';', rows))
	dir := t.TempDir()
	mine := filepath.Join(dir, res.Records[0].FileName())
	if err := os.WriteFile(mine, []byte("# à moi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ws, probs := Write(dir, res, false)
	if len(probs) != 1 || probs[0].Code != "TABLEUR_FICHIER_EXISTANT" || ws[0].Outcome != Kept || ws[1].Outcome != Written {
		t.Fatalf("%v %v", probs, ws)
	}
	if b, _ := os.ReadFile(mine); string(b) != "# à moi\n" {
		t.Fatal("file replaced")
	}
	ws, probs = Write(dir, res, false)
	if len(probs) != 1 || ws[1].Outcome != Unchanged {
		t.Fatalf("second run: %v %v", probs, ws)
	}
	ws, probs = Write(dir, res, true)
	if len(probs) != 0 || ws[0].Outcome != Replaced {
		t.Fatalf("replace: %v %v", probs, ws)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".segur-import-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// The column file agrees with the dispositifs and specialities segur knows.
func TestSpecAgreesWithTheData(t *testing.T) {
	s := spec(t)
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	_ = reg
	for _, c := range s.Columns {
		if c.Key == "dispositif" {
			for _, d := range c.Values {
				if _, err := templates.FS.Open("dispositifs/" + d + ".yaml"); err != nil {
					t.Errorf("dispositif %s: %v", d, err)
				}
			}
			ds, _ := filepath.Glob("../templates/dispositifs/*.yaml")
			if len(ds) != len(c.Values) {
				t.Errorf("%d dispositifs, %d in the drop-down list", len(ds), len(c.Values))
			}
		}
		if c.Key == "beneficiaires[].specialite" {
			data, _ := templates.FS.ReadFile("specialites.yaml")
			var sp struct {
				Valeurs []struct{ ID string } `yaml:"valeurs"`
			}
			if err := yaml.Unmarshal(data, &sp); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, v := range sp.Valeurs {
				ids = append(ids, v.ID)
			}
			if !slices.Equal(ids, c.Values) {
				t.Errorf("specialities %v, drop-down %v", ids, c.Values)
			}
		}
	}
}
