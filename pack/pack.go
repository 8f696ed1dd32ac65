package pack

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/segur-sons/segur/asp"
	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/retours"
	"github.com/segur-sons/segur/signature"
)

// Renderer renders one document of a dossier as PDF bytes. Each worker gets
// its own (NewRenderer), so a Renderer needs no locking.
type Renderer interface {
	Render(d *dossier.Dossier, kind dossier.Kind) ([]byte, error)
}

// Options steer Run.
type Options struct {
	Dir    string // output folder: depot/, dossiers/, rapport.json
	Signes string // folder of signed VAs ("" when none)
	// Verifications gives the back-office's reviews of a dossier's
	// returned files, written in rapport.json; nil: none.
	Verifications func(numero string) []rapport.Verification
	// Etats gives a dossier's state and history in the registre, as this
	// run leaves them, for rapport.json (nil: none).
	Etats       func(numero string) (*rapport.EtatRegistre, error)
	MaxLines    int             // lines per upload pair (default asp.MaxLines)
	NewRenderer func() Renderer // one per worker
	Jobs        int             // workers (default: usable CPUs)
	Version     string          // written in rapport.json
	DateDepot   string          // written in rapport.json (AAAA-MM-JJ)
	// Progress, when set, is called after each dossier is rendered.
	Progress func(done, total int)
	// Context, when set, stops the run when it is done (Ctrl-C): Run
	// returns ErrInterrupted and the previous dépôt is left as it was.
	Context context.Context
	// Roots are the folders the pièces must lie in, physically; none
	// refuses every pièce.
	Roots safeio.Roots
	// Avance builds the avance dépôt (dossiers checked with
	// dossier.PhaseAvance): each line is the avance's, each zip holds the
	// BDC signed by the client (from Signes) and, in mode avance-solde,
	// the avance facture. NewUnsigned renders the BDC before any signature,
	// the document the client's signed copy must start with.
	Avance      bool
	NewUnsigned func() Renderer
	// Trust and MinLevel are the roots and the minimum level of the
	// clients' signatures (segur.yaml's signature block).
	Trust    *signature.Trust
	MinLevel signature.Level
	// Guard stops a run that would take out of the previous dépôt a
	// dossier Retirer does not name (DropError): set for the real output
	// folder, not for the page's private preview.
	Guard   bool
	Retirer []string // numéros éditeur
	// Strict makes an invisible client signature an error.
	Strict bool
	// Avoirs, when set, gives the avoirs issued for a dossier (the
	// registre): pack copies them into its folder of dossiers/, beside its
	// documents, so that the back-office finds them there.
	Avoirs func(d *dossier.Dossier) ([]Document, error)
	// Memory, when set, is the registre's transaction of this run: pack
	// leaves out the dossiers already deposited, numbers the pairs after
	// the last recorded, records the pairs it writes, and commits it as
	// one unit with the dépôt's switch (depot.CommitWith). nil: nothing is
	// remembered (--sans-registre).
	Memory Memory
	// Verified remembers what verifying each returned VA gave, from
	// one run to the next (the registre's transaction): a second pack of
	// an unchanged quarter does not verify them all again. nil: every VA
	// is verified.
	Verified VerifyMemo
	// Rendered remembers, from one run to the next, which unsigned
	// document a dossier's renderer drew under its key (Keyer): a second
	// pack of an unchanged dossier takes the same bytes from the dossiers/
	// it stages (the previous run's files, linked) instead of drawing them
	// again. nil: every document is drawn.
	Rendered RenderMemo

	// Streamed keeps no rapport entry in memory: each dossier's part of
	// the rapport waits in the run's spool from the moment its documents
	// are made, and rapport.json, rapport.html and a-signer/ are written
	// from there; Result.Rapport then holds no entry (read rapport.json
	// for them). Without it Result.Rapport holds them all (segur serve).
	Streamed bool

	remises map[string][]string // numéro → hashes of the documents handed out (RemisesName)
	spool   *lineSpool          // the JSON lines until their pairs are written
	stage   string              // where dossiers/ is written: the next one, switched with depot/
	handles *handleBudget       // the pièce handles kept open until their zip: at most MaxHeldPieces
}

// Memory is the registre as pack sees it: package app adapts a
// registre.Tx to it.
type Memory interface {
	// Deposited is the pair in which the dossier's solde was deposited,
	// "" if none (or if it is asked again: --redeposer).
	Deposited(numero string) (string, error)
	// NextPair is the number of the next pair of a dispositif and
	// solution (1 when none was recorded).
	NextPair(dispositif, numeroANS string) (int, error)
	// RecordPair records a pair written by the run; declared, for an
	// avance pair, is what each of its lines declared (nil for a solde's).
	RecordPair(name, dispositif, numeroANS string, number int, jsonSHA256, zipSHA256 string, dossiers []string, declared []Declaration) error
	// TxID names the run's transaction; Decide commits it; Committed says
	// whether an earlier run's transaction committed.
	TxID() string
	Decide() error
	Committed(id string) (bool, error)
}

// VerifyMemo keeps one verification result per dossier under a key
// (retours.Memo); registre.Tx is one. An error stops the run.
type VerifyMemo interface {
	Verification(numero, key string) ([]byte, error)
	RememberVerification(numero, key string, result []byte) error
}

// RenderMemo keeps, per dossier and document kind, the key a document was
// drawn under and its SHA-256 and size; registre.Tx is one. An error
// stops the run.
type RenderMemo interface {
	Rendered(numero, kind, key string) (sha string, size int64, err error)
	RememberRendered(numero, kind, key, sha string, size int64) error
}

// Keyer is a Renderer that names everything a document is drawn from
// (render.Renderer.Key): the same key, the same bytes. "" when it cannot
// name it: then the document is drawn.
type Keyer interface {
	Key(d *dossier.Dossier, kind dossier.Kind) string
}

// Knower is a Renderer that can tell, without making it, the SHA-256 and
// size of a document it would give back as it is (a document the registre
// issued): "" when it cannot. pack then takes the file of that SHA-256 the
// staged dossiers/ already holds, if it does.
type Knower interface {
	Known(d *dossier.Dossier, kind dossier.Kind) (sha string, size int64)
}

// Declaration is what one avance line declared: the beneficiaries
// (RPPS or FINESS géo, the line's order), the Prestation Ségur HT
// (montantSegurHT) and whether a mandataire was declared. The registre
// keeps it so that the solde compares its beneficiaries with the avance's
// when the record has no avance: block.
type Declaration struct {
	Numero        string
	Beneficiaires []string
	MontantHT     decimal.Decimal
	Mandataire    bool
}

// ErrInterrupted is returned by Run when its Context was cancelled.
var ErrInterrupted = errors.New("production interrompue : le dépôt précédent est intact")

// Result sums up a run.
type Result struct {
	Rapport *rapport.Rapport
	// Problems are every dossier's problems, the rules' and pack's, in
	// the order they are printed: the values rapport.json writes.
	Problems []dossier.Problem
	Pairs    []string // upload pair names written under depot/
	Ready    int
	Blocked  int
	// Deposited counts the ready dossiers left out because a pair already
	// deposited them (the registre).
	Deposited int
	// Awaiting counts the VAs still awaiting a signature.
	Awaiting int
	// Late counts the dossiers filed after their guichet closed
	// (rapport.RapportDossier.HorsDelai).
	Late int
	// HorsDepot names the files found in depot/ that segur did not make:
	// never deleted, they were moved to hors-depot/.
	HorsDepot []string
}

// dossierWork is what pass 1 keeps of one dossier: a summary, not the
// dossier itself, which is let go once its documents are written, so that
// memory does not grow with the quarter.
type dossierWork struct {
	numero, numeroASP, dispositif string
	source                        dossier.Pos
	justificatif                  dossier.Kind // MOM or VA, "" when the dossier has errors
	numeroANS, siret              string
	problems                      []dossier.Problem // the dossier's, then pack's (VA_NON_SIGNEE, PIECE_…)
	blocked                       bool
	files                         []rapport.Fichier // documents written under dossiers/
	pieces                        []Entry           // pièces for the zip
	line                          []byte            // its solde JSON line, compact, numLigne 0 (encodeLine), until spooled
	spooled                       bool              // line is in the run's lineSpool at lineAt
	lineAt                        int64
	lineLen                       int
	info                          rapport.Info    // for people: rapport.html, a-signer/, segur serve
	preuve                        *retours.Preuve // the proof of its MOM or VA, nil when none was looked at
	remise                        *retours.Remise // the unsigned MOM or VA handed out for signature
	awaiting                      bool            // a VA still awaiting a signature
	partAt                        int64           // files, info and preuve, in the run's spool once made (spoolPart)
	partLen                       int             // 0: not spooled
	err                           error           // an output that could not be written: stops the run
	deposited                     string          // the pair that already deposited it (the registre)
	declared                      *Declaration    // an avance's line: what it declared
}

// closePieces closes the handles of its pièces (pack opens each once and
// keeps it until its zip is written) and gives them back to the budget.
func (w *dossierWork) closePieces() {
	for i, e := range w.pieces {
		if e.File != nil {
			e.File.Close() // read-only: closing it loses nothing
			w.pieces[i].File = nil
			if e.budget != nil {
				e.budget.give()
			}
		}
	}
}

func (w *dossierWork) ready() bool {
	return !w.blocked && w.deposited == "" && !dossier.HasError(w.problems)
}

// summarize starts the work of d with what pass 2 and the rapport need.
func summarize(d *dossier.Dossier, avance bool) *dossierWork {
	w := &dossierWork{
		numero: d.Ref.NumeroEditeur, numeroASP: d.Ref.NumeroASP, dispositif: d.Ref.Dispositif,
		source: d.Ref.Source, blocked: d.Blocked(),
		problems: append([]dossier.Problem{}, d.Problems...),
		info:     rapport.InfoOf(d),
	}
	if !w.blocked {
		w.justificatif = d.Justificatif.Kind
		w.numeroANS = d.Solution.NumeroANS
		w.siret = d.Parties.Fournisseur.Siret
		var err error
		encode := encodeLine
		if avance {
			encode = encodeAvanceLine
			w.declared = &Declaration{Numero: w.numero, MontantHT: d.Commande.Montant.HT, Mandataire: d.Parties.Mandataire != nil}
			for _, b := range d.Parties.Beneficiaires {
				w.declared.Beneficiaires = append(w.declared.Beneficiaires, b.ID())
			}
		}
		if w.line, err = encode(d); err != nil {
			w.err = err
		}
	}
	return w
}

// Run builds the solde dépôt for the checked dossiers: pass 1 renders every
// packable dossier's documents into dossiers/ (in parallel) and checks the
// signed VAs and pièces; pass 2 writes the upload pairs, in numéro éditeur
// order, and rapport.json. Every file is written atomically; the same input
// gives the same bytes whatever the number of workers.
func Run(opt Options, ds []*dossier.Dossier) (*Result, error) {
	return run(opt, &dossierList{ds: slices.Clone(ds)})
}

// RunQuarter is Run on a quarter scanned by dossier.Scan: each worker makes
// the dossiers of one group of records again when it packs them, so that
// memory stays flat whatever the size of the quarter and of its files.
func RunQuarter(opt Options, q *dossier.Quarter) (*Result, error) {
	return run(opt, quarterSource{q})
}

func run(opt Options, src source) (*Result, error) {
	if opt.MaxLines <= 0 {
		opt.MaxLines = asp.MaxLines
	}
	if opt.Jobs <= 0 {
		opt.Jobs = runtime.GOMAXPROCS(0)
	}
	ctx := opt.Context
	if ctx == nil {
		ctx = context.Background()
	}
	// A switch an earlier run left under way is finished first.
	var committed depot.Committed
	if opt.Memory != nil {
		committed = opt.Memory.Committed
	}
	recovered, err := depot.RecoverWith(opt.Dir, committed)
	if err != nil {
		return nil, err
	}
	if err := depot.RemoveTemps(opt.Dir); err != nil {
		return nil, err
	}
	opt.remises = retours.LoadRemises(opt.Dir)
	// The new dépôt is built beside the current one, then switched to;
	// the dossiers' documents are written into the next dossiers/, staged
	// beside it and switched with it: a run that stops (a fault, a
	// refusal) leaves dossiers/ as it was, agreeing with depot/.
	next, stage, err := depot.BeginNextWithDossiers(opt.Dir)
	if err != nil {
		return nil, err
	}
	// A build that fails before its journal is written (a full disk, Ctrl-C)
	// is removed, giving its space back; after, Recover needs it.
	defer depot.Abandon(opt.Dir)
	opt.stage = stage
	if opt.handles == nil {
		opt.handles = &handleBudget{max: MaxHeldPieces}
	}
	if opt.spool, err = newLineSpool(opt.Dir); err != nil {
		return nil, err
	}
	defer opt.spool.close()
	works, err := prepareAll(opt, src)
	defer func() {
		for _, w := range works {
			if w != nil { // buildRapport lets each go
				w.closePieces()
			}
		}
	}()
	if err != nil {
		return nil, err
	}
	for _, w := range works {
		if w.err != nil {
			return nil, w.err
		}
		if opt.Memory == nil || !w.ready() {
			continue
		}
		dep, err := opt.Memory.Deposited(w.numero)
		if err != nil {
			return nil, err
		}
		if dep != "" {
			w.deposited = dep
			w.problems = append(w.problems, dossier.Problem{Pos: w.source, Level: dossier.Attention, Numero: w.numero, Field: "-", Code: "DOSSIER_DEJA_DEPOSE",
				Message: fmt.Sprintf("déjà déposé dans la paire %s : il n'est pas déposé à nouveau (--redeposer %s pour le déposer dans une nouvelle paire, après un rejet)", dep, w.numero)})
		}
	}
	pairs, err := writePairs(ctx, opt, next, works)
	if err != nil {
		return nil, err
	}
	var remises []retours.Remise
	for _, w := range works {
		if w.remise != nil {
			remises = append(remises, *w.remise)
		}
	}
	if err := retours.RecordRemises(opt.Dir, remises); err != nil {
		return nil, err
	}
	res := &Result{}
	for _, w := range works {
		for _, p := range w.problems {
			if p.Numero == "" {
				p.Numero = "-"
			}
			res.Problems = append(res.Problems, p)
		}
		if w.ready() {
			res.Ready++
		} else if w.deposited != "" {
			res.Deposited++
		} else {
			res.Blocked++
		}
		if w.awaiting {
			res.Awaiting++
		}
	}
	for _, p := range pairs {
		res.Pairs = append(res.Pairs, p.name)
	}
	dossier.SortProblems(res.Problems)
	// Never a dépôt with less than the previous one without being told:
	// the result comes back with the error, for its problems (why the
	// dossiers are blocked).
	if opt.Guard {
		if de := dropped(opt.Dir, kept(works, pairs), opt.Retirer, opt.Memory); de != nil {
			r, err := buildRapport(opt, works, pairs, nil)
			if err != nil {
				return nil, err
			}
			if res.Rapport, err = r.Held(); err != nil {
				return nil, err
			}
			return res, de
		}
	}
	// Each entry of the rapport, made whole (its reviews, its state in the
	// registre), waits in the spool until rapport.json, rapport.html and
	// a-signer/ are written from it.
	entries, err := buildRapport(opt, works, pairs, func(e *rapport.RapportDossier) error {
		if opt.Verifications != nil {
			e.Verifications = opt.Verifications(e.NumeroEditeur)
		}
		if opt.Etats != nil && e.NumeroEditeur != "" {
			var err error
			if e.Registre, err = opt.Etats(e.NumeroEditeur); err != nil {
				return err
			}
		}
		if e.HorsDelai() {
			res.Late++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Rapport = entries
	// rapport.json and rapport.html go beside the new depot/, a-signer/
	// and its manifest into their staged copies; all are switched with
	// the dépôt. The three are written at the same time: each reads the
	// spool on its own (ReadAt) and writes its own files, and each
	// synced file's wait for the disk overlaps the others' work (a
	// quarter's rapport.json and rapport.html are tens of megabytes).
	var (
		keptVAs   []string // a-signer/'s files segur did not write, kept
		jsonErr   error
		htmlErr   error
		peopleErr error
		writers   sync.WaitGroup
	)
	writers.Go(func() {
		jsonErr = depot.WriteWith(filepath.Join(filepath.Dir(next), depot.RapportFile), true, res.Rapport.WriteJSON)
	})
	writers.Go(func() {
		htmlErr = rapport.WriteHTML(filepath.Join(filepath.Dir(next), depot.RapportHTML), res.Rapport)
	})
	keptVAs, peopleErr = rapport.WriteForPeople(opt.Dir, stage, res.Rapport)
	writers.Wait()
	if err := cmp.Or(jsonErr, htmlErr, peopleErr); err != nil {
		return nil, err
	}
	var names []string
	for _, p := range pairs {
		names = append(names, p.name+".json", p.name+".zip")
	}
	if ctx.Err() != nil {
		return nil, ErrInterrupted
	}
	var dec *depot.Decider
	if opt.Memory != nil {
		dec = &depot.Decider{TxID: opt.Memory.TxID(), Decide: opt.Memory.Decide}
	}
	aside, err := depot.CommitWith(opt.Dir, names, dec)
	if err != nil {
		return nil, err
	}
	res.HorsDepot = append(recovered, aside...)
	if opt.Streamed {
		res.Rapport = rapport.Streamed(res.Rapport.GenerePar, res.Rapport.DateDepot, func(func(rapport.Etat) bool, func(*rapport.RapportDossier) error) error {
			return errors.New("pack: les entrées du rapport ont été écrites dans rapport.json, pas gardées (Options.Streamed)")
		})
	} else if res.Rapport, err = res.Rapport.Held(); err != nil {
		return nil, err
	}
	for _, k := range keptVAs {
		res.Problems = append(res.Problems, dossier.Problem{Level: dossier.Attention, Numero: "-", Field: "a-signer", Code: "A_SIGNER_CONSERVE", Message: k})
	}
	return res, nil
}

// modified is the time stamped on a dossier's zip entries: the facture's
// date, at midnight UTC.
func modified(d *dossier.Dossier) time.Time { return retours.Modified(d) }

// prepare renders the documents of one packable dossier into dossiers/ and
// gathers its pièces, recording why it cannot be packed when it cannot.
func prepare(opt Options, r Renderer, d *dossier.Dossier, w *dossierWork) {
	dir := filepath.Join(opt.docs(), "dossiers", d.Numero())
	problem := func(field, code, format string, args ...any) {
		w.problems = append(w.problems, dossier.Problem{
			Pos: d.Ref.Source, Level: dossier.Erreur, Numero: d.Numero(), Field: field, Code: code,
			Message: fmt.Sprintf(format, args...),
		})
	}
	if opt.Avance {
		prepareAvance(opt, r, d, w, problem)
		return
	}
	if opt.Avoirs != nil {
		avoirs, err := opt.Avoirs(d)
		if err != nil {
			w.err = err
			return
		}
		for _, a := range avoirs {
			if err := opt.write(filepath.Join(dir, a.Name), a.Data); err != nil {
				w.err = err
				return
			}
			w.files = append(w.files, rapport.Fichier{Nom: a.Name, SHA256: a.sha()})
		}
	}
	kinds := d.Documents
	rendered := map[dossier.Kind][]byte{}
	sums := map[dossier.Kind]string{} // each document's SHA-256, computed once
	for _, k := range kinds {
		doc, prob, err := opt.writeDocument(r, d, k)
		if err != nil {
			w.err = err
			return
		}
		if prob != nil {
			w.problems = append(w.problems, *prob)
			return
		}
		rendered[k] = doc.Data
		sums[k] = doc.sha()
		w.files = append(w.files, rapport.Fichier{Nom: doc.Name, SHA256: sums[k]})
	}
	warn := func(field, code, format string, args ...any) {
		w.problems = append(w.problems, dossier.Problem{
			Pos: d.Ref.Source, Level: dossier.Attention, Numero: d.Numero(), Field: field, Code: code,
			Message: fmt.Sprintf(format, args...),
		})
	}
	mod := modified(d)
	w.pieces = append(w.pieces, Entry{Name: d.FileName(dossier.FACTURE), Path: filepath.Join(dir, d.FileName(dossier.FACTURE)), SHA256: cmp.Or(sums[dossier.FACTURE], sum(rendered[dossier.FACTURE])), Modified: mod})
	if e, ok := justificatif(opt, d, rendered[d.Justificatif.Kind], w, problem, warn); ok {
		e.Modified = mod
		w.pieces = append(w.pieces, e)
	}
	for i, p := range d.Pieces {
		field := fmt.Sprintf("realisation.pieces[%d]", i)
		f, data, ok := openPiece(opt, p.Path, p.Libelle, field, p.Contenu, problem)
		if !ok {
			continue
		}
		if strings.EqualFold(filepath.Ext(p.Path), ".pdf") {
			if err := pdfin.Accept(data); err != nil {
				f.Close() // on the way out of a failure: that failure is what is reported
				problem(field, "PIECE_ILLISIBLE", "la pièce « %s » (%s) n'est pas un PDF accepté : %v", filepath.Base(p.Path), p.Libelle, err)
				continue
			}
		}
		w.pieces = append(w.pieces, opt.pieceEntry(d.PieceName(p), p.Path, f, data, mod))
	}
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// pair is one upload pair: a JSON and its zip.
type pair struct {
	name  string
	works []*dossierWork
}

// writePairs groups the ready dossiers by dispositif and solution, in
// numéro éditeur order, cuts them into pairs of at most MaxLines lines, and
// writes each pair's JSON and zip into depot, the next dépôt's folder.
func writePairs(ctx context.Context, opt Options, into string, works []*dossierWork) ([]pair, error) {
	type key struct{ dispositif, ans string }
	groups := map[key][]*dossierWork{}
	var keys []key
	for _, w := range works {
		if !w.ready() {
			continue
		}
		k := key{w.dispositif, w.numeroANS}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], w)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.dispositif, b.dispositif), cmp.Compare(a.ans, b.ans))
	})
	// The pairs are named in order first (their numbers follow the
	// registre's), then written by opt.Jobs goroutines at once — each
	// pair's zip is a file of its own — and recorded in order.
	var pairs []pair
	var firsts []int // each pair's number
	for _, k := range keys {
		g := groups[k]
		first := 1
		if opt.Memory != nil {
			var err error
			if first, err = opt.Memory.NextPair(k.dispositif, k.ans); err != nil {
				return nil, err
			}
		}
		for n := 0; n*opt.MaxLines < len(g); n++ {
			name := asp.PairName(k.dispositif, k.ans, first+n)
			if opt.Avance {
				name = asp.AvancePairName(k.dispositif, k.ans, first+n)
			}
			pairs = append(pairs, pair{
				name:  name,
				works: g[n*opt.MaxLines : min(len(g), (n+1)*opt.MaxLines)],
			})
			firsts = append(firsts, first+n)
		}
	}
	type written struct {
		jsonSum, zipSum string
		err             error
	}
	sums := make([]written, len(pairs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(max(opt.Jobs, 1), len(pairs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ctx.Err() != nil {
					sums[i].err = ErrInterrupted
					continue
				}
				p := pairs[i]
				sums[i].jsonSum, sums[i].zipSum, sums[i].err = writePair(opt, into, p)
				for _, w := range p.works {
					w.closePieces()
					w.line, w.pieces = nil, nil // written: only the rapport's part is kept
				}
			}
		}()
	}
	for i := range pairs {
		next <- i
	}
	close(next)
	wg.Wait()
	// The first pair that failed says why, as when they were written one
	// after the other.
	for i, p := range pairs {
		if sums[i].err != nil {
			return nil, sums[i].err
		}
		if opt.Memory != nil {
			numeros := make([]string, len(p.works))
			var declared []Declaration
			for j, w := range p.works {
				numeros[j] = w.numero
				if w.declared != nil {
					declared = append(declared, *w.declared)
				}
			}
			if err := opt.Memory.RecordPair(p.name, p.works[0].dispositif, p.works[0].numeroANS, firsts[i], sums[i].jsonSum, sums[i].zipSum, numeros, declared); err != nil {
				return nil, err
			}
		}
	}
	return pairs, nil
}

func writePair(opt Options, into string, p pair) (jsonSum, zipSum string, err error) {
	lines := make([][]byte, len(p.works))
	var entries []Entry
	for i, w := range p.works {
		if lines[i], err = opt.spool.get(w); err != nil {
			return "", "", err
		}
		entries = append(entries, w.pieces...)
	}
	first := p.works[0]
	var js bytes.Buffer
	if err := writeSolde(&js, first.numeroANS, first.siret, lines); err != nil {
		return "", "", err
	}
	if err := depot.WriteFile(filepath.Join(into, p.name+".json"), js.Bytes()); err != nil {
		return "", "", err
	}
	// The zip streams into its temporary file: a pair's pièces are never all
	// in memory at once; its hash is taken as it is written.
	h := sha256.New()
	err = depot.WriteWith(filepath.Join(into, p.name+".zip"), true, func(w io.Writer) error {
		h.Reset()
		return WriteZip(io.MultiWriter(w, h), entries)
	})
	if errors.Is(err, os.ErrNotExist) {
		return "", "", fmt.Errorf("%s : une pièce a disparu pendant l'écriture : %w", p.name, err)
	}
	return sum(js.Bytes()), hex.EncodeToString(h.Sum(nil)), err
}

// docs is the folder whose dossiers/ receives the documents: the staged
// next one during a run.
func (o Options) docs() string {
	if o.stage != "" {
		return o.stage
	}
	return o.Dir
}
