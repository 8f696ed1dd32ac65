package tableur

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// cellError is what is wrong with one cell.
type cellError struct {
	code, msg string
}

func bad(code, format string, args ...any) *cellError {
	return &cellError{code: code, msg: fmt.Sprintf(format, args...)}
}

var (
	reIdent    = regexp.MustCompile(`^[0-9A-Za-z]+$`)
	reDigits   = regexp.MustCompile(`^[0-9]+$`)
	reSci      = regexp.MustCompile(`^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$`)
	reISO      = regexp.MustCompile(`^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$`)
	reFR       = regexp.MustCompile(`^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$`)
	reSerial   = regexp.MustCompile(`^[0-9]{4,6}(\.[0-9]+)?$`)
	reAmount   = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	reListSep  = regexp.MustCompile(`[\s,;]+`)
	reLinesSep = regexp.MustCompile(`\r\n|\r|\n|\|`)
)

func scalar(tag, value string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
	if tag == "!!str" {
		n.Style = 0
	}
	return n
}

// number is a decimal number, written plain.
func number(v string) *yaml.Node {
	if strings.Contains(v, ".") {
		return scalar("!!float", v)
	}
	return scalar("!!int", v)
}

func quoted(value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Style: yaml.DoubleQuotedStyle}
}

func flowSeq(items []*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Content: items}
}

// convert turns a cell's text into the YAML value of its column. date1904
// tells how a date cell's serial number counts.
func convert(c *Column, raw string, date1904 bool) (*yaml.Node, *cellError) {
	v := strings.TrimSpace(strings.ReplaceAll(raw, "\u00a0", " "))
	switch c.Type {
	case colTexte:
		return scalar("!!str", collapse(v)), nil
	case colIdentifiant:
		id, e := ident(c, v)
		if e != nil {
			return nil, e
		}
		return quoted(id), nil
	case colIdentifiants:
		var items []*yaml.Node
		for _, part := range reListSep.Split(v, -1) {
			if part == "" {
				continue
			}
			id, e := ident(c, part)
			if e != nil {
				return nil, e
			}
			items = append(items, quoted(id))
		}
		return flowSeq(items), nil
	case colLignes, colListe:
		var items []*yaml.Node
		for _, part := range reLinesSep.Split(v, -1) {
			if p := collapse(part); p != "" {
				items = append(items, scalar("!!str", p))
			}
		}
		return flowSeq(items), nil
	case colMontant:
		a, e := amount(v)
		if e != nil {
			return nil, e
		}
		return number(a), nil
	case colTaux:
		return rate(c, v)
	case colDate:
		d, e := date(v, date1904)
		if e != nil {
			return nil, e
		}
		return scalar("!!timestamp", d), nil
	case colEntier:
		s := strings.TrimSuffix(v, ".0")
		if !reDigits.MatchString(s) || len(s) > 9 {
			return nil, bad("TABLEUR_ENTIER", "« %s » n'est pas un nombre entier positif", echo(v))
		}
		n, _ := strconv.Atoi(s) // at most nine digits: checked above
		return scalar("!!int", strconv.Itoa(n)), nil
	case colOuiNon:
		switch strings.ToLower(v) {
		case "oui", "o", "vrai", "true", "x", "1", "yes":
			return scalar("!!bool", "true"), nil
		case "non", "n", "faux", "false", "0", "no":
			return scalar("!!bool", "false"), nil
		}
		return nil, bad("TABLEUR_OUI_NON", "« %s » : oui ou non attendu", echo(v))
	case colChoix:
		for _, a := range c.Values {
			if strings.EqualFold(a, v) || normalize(a) == normalize(v) {
				return scalar("!!str", a), nil
			}
		}
		return nil, bad("TABLEUR_CHOIX", "« %s » n'est pas une valeur permise : %s", echo(v), strings.Join(c.Values, ", "))
	}
	return nil, bad("TABLEUR_COLONNE_INCONNUE", "type de colonne inconnu")
}

// collapse keeps a text on one line, spaces reduced.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// ident reads an identifier: letters and digits, kept as text; a number a
// spreadsheet rewrote (scientific notation, leading zeros dropped) is said.
func ident(c *Column, v string) (string, *cellError) {
	v = strings.ReplaceAll(v, " ", "")
	if reSci.MatchString(v) {
		return "", bad("TABLEUR_IDENTIFIANT_NOMBRE", "« %s » : le tableur a écrit l'identifiant comme un nombre en notation scientifique ; mettez la colonne au format Texte et saisissez-le à nouveau", echo(v))
	}
	v = strings.TrimSuffix(v, ".0")
	if !reIdent.MatchString(v) {
		return "", bad("TABLEUR_IDENTIFIANT", "« %s » n'est pas un identifiant : seulement des lettres et des chiffres", echo(v))
	}
	if c.Digits > 0 && reDigits.MatchString(v) && len(v) < c.Digits && len(v) >= c.Digits-3 {
		return "", bad("TABLEUR_ZEROS_PERDUS", "« %s » a %d chiffres au lieu de %d : le tableur a sans doute retiré des zéros de tête ; mettez la colonne au format Texte et saisissez-le à nouveau", v, len(v), c.Digits)
	}
	return v, nil
}

// amount reads euros: « 1 075,50 € », « 1075.5 », or a number cell (whose
// binary value may carry a rounding tail: 716.6600000000001).
func amount(v string) (string, *cellError) {
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "€"))
	s = strings.NewReplacer(" ", "", "\u202f", "", "'", "").Replace(s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	if !reAmount.MatchString(s) || len(s) > 20 {
		return "", bad("TABLEUR_MONTANT", "« %s » n'est pas un montant en euros positif (ex. 1075,50)", echo(v))
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return "", bad("TABLEUR_MONTANT", "« %s » n'est pas un montant lisible", echo(v))
	}
	r := d.Round(2)
	if !r.Equal(d) && r.Sub(d).Abs().GreaterThan(decimal.New(1, -6)) {
		return "", bad("TABLEUR_MONTANT", "« %s » a plus de 2 décimales", echo(v))
	}
	return r.StringFixed(2), nil
}

// rate reads a TVA rate in %: « 20 », « 8,5 », « 20 % », or a percentage
// cell's value, 0.2.
func rate(c *Column, v string) (*yaml.Node, *cellError) {
	s := strings.TrimSpace(strings.TrimSuffix(strings.ReplaceAll(v, " ", ""), "%"))
	s = strings.Replace(s, ",", ".", 1)
	d, err := decimal.NewFromString(s)
	if err != nil || !reAmount.MatchString(s) {
		return nil, bad("TABLEUR_TAUX", "« %s » n'est pas un taux de TVA en %% : %s", echo(v), strings.Join(c.Values, ", "))
	}
	if d.IsPositive() && d.LessThan(decimal.NewFromInt(1)) {
		d = d.Mul(decimal.NewFromInt(100)) // a percentage cell: 0.2 is 20 %
	}
	d = d.Round(4)
	txt := d.String()
	if len(c.Values) > 0 && !slices.Contains(c.Values, txt) {
		return nil, bad("TABLEUR_TAUX", "« %s » n'est pas un taux de TVA permis : %s", echo(v), strings.Join(c.Values, ", "))
	}
	return number(txt), nil
}

// date reads AAAA-MM-JJ, JJ/MM/AAAA or a date cell's serial number.
func date(v string, date1904 bool) (string, *cellError) {
	var y, m, d int
	switch {
	case reISO.MatchString(v):
		p := reISO.FindStringSubmatch(v)
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	case reFR.MatchString(v):
		p := reFR.FindStringSubmatch(v)
		d, m, y = atoi(p[1]), atoi(p[2]), atoi(p[3])
	case reSerial.MatchString(v):
		f, _ := strconv.ParseFloat(v, 64) // a number: the pattern matched it
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
		if date1904 {
			base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		t := base.AddDate(0, 0, int(f))
		if t.Year() < 2000 || t.Year() > 2100 {
			return "", bad("TABLEUR_DATE", "« %s » n'est pas une date (JJ/MM/AAAA)", echo(v))
		}
		return t.Format("2006-01-02"), nil
	default:
		return "", bad("TABLEUR_DATE", "« %s » n'est pas une date (JJ/MM/AAAA)", echo(v))
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d || y < 2000 || y > 2100 {
		return "", bad("TABLEUR_DATE", "« %s » n'est pas une date du calendrier (JJ/MM/AAAA)", echo(v))
	}
	return t.Format("2006-01-02"), nil
}

// atoi reads digits a pattern matched (so it cannot fail).
func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// echo quotes a cell in a message: cut to 60 characters, control
// characters shown as « ? ».
func echo(s string) string {
	r := []rune(s)
	cut := len(r) > 60
	if cut {
		r = r[:60]
	}
	for i, c := range r {
		if c < 0x20 || c == 0x7f {
			r[i] = '?'
		}
	}
	if cut {
		return string(r) + "…"
	}
	return string(r)
}
