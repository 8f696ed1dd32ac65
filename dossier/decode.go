package dossier

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Date is a calendar date (ISO YYYY-MM-DD in the inputs), held at midnight UTC.
type Date struct{ time.Time }

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// ParseDate reads an ISO date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, err
	}
	return Date{t}, nil
}

// FR formats the date as 10/02/2023.
func (d Date) FR() string { return d.Format("02/01/2006") }

// ISO formats the date as 2023-02-10.
func (d Date) ISO() string { return d.Format("2006-01-02") }

// positions maps a field path (beneficiaires[1].rpps) to where its value
// stands in the input.
type positions map[string]Pos

// at returns where the value at path stands, or the nearest enclosing value
// that is present, or else.
func (ps positions) at(path string, orElse Pos) Pos {
	for p := path; p != ""; p = parentPath(p) {
		if pos, ok := ps[p]; ok {
			return pos
		}
	}
	return orElse
}

// decoder turns a yaml.Node tree into Go values, keeping the position of
// every value and collecting problems instead of stopping at the first one.
//
// Struct fields are named by their `yaml` tag; a `seg:"ident"` tag marks an
// identifier, which must be written as a string (an unquoted number is
// accepted only when it is plain digits, so nothing is lost).
type decoder struct {
	file  string
	pos   positions
	probs []Problem
	// aliased counts the nodes reached through aliases; past
	// maxAliasNodes the record is refused (ALIAS_EXCESSIF).
	aliased int
	tooMany bool
	// failed counts every problem found, kept or not: past
	// MaxProblemsPerRecord they are counted, not kept.
	failed int
	// misspelt: an unknown key close to a known one (Record.misspelt).
	misspelt bool
}

// maxAliasNodes bounds the nodes one record reaches through aliases: far
// above any real use (a repeated address block), far below a memory bomb.
const maxAliasNodes = 10000

// size counts the nodes under n, aliases followed, stopping past limit.
func size(n *yaml.Node, limit int) int {
	count := 0
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if count > limit {
			return
		}
		count++
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			walk(n.Alias)
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return count
}

var (
	typeDecimal = reflect.TypeOf(decimal.Decimal{})
	typeDate    = reflect.TypeOf(Date{})
	reAmount    = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)
	reDigits    = regexp.MustCompile(`^[0-9]+$`)
	reISODate   = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

func (d *decoder) at(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line, Col: n.Column} }

func (d *decoder) fail(n *yaml.Node, path, code, format string, args ...any) {
	d.add(Problem{Pos: d.at(n), Field: path, Code: code, Message: fmt.Sprintf(format, args...)})
}

// add keeps p, or only counts it past MaxProblemsPerRecord.
func (d *decoder) add(p Problem) {
	d.failed++
	if len(d.probs) < MaxProblemsPerRecord {
		d.probs = append(d.probs, p)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// kindName names a YAML node kind in French for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "un bloc de clés"
	case yaml.SequenceNode:
		return "une liste"
	}
	return fmt.Sprintf("la valeur « %s »", Echo(n.Value, 60))
}

// decode fills v (addressable) from n. ident marks identifier strings.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, ident bool) {
	if n.Kind == yaml.AliasNode {
		// An alias (*x) is decoded where it is used, and reported there;
		// what aliases make the decoder visit is bounded, so that a small
		// file of nested aliases cannot expand into gigabytes.
		use := n
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if d.tooMany {
			return
		}
		if d.aliased += size(n, maxAliasNodes-d.aliased); d.aliased > maxAliasNodes {
			d.tooMany = true
			d.fail(use, path, "ALIAS_EXCESSIF", "trop de valeurs répétées par des alias YAML (*) : plus de %d ; écrivez les valeurs sans alias", maxAliasNodes)
			return
		}
		c := *n
		c.Line, c.Column = use.Line, use.Column
		n = &c
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	d.pos[path] = d.at(n)
	if isNull(n) {
		return // absent value: zero, nil pointer, nil slice
	}
	t := v.Type()
	switch {
	case t == typeDecimal:
		d.decodeAmount(n, v, path)
		return
	case t == typeDate:
		d.decodeDate(n, v, path)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		nv := reflect.New(t.Elem())
		before := d.failed
		d.decode(n, nv.Elem(), path, ident)
		// A scalar that failed stays nil, so no rule reports it a second
		// time (e.g. a malformed amount read as 0); a block is kept.
		if d.failed == before || (t.Elem().Kind() == reflect.Struct && t.Elem() != typeDecimal && t.Elem() != typeDate) {
			v.Set(nv)
		}
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "TYPE_INVALIDE", "une liste est attendue, pas %s", kindName(n))
			return
		}
		if len(n.Content) > maxListItems {
			// Not decoded at all: a 400,000-item list would otherwise
			// take gigabytes and print as many messages.
			d.fail(n, path, "LISTE_TROP_LONGUE", "liste de %d éléments : au plus %d dans un enregistrement", len(n.Content), maxListItems)
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i), ident)
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "TYPE_INVALIDE", "un texte est attendu, pas %s", kindName(n))
			return
		}
		if ident && n.Tag != "!!str" && !reDigits.MatchString(n.Value) {
			d.fail(n, path, "IDENTIFIANT_TYPE", "« %s » n'est pas un identifiant lisible sans perte : écrivez-le entre guillemets", Echo(n.Value, 60))
			return
		}
		if !d.lengthOK(n, path) {
			return
		}
		v.SetString(strings.TrimSpace(n.Value))
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.fail(n, path, "TYPE_INVALIDE", "true ou false est attendu, pas %s", kindName(n))
			return
		}
		b, _ := strconv.ParseBool(n.Value) // a !!bool scalar: YAML resolved it as one
		v.SetBool(b)
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || !reDigits.MatchString(n.Value) {
			d.fail(n, path, "TYPE_INVALIDE", "un nombre entier positif est attendu, pas %s", kindName(n))
			return
		}
		i, err := strconv.Atoi(n.Value)
		if err != nil {
			d.fail(n, path, "TYPE_INVALIDE", "« %s » est un nombre trop grand", Echo(n.Value, 60))
			return
		}
		v.SetInt(int64(i))
	default:
		// Only the types above are used by the record and config structs.
		d.fail(n, path, "TYPE_INVALIDE", "valeur non prise en charge")
	}
}

func (d *decoder) decodeAmount(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode || !reAmount.MatchString(n.Value) {
		d.fail(n, path, "MONTANT_FORMAT", "« %s » n'est pas un montant en euros positif avec au plus 2 décimales (ex. 1075.50)", Echo(strings.TrimSpace(n.Value), 60))
		return
	}
	amt, err := decimal.NewFromString(n.Value)
	if err != nil {
		d.fail(n, path, "MONTANT_FORMAT", "« %s » n'est pas un montant lisible", Echo(n.Value, 60))
		return
	}
	v.Set(reflect.ValueOf(amt))
}

func (d *decoder) decodeDate(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.ScalarNode && reISODate.MatchString(n.Value) {
		if dt, err := ParseDate(n.Value); err == nil {
			v.Set(reflect.ValueOf(dt))
			return
		}
	}
	d.fail(n, path, "DATE_FORMAT", "« %s » n'est pas une date au format AAAA-MM-JJ (ex. 2023-02-10)", Echo(strings.TrimSpace(n.Value), 60))
}

// fieldInfo is a struct field as seen from YAML.
type fieldInfo struct {
	index int
	name  string
	ident bool
}

var fieldCache sync.Map // reflect.Type → []fieldInfo

func fieldsOf(t reflect.Type) []fieldInfo {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]fieldInfo)
	}
	var fs []fieldInfo
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		fs = append(fs, fieldInfo{index: i, name: name, ident: f.Tag.Get("seg") == "ident"})
	}
	fieldCache.Store(t, fs)
	return fs
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "TYPE_INVALIDE", "un bloc de clés est attendu, pas %s", kindName(n))
		return
	}
	fs := fieldsOf(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		if line, dup := seen[key]; dup {
			d.fail(k, join(path, key), "CHAMP_DOUBLE", "la clé « %s » est déjà donnée ligne %d", key, line)
			continue
		}
		seen[key] = k.Line
		var fi *fieldInfo
		for j := range fs {
			if fs[j].name == key {
				fi = &fs[j]
				break
			}
		}
		if fi == nil {
			msg := fmt.Sprintf("clé inconnue « %s »", key)
			if s := suggest(key, fs); s != "" {
				msg += fmt.Sprintf(" (vouliez-vous dire « %s » ?) ; les règles du dossier seront vérifiées une fois la clé corrigée", s)
				d.misspelt = true
			}
			d.add(Problem{Pos: d.at(k), Field: join(path, key), Code: "CHAMP_INCONNU", Message: msg})
			continue
		}
		d.decode(val, v.Field(fi.index), join(path, key), fi.ident)
	}
}

// suggest returns the known key closest to key, when close enough to be a typo.
func suggest(key string, fs []fieldInfo) string {
	best, bestD := "", 3
	for _, f := range fs {
		if dist := levenshtein(key, f.name); dist < bestD {
			best, bestD = f.name, dist
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
