package registre

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/segur-sons/segur/internal/safeio"
	"modernc.org/sqlite"
)

// ApplicationID marks a segur registre (« SEGR »): any other SQLite file
// is refused.
const ApplicationID = 0x53454752

// DefaultName is the registre's file name beside segur.yaml.
const DefaultName = "registre.sqlite"

// Codes of the registre's own errors (docs/codes.md).
const (
	CodeEtranger   = "REGISTRE_ETRANGER"
	CodeEndommage  = "REGISTRE_ENDOMMAGE"
	CodeTropRecent = "REGISTRE_TROP_RECENT"
	CodeOccupe     = "REGISTRE_OCCUPE"
	CodeIllisible  = "REGISTRE_ILLISIBLE"
)

// Error is an error of the registre with a stable code; its message is in
// French. The command line exits 2 for the codes of the file itself
// (Fatal).
type Error struct {
	Code string
	Path string // the registre file, when the error is about it
	Msg  string // in French, without the code
	Err  error  // the cause, if any
}

func (e *Error) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("registre « %s » : %s [%s]", e.Path, e.Msg, e.Code)
	}
	return fmt.Sprintf("%s [%s]", e.Msg, e.Code)
}

func (e *Error) Unwrap() error { return e.Err }

// ProblemCode and ProblemMessage let pack report the error as a dossier's
// problem with its own code (instead of RENDU_IMPOSSIBLE).
func (e *Error) ProblemCode() string { return e.Code }

// ProblemMessage is the message without the code.
func (e *Error) ProblemMessage() string { return e.Msg }

// Fatal reports whether err means the registre file itself cannot be used
// (foreign, damaged, too recent, unreadable): the command line exits 2.
func Fatal(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case CodeEtranger, CodeEndommage, CodeTropRecent, CodeIllisible:
		return true
	}
	return false
}

// Options are the registre's settings.
type Options struct {
	// Now gives the time of every record; nil means time.Now. Tests
	// inject a fixed clock.
	Now func() time.Time
	// BusyTimeout is how long a write waits for another process's
	// transaction (segur serve and a command); 0 means 10 s.
	BusyTimeout time.Duration
}

// Registre is an open registre. Its methods are safe for concurrent use.
type Registre struct {
	db   *sql.DB
	path string
	now  func() time.Time
}

// Path is the registre's file.
func (r *Registre) Path() string { return r.path }

// Close closes the database.
func (r *Registre) Close() error { return r.db.Close() }

func (r *Registre) clock() time.Time { return r.now().UTC() }

// Open opens the registre at path, creating it if it does not exist, and
// brings its schema up to date (after a copy of the file: path.avant-vN).
// A file that is not a segur registre, or is damaged, is refused with an
// *Error (REGISTRE_ETRANGER, REGISTRE_ENDOMMAGE), never replaced.
func Open(path string, opt Options) (*Registre, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.BusyTimeout <= 0 {
		opt.BusyTimeout = 10 * time.Second
	}
	if strings.ContainsAny(path, "?#") {
		return nil, &Error{Code: CodeIllisible, Path: path, Msg: "le chemin du registre ne peut contenir ni « ? » ni « # » ; choisissez un autre nom (clé registre: de segur.yaml)"}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{Code: CodeIllisible, Path: path, Msg: "chemin illisible", Err: err}
	}
	st, err := os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := create(abs, opt); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, &Error{Code: CodeIllisible, Path: abs, Msg: "fichier illisible : " + safeio.Reason(err), Err: err}
	case !st.Mode().IsRegular():
		return nil, &Error{Code: CodeEtranger, Path: abs, Msg: "ce n'est pas un fichier ordinaire (dossier, lien ou fichier spécial) : donnez le chemin d'un registre segur ou d'un fichier à créer"}
	default:
		if err := checkHeader(abs); err != nil {
			return nil, err
		}
	}
	db, err := sql.Open("sqlite", dsn(abs, opt))
	if err != nil {
		return nil, &Error{Code: CodeIllisible, Path: abs, Msg: "ouverture impossible", Err: err}
	}
	r := &Registre{db: db, path: abs, now: opt.Now}
	if err := r.migrate(); err != nil {
		db.Close() // the migration's error is the one reported; the database was only read
		return nil, err
	}
	return r, nil
}

func dsn(path string, opt Options) string {
	// busy_timeout first (the driver applies it first anyway); every
	// transaction begins IMMEDIATE so that two writers queue instead of
	// failing on upgrade; synchronous FULL makes a commit durable.
	// cache_size(-256): a page cache of 256 KiB per connection instead of
	// SQLite's 2,000 KiB. The archived PDFs, most of the file, pass through
	// it once each, so a larger cache only holds pages nobody reads again:
	// a pack of 10,000 dossiers peaks 10 MiB lower (85 against 95 MiB, 81
	// against 87 for the second pack) for the same CPU, within the
	// machine's noise (README « Speed and memory »).
	return path + fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=cache_size(-256)&_txlock=immediate", opt.BusyTimeout.Milliseconds())
}

// checkHeader refuses a file that is not a SQLite database carrying
// segur's application id, before SQLite touches it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &Error{Code: CodeIllisible, Path: path, Msg: "fichier illisible : " + safeio.Reason(err), Err: err}
	}
	defer f.Close() // read-only: what was read is checked, closing loses nothing
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	if n == 0 && (err == io.EOF) {
		return &Error{Code: CodeEndommage, Path: path, Msg: "le fichier est vide : ce n'est pas un registre (il a peut-être été tronqué) ; remettez la dernière sauvegarde (segur registre sauvegarder) ou retirez le fichier pour en créer un nouveau"}
	}
	if err != nil || string(h[:16]) != "SQLite format 3\x00" {
		return &Error{Code: CodeEtranger, Path: path, Msg: "ce fichier n'est pas un registre segur (ce n'est pas une base SQLite) ; vérifiez la clé registre: de segur.yaml"}
	}
	if id := binary.BigEndian.Uint32(h[68:72]); id != ApplicationID {
		return &Error{Code: CodeEtranger, Path: path, Msg: fmt.Sprintf("cette base SQLite n'est pas un registre segur (identifiant d'application %#x) ; vérifiez la clé registre: de segur.yaml", id)}
	}
	return nil
}

// create builds a new, empty registre under a temporary name beside path
// and renames it into place, so that a registre is either whole or absent.
func create(path string, opt Options) error {
	dir := filepath.Dir(path)
	tmp := filepath.Join(dir, "."+filepath.Base(path)+".creation-"+randomHex(4))
	fail := func(err error) error {
		// Our own temporary files, after a failure that is reported.
		os.Remove(tmp)
		os.Remove(tmp + "-journal")
		os.Remove(tmp + "-wal")
		os.Remove(tmp + "-shm")
		return &Error{Code: CodeIllisible, Path: path, Msg: fmt.Sprintf("création du registre impossible dans « %s » : vérifiez que ce dossier est accessible en écriture et que le disque n'est pas plein", dir), Err: err}
	}
	// The registre's folder is made on first use (an output folder not
	// created yet, --registre sortie/registre.sqlite).
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	db, err := sql.Open("sqlite", tmp+"?_pragma=busy_timeout(1000)&_pragma=foreign_keys(1)")
	if err != nil {
		return fail(err)
	}
	// The application id goes to the header while still in rollback
	// mode, then the file switches to WAL (kept in the header).
	_, err = db.Exec(fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = 0;", ApplicationID))
	if err == nil {
		err = applyMigrations(db, 0)
	}
	if err == nil {
		_, err = db.Exec("PRAGMA journal_mode = WAL")
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err)
	}
	if err := syncFile(tmp); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	syncDir(dir)
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close() // opened only to Sync it, whose error is returned
	return f.Sync()
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()  // not possible on Windows; the rename is durable there
		f.Close() // a folder opened only to sync it
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// migrate checks the schema version and applies the missing migrations,
// after a copy of the file.
func (r *Registre) migrate() error {
	var id, v int64
	if err := r.db.QueryRow("PRAGMA application_id").Scan(&id); err != nil {
		return r.classify(err)
	}
	if id != ApplicationID {
		return &Error{Code: CodeEtranger, Path: r.path, Msg: "cette base SQLite n'est pas un registre segur ; vérifiez la clé registre: de segur.yaml"}
	}
	if err := r.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return r.classify(err)
	}
	switch {
	case v > int64(len(migrations)):
		return &Error{Code: CodeTropRecent, Path: r.path, Msg: fmt.Sprintf("ce registre est au format %d, plus récent que celui de cette version de segur (%d) : mettez segur à jour", v, len(migrations))}
	case v == int64(len(migrations)):
		return nil
	}
	backup := fmt.Sprintf("%s.avant-v%d", r.path, len(migrations))
	if _, err := os.Lstat(backup); err == nil {
		backup += "-" + r.clock().Format("20060102T150405Z")
	}
	if err := r.Backup(backup); err != nil {
		return err
	}
	if err := applyMigrations(r.db, int(v)); err != nil {
		return r.classify(err)
	}
	return nil
}

// applyMigrations runs migrations[from:], each in its own transaction
// with the version it reaches.
func applyMigrations(db *sql.DB, from int) error {
	for i := from; i < len(migrations); i++ {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(migrations[i]); err != nil {
			tx.Rollback() // the error returned says why; the rollback's own adds nothing
			return fmt.Errorf("migration %d : %w", i+1, err)
		}
		if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback() // the error returned says why; the rollback's own adds nothing
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// classify turns a SQLite error into a French *Error.
func (r *Registre) classify(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 11, 26: // SQLITE_CORRUPT, SQLITE_NOTADB
			return &Error{Code: CodeEndommage, Path: r.path, Msg: "le fichier est endommagé ; remettez la dernière sauvegarde (segur registre sauvegarder) et relancez", Err: err}
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return &Error{Code: CodeOccupe, Path: r.path, Msg: "le registre est occupé par un autre traitement (segur serve ou une autre commande) ; relancez quand il aura fini", Err: err}
		case 13: // SQLITE_FULL
			return &Error{Code: CodeIllisible, Path: r.path, Msg: "disque plein : libérez de la place et relancez (rien n'a été enregistré)", Err: err}
		case 8: // SQLITE_READONLY
			return &Error{Code: CodeIllisible, Path: r.path, Msg: "le registre est en lecture seule : vérifiez les droits du fichier et de son dossier", Err: err}
		case 10, 14: // SQLITE_IOERR, SQLITE_CANTOPEN
			return &Error{Code: CodeIllisible, Path: r.path, Msg: "lecture ou écriture impossible (droits, disque) ; vérifiez le fichier et son dossier", Err: err}
		}
	}
	return &Error{Code: CodeIllisible, Path: r.path, Msg: "erreur du registre", Err: err}
}

// Backup writes an online, consistent copy of the registre to dst (which
// must not exist): VACUUM INTO, which reads one snapshot while other
// processes keep writing. The copy is a complete registre, bytes included.
func (r *Registre) Backup(dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return &Error{Code: CodeIllisible, Path: r.path, Msg: fmt.Sprintf("la copie « %s » existe déjà : choisissez un autre nom", dst)}
	}
	abs, err := filepath.Abs(dst)
	if err != nil {
		return &Error{Code: CodeIllisible, Path: r.path, Msg: "chemin de copie illisible", Err: err}
	}
	tmp := filepath.Join(filepath.Dir(abs), "."+filepath.Base(abs)+".copie-"+randomHex(4))
	if _, err := r.db.Exec("VACUUM INTO ?", tmp); err != nil {
		os.Remove(tmp) // our own temporary file, after a failure that is reported
		return r.classify(err)
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp) // our own temporary file, after a failure that is reported
		return &Error{Code: CodeIllisible, Path: r.path, Msg: "copie impossible : " + err.Error(), Err: err}
	}
	if err := os.Rename(tmp, abs); err != nil {
		os.Remove(tmp) // our own temporary file, after a failure that is reported
		return &Error{Code: CodeIllisible, Path: r.path, Msg: "copie impossible : " + err.Error(), Err: err}
	}
	syncDir(filepath.Dir(abs))
	return nil
}

// Problem is one finding of Verify, in French.
type Problem struct {
	Code string // REGISTRE_ENDOMMAGE or DOCUMENT_ARCHIVE_ALTERE
	Msg  string
}

func (p Problem) String() string { return p.Msg + " [" + p.Code + "]" }

// VerifyResult is what Verify found.
type VerifyResult struct {
	Documents int // archived contents re-hashed
	Problems  []Problem
}

// Verify runs SQLite's integrity check and re-hashes every archived
// document against its SHA-256.
func (r *Registre) Verify(ctx context.Context) (*VerifyResult, error) {
	res := &VerifyResult{}
	rows, err := r.db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return nil, r.classify(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
			return nil, r.classify(err)
		}
		if s != "ok" {
			res.Problems = append(res.Problems, Problem{CodeEndommage, "contrôle d'intégrité SQLite : " + s})
		}
	}
	rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
	if err := rows.Err(); err != nil {
		return nil, r.classify(err)
	}
	rows, err = r.db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return nil, r.classify(err)
	}
	for rows.Next() {
		res.Problems = append(res.Problems, Problem{CodeEndommage, "une référence entre tables est rompue (foreign_key_check)"})
	}
	rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
	// One blob at a time: memory stays at one document.
	var ids []string
	rows, err = r.db.QueryContext(ctx, "SELECT sha256 FROM contenus ORDER BY sha256")
	if err != nil {
		return nil, r.classify(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
			return nil, r.classify(err)
		}
		ids = append(ids, s)
	}
	rows.Close() // read-only rows: Scan and rows.Err report the reading's errors
	for _, id := range ids {
		var b []byte
		if err := r.db.QueryRowContext(ctx, "SELECT octets FROM contenus WHERE sha256 = ?", id).Scan(&b); err != nil {
			return nil, r.classify(err)
		}
		res.Documents++
		if got := Hash(b); got != id {
			var dossier, kind string
			switch err := r.db.QueryRowContext(ctx, "SELECT dossier, type FROM documents WHERE sha256 = ? LIMIT 1", id).Scan(&dossier, &kind); {
			case errors.Is(err, sql.ErrNoRows): // archived, but no document names it
				kind, dossier = "document", "non rattaché"
			case err != nil:
				return nil, r.classify(err)
			}
			res.Problems = append(res.Problems, Problem{CodeAltere, fmt.Sprintf("%s %s : le document archivé ne correspond plus à son empreinte SHA-256 (%s attendu, %s lu)", kind, dossier, id, got)})
		}
	}
	return res, nil
}

// CodeAltere marks an archived document whose bytes no longer match.
const CodeAltere = "DOCUMENT_ARCHIVE_ALTERE"

// Hash is the lower-case hex SHA-256 of b.
func Hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Committed reports whether the transaction id committed (see the package
// documentation: the dépôt journal's recovery asks it).
func (r *Registre) Committed(id string) (bool, error) {
	var n int
	if err := r.db.QueryRow("SELECT count(*) FROM transactions WHERE id = ?", id).Scan(&n); err != nil {
		return false, r.classify(err)
	}
	return n > 0, nil
}
