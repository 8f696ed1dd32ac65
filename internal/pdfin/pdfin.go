package pdfin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

var initOnce sync.Once

// Init makes pdfcpu run without a configuration directory: by default,
// pdfcpu creates (and then reads) "pdfcpu/config.yml", fonts and
// certificates under os.UserConfigDir() the first time a configuration is
// needed. Init switches it to its built-in defaults instead
// (api.DisableConfigDir), so nothing is ever written to the user's home.
//
// Call Init at start-up (main, TestMain) before any other pdfcpu use in the
// process. It is idempotent and safe for concurrent use; every function of
// this package also calls it.
func Init() {
	initOnce.Do(api.DisableConfigDir)
}

// Config is a fresh pdfcpu configuration built from the defaults, never
// from a config dir, offline, with this package's bounds as pdfcpu's own
// limits (per stream and per table, behind the scan of the whole file).
// The writers of package pdfops use it too.
func Config() *model.Configuration {
	Init()
	conf := model.NewDefaultConfiguration()
	conf.Offline = true // never go online (certificate revocation checks)
	conf.Limits.MaxDecodeBytes = MaxInflated
	conf.Limits.MaxObjectCount = MaxObjects
	conf.Limits.MaxObjectStreamCount = MaxObjects
	conf.Limits.MaxXRefEntries = MaxObjects
	return conf
}

// errNilReader reports a nil io.ReadSeeker argument.
var errNilReader = errors.New("nil reader")

// onPanic, when set (by tests), is told about every recovered panic.
var onPanic func(recovered any)

// catch turns a panic escaping pdfcpu (or this package) on a malformed
// file into an error: a French sentence, cause CauseUnreadable, whose
// text never shows the panic's (kept for the log through Unwrap).
func catch(err *error, op string) {
	r := recover()
	if r == nil {
		return
	}
	if onPanic != nil {
		onPanic(r)
	}
	cause, ok := r.(error)
	if !ok {
		cause = fmt.Errorf("%v", r)
	}
	*err = &Error{Cause: CauseUnreadable, Message: "structure inattendue, que segur ne sait pas lire (fichier abîmé ou fabriqué)", op: op, cause: cause}
}

// Error is why an outside PDF is refused: a French sentence, without the
// parser's words, and its cause. Error() is the sentence; the caller puts
// it in a message under its own stable code (PIECE_ILLISIBLE in pack and
// serve, PDF_INVALIDE in check, VA_…/MOM_… in signature's).
type Error struct {
	Cause   Cause  // why, for programs and tests
	Message string // French, for the user to act on
	op      string
	cause   error
}

func (e *Error) Error() string { return e.Message }

// Unwrap is the parser's own error (or recovered panic), for the tests
// and the log, never for a message.
func (e *Error) Unwrap() error { return e.cause }

// Cause is why a PDF is refused.
type Cause string

// The causes of an Error.
const (
	CauseEmpty      Cause = "vide"
	CauseNotPDF     Cause = "pas-un-pdf"
	CauseBounds     Cause = "hors-limites" // objects, references, decompressed bytes, pages
	CauseTruncated  Cause = "tronque"
	CauseEncrypted  Cause = "chiffre"
	CauseUnreadable Cause = "illisible" // pdfcpu cannot read it, or panicked
	CauseInvalid    Cause = "structure" // read, but validation fails
	CauseNoPage     Cause = "sans-page"
)

func fail(c Cause, msg string) *Error { return &Error{Cause: c, Message: msg} }

// readContext parses data with pdfcpu leniently (relaxed mode, not
// validated) and counts its pages. It is the one call of pdfcpu's reader
// in this package on bytes the bounds have not been checked for by the
// caller: every caller checks them first (Open, Read), or reads a prefix
// of a file already checked (Revision).
func readContext(data []byte) (*model.Context, error) {
	conf := Config()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Optimize = false
	ctx, err := api.ReadContext(bytes.NewReader(data), conf)
	if err != nil {
		return nil, err
	}
	return ctx, nil
}

// countPages counts the pages of ctx (EnsurePageCount dereferences the
// page tree root without a nil check).
func countPages(ctx *model.Context) error {
	root, err := ctx.Pages()
	if err != nil {
		return fmt.Errorf("page tree: %w", err)
	}
	if root == nil {
		return errors.New("page tree: missing root")
	}
	return ctx.EnsurePageCount()
}

// Validate checks the PDF read from r with pdfcpu in strict mode (full
// compliance with PDF 32000-1:2008, no tolerance for common writer bugs):
// the check of segur's own outputs in tests.
//
// pdfcpu silently rebuilds a missing or damaged cross-reference section,
// even in strict mode, so a file cut short after its last object would
// pass; Validate therefore first requires the file to end with
// "startxref … %%EOF" (PDF 32000-1 §7.5.5), which catches truncation.
func Validate(r io.ReadSeeker) (err error) {
	defer catch(&err, "validate")
	if r == nil {
		return fmt.Errorf("pdfin: validate: %w", errNilReader)
	}
	if err := checkEnd(r); err != nil {
		return fmt.Errorf("pdfin: validate: %w", err)
	}
	conf := Config()
	conf.ValidationMode = model.ValidationStrict
	conf.Optimize = false // api.Validate would otherwise optimize for nothing
	if err := validateContext(r, conf); err != nil {
		return fmt.Errorf("pdfin: validate: %w", err)
	}
	return nil
}

// errTruncated reports a file that does not end like a PDF file.
var errTruncated = errors.New("truncated file: no startxref and %%EOF at end of file")

// checkEnd verifies that the last KiB of r holds "startxref" and that the
// file ends with "%%EOF" (trailing white space allowed), then rewinds r.
func checkEnd(r io.ReadSeeker) error {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("seek: %w", err)
	}
	n := min(size, 1024)
	if _, err := r.Seek(size-n, io.SeekStart); err != nil {
		return fmt.Errorf("seek: %w", err)
	}
	tail := make([]byte, n)
	if _, err := io.ReadFull(r, tail); err != nil {
		return fmt.Errorf("read end of file: %w", err)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("seek: %w", err)
	}
	end := bytes.TrimRight(tail, "\x00\t\n\f\r ")
	if !bytes.HasSuffix(end, []byte("%%EOF")) || !bytes.Contains(end, []byte("startxref")) {
		return errTruncated
	}
	return nil
}
