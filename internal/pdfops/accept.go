package pdfops

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Accept is the one rule for the PDFs of a dépôt, shared by pack (what it
// puts in a zip) and check (what it reads back): the file ends like a PDF
// (it is not cut short), pdfcpu reads and validates it in relaxed mode —
// which what real scanners, converters and signing tools write passes
// (tested: img2pdf, Ghostscript, qpdf), unlike strict mode, which refuses a
// « D:…Z » date or a catalog version entry they commonly write —,
// it is not password-protected, and it has at least one page. The error is
// a French sentence saying why, for the user to act on.
func Accept(data []byte) error { return AcceptWith(data, nil) }

// AcceptWith is Accept, which parses data once, handing the parsed file to
// inspect (when not nil) before validating it: a caller that reads the
// file too (signature verification) does not parse it a second time.
// inspect sees the file as read, not yet validated — validation repairs
// some structures in place — and only reads it; it is called only once
// the file has been read and found unencrypted, and what it learnt is to
// be discarded when AcceptWith returns an error.
func AcceptWith(data []byte, inspect func(ctx *model.Context)) (err error) {
	defer catch(&err, "accept")
	if len(data) == 0 {
		return errors.New("le fichier est vide")
	}
	if !bytes.HasPrefix(bytes.TrimLeft(data[:min(len(data), 1024)], "\x00\t\n\f\r "), []byte("%PDF-")) {
		return errors.New("ce n'est pas un PDF (il ne commence pas par %PDF-)")
	}
	// Bounded before pdfcpu parses anything (objects, references,
	// decompressed bytes): a hostile file costs a message, not the memory.
	if err := scanBounds(data); err != nil {
		return err
	}
	if err := checkEnd(bytes.NewReader(data)); err != nil {
		return errors.New("il ne se termine pas comme un PDF (« %%EOF ») : fichier tronqué, ou octets ajoutés après la fin par une copie ou un outil")
	}
	conf := newConf()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Optimize = false
	ctx, err := api.ReadContext(bytes.NewReader(data), conf)
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "password") || strings.Contains(strings.ToLower(err.Error()), "encrypt") {
			return errors.New("le PDF est protégé par un mot de passe : déposez une version sans protection")
		}
		return fmt.Errorf("le PDF est illisible (%s)", short(err))
	}
	if ctx.Encrypt != nil {
		return errors.New("le PDF est chiffré : déposez une version sans protection")
	}
	if inspect != nil {
		inspect(ctx)
		// Validation counts the pages itself, as on a file just read.
		ctx.PageCount = 0
	}
	if err := api.ValidateContext(ctx); err != nil {
		return fmt.Errorf("la structure du PDF est invalide (%s)", short(err))
	}
	if err := ctx.EnsurePageCount(); err != nil || ctx.PageCount == 0 {
		return errors.New("le PDF n'a aucune page")
	}
	if ctx.PageCount > MaxPages {
		return errTooManyPage
	}
	return nil
}

// short is the first line of a pdfcpu error, without its package prefix.
func short(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}
