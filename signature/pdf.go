package signature

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/segur-sons/segur/internal/pdfops"
)

// readContext reads data with pdfcpu, leniently (relaxed mode, no
// validation), turning a panic on a malformed file into an error.
func readContext(data []byte) (ctx *model.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PDF illisible (%v)", r)
		}
	}()
	conf := pdfops.Config()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err = api.ReadContext(bytes.NewReader(data), conf)
	if err != nil {
		return nil, fmt.Errorf("PDF illisible : %w", err)
	}
	if err := withPages(ctx); err != nil {
		return nil, err
	}
	return ctx, nil
}

// withPages counts the pages of ctx: an error when it has none.
func withPages(ctx *model.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PDF illisible (%v)", r)
		}
	}()
	if err := ctx.EnsurePageCount(); err != nil {
		return fmt.Errorf("PDF illisible : %w", err)
	}
	if ctx.PageCount == 0 {
		return errors.New("PDF sans page")
	}
	return nil
}
