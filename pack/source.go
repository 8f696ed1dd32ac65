package pack

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/segur-sons/segur/dossier"
)

// source gives pass 1 its dossiers a group at a time (a group is what is
// made at once: up to dossier.GroupSize records of one file, or one dossier
// already in memory), so that only the dossiers being packed are held.
type source interface {
	groups() int
	// keys of group g's dossiers, in the order load returns them: where
	// each stands in the dépôt.
	keys(g int) []dossierKey
	load(g int) []*dossier.Dossier
}

// dossierKey orders the dépôt: numéro éditeur, then record file and line.
type dossierKey struct {
	numero string
	source dossier.Pos
}

func compareKeys(a, b dossierKey) int {
	return cmp.Or(
		cmp.Compare(a.numero, b.numero),
		cmp.Compare(a.source.File, b.source.File),
		cmp.Compare(a.source.Line, b.source.Line),
	)
}

// dossierList is a source of dossiers already checked, one group each.
type dossierList struct{ ds []*dossier.Dossier }

func (l *dossierList) groups() int { return len(l.ds) }
func (l *dossierList) keys(g int) []dossierKey {
	r := l.ds[g].Ref
	return []dossierKey{{r.NumeroEditeur, r.Source}}
}
func (l *dossierList) load(g int) []*dossier.Dossier {
	d := l.ds[g]
	l.ds[g] = nil // the dossier is done with once packed: let it go
	return []*dossier.Dossier{d}
}

// quarterSource makes a quarter's dossiers again, a group of records at a time.
type quarterSource struct{ q *dossier.Quarter }

func (s quarterSource) groups() int { return s.q.Groups() }
func (s quarterSource) keys(g int) []dossierKey {
	_, recs := s.q.Records(g)
	ks := make([]dossierKey, len(recs))
	for i, r := range recs {
		ks[i] = dossierKey{r.Numero, r.Source}
	}
	return ks
}
func (s quarterSource) load(g int) []*dossier.Dossier { return s.q.Load(g) }

// prepareAll is pass 1: each worker takes a group, makes its dossiers,
// renders and gathers what each packable one needs, and keeps only its
// summary, in dépôt order (the same whatever the number of workers).
func prepareAll(opt Options, src source) ([]*dossierWork, error) {
	ctx := opt.Context
	if ctx == nil {
		ctx = context.Background()
	}
	type slot struct{ group, index int }
	var all []dossierKey
	var slots []slot
	for g := range src.groups() {
		for i, k := range src.keys(g) {
			all = append(all, k)
			slots = append(slots, slot{g, i})
		}
	}
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return compareKeys(all[a], all[b]) })
	// at[g][i] is where dossier i of group g stands in the dépôt.
	at := make([][]int, src.groups())
	for g := range at {
		at[g] = make([]int, len(src.keys(g)))
	}
	for pos, i := range order {
		at[slots[i].group][slots[i].index] = pos
	}
	all, slots, order = nil, nil, nil

	total := 0
	for _, g := range at {
		total += len(g)
	}
	works := make([]*dossierWork, total)
	// A worker takes the next dossier made and not yet packed, and makes
	// the next group when there is none: the dossiers of a group are
	// shared by every worker, so that none waits idle at the end of the
	// run while another packs the rest of its group; at most about a group
	// per worker is made ahead, as when each packed its own.
	type made struct {
		g, i int
		d    *dossier.Dossier
	}
	var (
		mu        sync.Mutex // guards ready, nextGroup, loading and done
		ready     []made
		nextGroup int
		loading   int // groups being made
		done      int
		wg        sync.WaitGroup
	)
	more := sync.NewCond(&mu) // a group was made: its dossiers are ready
	pack := func(r *Renderer, m made) {
		w := summarize(m.d, opt.Avance)
		if err := opt.spool.put(w); err != nil && w.err == nil {
			w.err = err
		}
		if !w.blocked {
			if *r == nil {
				*r = opt.NewRenderer()
			}
			prepare(opt, *r, m.d, w)
		}
		if err := opt.spoolPart(w); err != nil && w.err == nil {
			w.err = err
		}
		if m.i < len(at[m.g]) {
			works[at[m.g][m.i]] = w
		}
		if opt.Progress != nil {
			mu.Lock()
			done++
			opt.Progress(done, total)
			mu.Unlock()
		}
	}
	for range min(opt.Jobs, max(src.groups(), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r Renderer
			mu.Lock()
			defer mu.Unlock()
			for ctx.Err() == nil {
				switch {
				case len(ready) > 0:
					m := ready[0]
					ready[0] = made{}
					ready = ready[1:]
					mu.Unlock()
					pack(&r, m)
					mu.Lock()
				case nextGroup < len(at):
					g := nextGroup
					nextGroup++
					loading++
					mu.Unlock()
					ds := src.load(g)
					mu.Lock()
					for i, d := range ds {
						ready = append(ready, made{g, i, d})
					}
					loading--
					more.Broadcast()
				case loading > 0:
					more.Wait() // the last groups are being made: their dossiers are shared too
				default:
					return
				}
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ErrInterrupted
	}
	for _, w := range works {
		if w == nil {
			return nil, fmt.Errorf("pack: a group of records gave fewer dossiers than when it was read")
		}
	}
	return works, nil
}
