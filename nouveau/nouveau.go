// Package nouveau writes the skeleton of a new order record: every key the
// dossier will need, commented in French, with the values left to fill.
// The keys a dispositif does not use are left out, from the dispositif's
// data (templates/dispositifs/*.yaml).
package nouveau

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"text/template"

	"github.com/segur-sons/segur/dossier"
)

//go:embed squelette.yaml.tmpl
var squelette string

var tmpl = template.Must(template.New("squelette").Funcs(template.FuncMap{
	"seq": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	},
}).Parse(squelette))

// Options choose the skeleton.
type Options struct {
	Dispositif    string
	Client        string // liberal | structure
	Beneficiaires int    // default 1
}

// Skeleton returns the commented record skeleton, or a French error when
// the options do not fit the dispositif.
func Skeleton(reg *dossier.Registry, opt Options) ([]byte, error) {
	d := reg.Get(opt.Dispositif)
	if d == nil {
		return nil, fmt.Errorf("--dispositif « %s » inconnu : %s attendu", opt.Dispositif, reg.Names())
	}
	if !slices.Contains(d.Clients.Types, opt.Client) {
		return nil, fmt.Errorf("--client « %s » : %s n'accepte que %v", opt.Client, d.ID, d.Clients.Types)
	}
	if opt.Beneficiaires == 0 {
		opt.Beneficiaires = 1
	}
	if opt.Beneficiaires < 1 || opt.Beneficiaires > 200 {
		return nil, fmt.Errorf("--beneficiaires %d : de 1 à 200 bénéficiaires", opt.Beneficiaires)
	}
	certificats := slices.ContainsFunc(d.JSONSolde.Champs, func(c dossier.ChampJSON) bool { return c.Valeur == "certificats_dmp" })
	var b bytes.Buffer
	err := tmpl.Execute(&b, map[string]any{
		"D":             d,
		"Liberal":       opt.Client == dossier.Liberal,
		"Beneficiaires": opt.Beneficiaires,
		"Prestations":   d.Prestations.Valeurs,
		"Va2":           len(d.Prestations.Valeurs) > 0,
		"Certificats":   certificats,
	})
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
