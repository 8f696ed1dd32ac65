package app

import (
	"context"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/facturx"
)

// ValidateOptions steer Validate.
type ValidateOptions struct {
	Inputs
	Phase     dossier.Phase // commande: only what the bon de commande needs; solde: all
	DateDepot time.Time     // against the guichets' deadlines
	// Avances, when set, gives the solde what is known of the avances (the
	// registre): see PackOptions.Avances.
	Avances dossier.AvancesConnues
}

// ValidateResult is what Validate found; it writes nothing.
type ValidateResult struct {
	Config   []dossier.Problem // segur.yaml's warnings
	Problems []dossier.Problem // every dossier's, sorted
	Dossiers int               // read
	Rejected int               // with an error
	Warnings int
}

// Validate reads and checks every record, and says what the Factur-X
// obligation requires of segur.yaml.
func Validate(ctx context.Context, opt ValidateOptions) (*ValidateResult, error) {
	e, err := Load(opt.Inputs)
	if err != nil {
		return nil, err
	}
	ds, err := e.check(dossier.Options{Phase: opt.Phase, DateDepot: opt.DateDepot, Avances: opt.Avances})
	if err != nil {
		return nil, err
	}
	all, err := facturx.Obligation(e.Config, ds)
	if err != nil {
		return nil, e.fail("%v", err)
	}
	res := &ValidateResult{Config: e.Problems, Dossiers: len(ds)}
	for _, d := range ds {
		all = append(all, d.Problems...)
		if d.Blocked() {
			res.Rejected++
		}
	}
	res.Warnings = countWarnings(all)
	dossier.SortProblems(all)
	res.Problems = all
	return res, nil
}
