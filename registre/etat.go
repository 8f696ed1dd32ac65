package registre

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one dated change of a dossier's state.
type Event struct {
	Etat    Etat
	Code    string // the ASP's code, for a rejection
	Label   string // the ASP's label, for a rejection
	At      time.Time
	Command string
	File    string
}

// Status is a dossier's current state.
type Status struct {
	Dossier    string
	Dispositif string
	NumeroASP  string
	Event      // the last change; zero Etat when none is recorded
}

// States lists every dossier the registre knows with its current state,
// by numéro éditeur.
func (r *Registre) States() ([]Status, error) {
	rows, err := r.db.Query(`SELECT d.numero, d.dispositif, d.numero_asp, coalesce(e.etat, ''), coalesce(e.code, ''), coalesce(e.libelle, ''), coalesce(e.le, ''), coalesce(e.commande, ''), coalesce(e.fichier, '')
		FROM dossiers d LEFT JOIN etats e ON e.id = (SELECT max(id) FROM etats WHERE dossier = d.numero)
		ORDER BY d.numero`)
	if err != nil {
		return nil, r.classify(err)
	}
	defer rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
	var out []Status
	for rows.Next() {
		var s Status
		var etat, le string
		if err := rows.Scan(&s.Dossier, &s.Dispositif, &s.NumeroASP, &etat, &s.Code, &s.Label, &le, &s.Command, &s.File); err != nil {
			return nil, r.classify(err)
		}
		s.Etat, s.At = Etat(etat), parseStamp(le)
		out = append(out, s)
	}
	return out, rows.Err()
}

// History lists the dossier's changes of state, oldest first (nil when the
// registre does not know it).
func (r *Registre) History(dossier string) ([]Event, error) {
	return history(r.db, r, dossier)
}

// History is the dossier's history as the transaction sees it: the
// changes it made included.
func (t *Tx) History(dossier string) ([]Event, error) {
	if err := t.lock(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	return history(t.tx, t.r, dossier)
}

func history(q querier, r *Registre, dossier string) ([]Event, error) {
	rows, err := q.Query("SELECT etat, code, libelle, le, commande, fichier FROM etats WHERE dossier = ? ORDER BY id", dossier)
	if err != nil {
		return nil, r.classify(err)
	}
	defer rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
	var out []Event
	for rows.Next() {
		var e Event
		var etat, le string
		if err := rows.Scan(&etat, &e.Code, &e.Label, &le, &e.Command, &e.File); err != nil {
			return nil, r.classify(err)
		}
		e.Etat, e.At = Etat(etat), parseStamp(le)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Documents lists the documents issued for dossier (without their bytes),
// oldest first, cancelled ones included.
func (r *Registre) Documents(dossier string) ([]Document, error) {
	rows, err := r.db.Query(`SELECT d.dossier, d.type, d.role, d.numero, d.date, d.fournisseur, d.signataire, d.emis_le, d.sha256,
		coalesce((SELECT a.numero FROM documents a WHERE a.id = d.annule_par), ''),
		coalesce((SELECT f.numero FROM documents f WHERE f.annule_par = d.id AND f.type = 'FACTURE'), '')
		FROM documents d WHERE d.dossier = ? ORDER BY d.id`, dossier)
	if err != nil {
		return nil, r.classify(err)
	}
	defer rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
	var out []Document
	for rows.Next() {
		var d Document
		var emis string
		if err := rows.Scan(&d.Dossier, &d.Kind, &d.Role, &d.Numero, &d.Date, &d.Fournisseur, &d.Signataire, &emis, &d.SHA256, &d.CancelledBy, &d.Cancels); err != nil {
			return nil, r.classify(err)
		}
		d.EmisLe = parseStamp(emis)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Canonical returns v as canonical JSON (keys sorted, no spaces): what
// Document.Entrees holds, so that equal inputs give equal bytes.
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	// The members of each object put in key order, every other byte as
	// json.Marshal wrote it: what decoding and encoding again gives
	// (TestCanonicalAsDecodedAgain), without building the values.
	c := canonicalizer{raw: raw, out: make([]byte, 0, len(raw))}
	if c.value() && c.p == len(raw) {
		return c.out, nil
	}
	return canonicalSlow(raw)
}

// canonicalSlow decodes raw and encodes it again: encoding/json writes
// map keys sorted.
func canonicalSlow(raw []byte) ([]byte, error) {
	var x any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	// encoding/json writes map keys sorted.
	return json.Marshal(x)
}

// canonicalizer puts json.Marshal's output (no white space) in key order:
// each object's members are written to out as they come, then, when their
// keys are not in order, written again sorted (tmp and the stack of
// members ms are reused from object to object). It gives up — false, for
// canonicalSlow — on a string with an escape (decoding and encoding it
// again may not give the same bytes: an invalid byte is written \ufffd,
// then kept as the character), on invalid UTF-8 a Marshaler wrote as it
// is, and on two members with the same key.
type canonicalizer struct {
	raw, out, tmp []byte
	p             int // where raw is read
	ms            []member
}

// member is one member of an object: its key at raw[k0:k1], its bytes
// (« "key":value ») at out[from:to].
type member struct{ k0, k1, from, to int }

func (c *canonicalizer) key(m member) []byte { return c.raw[m.k0:m.k1] }

func (c *canonicalizer) value() bool {
	raw := c.raw
	if c.p >= len(raw) {
		return false
	}
	switch raw[c.p] {
	case '"':
		n, ok := plainString(raw[c.p:])
		if !ok {
			return false
		}
		c.out = append(c.out, raw[c.p:c.p+n]...)
		c.p += n
		return true
	case '[':
		c.out = append(c.out, '[')
		c.p++
		for i := 0; c.p < len(raw) && raw[c.p] != ']'; i++ {
			if i > 0 {
				if raw[c.p] != ',' {
					return false
				}
				c.out = append(c.out, ',')
				c.p++
			}
			if !c.value() {
				return false
			}
		}
		if c.p >= len(raw) {
			return false
		}
		c.out = append(c.out, ']')
		c.p++
		return true
	case '{':
		start := len(c.out)
		c.out = append(c.out, '{')
		c.p++
		base := len(c.ms)
		defer func() { c.ms = c.ms[:base] }()
		for i := 0; c.p < len(raw) && raw[c.p] != '}'; i++ {
			if i > 0 {
				if raw[c.p] != ',' {
					return false
				}
				c.out = append(c.out, ',')
				c.p++
			}
			n, ok := plainString(raw[c.p:])
			if !ok || c.p+n >= len(raw) || raw[c.p+n] != ':' {
				return false
			}
			m := member{k0: c.p + 1, k1: c.p + n - 1, from: len(c.out)}
			c.out = append(c.out, raw[c.p:c.p+n+1]...)
			c.p += n + 1
			if !c.value() {
				return false
			}
			m.to = len(c.out)
			c.ms = append(c.ms, m)
		}
		if c.p >= len(raw) {
			return false
		}
		c.p++
		ms := c.ms[base:]
		byKey := func(a, b member) int { return bytes.Compare(c.key(a), c.key(b)) }
		if !slices.IsSortedFunc(ms, byKey) {
			slices.SortFunc(ms, byKey)
			c.tmp = append(c.tmp[:0], c.out[start:]...)
			c.out = c.out[:start+1]
			for i, m := range ms {
				if i > 0 {
					c.out = append(c.out, ',')
				}
				c.out = append(c.out, c.tmp[m.from-start:m.to-start]...)
			}
		}
		for i := 1; i < len(ms); i++ {
			if bytes.Equal(c.key(ms[i]), c.key(ms[i-1])) {
				return false
			}
		}
		c.out = append(c.out, '}')
		return true
	}
	// A number, true, false or null: up to the next delimiter.
	n := c.p
	for n < len(raw) && raw[n] != ',' && raw[n] != ']' && raw[n] != '}' && raw[n] != ':' {
		if raw[n] == '"' || raw[n] == '[' || raw[n] == '{' {
			return false
		}
		n++
	}
	if n == c.p {
		return false
	}
	c.out = append(c.out, raw[c.p:n]...)
	c.p = n
	return true
}

// plainString is the length of the string at the start of raw, quotes
// included, when it holds no escape and is valid UTF-8.
func plainString(raw []byte) (int, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return 0, false
	}
	ascii := true
	for i := 1; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '"':
			// An invalid byte a Marshaler wrote as it is (json.Marshal
			// writes its own as \ufffd) is decoded as U+FFFD.
			return i + 1, ascii || utf8.Valid(raw[1:i])
		case c == '\\':
			return 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return 0, false
}

// Difference is the first field where a record's inputs differ from
// those an issued document was rendered from.
type Difference struct {
	Field  string // dotted path: « facture.montant_ht », « beneficiaires[1].rpps »
	Issued string // the value issued (JSON), « (absent) » if none
	Now    string // the record's value now
}

// Diff compares two canonical JSON inputs and returns their first
// difference in key order, or nil if they are equal.
func Diff(issued, now []byte) (*Difference, error) {
	ds, err := Diffs(issued, now)
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	return &ds[0], nil
}

// Diffs is every difference of two canonical JSON inputs, in key order
// (nil when they are equal).
func Diffs(issued, now []byte) ([]Difference, error) {
	if bytes.Equal(issued, now) {
		return nil, nil
	}
	var a, b any
	for _, p := range []struct {
		src []byte
		dst *any
	}{{issued, &a}, {now, &b}} {
		dec := json.NewDecoder(bytes.NewReader(p.src))
		dec.UseNumber()
		if err := dec.Decode(p.dst); err != nil {
			return nil, fmt.Errorf("entrées illisibles : %w", err)
		}
	}
	var out []Difference
	diff("", a, b, &out)
	return out, nil
}

func diff(path string, a, b any, out *[]Difference) {
	show := func(v any) string {
		if v == nil {
			return "(absent)"
		}
		s, _ := json.Marshal(v) // a value decoded from JSON: it encodes again
		return string(s)
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diff(p, x[k], y[k], out)
		}
		return
	case []any:
		y, ok := b.([]any)
		if !ok {
			break
		}
		for i := 0; i < len(x) || i < len(y); i++ {
			var u, v any
			if i < len(x) {
				u = x[i]
			}
			if i < len(y) {
				v = y[i]
			}
			diff(path+"["+strconv.Itoa(i+1)+"]", u, v, out)
		}
		return
	}
	if show(a) == show(b) {
		return
	}
	if path == "" {
		path = "(document)"
	}
	*out = append(*out, Difference{Field: path, Issued: show(a), Now: show(b)})
}

// Modified builds the DOCUMENT_EMIS_MODIFIE error of an issued document
// whose inputs differ from the record's now; what to do depends on the
// kind (an avoir then a new facture, for a facture). A difference without
// values says only that the field changed.
func Modified(d *Document, diff *Difference) error {
	todo := "remettez la valeur émise dans l'enregistrement"
	if d.Kind == Facture {
		todo = fmt.Sprintf("remettez la valeur émise, ou annulez cette facture par un avoir (type 381 : segur avoir %s --motif \"…\" -o DOSSIER) puis donnez une nouvelle facture au dossier (nouveau numéro)", d.Dossier)
	}
	change := fmt.Sprintf("%s vaut maintenant %s au lieu de %s", diff.Field, diff.Now, diff.Issued)
	if diff.Now == "" && diff.Issued == "" {
		change = diff.Field + " a changé depuis (le document émis en découle)"
	}
	return &Error{Code: CodeDocumentEmisModifie, Msg: fmt.Sprintf("%s : %s %s émis le %s ; %s : un document émis ne change plus ; %s", d.Dossier, d.Kind, d.Numero, d.EmisLe.Format("02/01/2006 15:04"), change, todo)}
}

// Codes of segur registre extraire.
const (
	CodeDocumentIntrouvable = "DOCUMENT_INTROUVABLE"
	CodeDocumentAmbigu      = "DOCUMENT_AMBIGU"
)

// Numbered is the document issued under numero (a facture or avoir
// number, a BDC number, MOM-<numéro éditeur>), with its bytes, checked
// against its SHA-256: DOCUMENT_ARCHIVE_ALTERE when they no longer match,
// DOCUMENT_INTROUVABLE when none was issued under that number,
// DOCUMENT_AMBIGU (naming each) when several were and dossier ("" for any)
// does not tell them apart.
func (r *Registre) Numbered(numero, dossier string) (*Document, error) {
	rows, err := r.db.Query(`SELECT d.dossier, d.type, d.role, d.numero, d.date, d.fournisseur, d.signataire, d.emis_le, d.sha256
		FROM documents d WHERE d.numero = ? AND (? = '' OR d.dossier = ?) ORDER BY d.id`, numero, dossier, dossier)
	if err != nil {
		return nil, r.classify(err)
	}
	var found []Document
	for rows.Next() {
		var d Document
		var emis string
		if err := rows.Scan(&d.Dossier, &d.Kind, &d.Role, &d.Numero, &d.Date, &d.Fournisseur, &d.Signataire, &emis, &d.SHA256); err != nil {
			rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
			return nil, r.classify(err)
		}
		d.EmisLe = parseStamp(emis)
		found = append(found, d)
	}
	rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
	if err := rows.Err(); err != nil {
		return nil, r.classify(err)
	}
	switch len(found) {
	case 0:
		where := ""
		if dossier != "" {
			where = " pour le dossier " + dossier
		}
		return nil, &Error{Code: CodeDocumentIntrouvable, Msg: fmt.Sprintf("le registre n'a émis aucun document sous le numéro « %s »%s (segur etat NUMERO_EDITEUR liste les documents d'un dossier)", numero, where)}
	case 1:
	default:
		var names []string
		for _, d := range found {
			names = append(names, fmt.Sprintf("%s du dossier %s (fournisseur %s, émis le %s)", strings.TrimSpace(d.Kind+" "+d.Role), d.Dossier, d.Fournisseur, d.EmisLe.Format("02/01/2006")))
		}
		return nil, &Error{Code: CodeDocumentAmbigu, Msg: fmt.Sprintf("plusieurs documents portent le numéro « %s » : %s ; précisez le dossier (--dossier NUMERO_EDITEUR)", numero, strings.Join(names, " ; "))}
	}
	d := &found[0]
	if err := r.db.QueryRow("SELECT octets FROM contenus WHERE sha256 = ?", d.SHA256).Scan(&d.Octets); err != nil {
		return nil, r.classify(err)
	}
	if got := Hash(d.Octets); got != d.SHA256 {
		return nil, &Error{Code: CodeAltere, Msg: fmt.Sprintf("%s %s du dossier %s : le document archivé ne correspond plus à son empreinte SHA-256 (%s attendu, %s lu) ; rien n'est écrit — remettez la dernière sauvegarde du registre", d.Kind, d.Numero, d.Dossier, d.SHA256, got)}
	}
	return d, nil
}

// Avoirs are the avoirs issued for dossier, oldest first, with their
// bytes, through the transaction (pack copies them beside the dossier's
// documents).
func (t *Tx) Avoirs(dossier string) ([]Document, error) {
	if err := t.lock(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	rows, err := t.tx.Query(`SELECT d.numero, d.date, d.fournisseur, d.emis_le, d.sha256, c.octets,
		coalesce((SELECT f.numero FROM documents f WHERE f.annule_par = d.id AND f.type = 'FACTURE'), '')
		FROM documents d JOIN contenus c ON c.sha256 = d.sha256
		WHERE d.dossier = ? AND d.type = 'AVOIR' ORDER BY d.id`, dossier)
	if err != nil {
		return nil, t.r.classify(err)
	}
	defer rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
	var out []Document
	for rows.Next() {
		d := Document{Dossier: dossier, Kind: Avoir}
		var emis string
		if err := rows.Scan(&d.Numero, &d.Date, &d.Fournisseur, &emis, &d.SHA256, &d.Octets, &d.Cancels); err != nil {
			return nil, t.r.classify(err)
		}
		d.EmisLe = parseStamp(emis)
		out = append(out, d)
	}
	return out, rows.Err()
}
