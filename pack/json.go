package pack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/segur-sons/segur/asp"
	"github.com/segur-sons/segur/dossier"
	"github.com/shopspring/decimal"
)

// field is one key of a JSON object, kept in order.
type field struct {
	key   string
	value any
}

// object is a JSON object whose keys keep the order they were added in.
type object []field

// MarshalJSON writes the keys in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(f.key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := marshal(f.value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.key, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// with pairs keys (one of package asp's lists, in order) with values.
func with(keys []string, values ...any) object {
	if len(keys) != len(values) {
		panic(fmt.Sprintf("pack: %d values for the keys %v", len(values), keys)) // a bug here, caught by the goldens
	}
	o := make(object, len(keys))
	for i, k := range keys {
		o[i] = field{k, values[i]}
	}
	return o
}

// Line is the solde JSON line of one dossier, numbered
// n; its keys, their order and its null rules are package asp's.
func Line(d *dossier.Dossier, n int) object {
	var liberal, structure []string
	if d.JSON.CommandePour == asp.PourStructure {
		structure = d.JSON.Beneficiaires
	} else {
		liberal = d.JSON.Beneficiaires
	}
	line := with(asp.LineKeys,
		n,
		asp.TypeAction,
		d.Ref.NumeroASP,
		d.Ref.NumeroEditeur,
		with(asp.FactureKeys,
			d.Facture.Date.FR(),
			json.Number(d.Facture.Segur.HT.StringFixed(2)),
		),
		with(asp.BeneficiairesKeys,
			d.JSON.CommandePour,
			asp.StringsOrEmpty(liberal),
			asp.StringsOrEmpty(structure),
		),
		with(asp.ScenariosKeys,
			d.Realisation.DMPDirect,
			// Always null when the dispositif's data says so (BIO-LOINC).
			asp.IdentDMP(d.Realisation.DMPDirect && !d.JSON.IdentDMPNull, d.JSON.IdentDMP),
			d.Realisation.MSSProDirect,
			asp.Adresse(d.Realisation.MSSProDirect, d.Realisation.AdresseMSSPro),
			d.Realisation.MSSCitoyenDirect,
			asp.Adresse(d.Realisation.MSSCitoyenDirect, d.Realisation.AdresseMSSCitoyen),
		),
	)
	// Dispositif-specific fields, as the dispositif's data lists them.
	for _, x := range d.JSON.Extra {
		v := x.Valeur
		if amount, ok := v.(decimal.Decimal); ok {
			v = json.Number(amount.StringFixed(2)) // an amount, as montantSegurHTFacture
		}
		line = append(line, field{x.Cle, v})
	}
	return line
}

// WriteSolde writes the solde JSON of one upload pair: the envelope and one
// line per dossier, numbered from 1, two-space indented, UTF-8.
func WriteSolde(w io.Writer, numeroANS, siret string, ds []*dossier.Dossier) error {
	return writeLines(w, numeroANS, siret, ds, encodeLine)
}

// writeLines writes the JSON of one upload pair, each dossier's line made
// by encode (encodeLine, encodeAvanceLine).
func writeLines(w io.Writer, numeroANS, siret string, ds []*dossier.Dossier, encode func(*dossier.Dossier) ([]byte, error)) error {
	lines := make([][]byte, len(ds))
	for i, d := range ds {
		l, err := encode(d)
		if err != nil {
			return err
		}
		lines[i] = l
	}
	return writeSolde(w, numeroANS, siret, lines)
}

// encodeLine is the compact JSON of d's line, numbered 0: what pack keeps of
// a dossier between its passes (a few hundred bytes, where the object tree
// took kilobytes).
func encodeLine(d *dossier.Dossier) ([]byte, error) {
	return compact(Line(d, 0), "solde", d)
}

// compact is line's JSON; what (solde, avance) names the JSON in an error.
func compact(line object, what string, d *dossier.Dossier) ([]byte, error) {
	raw, err := line.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("pack: json %s %s: %w", what, d.Numero(), err)
	}
	return raw, nil
}

// writeSolde writes the envelope around lines (compact JSON numbered 0, as
// encodeLine makes them), numbering them from 1.
func writeSolde(w io.Writer, numeroANS, siret string, lines [][]byte) error {
	unnumbered := []byte(`{"` + asp.LineKeys[0] + `":0`)
	items := make([]any, len(lines))
	for i, l := range lines {
		if !bytes.HasPrefix(l, unnumbered) {
			return fmt.Errorf("pack: json solde: line %d does not start with %s", i+1, unnumbered)
		}
		numbered := fmt.Appendf(nil, `{"%s":%d`, asp.LineKeys[0], i+1)
		items[i] = json.RawMessage(append(numbered, l[len(unnumbered):]...))
	}
	doc := with(asp.TopKeys, nil, numeroANS, siret, items)
	raw, err := doc.MarshalJSON()
	if err != nil {
		return fmt.Errorf("pack: json solde: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return fmt.Errorf("pack: json solde: %w", err)
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}
