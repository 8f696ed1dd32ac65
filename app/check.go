package app

import (
	"context"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/readback"
	"github.com/segur-sons/segur/templates"
)

// CheckOptions steer Check.
type CheckOptions struct {
	Dir      string            // the output folder of a pack
	Registry *dossier.Registry // nil: the embedded one
}

// CheckResult is what reading the dépôt back as the ASP would found.
type CheckResult struct {
	Problems []dossier.Problem // sorted
	Errors   int
	Warnings int
}

// Check reads a dépôt back as the ASP would: names, JSON format, the zips'
// pièces, the PDFs, the factures against the JSON. Its error is only for a
// check that cannot run (no depot/ in Dir).
func Check(ctx context.Context, opt CheckOptions) (*CheckResult, error) {
	reg := opt.Registry
	if reg == nil {
		var err error
		if reg, err = dossier.LoadRegistry(templates.FS); err != nil {
			return nil, &Error{Message: err.Error()}
		}
	}
	probs, err := readback.Check(opt.Dir, reg)
	if err != nil {
		return nil, err
	}
	res := &CheckResult{Problems: probs}
	for _, p := range probs {
		if p.Level == dossier.Erreur {
			res.Errors++
		} else {
			res.Warnings++
		}
	}
	return res, nil
}
