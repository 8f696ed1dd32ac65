package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/pack"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/registre"
	"github.com/shopspring/decimal"
)

// AutoRegistre, as Inputs.Registre, is the registre segur.yaml names
// (registre:), or registre.sqlite beside segur.yaml.
const AutoRegistre = "auto"

// SansRegistre is what a run without the registre (Inputs.Registre "",
// --sans-registre) does not remember, for the commands to say.
const SansRegistre = "sans registre : rien n'est mémorisé — les documents sont produits à nouveau (signés à l'heure actuelle) au lieu d'être repris, aucun numéro de facture ni aucune paire n'est enregistré, et les règles entre trimestres (numéro de facture déjà émis, bénéficiaire retiré ou déjà financé, dossier déjà déposé) ne sont pas vérifiées"

// RegistrePath is the registre file e's inputs name: "" when none.
func (e *Env) RegistrePath() string {
	switch e.registre {
	case "":
		return ""
	case AutoRegistre:
		if p := e.Config.Registre; p != "" {
			if filepath.IsAbs(p) {
				return p
			}
			return filepath.Join(e.Config.Dir, p)
		}
		return filepath.Join(e.Config.Dir, registre.DefaultName)
	}
	return e.registre
}

// openRegistre opens the registre of e's inputs (nil when none).
func (e *Env) openRegistre() (*registre.Registre, error) {
	p := e.RegistrePath()
	if p == "" {
		return nil, nil
	}
	r, err := registre.Open(p, registre.Options{Now: e.now})
	if err != nil {
		return nil, &Error{Problems: e.Problems, Message: err.Error(), err: err}
	}
	return r, nil
}

// OpenRegistre opens the registre in.Registre names (segur.yaml read for
// AutoRegistre): the commands that work on the registre alone.
func OpenRegistre(in Inputs) (*registre.Registre, error) {
	e, err := loadConfigOnly(in)
	if err != nil {
		return nil, err
	}
	if e.RegistrePath() == "" {
		return nil, &Error{Message: "aucun registre : retirez --sans-registre"}
	}
	return e.openRegistre()
}

// loadConfigOnly reads segur.yaml without any record.
func loadConfigOnly(in Inputs) (*Env, error) {
	if len(in.Paths) == 0 {
		in.Paths = []string{"."}
	}
	e, err := Load(in)
	if err == nil {
		return e, nil
	}
	// No record is needed: find and read segur.yaml alone.
	path := in.Config
	if path == "" {
		if path, err = FindConfig(in.Paths); err != nil {
			return nil, err
		}
	}
	reg, err2 := loadRegistry(in)
	if err2 != nil {
		return nil, err2
	}
	cfg, probs, err3 := dossier.LoadConfig(path, reg, pdfops.Disk{})
	if err3 != nil {
		return nil, &Error{Message: err3.Error()}
	}
	if dossier.HasError(probs) {
		return nil, &Error{Problems: probs, Message: fmt.Sprintf("%s est invalide : corrigez-le avant de continuer", path), err: ErrInvalidConfig}
	}
	return &Env{Registry: reg, Config: cfg, ConfigPath: path, Problems: probs, registre: in.Registre, now: in.Now}, nil
}

// registreAvances gives the solde what the registre knows of its avance:
// the numéro ASP (segur asp importer), so that a record may leave it out,
// and what the avance's line declared when segur deposited it
// (beneficiaries, Prestation Ségur HT, mandataire; its status: paid once
// the ASP's answer accepted it, else in instruction), so that a record
// without an avance: block is compared with it.
type registreAvances struct{ r *registre.Registre }

func (a registreAvances) Avance(numero string) *dossier.AvanceConnue {
	n, err := a.r.NumeroASP(numero)
	if err != nil {
		return nil
	}
	out := &dossier.AvanceConnue{NumeroASP: n}
	if dec, err := a.r.AvanceDeclaree(numero); err == nil && dec != nil {
		out.Beneficiaires = dec.Beneficiaires
		out.Mandataire = dec.Mandataire
		if m, err := decimal.NewFromString(dec.MontantHT); err == nil {
			out.MontantHT = &m
		}
		out.Statut = "en_instruction"
		if dec.Payee {
			out.Statut = dossier.AvanceStatutPaye
		}
	}
	if out.NumeroASP == "" && len(out.Beneficiaires) == 0 {
		return nil
	}
	return out
}

// memory adapts a registre transaction to pack.Memory.
type memory struct {
	r         *registre.Registre
	tx        *registre.Tx
	redeposer []string
	phase     string // registre.PhaseSolde or PhaseAvance
}

func (m *memory) Deposited(numero string) (string, error) {
	if slices.Contains(m.redeposer, numero) {
		return "", nil
	}
	return m.tx.DepositedIn(numero, m.phase)
}

func (m *memory) NextPair(dispositif, ans string) (int, error) {
	return m.tx.NextPairNumber(dispositif, ans, m.phase)
}

func (m *memory) RecordPair(name, dispositif, ans string, n int, js, zip string, dossiers []string, declared []pack.Declaration) error {
	p := registre.Pair{Name: name, Dispositif: dispositif, Solution: ans, Phase: m.phase, Number: n, JSONSHA256: js, ZipSHA256: zip, Dossiers: dossiers}
	for _, d := range declared {
		p.Declarations = append(p.Declarations, registre.Declaration{Dossier: d.Numero, Beneficiaires: d.Beneficiaires, MontantHT: d.MontantHT.StringFixed(2), Mandataire: d.Mandataire})
	}
	return m.tx.RecordPair(p)
}

func (m *memory) TxID() string                      { return m.tx.ID() }
func (m *memory) Decide() error                     { return m.tx.Commit() }
func (m *memory) Committed(id string) (bool, error) { return m.r.Committed(id) }

// issuing gives back, byte for byte, a BDC, facture or MOM the registre
// already issued for the dossier, and issues (renders, then records with
// its bytes) the one it did not: no document is rendered or signed twice.
// A record changed since a document was issued is DOCUMENT_EMIS_MODIFIE;
// a facture number issued for another dossier, FACTURE_DOUBLON; a
// beneficiary retired or financed elsewhere, BENEFICIAIRE_DEJA_RETIRE or
// BENEFICIAIRE_DEJA_FINANCE — the dossier is blocked, the others go on.
type issuing struct {
	inner pack.Renderer
	tx    *registre.Tx
	r     *registre.Registre
	phase string // the dépôt made: the avance issues the BDC and the avance facture
	// issues are the kinds this command issues (nil: all); a document of
	// another kind is given back when issued, else rendered and not
	// recorded (render issues only the BDC).
	issues []dossier.Kind
	// issued and reused count the documents issued and given back (one
	// goroutine per issuing).
	issued, reused int
	// format is segur.yaml's facture.numerotation ("" when the records
	// give the numbers); numbering, shared by the workers, keeps a number
	// taken and its facture issued together; numbered are the dossiers
	// whose facture number is settled.
	format    string
	numbering *sync.Mutex
	numbered  map[string]bool
	// unsigned, when set, is why the certificate cannot be used: a MOM or
	// a BDC given back from the registre needs none, one to issue (and so
	// to sign) is refused with it.
	unsigned error
	// cancelled is, by dossier, its DOSSIER_ANNULE error (nil: not
	// cancelled), or its DOSSIER_PAYE error when the run asks it again
	// (redeposer) though its solde was paid.
	cancelled map[string]error
	redeposer []string
	// failed is, by dossier, why numberInDateOrder could not issue its
	// facture (read only once the workers run).
	failed map[string]error
}

// signerNeeded is the error of a MOM or BDC to sign for the first time
// when the certificate cannot be used: the signature block's problem,
// said for this document.
func signerNeeded(kind dossier.Kind, err error) error {
	code, msg := "CERTIFICAT_MOT_DE_PASSE", err.Error()
	var ae *Error
	if errors.As(err, &ae) && len(ae.Problems) > 0 {
		p := ae.Problems[len(ae.Problems)-1]
		code, msg = p.Code, p.Message
	}
	what := "la MOM de ce dossier n'a pas encore été émise : segur doit la signer"
	if kind == dossier.BDC {
		what = "le bon de commande de ce dossier n'a pas encore été émis : segur doit le signer"
	}
	return &registre.Error{Code: code, Msg: fmt.Sprintf("%s avec le certificat de segur.yaml, qui ne peut pas être utilisé : %s (les documents déjà émis, repris du registre, n'en ont pas besoin)", what, msg)}
}

// Key is the inner renderer's key of the document kind of d (pack.Keyer),
// taken once what Render settles first is settled (the facture number the
// VA cites): "" when the inner renderer keys nothing, or when Render would
// refuse the document (it says why when called).
func (is *issuing) Key(d *dossier.Dossier, kind dossier.Kind) string {
	kr, ok := is.inner.(pack.Keyer)
	if !ok || is.before(d, kind) != nil {
		return ""
	}
	return kr.Key(d, kind)
}

// Known is the SHA-256 and size of the BDC, facture or MOM of d that the
// registre issued and that Render would give back as it is (pack.Knower),
// found without reading the archived bytes: "" when Render would not (not
// issued yet, issued from other inputs, or refused: Render says why).
func (is *issuing) Known(d *dossier.Dossier, kind dossier.Kind) (string, int64) {
	switch kind {
	case dossier.BDC, dossier.FACTURE, dossier.MOM:
	default:
		return "", 0
	}
	if is.before(d, kind) != nil {
		return "", 0
	}
	role := ""
	if kind == dossier.FACTURE && is.phase == registre.PhaseAvance {
		role = "avance"
	}
	inputs, err := registre.Canonical(inputsOf(d, kind))
	if err != nil {
		return "", 0
	}
	if kind == dossier.MOM && is.factureBlocked(d) != nil {
		return "", 0
	}
	prev, size, err := is.tx.IssuedKnown(d.Numero(), string(kind), role)
	if err != nil || prev == nil {
		return "", 0
	}
	if diffs, err := registre.Diffs(prev.Entrees, inputs); err != nil || diffs != nil {
		return "", 0
	}
	return prev.SHA256, size
}

func (is *issuing) Render(d *dossier.Dossier, kind dossier.Kind) ([]byte, error) {
	if err := is.before(d, kind); err != nil {
		return nil, err
	}
	switch kind {
	case dossier.BDC, dossier.FACTURE, dossier.MOM:
	default:
		return is.inner.Render(d, kind)
	}
	return is.issue(d, kind)
}

// before refuses the documents of a cancelled dossier and settles the
// facture number the documents of d cite: what Render does before any
// document, once per dossier (asking again is answered from memory).
func (is *issuing) before(d *dossier.Dossier, kind dossier.Kind) error {
	// A cancelled dossier (segur etat NUMERO --annule) gets no document;
	// asked once per dossier.
	if is.cancelled == nil {
		is.cancelled = map[string]error{}
	}
	err, seen := is.cancelled[d.Numero()]
	if !seen {
		err = is.tx.Cancelled(d.Numero())
		if err == nil && slices.Contains(is.redeposer, d.Numero()) {
			err = is.tx.Paid(d.Numero())
		}
		is.cancelled[d.Numero()] = err
	}
	if err != nil {
		return err
	}
	if is.format != "" && is.phase == registre.PhaseSolde && d.Stage == dossier.PhaseSolde {
		switch kind {
		case dossier.MOM, dossier.VA, dossier.FACTURE:
			// The MOM and the VA cite the facture's number: it is settled
			// (the facture issued) first.
			return is.number(d)
		}
	}
	return nil
}

// issue gives back the BDC, facture or MOM of d already issued, or issues
// it.
func (is *issuing) issue(d *dossier.Dossier, kind dossier.Kind) ([]byte, error) {
	// The avance facture of a two-invoice dossier is its own document,
	// issued with the avance dépôt; the solde's facture is another.
	role := ""
	if kind == dossier.FACTURE && is.phase == registre.PhaseAvance {
		role = "avance"
	}
	inputs, err := registre.Canonical(inputsOf(d, kind))
	if err != nil {
		return nil, err
	}
	if kind == dossier.MOM {
		// The MOM cites the facture: it is not issued for a facture that
		// cannot be (DOCUMENT_EMIS_MODIFIE, FACTURE_DOUBLON…), which
		// blocks the dossier with the facture's reason.
		if err := is.factureBlocked(d); err != nil {
			return nil, err
		}
	}
	prev, err := is.tx.Issued(d.Numero(), string(kind), role)
	if err != nil {
		return nil, err
	}
	if prev != nil {
		diffs, err := registre.Diffs(prev.Entrees, inputs)
		if err != nil {
			return nil, err
		}
		if diffs != nil {
			return nil, modified(d, prev, diffs)
		}
		is.reused++
		return prev.Octets, nil
	}
	if is.issues != nil && !slices.Contains(is.issues, kind) {
		return is.inner.Render(d, kind)
	}
	if is.unsigned != nil && (kind == dossier.MOM || kind == dossier.BDC) {
		return nil, signerNeeded(kind, is.unsigned)
	}
	siren := fournisseurSIREN(d)
	if kind == dossier.FACTURE {
		if err := is.acrossQuarters(d, siren, role == ""); err != nil {
			return nil, err
		}
	}
	data, err := is.inner.Render(d, kind)
	if err != nil {
		return nil, err
	}
	doc := &registre.Document{Dossier: d.Numero(), Kind: string(kind), Role: role, Entrees: inputs, Octets: data, Fournisseur: siren}
	switch kind {
	case dossier.BDC:
		doc.Numero, doc.Date = d.Commande.Numero, d.Commande.Date.Format("2006-01-02")
	case dossier.FACTURE:
		doc.Numero, doc.Date = d.Facture.Numero, d.Facture.Date.Format("2006-01-02")
		if role == "avance" {
			doc.Numero, doc.Date = d.Facture.Avance.Numero, d.Facture.Avance.Date.Format("2006-01-02")
		}
	case dossier.MOM:
		doc.Numero, doc.Date = "MOM-"+d.Numero(), d.Realisation.DateFin.Format("2006-01-02")
	}
	if s := d.Parties.Fournisseur.Signataire; s != nil && kind != dossier.FACTURE {
		doc.Signataire = s.FullName() // the fournisseur signs the BDC and the MOM
	}
	if err := is.tx.Issue(doc); err != nil {
		return nil, err
	}
	state := registre.Commande
	if kind != dossier.BDC && role == "" {
		state = registre.Realise
	}
	if err := is.tx.SetState(d.Numero(), d.Ref.Dispositif, state, "", ""); err != nil {
		return nil, err
	}
	is.issued++
	return data, nil
}

// number settles the facture number of d when segur.yaml numbers the
// factures: the number of the facture already issued, or the next of the
// fournisseur's series, taken and the facture issued at once (the number
// given back if the facture cannot be: the series never has a hole). A
// record that gives a number of its own is FACTURE_NUMERO_DONNE.
func (is *issuing) number(d *dossier.Dossier) error {
	if is.numbered[d.Numero()] {
		return nil
	}
	// Its number, not its bytes: the archive is not read.
	prev, _, err := is.tx.IssuedKnown(d.Numero(), string(dossier.FACTURE), "")
	if err != nil {
		return err
	}
	if d.Facture.Numero != "" {
		if prev != nil && prev.Numero == d.Facture.Numero {
			is.numbered[d.Numero()] = true
			return nil
		}
		return &registre.Error{Code: CodeFactureNumeroDonne, Msg: numeroDonne(d.Facture.Numero, is.format)}
	}
	if prev != nil {
		d.Facture.Numero = prev.Numero
		is.numbered[d.Numero()] = true
		return nil
	}
	// The run issued its new factures in date order before the workers
	// (numberInDateOrder): one that could not be issued says why, and no
	// number is taken out of order.
	if err := is.failed[d.Numero()]; err != nil {
		return err
	}
	if is.issues != nil && !slices.Contains(is.issues, dossier.FACTURE) {
		return aNumeroter(is.format)
	}
	is.numbering.Lock()
	defer is.numbering.Unlock()
	n, undo, err := is.tx.TakeFactureNumber(fournisseurSIREN(d), is.format, d.Facture.Date.ISO())
	if err != nil {
		return err
	}
	d.Facture.Numero = n
	is.numbered[d.Numero()] = true
	if _, err := is.Render(d, dossier.FACTURE); err != nil {
		d.Facture.Numero = ""
		delete(is.numbered, d.Numero())
		if uerr := undo(); uerr != nil {
			return uerr
		}
		return err
	}
	return nil
}

// numeroDonne is the message of FACTURE_NUMERO_DONNE: a record giving
// numero though segur numbers the factures in format.
func numeroDonne(numero, format string) string {
	return fmt.Sprintf("facture.numero « %s » : segur.yaml fait numéroter les factures par segur (facture.numerotation « %s ») ; retirez facture.numero de l'enregistrement, segur donne le numéro suivant de la série quand il émet la facture", numero, format)
}

// aNumeroter is the error of a document that needs the facture number
// segur has not given yet (a run that does not issue the facture).
func aNumeroter(format string) error {
	return &registre.Error{Code: CodeFactureANumeroter, Msg: fmt.Sprintf("segur.yaml fait numéroter les factures par segur (facture.numerotation « %s ») : le numéro est donné quand segur pack émet la facture, avec le registre ; la facture, la MOM et la VA de ce dossier attendent ce numéro", format)}
}

// unnumbered stands in front of a renderer that issues nothing (no
// registre): when segur.yaml numbers the factures, a document citing a
// facture number not given yet is FACTURE_A_NUMEROTER.
type unnumbered struct {
	inner  pack.Renderer
	format string
}

func (u unnumbered) Render(d *dossier.Dossier, kind dossier.Kind) ([]byte, error) {
	switch kind {
	case dossier.MOM, dossier.VA, dossier.FACTURE:
		if d.Stage == dossier.PhaseSolde && d.Facture.Numero == "" {
			return nil, aNumeroter(u.format)
		}
	}
	return u.inner.Render(d, kind)
}

// factureBlocked is the error the solde facture of d would meet when
// issued or given back, nil when none: it records nothing.
func (is *issuing) factureBlocked(d *dossier.Dossier) error {
	inputs, err := registre.Canonical(inputsOf(d, dossier.FACTURE))
	if err != nil {
		return err
	}
	// Its inputs, not its bytes: the archive is not read.
	prev, _, err := is.tx.IssuedKnown(d.Numero(), string(dossier.FACTURE), "")
	if err != nil {
		return err
	}
	if prev != nil {
		diffs, err := registre.Diffs(prev.Entrees, inputs)
		if err != nil || diffs == nil {
			return err
		}
		return modified(d, prev, diffs)
	}
	if err := is.r.CheckNumeroASP(d.Numero(), d.Ref.NumeroASP); err != nil {
		return err
	}
	siren := fournisseurSIREN(d)
	if n := d.Facture.Numero; n != "" {
		if err := is.tx.CheckFactureNumber(siren, n); err != nil {
			return err
		}
	}
	for _, b := range d.JSON.Beneficiaires {
		if err := is.tx.CheckBeneficiaire(d.Ref.Dispositif, b, d.Numero()); err != nil {
			return err
		}
	}
	return nil
}

// acrossQuarters applies the rules that need every earlier run: a facture
// number never reused, a beneficiary retired never financed again, one
// beneficiary financed by one dossier per dispositif.
func (is *issuing) acrossQuarters(d *dossier.Dossier, siren string, solde bool) error {
	if err := is.r.CheckNumeroASP(d.Numero(), d.Ref.NumeroASP); err != nil {
		return err
	}
	for _, n := range []string{d.Facture.Numero, d.Facture.Avance.Numero} {
		if n == "" {
			continue
		}
		if err := is.r.CheckFactureNumber(siren, n, d.Numero()); err != nil {
			return err
		}
	}
	if !solde {
		return nil // the beneficiaries financed are the solde's
	}
	for _, b := range d.JSON.Beneficiaires {
		if err := is.tx.Finance(d.Ref.Dispositif, b, d.Numero()); err != nil {
			return err
		}
	}
	for _, b := range d.Parties.Retires {
		if err := is.tx.Retire(d.Ref.Dispositif, b, d.Numero()); err != nil {
			return err
		}
	}
	return nil
}

func fournisseurSIREN(d *dossier.Dossier) string {
	s := d.Parties.Fournisseur.Siret
	if len(s) >= 9 {
		return s[:9]
	}
	return s
}

// inputsOf is the part of the dossier a document is rendered from: what,
// changed after the document was issued, would alter it. Positions in the
// record files and paths on this machine are left out.
func inputsOf(d *dossier.Dossier, kind dossier.Kind) any {
	ref := map[string]any{"NumeroEditeur": d.Ref.NumeroEditeur, "Dispositif": d.Ref.Dispositif}
	m := map[string]any{"Ref": ref, "Fournisseur": d.Parties.Fournisseur, "Client": d.Parties.Client, "TVA": d.TVA}
	if d.Solution != nil {
		m["Solution"] = d.Solution
	}
	switch kind {
	case dossier.BDC:
		m["Commande"] = d.Commande
		m["Prestation"] = d.Prestation
	case dossier.FACTURE:
		ref["NumeroASP"] = d.Ref.NumeroASP
		f := d.Facture
		f.DatePos = dossier.Pos{}
		f.Avance.PDF = ""
		m["Facture"] = f
		m["CommandeNumero"] = d.Commande.Numero
		m["Beneficiaires"] = d.Parties.Beneficiaires
		m["DateFin"] = d.Realisation.DateFin
	case dossier.MOM:
		m["Realisation"] = d.Realisation
		m["Justificatif"] = d.Justificatif
		m["Beneficiaires"] = d.Parties.Beneficiaires
		m["FactureNumero"] = d.Facture.Numero
	}
	return m
}

// RegistreVerify checks the registre: SQLite's integrity check and every
// archived document against its SHA-256.
func RegistreVerify(ctx context.Context, in Inputs) (*registre.VerifyResult, string, error) {
	r, err := OpenRegistre(in)
	if err != nil {
		return nil, "", err
	}
	defer r.Close() // read-only use of the registre, or its transaction already ended
	res, err := r.Verify(ctx)
	if err != nil {
		return nil, r.Path(), &Error{Message: err.Error(), err: err}
	}
	return res, r.Path(), nil
}

// RegistreBackup writes an online, consistent copy of the registre to dst.
func RegistreBackup(in Inputs, dst string) (string, error) {
	r, err := OpenRegistre(in)
	if err != nil {
		return "", err
	}
	defer r.Close() // read-only use of the registre, or its transaction already ended
	if err := r.Backup(dst); err != nil {
		return r.Path(), &Error{Message: err.Error(), err: err}
	}
	return r.Path(), nil
}

// EtatDossier is one dossier's state and history.
type EtatDossier struct {
	Status    registre.Status
	History   []registre.Event
	Documents []registre.Document
	Pairs     []string
}

// Etat lists every dossier the registre knows, or only numero's (with
// its history and documents) when numero is given.
func Etat(in Inputs, numero string) ([]EtatDossier, error) {
	r, err := OpenRegistre(in)
	if err != nil {
		return nil, err
	}
	defer r.Close() // read-only use of the registre, or its transaction already ended
	fail := func(err error) error { return &Error{Message: err.Error(), err: err} }
	states, err := r.States()
	if err != nil {
		return nil, fail(err)
	}
	var out []EtatDossier
	for _, s := range states {
		if numero != "" && s.Dossier != numero {
			continue
		}
		e := EtatDossier{Status: s}
		if numero != "" {
			if e.History, err = r.History(s.Dossier); err != nil {
				return nil, fail(err)
			}
			if e.Documents, err = r.Documents(s.Dossier); err != nil {
				return nil, fail(err)
			}
		}
		out = append(out, e)
	}
	if numero != "" && len(out) == 0 {
		return nil, &Error{Message: fmt.Sprintf("le registre « %s » ne connaît pas le dossier %s", r.Path(), numero)}
	}
	return out, nil
}

// ImportASP reads the ASP's answer file and records its numéros ASP and
// rejected lines in the registre.
func ImportASP(ctx context.Context, in Inputs, file string) (*registre.ImportResult, error) {
	f, err := safeio.Open(file, safeio.Kind{Name: "fichier de retour de l'ASP", Max: registre.MaxRetourASP})
	if err != nil {
		return nil, &Error{Message: fmt.Sprintf("« %s » illisible : %s", file, safeio.Reason(err))}
	}
	defer f.Close() // read-only: closing it loses nothing
	r, err := OpenRegistre(in)
	if err != nil {
		return nil, err
	}
	defer r.Close() // read-only use of the registre, or its transaction already ended
	res, err := r.ImportASP(ctx, f, file)
	if err != nil {
		return nil, &Error{Message: err.Error(), err: err}
	}
	return res, nil
}

// previewing renders the page's documents (Read): a BDC, facture or MOM
// the registre issued is given back as issued; a BDC or facture not issued
// is a preview, marked « APERÇU » and unsigned — nothing is issued or
// recorded. The VA and the MOM stay as pack makes them (the MOM not
// issued is produced again, signed now, and not recorded): they are what
// the client signs, or what pack's rules check (a MOM neither signed by
// segur nor returned signed blocks its dossier), so a mark would make
// the page lie about the dossier.
type previewing struct {
	plain, apercu pack.Renderer
	r             *registre.Registre // nil: no registre
}

func (p *previewing) Render(d *dossier.Dossier, kind dossier.Kind) ([]byte, error) {
	switch kind {
	case dossier.BDC, dossier.FACTURE, dossier.MOM:
	default:
		return p.plain.Render(d, kind)
	}
	if p.r != nil {
		if prev, err := p.r.Issued(d.Numero(), string(kind), ""); err == nil && prev != nil {
			if inputs, err := registre.Canonical(inputsOf(d, kind)); err == nil {
				if diff, err := registre.Diff(prev.Entrees, inputs); err == nil && diff == nil {
					return prev.Octets, nil
				}
			}
		}
	}
	if kind == dossier.MOM {
		return p.plain.Render(d, kind)
	}
	return p.apercu.Render(d, kind)
}

// existingRegistre opens e's registre only when its file exists: a reading
// never creates one. nil when there is none.
func (e *Env) existingRegistre() (*registre.Registre, error) {
	p := e.RegistrePath()
	if p == "" {
		return nil, nil
	}
	if _, err := os.Stat(p); err != nil {
		return nil, nil
	}
	return e.openRegistre()
}

// etatOf is a dossier's history as rapport.json gives it: nil when the
// registre knows no change of it.
func etatOf(events []registre.Event) *rapport.EtatRegistre {
	return etatShared(events, func(s string) string { return s })
}

// etatShared is etatOf with each string passed through intern: a run
// giving the history of every dossier of a quarter keeps one copy of the
// dates, commands and files its events share (the same transaction wrote
// most of them), not one per dossier.
func etatShared(events []registre.Event, intern func(string) string) *rapport.EtatRegistre {
	if len(events) == 0 {
		return nil
	}
	e := &rapport.EtatRegistre{Historique: make([]rapport.Evenement, 0, len(events))}
	for _, ev := range events {
		e.Historique = append(e.Historique, rapport.Evenement{Etat: intern(string(ev.Etat)), Code: intern(ev.Code), Libelle: intern(ev.Label),
			Le: intern(ev.At.UTC().Format(time.RFC3339)), Commande: intern(ev.Command), Fichier: intern(ev.File)})
	}
	last := e.Historique[len(e.Historique)-1]
	e.Etat, e.Code, e.Libelle, e.Le = last.Etat, last.Code, last.Libelle, last.Le
	return e
}

// EtatChange records, by hand, a state the ASP's answers do not give:
// the solde paid on a date (Paye, « solde payé ») or the dossier
// cancelled (Annule, its motif: « annulé », never deposited again).
type EtatChange struct {
	Paye   time.Time
	Annule string
}

// ChangeEtat records c for dossier numero in the registre, dated and
// caused (« etat --paye » / « etat --annule »).
func ChangeEtat(ctx context.Context, in Inputs, numero string, c EtatChange) error {
	r, err := OpenRegistre(in)
	if err != nil {
		return err
	}
	defer r.Close() // read-only use of the registre, or its transaction already ended
	command := "etat --paye"
	if c.Annule != "" {
		command = "etat --annule"
	}
	tx, err := r.Begin(ctx, registre.Cause{Command: command})
	if err != nil {
		return &Error{Message: err.Error(), err: err}
	}
	defer tx.Rollback() // a no-op once committed; after a failure, that failure is reported
	if c.Annule != "" {
		err = tx.Cancel(numero, c.Annule)
	} else {
		err = tx.MarkPaid(numero, c.Paye)
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return &Error{Message: err.Error(), err: err}
	}
	return nil
}

// RegistreExtract writes to file, byte for byte, the document the registre
// issued under numero (a facture or avoir number, a BDC number,
// MOM-<numéro éditeur>; dossier, when set, tells apart documents of the
// same number), after checking its bytes against their SHA-256. The
// registre is never created, file never replaced.
func RegistreExtract(in Inputs, numero, dossier, file string) (*registre.Document, string, error) {
	e, err := loadConfigOnly(in)
	if err != nil {
		return nil, "", err
	}
	if e.RegistrePath() == "" {
		return nil, "", &Error{Message: "aucun registre : retirez --sans-registre"}
	}
	if _, err := os.Stat(e.RegistrePath()); err != nil {
		return nil, "", &Error{Message: fmt.Sprintf("registre « %s » introuvable : %s", e.RegistrePath(), safeio.Reason(err))}
	}
	r, err := e.openRegistre()
	if err != nil {
		return nil, "", err
	}
	defer r.Close() // read-only use of the registre, or its transaction already ended
	doc, err := r.Numbered(numero, dossier)
	if err != nil {
		return nil, r.Path(), &Error{Message: err.Error(), err: err}
	}
	if _, err := os.Lstat(file); err == nil {
		return nil, r.Path(), &Error{Message: fmt.Sprintf("« %s » existe déjà : rien n'est remplacé ; choisissez un autre fichier", file)}
	}
	if err := depot.WriteFile(file, doc.Octets); err != nil {
		return nil, r.Path(), &Error{Message: fmt.Sprintf("« %s » impossible à écrire : %s", file, safeio.Reason(err))}
	}
	return doc, r.Path(), nil
}
