package tableur

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/segur-sons/segur/internal/fr"
	"go.yaml.in/yaml/v3"
)

// maxHeaderRow is how far down the header row is looked for (a title row
// or two may come first).
const maxHeaderRow = 10

// Record is one dossier read from the spreadsheet.
type Record struct {
	Numero string
	Rows   []int // the rows it comes from, from 1
	// YAML is the record as segur reads it, with a comment naming its
	// rows; nil when one of its cells is wrong (Problems says which).
	YAML     []byte
	Problems []Problem

	cells map[string]cellRef // record path → the cell it comes from
	first cellRef
}

type cellRef struct {
	row, col int
	header   string
}

// FileName is the name the record is written under: its numéro éditeur.
func (r *Record) FileName() string { return r.Numero + ".yaml" }

// Locate returns the cell a record field (beneficiaires[1].rpps, as
// dossier's problems name it) comes from, or the nearest enclosing one, or
// the dossier's first row.
func (r *Record) Locate(field string) (row, col int, header string) {
	for p := field; p != ""; p = parentPath(p) {
		if c, ok := r.cells[p]; ok {
			return c.row, c.col, c.header
		}
	}
	return r.first.row, r.first.col, r.first.header
}

func parentPath(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '.' || p[i] == '[' {
			return p[:i]
		}
	}
	return ""
}

// Result is what a spreadsheet gave.
type Result struct {
	File      string
	Sheet     string // "" for a CSV
	Encoding  string // CSV: the encoding found, for people
	Separator string // CSV: « ; », « , » or « tabulation »
	Records   []*Record
	// Problems is every problem, the records' included, in row order.
	Problems []Problem
	// Blocked is set when the header is wrong: no record is written.
	Blocked bool
}

// Source says where the records come from, for people: « commandes.csv
// (Windows-1252 / ISO-8859-1…, séparateur « ; ») ».
func (r *Result) Source() string {
	switch {
	case r.Sheet != "":
		return fmt.Sprintf("%s, feuille « %s »", r.File, r.Sheet)
	case r.Encoding != "":
		return fmt.Sprintf("%s (encodage %s, séparateur %s)", r.File, r.Encoding, r.Separator)
	}
	return r.File
}

// Ready counts the records that can be written.
func (r *Result) Ready() int {
	n := 0
	for _, rec := range r.Records {
		if rec.YAML != nil {
			n++
		}
	}
	return n
}

// Import reads a spreadsheet (XLSX or CSV, told by its bytes) named name
// with the embedded columns.
func Import(name string, data []byte) *Result {
	s, err := DefaultSpec()
	if err != nil {
		return &Result{File: name, Blocked: true, Problems: []Problem{{File: name, Code: "TABLEUR_ILLISIBLE", Message: err.Error()}}}
	}
	return s.Import(name, data)
}

// Import reads a spreadsheet with the columns of s.
func (s *Spec) Import(name string, data []byte) *Result {
	res := &Result{File: name}
	if int64(len(data)) > File.Max {
		res.Blocked = true
		res.Problems = []Problem{{File: name, Code: "TABLEUR_TROP_GRAND", Message: fmt.Sprintf("le fichier fait %s, au plus %s : répartissez les dossiers dans plusieurs fichiers", fr.Size(int64(len(data))), fr.Size(File.Max))}}
		return res
	}
	var g *grid
	var probs []Problem
	if isXLSX(data) {
		g, probs = readXLSX(name, data, s.Sheet)
	} else {
		g, probs = readCSV(name, data)
	}
	if g == nil {
		res.Blocked = true
		res.Problems = probs
		return res
	}
	res.Sheet, res.Encoding = g.sheet, g.encoding
	if g.sheet == "" {
		res.Separator = map[rune]string{';': "« ; »", ',': "« , »", '\t': "tabulation"}[g.sep]
	}
	im := &importer{spec: s, g: g, file: name}
	im.read()
	res.Blocked = im.blocked
	res.Records = im.records
	res.Problems = append(probs, im.probs...)
	for _, r := range im.records {
		if res.Blocked {
			r.YAML = nil
		}
		res.Problems = append(res.Problems, r.Problems...)
	}
	SortProblems(res.Problems)
	return res
}

type importer struct {
	spec    *Spec
	g       *grid
	file    string
	cols    []int // spreadsheet column (from 0) → spec column, -1 unused
	numCol  int   // spreadsheet column of numero_editeur
	header  int   // header row, from 0
	probs   []Problem
	blocked bool
	records []*Record
}

func (im *importer) problem(row, col int, code, format string, args ...any) Problem {
	p := Problem{File: im.file, Sheet: im.g.sheet, Row: row + 1, Code: code, Message: fmt.Sprintf(format, args...)}
	if col >= 0 {
		p.Col = col + 1
		if col < len(im.cols) && im.cols[col] >= 0 {
			p.Header = im.spec.Columns[im.cols[col]].Label
		} else if im.header < len(im.g.rows) && col < len(im.g.rows[im.header]) {
			p.Header = echo(strings.TrimSpace(im.g.rows[im.header][col]))
		}
	}
	return p
}

func (im *importer) cell(row, col int) string {
	if col < len(im.g.rows[row]) {
		return im.g.rows[row][col]
	}
	return ""
}

// findHeader picks the first row naming the numéro éditeur's column.
func (im *importer) findHeader() bool {
	for r := 0; r < len(im.g.rows) && r < maxHeaderRow; r++ {
		for _, h := range im.g.rows[r] {
			if i, ok := im.spec.column(h); ok && im.spec.Columns[i].Key == "numero_editeur" {
				im.header = r
				return true
			}
		}
	}
	return false
}

func (im *importer) read() {
	if !im.findHeader() {
		im.blocked = true
		im.probs = append(im.probs, Problem{File: im.file, Sheet: im.g.sheet, Code: "TABLEUR_ENTETE", Message: fmt.Sprintf("aucune ligne d'en-tête : la colonne « %s » est introuvable dans les %d premières lignes (partez du modèle : segur modele-tableur)", im.spec.Columns[im.spec.byName[normalize("numero_editeur")]].Label, maxHeaderRow)})
		return
	}
	im.mapHeader()
	groups := map[string]*Record{}
	for r := im.header + 1; r < len(im.g.rows); r++ {
		row := im.g.rows[r]
		if blank(row) {
			continue
		}
		rowProbs := im.checkCells(r)
		num := strings.TrimSpace(im.cell(r, im.numCol))
		if num == "" {
			im.probs = append(im.probs, im.problem(r, im.numCol, "TABLEUR_NUMERO_MANQUANT", "la ligne n'a pas de numéro éditeur : elle n'est rattachée à aucun dossier"))
			im.probs = append(im.probs, rowProbs...)
			continue
		}
		id, e := ident(&Column{}, num)
		if e != nil || len(id) > 20 {
			im.probs = append(im.probs, im.problem(r, im.numCol, "TABLEUR_NUMERO", "« %s » n'est pas un numéro éditeur : 1 à 20 lettres ou chiffres", echo(num)))
			im.probs = append(im.probs, rowProbs...)
			continue
		}
		rec := groups[id]
		if rec == nil {
			rec = &Record{Numero: id, cells: map[string]cellRef{}, first: cellRef{row: r + 1, col: im.numCol + 1, header: im.spec.Columns[im.cols[im.numCol]].Label}}
			groups[id] = rec
			im.records = append(im.records, rec)
		}
		rec.Rows = append(rec.Rows, r)
		for i := range rowProbs {
			rowProbs[i].Numero = id
		}
		rec.Problems = append(rec.Problems, rowProbs...)
	}
	for _, rec := range im.records {
		im.build(rec)
	}
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// checkCells reports the cells of row r too long or holding control
// characters; such a cell is not read further.
func (im *importer) checkCells(r int) []Problem {
	var out []Problem
	for c, v := range im.g.rows[r] {
		if len([]rune(v)) > MaxCell {
			out = append(out, im.problem(r, c, "TABLEUR_CELLULE_TROP_LONGUE", "la cellule contient plus de %d caractères", MaxCell))
			im.g.rows[r][c] = ""
			continue
		}
		if strings.ContainsFunc(v, func(x rune) bool {
			return (x < 0x20 && x != '\n' && x != '\r' && x != '\t') || x == 0x7f || x == 0xfffd
		}) {
			out = append(out, im.problem(r, c, "TABLEUR_CARACTERE_INTERDIT", "la cellule contient un caractère de contrôle ou illisible : « %s »", echo(v)))
			im.g.rows[r][c] = ""
		}
	}
	return out
}

// mapHeader ties each header cell to its column; an unknown, repeated or
// unnamed column with data blocks the import, since what it holds would be
// lost.
func (im *importer) mapHeader() {
	hdr := im.g.rows[im.header]
	width := 0
	for _, row := range im.g.rows {
		width = max(width, len(row))
	}
	im.cols = make([]int, width)
	seen := map[int]int{}
	for c := range im.cols {
		im.cols[c] = -1
		h := ""
		if c < len(hdr) {
			h = strings.TrimSpace(hdr[c])
		}
		if h == "" {
			if im.columnHasData(c) {
				im.blocked = true
				im.probs = append(im.probs, im.problem(im.header, c, "TABLEUR_COLONNE_SANS_ENTETE", "la colonne a des valeurs mais pas d'en-tête : donnez-lui le nom d'une colonne du modèle, ou videz-la"))
			}
			continue
		}
		i, ok := im.spec.column(h)
		if !ok {
			im.blocked = true
			msg := fmt.Sprintf("colonne inconnue « %s »", echo(h))
			if s := im.spec.suggestion(h); s != "" {
				msg += fmt.Sprintf(" (vouliez-vous dire « %s » ?)", s)
			}
			im.probs = append(im.probs, im.problem(im.header, c, "TABLEUR_COLONNE_INCONNUE", "%s ; les colonnes sont celles du modèle (segur modele-tableur)", msg))
			continue
		}
		if prev, dup := seen[i]; dup {
			im.blocked = true
			im.probs = append(im.probs, im.problem(im.header, c, "TABLEUR_COLONNE_DOUBLE", "la colonne « %s » est déjà en %s", im.spec.Columns[i].Label, ColumnName(prev+1)))
			continue
		}
		seen[i] = c
		im.cols[c] = i
		if im.spec.Columns[i].Key == "numero_editeur" {
			im.numCol = c
		}
	}
}

func (im *importer) columnHasData(c int) bool {
	for r := im.header + 1; r < len(im.g.rows); r++ {
		if strings.TrimSpace(im.cell(r, c)) != "" {
			return true
		}
	}
	return false
}

// build writes rec's YAML from its rows, in the order of the column file.
func (im *importer) build(rec *Record) {
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	bad := len(rec.Problems) > 0
	var benefs *yaml.Node
	// The spreadsheet columns, in the column file's order.
	order := make([]int, 0, len(im.cols))
	for i := range im.spec.Columns {
		for c, j := range im.cols {
			if j == i {
				order = append(order, c)
			}
		}
	}
	for _, c := range order {
		col := &im.spec.Columns[im.cols[c]]
		if col.beneficiary() {
			if benefs == nil {
				benefs = im.beneficiaries(rec, order, &bad)
				if benefs != nil {
					set(root, []string{"beneficiaires"}, benefs)
				}
			}
			continue
		}
		// A dossier's value: on any of its rows, the same if repeated.
		var val *yaml.Node
		var from, text string
		for _, r := range rec.Rows {
			v := strings.TrimSpace(im.cell(r, c))
			if v == "" {
				continue
			}
			n, e := convert(col, v, im.g.date1904)
			if e != nil {
				p := im.problem(r, c, e.code, "%s", e.msg)
				p.Numero = rec.Numero
				rec.Problems = append(rec.Problems, p)
				bad = true
				break
			}
			if val == nil {
				val, from, text = n, ColumnName(c+1)+strconv.Itoa(r+1), v
				rec.cells[col.Key] = cellRef{row: r + 1, col: c + 1, header: col.Label}
				continue
			}
			if !sameValue(val, n) {
				p := im.problem(r, c, "TABLEUR_VALEUR_DIVERGENTE", "« %s » diffère de « %s » donné en %s pour le même dossier", echo(v), echo(text), from)
				p.Numero = rec.Numero
				rec.Problems = append(rec.Problems, p)
				bad = true
				break
			}
		}
		if val != nil {
			set(root, strings.Split(col.Key, "."), val)
		}
	}
	if bad {
		return
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Importé par segur importer de %s, %s.\n", im.source(), rowList(rec.Rows))
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		p := Problem{File: im.file, Sheet: im.g.sheet, Row: rec.first.row, Numero: rec.Numero, Code: "TABLEUR_ILLISIBLE", Message: "le dossier ne s'écrit pas en YAML : " + err.Error()}
		rec.Problems = append(rec.Problems, p)
		return
	}
	if err := enc.Close(); err != nil { // flushes the last of the YAML
		p := Problem{File: im.file, Sheet: im.g.sheet, Row: rec.first.row, Numero: rec.Numero, Code: "TABLEUR_ILLISIBLE", Message: "le dossier ne s'écrit pas en YAML : " + err.Error()}
		rec.Problems = append(rec.Problems, p)
		return
	}
	rec.YAML = buf.Bytes()
}

func (im *importer) source() string {
	if im.g.sheet != "" {
		return fmt.Sprintf("%s, feuille « %s »", baseName(im.file), im.g.sheet)
	}
	return baseName(im.file)
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func rowList(rows []int) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = strconv.Itoa(r + 1)
	}
	if len(rows) == 1 {
		return "ligne " + parts[0]
	}
	return "lignes " + strings.Join(parts, ", ")
}

// beneficiaries makes one entry per row that fills a beneficiary column.
func (im *importer) beneficiaries(rec *Record, order []int, bad *bool) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, r := range rec.Rows {
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		path := fmt.Sprintf("beneficiaires[%d]", len(seq.Content))
		for _, c := range order {
			col := &im.spec.Columns[im.cols[c]]
			if !col.beneficiary() {
				continue
			}
			v := strings.TrimSpace(im.cell(r, c))
			if v == "" {
				continue
			}
			n, e := convert(col, v, im.g.date1904)
			if e != nil {
				p := im.problem(r, c, e.code, "%s", e.msg)
				p.Numero = rec.Numero
				rec.Problems = append(rec.Problems, p)
				*bad = true
				continue
			}
			key := strings.TrimPrefix(col.Key, benefPrefix)
			set(m, strings.Split(key, "."), n)
			rec.cells[path+"."+key] = cellRef{row: r + 1, col: c + 1, header: col.Label}
		}
		if len(m.Content) > 0 {
			rec.cells[path] = cellRef{row: r + 1}
			seq.Content = append(seq.Content, m)
		}
	}
	if len(seq.Content) == 0 {
		return nil
	}
	return seq
}

// set puts v at path under the mapping m, making the blocks on the way.
func set(m *yaml.Node, path []string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == path[0] {
			if len(path) == 1 {
				m.Content[i+1] = v
				return
			}
			set(m.Content[i+1], path[1:], v)
			return
		}
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: path[0]}
	if len(path) == 1 {
		m.Content = append(m.Content, k, v)
		return
	}
	child := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, k, child)
	set(child, path[1:], v)
}

func sameValue(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || a.Value != b.Value || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameValue(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}
