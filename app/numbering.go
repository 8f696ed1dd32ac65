package app

import (
	"cmp"
	"context"
	"slices"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/pack"
	"github.com/segur-sons/segur/registre"
)

// numberInDateOrder issues, before the workers start, the new factures of
// the run that segur numbers (segur.yaml facture.numerotation), one after
// the other in (facture date, numéro éditeur, record) order: the series is
// chronological, so numbers taken in the workers' order could give a later
// number to an earlier facture (FACTURE_ANTERIEURE). The numbers are the
// same whatever the number of workers, and gapless (a facture that cannot
// be issued gives its number back, as in the workers). It returns, by
// dossier, why its facture could not be issued: the workers report that
// error instead of taking a number out of order.
func numberInDateOrder(ctx context.Context, q *dossier.Quarter, is *issuing) (map[string]error, error) {
	var cands []*dossier.Dossier
	for g := range q.Groups() {
		_, recs := q.Records(g)
		if !slices.ContainsFunc(recs, func(r dossier.QuarterRecord) bool { return r.FactureANumeroter }) {
			continue
		}
		for _, d := range q.Load(g) {
			if d.Stage != dossier.PhaseSolde || d.Blocked() || d.Facture.Numero != "" || d.Numero() == "" {
				continue
			}
			prev, _, err := is.tx.IssuedKnown(d.Numero(), string(dossier.FACTURE), "") // whether, not what
			if err != nil {
				return nil, err
			}
			if prev == nil {
				cands = append(cands, d)
			}
		}
		if ctx.Err() != nil {
			return nil, pack.ErrInterrupted
		}
	}
	slices.SortStableFunc(cands, func(a, b *dossier.Dossier) int {
		return cmp.Or(cmp.Compare(a.Facture.Date.ISO(), b.Facture.Date.ISO()), cmp.Compare(a.Numero(), b.Numero()),
			cmp.Compare(a.Ref.Source.File, b.Ref.Source.File), cmp.Compare(a.Ref.Source.Line, b.Ref.Source.Line))
	})
	failed := map[string]error{}
	for i, d := range cands {
		if ctx.Err() != nil {
			return nil, pack.ErrInterrupted
		}
		if _, seen := failed[d.Numero()]; seen {
			continue // a numéro éditeur twice: the workers report it
		}
		if err := is.number(d); err != nil {
			if registre.Fatal(err) {
				return nil, err
			}
			failed[d.Numero()] = err
		}
		cands[i] = nil // done with: let it go
	}
	return failed, nil
}
