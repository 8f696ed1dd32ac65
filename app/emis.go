package app

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/registre"
)

// placedError is a registre rule's error placed at a key of the record:
// pack reports it at that key's line, under that field.
type placedError struct {
	err   *registre.Error
	pos   dossier.Pos
	field string
}

func (e *placedError) Error() string                       { return e.err.Error() }
func (e *placedError) ProblemCode() string                 { return e.err.Code }
func (e *placedError) ProblemMessage() string              { return e.err.Msg }
func (e *placedError) ProblemPlace() (dossier.Pos, string) { return e.pos, e.field }
func (e *placedError) Unwrap() error                       { return e.err }

// modified is the DOCUMENT_EMIS_MODIFIE error of document prev of d, whose
// inputs now differ from the issued ones: it names the key of the record
// (or of segur.yaml) the difference comes from, with its line, and the
// values as written there, never a path of segur's own structures.
func modified(d *dossier.Dossier, prev *registre.Document, diffs []registre.Difference) error {
	best := -1
	var key string
	var inConfig, direct bool
	for i, df := range diffs {
		k, c, dir := yamlKey(df.Field)
		if best < 0 || dir && !direct {
			best, key, inConfig, direct = i, k, c, dir
		}
		if direct {
			break
		}
	}
	df := diffs[best]
	pos := d.Ref.Source
	shown := key
	if inConfig {
		shown = "segur.yaml : " + key
	} else if p, ok := recordPos(d, key); ok {
		pos = p
		shown = fmt.Sprintf("%s (ligne %d)", key, p.Line)
	}
	out := registre.Difference{Field: shown}
	if direct {
		out.Issued, out.Now = shownValue(df.Issued), shownValue(df.Now)
	}
	var re *registre.Error
	if err := registre.Modified(prev, &out); err != nil {
		re = err.(*registre.Error)
	}
	field := key
	if inConfig {
		field = "-"
	}
	return &placedError{err: re, pos: pos, field: field}
}

// recordPos is where key stands in d's record, read again from its file
// (positions are not kept in the dossier).
func recordPos(d *dossier.Dossier, key string) (dossier.Pos, bool) {
	src := d.Ref.Source
	if src.File == "" {
		return dossier.Pos{}, false
	}
	for _, r := range dossier.Read([]string{src.File}) {
		if r.Source.Line == src.Line && r.Has(key) {
			return r.At(key), true
		}
	}
	return dossier.Pos{}, false
}

// shownValue is a value of the canonical inputs as a person wrote it: a
// text without its quotes, a date as AAAA-MM-JJ, « (absent) » for none.
func shownValue(js string) string {
	if js == "(absent)" || js == "null" {
		return "(absent)"
	}
	var s string
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		return js
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format("2006-01-02")
	}
	if s == "" {
		return "(vide)"
	}
	return s
}

// directKeys are the inputs that are a key's own value.
var directKeys = map[string]string{
	"Ref.NumeroASP":              "numero_asp",
	"Ref.NumeroEditeur":          "numero_editeur",
	"Ref.Dispositif":             "dispositif",
	"Facture.Numero":             "facture.numero",
	"FactureNumero":              "facture.numero",
	"Facture.Date":               "facture.date",
	"Facture.Echeance":           "facture.echeance",
	"Facture.Mode":               "facture.mode",
	"Facture.Segur.HT":           "facture.montant_ht",
	"Facture.Avance.Numero":      "facture.facture_avance.numero",
	"Facture.Avance.Date":        "facture.facture_avance.date",
	"Facture.AvanceVerseeTTC":    "avance.montant_verse_ttc",
	"CommandeNumero":             "commande.numero",
	"Commande.Numero":            "commande.numero",
	"Commande.Date":              "commande.date",
	"Commande.Montant.HT":        "commande.montant_ht",
	"Commande.Accompagnement.HT": "commande.accompagnement_renforce_ht",
	"Commande.SousCondition":     "commande.sous_condition_referencement",
	"Commande.VersionInstallee":  "commande.version_installee",
	"TVA.Taux":                   "commande.taux_tva",
	"DateFin":                    "realisation.date_fin",
	"Realisation.DateFin":        "realisation.date_fin",
}

// derivedKeys are the keys the other inputs are computed from, by the
// first part of their path.
var derivedKeys = map[string]string{
	"Facture":      "facture.montant_ht",
	"Commande":     "commande",
	"Realisation":  "realisation.scenarios",
	"Justificatif": "realisation",
	"Prestation":   "prestation",
	"Solution":     "solution",
	"Ref":          "numero_editeur",
}

// yamlKey is the key of the record (or of segur.yaml, inConfig) an input
// path of registre.Diff (« Facture.Segur.HT », « Beneficiaires[2].RPPS »,
// 1-based indexes) comes from, with 0-based indexes as the record's
// problems name them; direct when the input is that key's own value.
func yamlKey(path string) (key string, inConfig, direct bool) {
	if k, ok := directKeys[path]; ok {
		return k, false, true
	}
	head, rest, _ := strings.Cut(path, ".")
	name, index := splitIndex(head)
	switch name {
	case "Client":
		return tagPath("client", reflect.TypeOf(dossier.Client{}), rest)
	case "Beneficiaires":
		if index == "" {
			return "beneficiaires", false, false
		}
		k, _, dir := tagPath("beneficiaires["+index+"]", reflect.TypeOf(dossier.Beneficiaire{}), rest)
		return k, false, dir || rest == ""
	case "Fournisseur":
		k, _, dir := tagPath("fournisseur", reflect.TypeOf(dossier.Fournisseur{}), rest)
		return k, true, dir
	case "TVA":
		return "fournisseur.tva", true, false
	case "Realisation":
		if n, i := splitIndex(rest); n == "CertificatsDMP" && i != "" {
			return "realisation.certificats_dmp[" + i + "]", false, true
		}
	}
	if k, ok := derivedKeys[name]; ok {
		return k, name == "Solution", false
	}
	return strings.ToLower(name), false, false
}

// splitIndex splits « Beneficiaires[2] » into its name and its 0-based
// index (« 1 »), "" when it has none.
func splitIndex(s string) (string, string) {
	i := strings.IndexByte(s, '[')
	if i < 0 || !strings.HasSuffix(s, "]") {
		return s, ""
	}
	n, err := strconv.Atoi(s[i+1 : len(s)-1])
	if err != nil || n < 1 {
		return s[:i], ""
	}
	return s[:i], strconv.Itoa(n - 1)
}

// tagPath follows rest (Go field names, dotted, 1-based indexes) through
// type t and writes it with the yaml tags under prefix; direct is false
// when a field has no tag (the key found so far is given).
func tagPath(prefix string, t reflect.Type, rest string) (string, bool, bool) {
	key := prefix
	for rest != "" {
		var seg string
		seg, rest, _ = strings.Cut(rest, ".")
		name, index := splitIndex(seg)
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return key, false, false
		}
		f, ok := t.FieldByName(name)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !ok || tag == "" || tag == "-" {
			return key, false, false
		}
		key += "." + tag
		if index != "" {
			key += "[" + index + "]"
		}
		t = f.Type
	}
	return key, false, true
}
