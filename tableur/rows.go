package tableur

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Rows writes a record (its YAML tree) as spreadsheet rows, in the order of
// s.Columns: one row per beneficiary (at least one), the dossier's values on
// the first row only. It is Import's inverse: the template's examples are
// written with it.
func (s *Spec) Rows(rec *yaml.Node) [][]string {
	if rec.Kind == yaml.DocumentNode && len(rec.Content) > 0 {
		rec = rec.Content[0]
	}
	var benefs []*yaml.Node
	if b := lookup(rec, []string{"beneficiaires"}); b != nil && b.Kind == yaml.SequenceNode {
		benefs = b.Content
	}
	n := max(1, len(benefs))
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = make([]string, len(s.Columns))
	}
	for j := range s.Columns {
		c := &s.Columns[j]
		if c.beneficiary() {
			key := strings.Split(strings.TrimPrefix(c.Key, benefPrefix), ".")
			for i, b := range benefs {
				rows[i][j] = cellText(c, lookup(b, key))
			}
			continue
		}
		rows[0][j] = cellText(c, lookup(rec, strings.Split(c.Key, ".")))
		if c.Key == "numero_editeur" {
			for i := 1; i < n; i++ {
				rows[i][j] = rows[0][j]
			}
		}
	}
	return rows
}

func lookup(m *yaml.Node, path []string) *yaml.Node {
	for _, k := range path {
		if m == nil || m.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == k {
				next = m.Content[i+1]
			}
		}
		m = next
	}
	return m
}

// cellText writes a YAML value as the spreadsheet cell staff would type.
func cellText(c *Column, v *yaml.Node) string {
	if v == nil || (v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
		return ""
	}
	if v.Kind == yaml.SequenceNode {
		parts := make([]string, 0, len(v.Content))
		for _, x := range v.Content {
			parts = append(parts, x.Value)
		}
		if c.Type == colIdentifiants {
			return strings.Join(parts, " ")
		}
		return strings.Join(parts, " | ")
	}
	switch c.Type {
	case colOuiNon:
		if v.Value == "true" {
			return "oui"
		}
		return "non"
	case colDate:
		if d, e := date(v.Value, false); e == nil {
			return d[8:10] + "/" + d[5:7] + "/" + d[0:4]
		}
	case colMontant, colTaux:
		return strings.Replace(v.Value, ".", ",", 1)
	}
	return v.Value
}
