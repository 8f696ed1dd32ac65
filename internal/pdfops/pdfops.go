// Package pdfops holds the PDF operations segur does to write its own
// files: merging (a facture with its traités de fusion, the scans of a VA),
// rewriting (Factur-X's PDF/A-3), stamping (« SPÉCIMEN »), each with a
// byte-deterministic output; and [Disk], the file checks of the rules.
//
// It reads no PDF segur did not write on its own: what it merges is a
// [pdfin.Doc], a file package pdfin has read within its bounds, and the
// file checks accept a PDF through [pdfin.Accept].
//
// Every function recovers from malformed input and reports it as an error,
// wrapped with a "pdfops: " prefix; none of them panics.
package pdfops

import (
	"errors"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/segur-sons/segur/internal/pdfin"
)

// Init makes pdfcpu run without a configuration directory: see
// [pdfin.Init]. Call it at start-up (main, TestMain).
func Init() { pdfin.Init() }

// newConf returns a fresh pdfcpu configuration built from the defaults,
// never from a config dir, with pdfin's bounds.
func newConf() *model.Configuration { return pdfin.Config() }

// errNilReader reports a nil argument.
var errNilReader = errors.New("nil reader")

// catch turns a panic escaping pdfcpu (or this package) into an error.
func catch(err *error, op string) {
	r := recover()
	if r == nil {
		return
	}
	if e, ok := r.(error); ok {
		*err = fmt.Errorf("pdfops: %s: malformed PDF: %w", op, e)
		return
	}
	*err = fmt.Errorf("pdfops: %s: malformed PDF: %v", op, r)
}
