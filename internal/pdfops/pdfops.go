package pdfops

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
// this package also calls it, so pdfops itself can never touch the home
// directory even if a caller forgets.
func Init() {
	initOnce.Do(api.DisableConfigDir)
}

// newConf returns a fresh pdfcpu configuration built from the defaults,
// never from a config dir.
func newConf() *model.Configuration {
	Init()
	conf := model.NewDefaultConfiguration()
	conf.Offline = true // never go online (certificate revocation checks)
	// pdfcpu's own limits, per stream and per table, behind the scan of
	// the whole file (scanBounds).
	conf.Limits.MaxDecodeBytes = MaxInflated
	conf.Limits.MaxObjectCount = MaxObjects
	conf.Limits.MaxObjectStreamCount = MaxObjects
	conf.Limits.MaxXRefEntries = MaxObjects
	return conf
}

// Config is the pdfcpu configuration of every reading of an outside PDF:
// offline, with the bounds of this package.
func Config() *model.Configuration { return newConf() }

// errNilReader reports a nil io.ReadSeeker argument.
var errNilReader = errors.New("nil reader")

// onPanic, when set (by tests), is told about every recovered panic.
var onPanic func(recovered any)

// catch turns a panic escaping pdfcpu (or this package) on a malformed
// file into an error.
func catch(err *error, op string) {
	r := recover()
	if r == nil {
		return
	}
	if onPanic != nil {
		onPanic(r)
	}
	if e, ok := r.(error); ok {
		*err = fmt.Errorf("pdfops: %s: malformed PDF: %w", op, e)
		return
	}
	*err = fmt.Errorf("pdfops: %s: malformed PDF: %v", op, r)
}

// readContext reads r leniently (relaxed mode, no validation).
func readContext(r io.ReadSeeker) (*model.Context, error) {
	if r == nil {
		return nil, errNilReader
	}
	conf := newConf()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadContext(r, conf)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	// EnsurePageCount dereferences the page tree root without a nil check.
	root, err := ctx.Pages()
	if err != nil {
		return nil, fmt.Errorf("page tree: %w", err)
	}
	if root == nil {
		return nil, errors.New("page tree: missing root")
	}
	if err := ctx.EnsurePageCount(); err != nil {
		return nil, fmt.Errorf("page count: %w", err)
	}
	return ctx, nil
}

// Validate checks the PDF read from r with pdfcpu in strict mode (full
// compliance with PDF 32000-1:2008, no tolerance for common writer bugs).
//
// pdfcpu silently rebuilds a missing or damaged cross-reference section,
// even in strict mode, so a file cut short after its last object would
// pass; Validate therefore first requires the file to end with
// "startxref … %%EOF" (PDF 32000-1 §7.5.5), which catches truncation.
func Validate(r io.ReadSeeker) (err error) {
	defer catch(&err, "validate")
	if r == nil {
		return fmt.Errorf("pdfops: validate: %w", errNilReader)
	}
	if err := checkEnd(r); err != nil {
		return fmt.Errorf("pdfops: validate: %w", err)
	}
	conf := newConf()
	conf.ValidationMode = model.ValidationStrict
	conf.Optimize = false // api.Validate would otherwise optimize for nothing
	if err := validateContext(r, conf); err != nil {
		return fmt.Errorf("pdfops: validate: %w", err)
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

// PageCount returns the number of pages of the PDF read from r, which is
// read and validated in relaxed mode.
func PageCount(r io.ReadSeeker) (n int, err error) {
	defer catch(&err, "page count")
	if r == nil {
		return 0, fmt.Errorf("pdfops: page count: %w", errNilReader)
	}
	conf := newConf()
	conf.ValidationMode = model.ValidationRelaxed
	n, err = api.PageCount(r, conf)
	if err != nil {
		return 0, fmt.Errorf("pdfops: page count: %w", err)
	}
	return n, nil
}
