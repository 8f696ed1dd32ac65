package app

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/pack"
	"github.com/segur-sons/segur/registre"
	"github.com/segur-sons/segur/render"
	"github.com/segur-sons/segur/retours"
)

// RenderOptions steer Render.
type RenderOptions struct {
	Inputs
	Out       string         // output folder: dossiers/<numero_editeur>/
	Kinds     []dossier.Kind // the documents wanted; nil: all the dossier's stage allows
	DateDepot time.Time
	// Commande renders only what the order needs: each record is checked
	// as an order (segur validate --phase commande), whatever avance,
	// réalisation or facture blocks it has, and only its BDC is written.
	Commande bool
	// Apercu makes previews: every page marked « APERÇU », nothing signed,
	// nothing issued or recorded (no registre, no number consumed, no VA
	// handed out for signature).
	Apercu bool
}

// RenderResult sums up Render.
type RenderResult struct {
	Config   []dossier.Problem
	Problems []dossier.Problem // sorted
	Dossiers int               // read
	Written  int               // documents
	Blocked  int               // dossiers with an error, or whose documents failed
	Warnings int
	Failed   int // documents that could not be made
	// Registre is the registre the BDCs were issued in (and the documents
	// already issued given back from); "" without one (or for a preview).
	Registre string
	Issued   int // BDCs issued by this run
	Reused   int // documents given back from the registre, byte for byte
}

// Render writes the PDFs of every dossier that its stage allows, each
// dossier on its own (one failure does not stop the others), and records
// the VAs (and unsigned MOMs) handed out for signature.
func Render(ctx context.Context, opt RenderOptions) (*RenderResult, error) {
	// The same confinement as pack's: render writes dossiers/ under -o.
	if err := confine(opt.Out, "", opt.Pieces, opt.Paths); err != nil {
		return nil, err
	}
	e, err := Load(opt.Inputs)
	if err != nil {
		return nil, err
	}
	assets, err := e.Assets()
	if err != nil {
		return nil, err
	}
	check := dossier.Options{Phase: dossier.PhaseSolde, ByStage: true, DateDepot: opt.DateDepot}
	if opt.Commande {
		check = dossier.Options{Phase: dossier.PhaseCommande, DateDepot: opt.DateDepot}
	}
	ds, err := e.check(check)
	if err != nil {
		return nil, err
	}
	out := opt.Out
	if err := depot.Guard(out); err != nil {
		return nil, e.fail("dossier de sortie « %s » inutilisable : %s", out, safeio.Message(err))
	}
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		return nil, e.fail("« %s » est un fichier, pas un dossier : -o attend le dossier de sortie (créé s'il n'existe pas)", out)
	}
	// The same lock as pack's: a render and a pack on the same -o never
	// write dossiers/ at the same time (a pack would zip documents a
	// render is replacing).
	unlock, err := depot.Lock(out)
	if errors.Is(err, depot.ErrBusy) {
		return nil, e.fail("%s : %v", out, err)
	} else if err != nil {
		return nil, e.fail("dossier de sortie « %s » inutilisable : %s", out, safeio.Message(err))
	}
	defer unlock()
	res := &RenderResult{Config: e.Problems, Dossiers: len(ds)}
	var r pack.Renderer
	var tx *registre.Tx
	if opt.Apercu {
		assets.Apercu = true
		r = render.New(assets)
	} else {
		// render issues the BDC: the first time it is signed and recorded
		// with its bytes, then given back; a facture or a MOM already
		// issued (by pack) is given back too, the others rendered as
		// before and not issued.
		reg, err := e.openRegistre()
		if err != nil {
			return nil, err
		}
		if reg != nil {
			defer reg.Close() // the run's transaction is committed or rolled back before
			if tx, err = reg.Begin(ctx, registre.Cause{Command: "render", File: strings.Join(e.Paths, ", ")}); err != nil {
				return nil, &Error{Problems: e.Problems, Message: err.Error(), err: err}
			}
			defer tx.Rollback() // after a failure; nothing once committed
			res.Registre = reg.Path()
			is := &issuing{inner: render.New(assets), tx: tx, r: reg, phase: registre.PhaseSolde, issues: []dossier.Kind{dossier.BDC},
				format: e.Config.Numerotation(), numbering: &sync.Mutex{}, numbered: map[string]bool{}}
			r = is
			defer func() { res.Issued, res.Reused = is.issued, is.reused }()
		} else if f := e.Config.Numerotation(); f != "" {
			r = unnumbered{inner: render.New(assets), format: f}
		} else {
			r = render.New(assets)
		}
	}
	var all []dossier.Problem
	var remises []retours.Remise // the VAs (and unsigned MOMs) handed out for signature
	for _, d := range ds {
		all = append(all, d.Problems...)
		res.Warnings += countWarnings(d.Problems)
		if d.Blocked() {
			res.Blocked++
			continue
		}
		failedHere := false
		for _, k := range d.Documents {
			if opt.Kinds != nil && !slices.Contains(opt.Kinds, k) || opt.Commande && k != dossier.BDC {
				continue
			}
			doc, prob, err := pack.WriteDocument(r, d, k, out, true)
			if err != nil {
				return nil, e.fail("écriture impossible dans %s : %s", out, safeio.Message(err))
			}
			if prob != nil {
				// One dossier's failure does not stop the others.
				all = append(all, *prob)
				res.Failed++
				failedHere = true
				continue
			}
			res.Written++
			if opt.Apercu {
				continue // a preview is not handed out for signature
			}
			if k == dossier.VA || (k == dossier.MOM && assets.Signer == nil) {
				remises = append(remises, retours.NewRemise(d, k, doc.Data))
			}
		}
		if failedHere {
			res.Blocked++ // a dossier whose documents failed is blocked
		}
	}
	if err := retours.RecordRemises(out, remises); err != nil {
		return nil, e.fail("écriture impossible dans %s : %v", out, err)
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return nil, &Error{Problems: e.Problems, Message: err.Error(), err: err}
		}
	}
	dossier.SortProblems(all)
	res.Problems = all
	return res, nil
}
