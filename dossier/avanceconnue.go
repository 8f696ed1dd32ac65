package dossier

import "github.com/shopspring/decimal"

// AvancesConnues is what is known of the dossiers' avances outside their
// records: the numéro ASP the ASP's answer gave, and what the avance
// declared (the registre keeps both once the avance is filed and its answer
// imported). The solde takes them when the record leaves them out, so that
// the numéro ASP is never typed again and the solde's beneficiaries are
// compared with the avance's (cases 1–6 of seed 000 L169).
type AvancesConnues interface {
	// Avance returns what is known of the avance of the dossier numero
	// (its numéro éditeur), nil when nothing is.
	Avance(numero string) *AvanceConnue
}

// AvanceConnue is what is known of one dossier's avance.
type AvanceConnue struct {
	NumeroASP     string           // "" until the ASP's answer is imported
	Beneficiaires []string         // RPPS or FINESS géo declared at the avance
	MontantHT     *decimal.Decimal // the Prestation Ségur declared, HT
	Statut        string           // paiement_effectue, en_instruction, decide_non_paye; "" unknown
	Mandataire    bool             // a mandataire was declared at the avance
}

// withAvanceConnue completes r, before the solde's rules, with what opt
// knows of its avance: the numéro ASP when the record has none, and the
// avance block when the record has none. Positions stay those of the
// record: a problem on a value taken here points at the record's start.
func withAvanceConnue(r *Record, opt Options) {
	if opt.Avances == nil || r.NumeroEditeur == "" {
		return
	}
	a := opt.Avances.Avance(r.NumeroEditeur)
	if a == nil {
		return
	}
	if r.NumeroASP == "" && a.NumeroASP != "" {
		r.NumeroASP = a.NumeroASP
	}
	if r.Avance == nil && len(a.Beneficiaires) > 0 {
		r.Avance = &Avance{
			Beneficiaires: append([]string(nil), a.Beneficiaires...),
			MontantHT:     a.MontantHT,
			Statut:        a.Statut,
			Mandataire:    a.Mandataire,
		}
	}
}
