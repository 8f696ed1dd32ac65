package app

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/facturx"
	"github.com/segur-sons/segur/registre"
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
	// The registre, when it exists (validate never creates one), gives
	// the numéros ASP it knows and the rules across quarters; it records
	// nothing.
	var reg *registre.Registre
	if p := e.RegistrePath(); p != "" {
		if _, err := os.Stat(p); err == nil {
			if reg, err = e.openRegistre(); err != nil {
				return nil, err
			}
			defer reg.Close() // read-only use of the registre, or its transaction already ended
			if opt.Avances == nil {
				opt.Avances = registreAvances{reg}
			}
		}
	}
	ds, err := e.check(dossier.Options{Phase: opt.Phase, DateDepot: opt.DateDepot, Avances: opt.Avances})
	if err != nil {
		return nil, err
	}
	if reg != nil {
		for _, d := range ds {
			acrossQuarters(reg, d)
		}
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

// acrossQuarters adds to d's problems what the registre knows that pack
// would block: a facture number issued for another dossier, a numéro ASP
// other than the ASP's, a beneficiary retired or financed by another
// dossier of the dispositif.
func acrossQuarters(r *registre.Registre, d *dossier.Dossier) {
	n := d.Numero()
	if n == "" || d.Blocked() {
		return
	}
	add := func(field string, err error) {
		var re *registre.Error
		if errors.As(err, &re) {
			d.Problems = append(d.Problems, dossier.Problem{Pos: d.Ref.Source, Level: dossier.Erreur, Numero: n, Field: field, Code: re.Code, Message: re.Msg})
		}
	}
	siren := fournisseurSIREN(d)
	if d.Facture.Numero != "" {
		add("facture.numero", r.CheckFactureNumber(siren, d.Facture.Numero, n))
	}
	if d.Facture.Avance.Numero != "" {
		add("facture.facture_avance.numero", r.CheckFactureNumber(siren, d.Facture.Avance.Numero, n))
	}
	add("numero_asp", r.CheckNumeroASP(n, d.Ref.NumeroASP))
	if d.Stage == dossier.PhaseSolde {
		for _, b := range d.JSON.Beneficiaires {
			add("beneficiaires", r.CheckBeneficiaire(d.Ref.Dispositif, b, n))
		}
	}
}
