package facturx

import (
	"fmt"
	"time"

	"github.com/segur-sons/segur/dossier"
)

// Obligation warns (FACTURX_OBLIGATOIRE), for each dossier whose facture is
// dated on or after the day its fournisseur must issue e-invoices
// (templates/facturx.yaml obligation, by segur.yaml facture.categorie; the
// latest date when the category is not declared), that segur.yaml still
// asks for plain PDF factures. cfg is the segur.yaml the dossiers were
// checked against.
func Obligation(cfg *dossier.Config, ds []*dossier.Dossier) ([]dossier.Problem, error) {
	data, err := Load()
	if err != nil {
		return nil, err
	}
	var out []dossier.Problem
	for _, d := range ds {
		if cfg == nil || d == nil || d.Facture.Date.IsZero() || Enabled(d) {
			continue
		}
		cat, from := "", data.Obligation.Toutes
		if o := cfg.Facture; o != nil && o.Categorie != "" {
			if v, ok := data.Obligation.Emission[o.Categorie]; ok {
				cat, from = o.Categorie, v
			}
		}
		start, err := time.Parse(time.DateOnly, from)
		if err != nil {
			return nil, err
		}
		if d.Facture.Date.Time.Before(start) {
			continue
		}
		who := "toutes les entreprises"
		if cat != "" {
			who = "les entreprises de catégorie " + cat
		}
		out = append(out, dossier.Problem{
			Pos:    d.Facture.DatePos,
			Numero: d.Numero(),
			Field:  "facture.date",
			Code:   "FACTURX_OBLIGATOIRE",
			Level:  dossier.Attention,
			Message: fmt.Sprintf("facture du %s : depuis le %s, %s émettent leurs factures au format électronique ; ajoutez « facture: {format: factur-x} » à %s",
				d.Facture.Date.Format("02/01/2006"), start.Format("02/01/2006"), who, cfg.Path),
		})
	}
	return out, nil
}
