package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/readback"
	"github.com/segur-sons/segur/registre"
	"github.com/segur-sons/segur/templates"
)

// CheckOptions steer Check.
type CheckOptions struct {
	Dir      string            // the output folder of a pack
	Registry *dossier.Registry // nil: the embedded one
	// Registre is the registre the dépôt is compared with, as
	// Inputs.Registre: "" none; AutoRegistre the one of segur.yaml
	// (Config, or found from the current folder) when it exists, else
	// Dir/registre.sqlite when it exists; a path, that file (which must
	// exist). A registre is never created by a check.
	Registre string
	Config   string
}

// CheckResult is what reading the dépôt back as the ASP would found.
type CheckResult struct {
	Problems []dossier.Problem // sorted
	Errors   int
	Warnings int
	// Registre is the registre the dépôt was compared with; "" none.
	Registre string
	// Signed are the signed MOMs and VAs read in the zips, with each
	// signature's signer and level.
	Signed []readback.Signed
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
	env, err := checkEnv(opt, reg)
	if err != nil {
		return nil, err
	}
	ropt := readback.Options{}
	if env != nil {
		if ropt.Trust, ropt.MinLevel, err = env.trust(); err != nil {
			return nil, err
		}
	}
	rb, err := readback.CheckWith(opt.Dir, reg, ropt)
	if err != nil {
		return nil, err
	}
	probs := rb.Problems
	res := &CheckResult{Signed: rb.Signed}
	path, err := checkRegistrePath(opt, env)
	if err != nil {
		return nil, err
	}
	if path != "" {
		r, err := registre.Open(path, registre.Options{})
		if err != nil {
			return nil, &Error{Message: err.Error(), err: err}
		}
		defer r.Close() // read-only use of the registre, or its transaction already ended
		more, err := readback.CheckRegistre(opt.Dir, r)
		if err != nil {
			return nil, &Error{Message: err.Error(), err: err}
		}
		probs = append(probs, more...)
		res.Registre = path
	}
	res.Problems = probs
	for _, p := range probs {
		if p.Level == dossier.Erreur {
			res.Errors++
		} else {
			res.Warnings++
		}
	}
	return res, nil
}

// checkEnv reads the segur.yaml a check follows: Config, else the one of
// the current folder, of the output folder or of its parents (nil when
// none). Its signature section gives the roots and the minimum level of
// clients' signatures; its registre the one compared with.
func checkEnv(opt CheckOptions, reg *dossier.Registry) (*Env, error) {
	cfgPath := opt.Config
	if cfgPath == "" {
		cfgPath, _ = FindConfig([]string{opt.Dir}) // none found or unreadable: checked without segur.yaml, as below
	}
	if cfgPath == "" {
		return nil, nil
	}
	cfg, probs, err := dossier.LoadConfig(cfgPath, reg, pdfops.Disk{})
	switch {
	case err != nil:
		return nil, &Error{Message: err.Error()}
	case dossier.HasError(probs):
		return nil, &Error{Problems: probs, Message: fmt.Sprintf("%s est invalide : corrigez-le avant de continuer", cfgPath), err: ErrInvalidConfig}
	}
	return &Env{Config: cfg, registre: AutoRegistre}, nil
}

// checkRegistrePath finds the registre a check compares the dépôt with
// ("" none), never creating one: the one of env's segur.yaml when it
// exists, else the output folder's.
func checkRegistrePath(opt CheckOptions, env *Env) (string, error) {
	switch opt.Registre {
	case "":
		return "", nil
	case AutoRegistre:
	default:
		if _, err := os.Stat(opt.Registre); err != nil {
			return "", &Error{Message: fmt.Sprintf("registre « %s » introuvable : %s", opt.Registre, safeio.Reason(err))}
		}
		return opt.Registre, nil
	}
	if env != nil {
		if p := env.RegistrePath(); p != "" {
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	p := filepath.Join(opt.Dir, registre.DefaultName)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", nil
}
