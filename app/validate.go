package app

import (
	"context"
	"errors"
	"os"
	"slices"
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
			if err := acrossQuarters(reg, d, e.Config.Numerotation()); err != nil {
				return nil, e.fail("%v", err)
			}
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
// would block, each at the key of the record it comes from: a dossier
// cancelled (DOSSIER_ANNULE); a facture number given though segur.yaml has
// segur number them (FACTURE_NUMERO_DONNE); a facture number issued for
// another dossier (FACTURE_DOUBLON); a numéro ASP other than the ASP's; a
// beneficiary retired or financed by another dossier of the dispositif; a
// record changed since its BDC, facture or MOM was issued
// (DOCUMENT_EMIS_MODIFIE). It records nothing; an error is the registre's
// own (unreadable).
func acrossQuarters(r *registre.Registre, d *dossier.Dossier, format string) error {
	n := d.Numero()
	if n == "" || d.Blocked() {
		return nil
	}
	var fatal error
	add := func(field string, err error) {
		if err == nil {
			return
		}
		var pe *placedError
		if errors.As(err, &pe) {
			d.Problems = append(d.Problems, dossier.Problem{Pos: pe.pos, Level: dossier.Erreur, Numero: n, Field: pe.field, Code: pe.err.Code, Message: pe.err.Msg})
			return
		}
		var re *registre.Error
		if !errors.As(err, &re) {
			if fatal == nil {
				fatal = err
			}
			return
		}
		pos := d.Ref.Source
		if p, ok := recordPos(d, field); ok {
			pos = p
		}
		d.Problems = append(d.Problems, dossier.Problem{Pos: pos, Level: dossier.Erreur, Numero: n, Field: field, Code: re.Code, Message: re.Msg})
	}
	// A cancelled dossier gets nothing more: pack says only that.
	if err := r.Cancelled(n); err != nil {
		add("-", err)
		return fatal
	}
	solde := d.Stage == dossier.PhaseSolde
	facture, err := r.Issued(n, string(dossier.FACTURE), "")
	if err != nil {
		return err
	}
	numero := d.Facture.Numero
	if format != "" && solde {
		switch {
		case numero != "" && (facture == nil || facture.Numero != numero):
			add("facture.numero", &registre.Error{Code: CodeFactureNumeroDonne, Msg: numeroDonne(numero, format)})
		case numero == "" && facture != nil:
			// The number segur gave when it issued the facture: the MOM
			// cites it.
			numero = facture.Numero
		}
	}
	siren := fournisseurSIREN(d)
	if d.Facture.Numero != "" && (format == "" || !solde) {
		add("facture.numero", r.CheckFactureNumber(siren, d.Facture.Numero, n))
	}
	if d.Facture.Avance.Numero != "" {
		add("facture.facture_avance.numero", r.CheckFactureNumber(siren, d.Facture.Avance.Numero, n))
	}
	add("numero_asp", r.CheckNumeroASP(n, d.Ref.NumeroASP))
	if solde {
		for _, b := range d.JSON.Beneficiaires {
			add("beneficiaires", r.CheckBeneficiaire(d.Ref.Dispositif, b, n))
		}
	}
	// What was issued is given back as issued: a record changed since is
	// refused by pack, here said before.
	saved := d.Facture.Numero
	d.Facture.Numero = numero
	defer func() { d.Facture.Numero = saved }()
	for _, kind := range []dossier.Kind{dossier.BDC, dossier.FACTURE, dossier.MOM} {
		if !slices.Contains(d.Documents, kind) || kind != dossier.BDC && !solde {
			continue
		}
		prev := facture
		if kind != dossier.FACTURE {
			if prev, err = r.Issued(n, string(kind), ""); err != nil {
				return err
			}
		}
		if prev == nil {
			continue
		}
		inputs, err := registre.Canonical(inputsOf(d, kind))
		if err != nil {
			return err
		}
		diffs, err := registre.Diffs(prev.Entrees, inputs)
		if err != nil {
			return err
		}
		if diffs != nil {
			add("-", modified(d, prev, diffs))
		}
	}
	return fatal
}
