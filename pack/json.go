package pack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/segur-sons/segur/dossier"
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

// strings returns s as a JSON array, never null.
func stringsOrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Line is the solde JSON line of one dossier (documents.md §8), numbered n.
func Line(d *dossier.Dossier, n int) object {
	r := d.Record
	var liberal, structure []string
	if d.CommandePour == "STRUCTURE" {
		structure = d.BeneficiairesJSON
	} else {
		liberal = d.BeneficiairesJSON
	}
	var ident any // null unless the DMP flow is direct
	if d.DMPDirect {
		ident = stringsOrEmpty(d.IdentDMP)
	}
	address := func(direct bool, a string) any {
		if !direct || a == "" {
			return nil
		}
		return a
	}
	line := object{
		{"numLigne", n},
		{"typeAction", "C"},
		{"numeroASP", r.NumeroASP},
		{"numeroEditeur", r.NumeroEditeur},
		{"facture", object{
			{"dateFacture", r.Facture.Date.FR()},
			{"montantSegurHTFacture", json.Number(d.Segur.HT.StringFixed(2))},
		}},
		{"beneficiaires", object{
			{"commandePour", d.CommandePour},
			{"liberalRPPS", stringsOrEmpty(liberal)},
			{"structureFINESSGeo", stringsOrEmpty(structure)},
		}},
		{"scenariosEffectivementInstalles", object{
			{"isDirectToDMP", d.DMPDirect},
			{"identDMP", ident},
			{"isDirectToMSSPro", d.MSSProDirect},
			{"adresseBoiteMSSPro", address(d.MSSProDirect, d.AdresseMSSPro)},
			{"isDirectToMSSCitoyen", d.MSSCitoyenDirect},
			{"adresseBoiteMSSCitoyen", address(d.MSSCitoyenDirect, d.AdresseMSSCitoyen)},
		}},
	}
	// Dispositif-specific fields, as the dispositif's data lists them.
	for _, x := range d.ExtraJSON {
		line = append(line, field{x.Cle, x.Valeur})
	}
	return line
}

// WriteSolde writes the solde JSON of one upload pair: the envelope and one
// line per dossier, numbered from 1, two-space indented, UTF-8.
func WriteSolde(w io.Writer, numeroANS, siret string, ds []*dossier.Dossier) error {
	lines := make([]object, len(ds))
	for i, d := range ds {
		lines[i] = Line(d, 0)
	}
	return writeSolde(w, numeroANS, siret, lines)
}

// writeSolde writes the envelope around lines, numbering them from 1.
func writeSolde(w io.Writer, numeroANS, siret string, lines []object) error {
	items := make([]any, len(lines))
	for i, l := range lines {
		numbered := append(object{}, l...)
		numbered[0] = field{"numLigne", i + 1}
		items[i] = numbered
	}
	doc := object{
		{"impId", nil},
		{"numeroAns", numeroANS},
		{"siret", siret},
		{"lignesImport", items},
	}
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
