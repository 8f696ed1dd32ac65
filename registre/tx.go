package registre

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kinds of issued documents.
const (
	BDC     = "BDC"
	Facture = "FACTURE"
	Avoir   = "AVOIR"
	MOM     = "MOM"
)

// Etat is a dossier's state, as shown to people.
type Etat string

// The states of a dossier.
const (
	Commande      Etat = "commandé"
	AvanceDeposee Etat = "avance déposée"
	AvancePayee   Etat = "avance payée"
	Realise       Etat = "réalisé"
	SoldeDepose   Etat = "solde déposé"
	SoldePaye     Etat = "solde payé"
	Rejete        Etat = "rejeté"
	Annule        Etat = "annulé"
)

// Etats lists the states in the order of a dossier's life.
var Etats = []Etat{Commande, AvanceDeposee, AvancePayee, Realise, SoldeDepose, SoldePaye, Rejete, Annule}

// Phases of a dépôt.
const (
	PhaseAvance = "AVANCE"
	PhaseSolde  = "SOLDE"
)

// Codes of the rules the registre keeps across runs (docs/codes.md).
const (
	CodeFactureDoublon      = "FACTURE_DOUBLON"
	CodeFactureAnterieure   = "FACTURE_ANTERIEURE"
	CodeFactureNumerotation = "FACTURE_NUMEROTATION"
	CodeNumeroASPDifferent  = "NUMERO_ASP_DIFFERENT"
	CodeBeneficiaireRetire  = "BENEFICIAIRE_DEJA_RETIRE"
	CodeBeneficiaireFinance = "BENEFICIAIRE_DEJA_FINANCE"
	CodeDocumentDejaEmis    = "DOCUMENT_DEJA_EMIS"
	CodeDocumentEmisModifie = "DOCUMENT_EMIS_MODIFIE"
	CodeRegistreValeur      = "REGISTRE_VALEUR_INVALIDE"
	CodeTransactionTerminee = "REGISTRE_TRANSACTION_TERMINEE"
)

// Cause says what made a change: the command and, if any, the file.
type Cause struct {
	Command string // « pack », « asp importer »…
	File    string // the records or ASP file, if any
}

// Document is an issued document.
type Document struct {
	Dossier     string // numéro éditeur
	Kind        string // BDC, FACTURE, AVOIR, MOM
	Role        string // avance / solde for a two-invoice dossier; "" otherwise
	Numero      string // the document's number (the facture number…)
	Date        string // the date printed on it, AAAA-MM-JJ
	Fournisseur string // SIREN of the issuer (facture numbers are unique per fournisseur)
	Signataire  string // who signed it, if signed
	EmisLe      time.Time
	SHA256      string
	// Entrees is the canonical JSON of the dossier part the document was
	// rendered from: a later difference is DOCUMENT_EMIS_MODIFIE.
	Entrees []byte
	Octets  []byte
	// Cancels is, for an avoir, the number of the facture it cancels.
	Cancels string
	// CancelledBy is, for a cancelled facture or MOM, the number of the
	// avoir that cancelled it (Documents fills it).
	CancelledBy string
}

// Tx is one run's transaction (a pack, an import): everything it records
// is kept at Commit or forgotten. Its methods are safe for concurrent use
// (calls are serialised).
type Tx struct {
	r     *Registre
	tx    *stmtTx
	id    string
	cause Cause
	now   time.Time
	mu    sync.Mutex
	done  bool
}

// Begin starts a write transaction (it waits, up to the busy timeout, for
// another process's). Its id is recorded inside it.
func (r *Registre) Begin(ctx context.Context, cause Cause) (*Tx, error) {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, r.classify(err)
	}
	now := r.clock()
	id := now.Format("20060102T150405.000000000Z") + "-" + randomHex(6)
	if _, err := tx.Exec("INSERT INTO transactions (id, commande, fichier, debut) VALUES (?, ?, ?, ?)", id, cause.Command, cause.File, stamp(now)); err != nil {
		tx.Rollback() // the error returned says why; the rollback's own adds nothing
		return nil, r.classify(err)
	}
	return &Tx{r: r, tx: &stmtTx{Tx: tx}, id: id, cause: cause, now: now}, nil
}

// ID names the transaction: the dépôt journal records it before Commit.
func (t *Tx) ID() string { return t.id }

// Commit keeps everything the transaction recorded. It first checks that
// each facture series it used stays gapless.
func (t *Tx) Commit() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return &Error{Code: CodeTransactionTerminee, Msg: "la transaction du registre est déjà terminée"}
	}
	if err := t.checkSequences(); err != nil {
		return err
	}
	t.done = true
	if err := t.tx.Commit(); err != nil {
		return t.r.classify(err)
	}
	return nil
}

// Rollback forgets everything the transaction recorded; after Commit it
// does nothing.
func (t *Tx) Rollback() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return nil
	}
	t.done = true
	return t.tx.Rollback()
}

func (t *Tx) lock() error {
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return &Error{Code: CodeTransactionTerminee, Msg: "la transaction du registre est déjà terminée"}
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseStamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s) // written by stamp; one that is not reads as the zero time
	return t
}

// ensureDossier makes sure the dossier has its row.
func (t *Tx) ensureDossier(numero, dispositif string) error {
	if _, err := t.tx.Exec("INSERT INTO dossiers (numero, dispositif) VALUES (?, ?) ON CONFLICT(numero) DO UPDATE SET dispositif = CASE WHEN excluded.dispositif <> '' THEN excluded.dispositif ELSE dispositif END", numero, dispositif); err != nil {
		return t.r.classify(err)
	}
	return nil
}

// Issued returns the live document of kind and role issued for dossier,
// bytes included, or nil if none was issued. An avoir is looked up by
// Role too.
func (t *Tx) Issued(dossier, kind, role string) (*Document, error) {
	if err := t.lock(); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	return issued(t.tx, t.r, dossier, kind, role)
}

// Issued is Tx.Issued outside a transaction (a read of the last committed
// state).
func (r *Registre) Issued(dossier, kind, role string) (*Document, error) {
	return issued(r.db, r, dossier, kind, role)
}

// IssuedKnown is Tx.Issued without the document's bytes, with their size:
// what a run needs to tell whether a file it already has is that
// document (its SHA-256 and size) without reading the archive.
func (t *Tx) IssuedKnown(dossier, kind, role string) (*Document, int64, error) {
	if err := t.lock(); err != nil {
		return nil, 0, err
	}
	defer t.mu.Unlock()
	d := &Document{}
	var emis, entrees string
	var size int64
	var cancels sql.NullString
	err := t.tx.QueryRow(`SELECT d.dossier, d.type, d.role, d.numero, d.date, d.fournisseur, d.signataire, d.emis_le, d.sha256, d.entrees, c.taille,
		(SELECT f.numero FROM documents f WHERE f.annule_par = d.id AND f.type = 'FACTURE')
		FROM documents d JOIN contenus c ON c.sha256 = d.sha256
		WHERE d.dossier = ? AND d.type = ? AND d.role = ? AND d.annule_par IS NULL ORDER BY d.id DESC LIMIT 1`, dossier, kind, role).
		Scan(&d.Dossier, &d.Kind, &d.Role, &d.Numero, &d.Date, &d.Fournisseur, &d.Signataire, &emis, &d.SHA256, &entrees, &size, &cancels)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	} else if err != nil {
		return nil, 0, t.r.classify(err)
	}
	d.EmisLe = parseStamp(emis)
	d.Entrees = []byte(entrees)
	d.Cancels = cancels.String
	return d, size, nil
}

type querier interface {
	QueryRow(query string, args ...any) *sql.Row
	Query(query string, args ...any) (*sql.Rows, error)
}

func issued(q querier, r *Registre, dossier, kind, role string) (*Document, error) {
	d := &Document{}
	var emis, entrees string
	var cancels sql.NullString
	err := q.QueryRow(`SELECT d.dossier, d.type, d.role, d.numero, d.date, d.fournisseur, d.signataire, d.emis_le, d.sha256, d.entrees, c.octets,
		(SELECT f.numero FROM documents f WHERE f.annule_par = d.id AND f.type = 'FACTURE')
		FROM documents d JOIN contenus c ON c.sha256 = d.sha256
		WHERE d.dossier = ? AND d.type = ? AND d.role = ? AND d.annule_par IS NULL ORDER BY d.id DESC LIMIT 1`, dossier, kind, role).
		Scan(&d.Dossier, &d.Kind, &d.Role, &d.Numero, &d.Date, &d.Fournisseur, &d.Signataire, &emis, &d.SHA256, &entrees, &d.Octets, &cancels)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, r.classify(err)
	}
	d.EmisLe = parseStamp(emis)
	d.Entrees = []byte(entrees)
	d.Cancels = cancels.String
	return d, nil
}

// Issue records a document as issued, with its bytes. It refuses a second
// live document of the same kind and role for the dossier
// (DOCUMENT_DEJA_EMIS) and a facture or avoir number already used by the
// fournisseur (FACTURE_DOUBLON, naming the earlier dossier and date). An
// avoir (Cancels set) marks the facture it cancels as cancelled, so that a
// new facture can be issued, and the dossier's MOM with it (it cites the
// facture's number: a new one is issued with the new facture). EmisLe is set to the transaction's clock when
// zero; SHA256 is computed.
func (t *Tx) Issue(d *Document) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	switch d.Kind {
	case BDC, Facture, Avoir, MOM:
	default:
		return &Error{Code: CodeRegistreValeur, Msg: fmt.Sprintf("type de document inconnu « %s »", d.Kind)}
	}
	if d.Dossier == "" || d.Numero == "" || len(d.Octets) == 0 {
		return &Error{Code: CodeRegistreValeur, Msg: "document sans dossier, sans numéro ou vide : rien n'est enregistré"}
	}
	if (d.Kind == Facture || d.Kind == Avoir) && d.Fournisseur == "" {
		return &Error{Code: CodeRegistreValeur, Msg: fmt.Sprintf("%s %s : fournisseur manquant", d.Kind, d.Numero)}
	}
	if err := t.ensureDossier(d.Dossier, ""); err != nil {
		return err
	}
	if prev, err := issued(t.tx, t.r, d.Dossier, d.Kind, d.Role); err != nil {
		return err
	} else if prev != nil && d.Kind != Avoir {
		return &Error{Code: CodeDocumentDejaEmis, Msg: fmt.Sprintf("%s : %s déjà émis le %s (n° %s) ; il ne peut être émis qu'une fois", d.Dossier, strings.TrimSpace(d.Kind+" "+d.Role), prev.EmisLe.Format("02/01/2006"), prev.Numero)}
	}
	if d.Kind == Facture || d.Kind == Avoir {
		if err := t.checkFactureNumber(d.Fournisseur, d.Numero); err != nil {
			return err
		}
	}
	if d.EmisLe.IsZero() {
		d.EmisLe = t.r.clock()
	}
	d.SHA256 = Hash(d.Octets)
	if _, err := t.tx.Exec("INSERT INTO contenus (sha256, taille, octets) VALUES (?, ?, ?) ON CONFLICT(sha256) DO NOTHING", d.SHA256, len(d.Octets), d.Octets); err != nil {
		return t.r.classify(err)
	}
	res, err := t.tx.Exec(`INSERT INTO documents (dossier, type, role, numero, date, fournisseur, signataire, emis_le, sha256, entrees, tx)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.Dossier, d.Kind, d.Role, d.Numero, d.Date, d.Fournisseur, d.Signataire, stamp(d.EmisLe), d.SHA256, string(d.Entrees), t.id)
	if err != nil {
		return t.r.classify(err)
	}
	if d.Kind == Avoir {
		if d.Cancels == "" {
			return &Error{Code: CodeRegistreValeur, Msg: fmt.Sprintf("avoir %s : la facture annulée n'est pas donnée", d.Numero)}
		}
		id, err := res.LastInsertId()
		if err != nil {
			return t.r.classify(err)
		}
		r, err := t.tx.Exec("UPDATE documents SET annule_par = ? WHERE fournisseur = ? AND numero = ? AND type = 'FACTURE' AND dossier = ? AND annule_par IS NULL", id, d.Fournisseur, d.Cancels, d.Dossier)
		if err != nil {
			return t.r.classify(err)
		}
		if n, err := r.RowsAffected(); err != nil {
			return t.r.classify(err)
		} else if n != 1 {
			return &Error{Code: CodeRegistreValeur, Msg: fmt.Sprintf("avoir %s : aucune facture %s en vigueur pour le dossier %s", d.Numero, d.Cancels, d.Dossier)}
		}
		// The MOM cites the facture's number: it goes with the facture, and
		// the next pack issues a new one citing the new facture.
		if d.Role == "" {
			if _, err := t.tx.Exec("UPDATE documents SET annule_par = ? WHERE dossier = ? AND type = 'MOM' AND annule_par IS NULL", id, d.Dossier); err != nil {
				return t.r.classify(err)
			}
		}
	}
	return nil
}

// checkFactureNumber refuses a facture or avoir number already issued by
// the fournisseur.
func (t *Tx) checkFactureNumber(fournisseur, numero string) error {
	return factureDoublon(t.tx, t.r, fournisseur, numero, "")
}

// CheckFactureNumber reports FACTURE_DOUBLON if numero was issued by
// fournisseur (for any dossier, cancelled or not), inside the transaction;
// it records nothing.
func (t *Tx) CheckFactureNumber(fournisseur, numero string) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	return t.checkFactureNumber(fournisseur, numero)
}

// CheckBeneficiaire is Finance's rule inside the transaction, recording
// nothing.
func (t *Tx) CheckBeneficiaire(dispositif, beneficiaire, dossier string) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	return checkBeneficiaire(t.tx, t.r, dispositif, beneficiaire, dossier)
}

// CheckFactureNumber reports FACTURE_DOUBLON if numero was already issued
// by fournisseur for another dossier than dossier (validate and check
// call it on the last committed state).
func (r *Registre) CheckFactureNumber(fournisseur, numero, dossier string) error {
	return factureDoublon(r.db, r, fournisseur, numero, dossier)
}

func factureDoublon(q querier, r *Registre, fournisseur, numero, except string) error {
	var dossier, date, kind string
	err := q.QueryRow("SELECT dossier, date, type FROM documents WHERE fournisseur = ? AND numero = ? AND type IN ('FACTURE', 'AVOIR') AND dossier <> ? ORDER BY id LIMIT 1", fournisseur, numero, except).Scan(&dossier, &date, &kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return r.classify(err)
	}
	what := "la facture"
	if kind == Avoir {
		what = "l'avoir"
	}
	return &Error{Code: CodeFactureDoublon, Msg: fmt.Sprintf("le numéro de facture « %s » a déjà été émis pour %s du dossier %s du %s ; un numéro de facture ne sert qu'une fois : donnez-en un nouveau", numero, what, dossier, frDate(date))}
}

func frDate(iso string) string {
	if t, err := time.Parse("2006-01-02", iso); err == nil {
		return t.Format("02/01/2006")
	}
	return iso
}

// NextFactureNumber consumes the next number of the fournisseur's series
// for a facture dated date (AAAA-MM-JJ), written with format: {AAAA} the
// date's year, {N:05} the sequence number on 5 digits ({N} without
// padding). A format holding {AAAA} restarts at 1 each year. The sequence
// is chronological (a facture dated before the series' last one is
// FACTURE_ANTERIEURE) and gapless: the number is consumed only if the
// transaction commits, and Commit refuses a series with a hole (a number
// taken but no facture issued under it before a later one).
func (t *Tx) NextFactureNumber(fournisseur, format, date string) (string, error) {
	n, _, err := t.TakeFactureNumber(fournisseur, format, date)
	return n, err
}

// TakeFactureNumber is NextFactureNumber, with undo giving the number back
// (the series as it was) when its facture could not be issued: call it
// before any other number of the series is taken.
func (t *Tx) TakeFactureNumber(fournisseur, format, date string) (numero string, undo func() error, err error) {
	if err := t.lock(); err != nil {
		return "", nil, err
	}
	defer t.mu.Unlock()
	day, err := time.Parse("2006-01-02", date)
	if err != nil {
		return "", nil, &Error{Code: CodeRegistreValeur, Msg: fmt.Sprintf("date de facture « %s » illisible (AAAA-MM-JJ attendu)", date)}
	}
	serie, err := seriesOf(format, day)
	if err != nil {
		return "", nil, err
	}
	var last int
	var lastDate string
	err = t.tx.QueryRow("SELECT dernier, date FROM sequences WHERE fournisseur = ? AND serie = ?", fournisseur, serie).Scan(&last, &lastDate)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", nil, t.r.classify(err)
	}
	if lastDate != "" && date < lastDate {
		return "", nil, &Error{Code: CodeFactureAnterieure, Msg: fmt.Sprintf("facture datée du %s, avant la dernière facture numérotée de la série (%s) : la numérotation est chronologique ; datez-la au plus tôt du %s", frDate(date), frDate(lastDate), frDate(lastDate))}
	}
	n := last + 1
	if _, err := t.tx.Exec("INSERT INTO sequences (fournisseur, serie, dernier, date) VALUES (?, ?, ?, ?) ON CONFLICT(fournisseur, serie) DO UPDATE SET dernier = excluded.dernier, date = excluded.date", fournisseur, serie, n, date); err != nil {
		return "", nil, t.r.classify(err)
	}
	undo = func() error {
		if err := t.lock(); err != nil {
			return err
		}
		defer t.mu.Unlock()
		var err error
		if last == 0 {
			_, err = t.tx.Exec("DELETE FROM sequences WHERE fournisseur = ? AND serie = ? AND dernier = ?", fournisseur, serie, n)
		} else {
			_, err = t.tx.Exec("UPDATE sequences SET dernier = ?, date = ? WHERE fournisseur = ? AND serie = ? AND dernier = ?", last, lastDate, fournisseur, serie, n)
		}
		if err != nil {
			return t.r.classify(err)
		}
		return nil
	}
	return formatNumber(format, day, n), undo, nil
}

// seriesOf is the format with its year filled in and its counter left
// out: the key of one gapless sequence.
func seriesOf(format string, day time.Time) (string, error) {
	if !strings.Contains(format, "{N") {
		return "", &Error{Code: CodeFactureNumerotation, Msg: fmt.Sprintf("format de numérotation « %s » sans compteur {N} ni {N:05}", format)}
	}
	s := strings.ReplaceAll(format, "{AAAA}", strconv.Itoa(day.Year()))
	i := strings.Index(s, "{N")
	j := strings.Index(s[i:], "}")
	if j < 0 {
		return "", &Error{Code: CodeFactureNumerotation, Msg: fmt.Sprintf("format de numérotation « %s » : accolade non fermée", format)}
	}
	return s[:i] + "{N}" + s[i+j+1:], nil
}

func formatNumber(format string, day time.Time, n int) string {
	s := strings.ReplaceAll(format, "{AAAA}", strconv.Itoa(day.Year()))
	i := strings.Index(s, "{N")
	j := strings.Index(s[i:], "}")
	spec := s[i+2 : i+j] // "" or ":05"
	num := strconv.Itoa(n)
	if w, err := strconv.Atoi(strings.TrimPrefix(spec, ":")); err == nil && len(num) < w {
		num = strings.Repeat("0", w-len(num)) + num
	}
	return s[:i] + num + s[i+j+1:]
}

// checkSequences refuses to commit a series whose last number has no
// facture issued under it (the number would be lost: a hole).
func (t *Tx) checkSequences() error {
	rows, err := t.tx.Query("SELECT s.fournisseur, s.serie, s.dernier FROM sequences s")
	if err != nil {
		return t.r.classify(err)
	}
	type seq struct {
		f, s string
		n    int
	}
	var seqs []seq
	for rows.Next() {
		var q seq
		if err := rows.Scan(&q.f, &q.s, &q.n); err != nil {
			rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
			return t.r.classify(err)
		}
		seqs = append(seqs, q)
	}
	rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
	for _, q := range seqs {
		i := strings.Index(q.s, "{N}")
		prefix, suffix := q.s[:i], q.s[i+3:]
		var count int
		if err := t.tx.QueryRow("SELECT count(*) FROM documents WHERE fournisseur = ? AND type IN ('FACTURE', 'AVOIR') AND numero LIKE ? ESCAPE '\\' AND numero LIKE ? ESCAPE '\\'",
			q.f, likeEscape(prefix)+"%", "%"+likeEscape(suffix)).Scan(&count); err != nil {
			return t.r.classify(err)
		}
		if count < q.n {
			return &Error{Code: CodeFactureNumerotation, Msg: fmt.Sprintf("série de factures « %s » : %d numéro(s) pris mais %d facture(s) émise(s) ; la numérotation doit rester sans trou, rien n'est enregistré", q.s, q.n, count)}
		}
	}
	return nil
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// SetState records a change of the dossier's state, dated with the
// transaction's clock and the cause. code and label are the ASP's, for
// Rejete.
func (t *Tx) SetState(dossier, dispositif string, e Etat, code, label string) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	return t.setState(dossier, dispositif, e, code, label)
}

func (t *Tx) setState(dossier, dispositif string, e Etat, code, label string) error {
	if err := t.ensureDossier(dossier, dispositif); err != nil {
		return err
	}
	if _, err := t.tx.Exec("INSERT INTO etats (dossier, etat, code, libelle, le, commande, fichier, tx) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		dossier, string(e), code, label, stamp(t.r.clock()), t.cause.Command, t.cause.File, t.id); err != nil {
		return t.r.classify(err)
	}
	return nil
}

// SetNumeroASP records the dossier's numéro ASP; a different one than
// already known is NUMERO_ASP_DIFFERENT.
func (t *Tx) SetNumeroASP(dossier, numero string) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	return t.setNumeroASP(dossier, numero)
}

func (t *Tx) setNumeroASP(dossier, numero string) error {
	if err := t.ensureDossier(dossier, ""); err != nil {
		return err
	}
	var known string
	if err := t.tx.QueryRow("SELECT numero_asp FROM dossiers WHERE numero = ?", dossier).Scan(&known); err != nil {
		return t.r.classify(err)
	}
	if known != "" && known != numero {
		return &Error{Code: CodeNumeroASPDifferent, Msg: fmt.Sprintf("dossier %s : numéro ASP « %s », alors que l'ASP a déjà donné « %s » ; un dossier garde son numéro ASP : vérifiez le numéro éditeur", dossier, numero, known)}
	}
	if _, err := t.tx.Exec("UPDATE dossiers SET numero_asp = ? WHERE numero = ?", numero, dossier); err != nil {
		return t.r.classify(err)
	}
	return nil
}

// NumeroASP is the dossier's numéro ASP as known by the registre, or "".
func (r *Registre) NumeroASP(dossier string) (string, error) {
	var n string
	err := r.db.QueryRow("SELECT numero_asp FROM dossiers WHERE numero = ?", dossier).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", r.classify(err)
	}
	return n, nil
}

// CheckNumeroASP reports NUMERO_ASP_DIFFERENT when the record's numéro
// differs from the one the ASP gave (nil when none is known).
func (r *Registre) CheckNumeroASP(dossier, numero string) error {
	known, err := r.NumeroASP(dossier)
	if err != nil || known == "" || numero == "" || known == numero {
		return err
	}
	return &Error{Code: CodeNumeroASPDifferent, Msg: fmt.Sprintf("dossier %s : numéro ASP « %s », alors que l'ASP a donné « %s » ; reprenez le numéro de son retour (ou retirez la clé : le registre le connaît)", dossier, numero, known)}
}

// Pair is an upload pair (JSON + zip) of a dépôt.
type Pair struct {
	Name       string // e.g. MDV-LGC-SOLDE-1234567890-02
	Dispositif string
	Solution   string // numéro ANS
	Phase      string // SOLDE or AVANCE
	Number     int
	JSONSHA256 string
	ZipSHA256  string
	Dossiers   []string
	// Declarations are what each line of an avance pair declared (nil
	// for a solde pair).
	Declarations []Declaration
	At           time.Time
}

// Declaration is what one avance line declared: its beneficiaries (RPPS
// or FINESS géo, in the line's order), the Prestation Ségur HT
// (montantSegurHT, a decimal) and whether a mandataire was declared.
type Declaration struct {
	Dossier       string
	Beneficiaires []string
	MontantHT     string
	Mandataire    bool
}

// AvanceDeclaree is what the registre knows of a dossier's avance.
type AvanceDeclaree struct {
	Declaration
	Depot string // the pair that deposited it
	// Payee: the ASP's answer accepted the avance (« avance payée »).
	Payee bool
}

// NextPairNumber is the number the next pair of a dispositif, solution
// and phase takes: one more than the highest ever recorded (1 at first).
func (t *Tx) NextPairNumber(dispositif, solution, phase string) (int, error) {
	if err := t.lock(); err != nil {
		return 0, err
	}
	defer t.mu.Unlock()
	var n sql.NullInt64
	if err := t.tx.QueryRow("SELECT max(numero) FROM depots WHERE dispositif = ? AND solution = ? AND phase = ?", dispositif, solution, phase).Scan(&n); err != nil {
		return 0, t.r.classify(err)
	}
	return int(n.Int64) + 1, nil
}

// RecordPair records a pair written by the run and moves its dossiers to
// the deposited state of its phase.
func (t *Tx) RecordPair(p Pair) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	if p.At.IsZero() {
		p.At = t.r.clock()
	}
	if _, err := t.tx.Exec("INSERT INTO depots (nom, dispositif, solution, phase, numero, json, zip, le, tx) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		p.Name, p.Dispositif, p.Solution, p.Phase, p.Number, p.JSONSHA256, p.ZipSHA256, stamp(p.At), t.id); err != nil {
		return t.r.classify(err)
	}
	state := SoldeDepose
	if p.Phase == PhaseAvance {
		state = AvanceDeposee
	}
	for _, d := range p.Dossiers {
		if err := t.ensureDossier(d, p.Dispositif); err != nil {
			return err
		}
		if _, err := t.tx.Exec("INSERT INTO depot_dossiers (depot, dossier) VALUES (?, ?)", p.Name, d); err != nil {
			return t.r.classify(err)
		}
		if err := t.setState(d, p.Dispositif, state, "", ""); err != nil {
			return err
		}
	}
	for _, d := range p.Declarations {
		if !slices.Contains(p.Dossiers, d.Dossier) {
			return &Error{Code: CodeRegistreValeur, Msg: fmt.Sprintf("la déclaration d'avance du dossier %s n'appartient pas au dépôt %s", d.Dossier, p.Name)}
		}
		// A dossier deposited again (--redeposer) declares anew.
		if _, err := t.tx.Exec("DELETE FROM avance_beneficiaires WHERE dossier = ?", d.Dossier); err != nil {
			return t.r.classify(err)
		}
		if _, err := t.tx.Exec("INSERT INTO avances (dossier, depot, montant_ht, mandataire, tx) VALUES (?, ?, ?, ?, ?) ON CONFLICT(dossier) DO UPDATE SET depot = excluded.depot, montant_ht = excluded.montant_ht, mandataire = excluded.mandataire, tx = excluded.tx",
			d.Dossier, p.Name, d.MontantHT, d.Mandataire, t.id); err != nil {
			return t.r.classify(err)
		}
		for i, b := range d.Beneficiaires {
			if _, err := t.tx.Exec("INSERT INTO avance_beneficiaires (dossier, rang, identifiant) VALUES (?, ?, ?)", d.Dossier, i, b); err != nil {
				return t.r.classify(err)
			}
		}
	}
	return nil
}

// AvanceDeclaree is what the avance of dossier declared, as its pair was
// recorded; nil when no avance of it was.
func (r *Registre) AvanceDeclaree(dossier string) (*AvanceDeclaree, error) {
	a := &AvanceDeclaree{Declaration: Declaration{Dossier: dossier}}
	err := r.db.QueryRow(`SELECT depot, montant_ht, mandataire, EXISTS (SELECT 1 FROM etats WHERE dossier = ? AND etat = ?) FROM avances WHERE dossier = ?`,
		dossier, string(AvancePayee), dossier).Scan(&a.Depot, &a.MontantHT, &a.Mandataire, &a.Payee)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, r.classify(err)
	}
	rows, err := r.db.Query("SELECT identifiant FROM avance_beneficiaires WHERE dossier = ? ORDER BY rang", dossier)
	if err != nil {
		return nil, r.classify(err)
	}
	defer rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, r.classify(err)
		}
		a.Beneficiaires = append(a.Beneficiaires, b)
	}
	return a, r.classify(rows.Err())
}

// DepositedIn returns the pair (the latest) in which dossier was
// deposited for phase, or "" if none: pack leaves such a dossier out
// unless asked to deposit it again.
func (t *Tx) DepositedIn(dossier, phase string) (string, error) {
	if err := t.lock(); err != nil {
		return "", err
	}
	defer t.mu.Unlock()
	return depositedIn(t.tx, t.r, dossier, phase)
}

// DepositedIn is Tx.DepositedIn on the last committed state.
func (r *Registre) DepositedIn(dossier, phase string) (string, error) {
	return depositedIn(r.db, r, dossier, phase)
}

func depositedIn(q querier, r *Registre, dossier, phase string) (string, error) {
	var name string
	err := q.QueryRow("SELECT p.nom FROM depot_dossiers d JOIN depots p ON p.nom = d.depot WHERE d.dossier = ? AND p.phase = ? ORDER BY p.le DESC, p.numero DESC LIMIT 1", dossier, phase).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", r.classify(err)
	}
	return name, nil
}

// Pairs lists the recorded pairs, oldest first.
func (r *Registre) Pairs() ([]Pair, error) {
	rows, err := r.db.Query("SELECT nom, dispositif, solution, phase, numero, json, zip, le FROM depots ORDER BY le, nom")
	if err != nil {
		return nil, r.classify(err)
	}
	defer rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
	var out []Pair
	for rows.Next() {
		var p Pair
		var le string
		if err := rows.Scan(&p.Name, &p.Dispositif, &p.Solution, &p.Phase, &p.Number, &p.JSONSHA256, &p.ZipSHA256, &le); err != nil {
			return nil, r.classify(err)
		}
		p.At = parseStamp(le)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, r.classify(err)
	}
	for i := range out {
		ds, err := r.db.Query("SELECT dossier FROM depot_dossiers WHERE depot = ? ORDER BY dossier", out[i].Name)
		if err != nil {
			return nil, r.classify(err)
		}
		for ds.Next() {
			var d string
			if err := ds.Scan(&d); err != nil {
				ds.Close() // read-only rows: the Scan error is the one to report
				return nil, r.classify(err)
			}
			out[i].Dossiers = append(out[i].Dossiers, d)
		}
		err = ds.Err()
		ds.Close() // read-only rows: nothing is lost if closing them fails
		if err != nil {
			return nil, r.classify(err)
		}
	}
	return out, nil
}

// Finance records that dossier finances the beneficiary (an RPPS or a
// FINESS géo) under dispositif. A beneficiary retired at a solde is
// BENEFICIAIRE_DEJA_RETIRE; one already financed by another dossier of the
// dispositif is BENEFICIAIRE_DEJA_FINANCE, naming both dossiers.
func (t *Tx) Finance(dispositif, beneficiaire, dossier string) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	if err := checkBeneficiaire(t.tx, t.r, dispositif, beneficiaire, dossier); err != nil {
		return err
	}
	if err := t.ensureDossier(dossier, dispositif); err != nil {
		return err
	}
	if _, err := t.tx.Exec("INSERT INTO beneficiaires (dispositif, identifiant, dossier, retire, le, tx) VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING", dispositif, beneficiaire, dossier, stamp(t.r.clock()), t.id); err != nil {
		return t.r.classify(err)
	}
	return nil
}

// Retire records that the beneficiary left dossier at its solde: it can
// never be financed again under dispositif.
func (t *Tx) Retire(dispositif, beneficiaire, dossier string) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	if err := t.ensureDossier(dossier, dispositif); err != nil {
		return err
	}
	if _, err := t.tx.Exec("INSERT INTO beneficiaires (dispositif, identifiant, dossier, retire, le, tx) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT(dispositif, identifiant, dossier) DO UPDATE SET retire = 1, le = excluded.le, tx = excluded.tx",
		dispositif, beneficiaire, dossier, stamp(t.r.clock()), t.id); err != nil {
		return t.r.classify(err)
	}
	return nil
}

// CheckBeneficiaire is Finance's rule on the last committed state,
// recording nothing (validate calls it).
func (r *Registre) CheckBeneficiaire(dispositif, beneficiaire, dossier string) error {
	return checkBeneficiaire(r.db, r, dispositif, beneficiaire, dossier)
}

func checkBeneficiaire(q querier, r *Registre, dispositif, beneficiaire, dossier string) error {
	var other, le string
	var retire int
	err := q.QueryRow("SELECT dossier, retire, le FROM beneficiaires WHERE dispositif = ? AND identifiant = ? AND (dossier <> ? OR retire = 1) ORDER BY retire DESC, le LIMIT 1", dispositif, beneficiaire, dossier).Scan(&other, &retire, &le)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return r.classify(err)
	}
	if retire == 1 {
		return &Error{Code: CodeBeneficiaireRetire, Msg: fmt.Sprintf("le bénéficiaire %s a été retiré au solde du dossier %s (%s) : il ne peut plus jamais être financé au titre de %s ; retirez-le du dossier %s", beneficiaire, other, parseStamp(le).Format("02/01/2006"), dispositif, dossier)}
	}
	return &Error{Code: CodeBeneficiaireFinance, Msg: fmt.Sprintf("le bénéficiaire %s est déjà financé au titre de %s par le dossier %s ; le dossier %s ne peut pas le financer une seconde fois", beneficiaire, dispositif, other, dossier)}
}

// Verdicts of a scan review.
const (
	Verifie = "Vérifié"
	Refuse  = "Refusé"
)

// Review is one back-office review of a returned file (a scan).
type Review struct {
	Dossier, File, Verdict, Who string
	When                        time.Time
}

// RecordReview records a back-office review of a file of dossier: verdict
// Verifie or Refuse, by who, at when (the registre's clock when zero). It
// is its own small transaction.
func (r *Registre) RecordReview(dossier, file, verdict, who string, when time.Time) error {
	if verdict != Verifie && verdict != Refuse {
		return &Error{Code: CodeRegistreValeur, Msg: fmt.Sprintf("verdict « %s » : « %s » ou « %s » attendu", verdict, Verifie, Refuse)}
	}
	if dossier == "" || file == "" || who == "" {
		return &Error{Code: CodeRegistreValeur, Msg: "revue sans dossier, sans fichier ou sans auteur : rien n'est enregistré"}
	}
	if when.IsZero() {
		when = r.clock()
	}
	if _, err := r.db.Exec("INSERT INTO revues (dossier, fichier, verdict, qui, le) VALUES (?, ?, ?, ?, ?)", dossier, file, verdict, who, stamp(when)); err != nil {
		return r.classify(err)
	}
	return nil
}

// Reviews lists the reviews of dossier's files, oldest first (the last of
// a file is its verdict).
func (r *Registre) Reviews(dossier string) ([]Review, error) {
	rows, err := r.db.Query("SELECT dossier, fichier, verdict, qui, le FROM revues WHERE dossier = ? ORDER BY id", dossier)
	if err != nil {
		return nil, r.classify(err)
	}
	defer rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
	var out []Review
	for rows.Next() {
		var v Review
		var le string
		if err := rows.Scan(&v.Dossier, &v.File, &v.Verdict, &v.Who, &le); err != nil {
			return nil, r.classify(err)
		}
		v.When = parseStamp(le)
		out = append(out, v)
	}
	return out, rows.Err()
}
