package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/segur-sons/segur/asp"
	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/pack"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/registre"
	"github.com/segur-sons/segur/render"
)

// PackOptions steer Pack.
type PackOptions struct {
	Inputs
	Out       string // output folder: depot/, dossiers/, rapport.json, rapport.html, a-signer/
	Signes    string // folder of the signed VAs ("" when none)
	Jobs      int    // documents made at the same time (0: one per CPU)
	MaxLines  int    // lines per upload pair (0: asp.MaxLines)
	DateDepot time.Time
	// Retirer names the dossiers (numéros éditeur) this run may take out
	// of the previous dépôt (--retirer); any other stops it (DropError).
	Retirer []string
	// Strict blocks the dossiers filed after their guichet closed.
	Strict  bool
	Version string // written in rapport.json
	// Phase is the dépôt made: the solde (the zero value) or the avance.
	Phase DepotPhase
	// Avances, when set, gives the solde the numéro ASP and the avance's
	// declaration of the records that leave them out (the registre, once
	// the ASP's answer to the avance is imported).
	Avances dossier.AvancesConnues
	// Progress, when set, is called once the records are read (0, total),
	// then after each dossier.
	Progress func(done, total int)
	// Redeposer are the dossiers (numéros éditeur) to deposit again in a
	// new pair although the registre says a pair already deposited them
	// (after a rejection).
	Redeposer []string
	// Streamed keeps no rapport entry in memory (pack.Options.Streamed):
	// the result's Rapport then holds none, rapport.json has them all.
	// segur pack sets it; a quarter of tens of thousands of dossiers is
	// packed in the memory of a small one.
	Streamed bool
}

// DepotPhase is which dépôt Pack makes.
type DepotPhase int

// The dépôts Pack makes.
const (
	DepotSolde  DepotPhase = iota // the solde: JSON + zip pairs, after the installation
	DepotAvance                   // the avance: JSON + zip pairs of the signed BDCs, at the order
)

// PackResult sums up Pack.
type PackResult struct {
	*pack.Result
	Config   []dossier.Problem // segur.yaml's warnings
	Late     int               // dossiers filed after their guichet closed
	Warnings int
	// Registre is the registre file the run was recorded in; "" when run
	// without one (SansRegistre says what was not remembered).
	Registre string
	// Provisoires are, for an avance dépôt, the keys of its JSON that no
	// official source confirms (by profile, « commande.dateCommande »…):
	// said once, not per dossier.
	Provisoires []string
}

// CheckSignes refuses a folder of signed documents that is not a readable
// folder ("" is none, accepted).
func CheckSignes(dir string) error {
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return &Error{Message: "--signes « " + dir + " » n'est pas un dossier lisible"}
		}
	}
	return nil
}

// DropError is the error of a Pack that would take dossiers of the
// previous dépôt out of it without PackOptions.Retirer naming them: the
// previous dépôt is left as it was.
type DropError = pack.DropError

// ErrInterrupted is the sentinel of the *Error Pack returns when its
// context was cancelled (Ctrl-C): the previous dépôt is intact.
var ErrInterrupted = pack.ErrInterrupted

// Pack builds the solde dépôt into opt.Out: the records are read and
// checked before the output folder is touched (no record at all stops
// there, the previous dépôt untouched), the folder is locked, then every
// dossier's documents are made and the upload pairs switched to in one
// unit. Cancelling ctx stops the run between two dossiers.
func Pack(ctx context.Context, opt PackOptions) (*PackResult, error) {
	res, err := packRun(ctx, opt)
	if err != nil && ctx.Err() != nil && !errors.Is(err, ErrInterrupted) {
		// Cancelled while the registre or a file was being worked on: the
		// failure is the interruption's (SQLite says « interrupted », a
		// read says « context canceled »), not a damaged registre or an
		// unreadable file; nothing was switched, as for any failure.
		ie := &Error{Message: "interrompu (Ctrl-C) : " + ErrInterrupted.Error(), err: ErrInterrupted}
		var ae *Error
		if errors.As(err, &ae) {
			ie.Problems = ae.Problems
		}
		return nil, ie
	}
	return res, err
}

func packRun(ctx context.Context, opt PackOptions) (*PackResult, error) {
	if opt.Phase != DepotSolde && opt.Phase != DepotAvance {
		return nil, &Error{Message: "phase de dépôt inconnue"}
	}
	avance := opt.Phase == DepotAvance
	if err := CheckSignes(opt.Signes); err != nil {
		return nil, err
	}
	if err := checkConfinement(opt); err != nil {
		return nil, err
	}
	e, err := Load(opt.Inputs)
	if err != nil {
		return nil, err
	}
	// The certificate is needed only to sign a MOM or a BDC not issued
	// yet: with the registre, a run giving back every one of them needs
	// no password (checked below, once the registre is open).
	assets, err := e.Assets()
	var signerErr error
	if errors.Is(err, errSigner) {
		signerErr = err
		assets, err = e.unsignedAssets()
	}
	if err != nil {
		return nil, err
	}
	phase := dossier.PhaseSolde
	if avance {
		phase = dossier.PhaseAvance
	}
	// The registre is opened before the records are read: the numéro ASP
	// it knows completes a record that leaves it out.
	reg, err := e.openRegistre()
	if err != nil {
		return nil, err
	}
	if reg == nil && signerErr != nil {
		return nil, signerErr
	}
	if reg != nil {
		defer reg.Close() // the run's transaction is committed or rolled back before
		if opt.Avances == nil {
			opt.Avances = registreAvances{reg}
		}
	}
	q, err := e.scan(dossier.Options{Phase: phase, DateDepot: opt.DateDepot, Strict: opt.Strict, Avances: opt.Avances})
	if err != nil {
		return nil, err
	}
	out := opt.Out
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		return nil, e.fail("« %s » est un fichier, pas un dossier : -o attend le dossier de sortie (créé s'il n'existe pas)", out)
	}
	unlock, err := depot.Lock(out)
	if errors.Is(err, depot.ErrBusy) {
		return nil, e.fail("%s : %v", out, err)
	} else if err != nil {
		return nil, e.fail("dossier de sortie « %s » inutilisable : %s", out, safeio.Message(err))
	}
	defer unlock()
	newRenderer := func() pack.Renderer { return render.New(assets) }
	var mem pack.Memory
	var verified pack.VerifyMemo
	var rendered pack.RenderMemo
	var etats func(string) (*rapport.EtatRegistre, error)
	var avoirs func(*dossier.Dossier) ([]pack.Document, error)
	if reg != nil {
		tx, err := reg.Begin(ctx, registre.Cause{Command: "pack", File: strings.Join(e.Paths, ", ")})
		if err != nil {
			return nil, &Error{Problems: e.Problems, Message: err.Error(), err: err}
		}
		defer tx.Rollback() // after a failure; nothing once committed with the switch
		regPhase := registre.PhaseSolde
		if avance {
			regPhase = registre.PhaseAvance
		}
		mem = &memory{r: reg, tx: tx, redeposer: opt.Redeposer, phase: regPhase}
		verified, rendered = tx, tx
		numbering := &sync.Mutex{}
		var failed map[string]error
		newIssuing := func() *issuing {
			return &issuing{inner: render.New(assets), tx: tx, r: reg, phase: regPhase,
				format: e.Config.Numerotation(), numbering: numbering, numbered: map[string]bool{}, unsigned: signerErr, redeposer: opt.Redeposer, failed: failed}
		}
		if !avance && e.Config.Numerotation() != "" {
			// The new factures segur numbers are issued first, in date
			// order: the series is chronological, whatever the workers.
			if failed, err = numberInDateOrder(ctx, q, newIssuing()); errors.Is(err, pack.ErrInterrupted) {
				return nil, &Error{Problems: e.Problems, Message: "interrompu (Ctrl-C) : " + err.Error(), err: ErrInterrupted}
			} else if err != nil {
				return nil, &Error{Problems: e.Problems, Message: err.Error(), err: err}
			}
		}
		newRenderer = func() pack.Renderer { return newIssuing() }
		// Called once per dossier, from one goroutine: rapport.json holds
		// them all until it is written.
		shared := map[string]string{}
		intern := func(s string) string {
			if v, ok := shared[s]; ok {
				return v
			}
			shared[s] = s
			return s
		}
		etats = func(numero string) (*rapport.EtatRegistre, error) {
			h, err := tx.History(numero)
			return etatShared(h, intern), err
		}
		if !avance {
			avoirs = func(d *dossier.Dossier) ([]pack.Document, error) {
				as, err := tx.Avoirs(d.Numero())
				var out []pack.Document
				for _, a := range as {
					if got := registre.Hash(a.Octets); got != a.SHA256 {
						return nil, &Error{Message: fmt.Sprintf("avoir %s du dossier %s : le document archivé ne correspond plus à son empreinte SHA-256 (%s attendu, %s lu) ; vérifiez le registre (segur registre verifier) et remettez la dernière sauvegarde", a.Numero, a.Dossier, a.SHA256, got)}
					}
					out = append(out, pack.Document{Name: render.AvoirFileName(d, render.Avoir{Numero: a.Numero}), Data: a.Octets})
				}
				return out, err
			}
		}
	} else if f := e.Config.Numerotation(); f != "" {
		newRenderer = func() pack.Renderer { return unnumbered{inner: render.New(assets), format: f} }
	}
	if opt.Progress != nil {
		opt.Progress(0, q.Len())
	}
	trust, minLevel, err := e.trust()
	if err != nil {
		return nil, err
	}
	reviews, reviewsDone := Reviews(opt.Inputs, out)
	defer reviewsDone()
	res, err := pack.RunQuarter(pack.Options{
		Verifications: reviews,
		Trust:         trust,
		MinLevel:      minLevel,
		Strict:        opt.Strict,
		Dir:           out,
		Signes:        opt.Signes,
		MaxLines:      opt.MaxLines,
		Jobs:          opt.Jobs,
		Version:       opt.Version,
		DateDepot:     opt.DateDepot.Format("2006-01-02"),
		NewRenderer:   newRenderer,
		Avance:        avance,
		NewUnsigned:   func() pack.Renderer { a := assets; a.Signer = nil; return render.New(a) },
		Progress:      opt.Progress,
		Context:       ctx,
		Roots:         e.Roots,
		Guard:         true,
		Retirer:       opt.Retirer,
		Memory:        mem,
		Verified:      verified,
		Rendered:      rendered,
		Streamed:      opt.Streamed,
		Etats:         etats,
		Avoirs:        avoirs,
	}, q)
	var de *DropError
	if errors.As(err, &de) {
		return nil, &Error{Problems: append(slices.Clone(e.Problems), res.Problems...), Message: de.Error(), err: de}
	}
	if errors.Is(err, pack.ErrInterrupted) {
		return nil, &Error{Problems: e.Problems, Message: "interrompu (Ctrl-C) : " + err.Error(), err: ErrInterrupted}
	} else if err != nil {
		return nil, e.fail("production du dépôt impossible dans « %s » : %s", out, safeio.Message(err))
	}
	pr := &PackResult{Result: res, Config: e.Problems}
	if reg != nil {
		pr.Registre = reg.Path()
	}
	pr.Late = res.Late
	pr.Warnings = countWarnings(res.Problems)
	if avance {
		pr.Provisoires = provisoiresAvance(e.Registry, res)
	}
	return pr, nil
}

// provisoiresAvance lists the provisional keys of the avance profiles the
// dépôt's pairs used, once each, in profile order.
func provisoiresAvance(reg *dossier.Registry, res *pack.Result) []string {
	var out []string
	seen := map[string]bool{}
	for _, name := range res.Pairs {
		dis, _, _ := strings.Cut(name, asp.AvancePairSep)
		d := reg.Get(dis)
		if d == nil {
			continue
		}
		for _, k := range d.ProfilAvance().Provisoires() {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}
