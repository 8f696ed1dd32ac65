package pdfin

import (
	"errors"
	"fmt"
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// validateContext reads r and validates it with conf, like api.Validate,
// except for the associated files of PDF/A-3 (ISO 19005-3 §6.8, used by
// Factur-X): the catalog's /AF array and the /AFRelationship of file
// specifications. pdfcpu v0.15.0 rejects any non-empty catalog /AF ("PDF
// 2.0 associated files not supported") and /AFRelationship before PDF 2.0,
// so a PDF/A-3 file could never pass. validateContext checks that /AF is an
// array of file specifications, then validates everything else strictly
// with those two entries set aside (the Factur-X structure itself is
// checked item by item by package facturx).
func validateContext(r io.ReadSeeker, conf *model.Configuration) error {
	conf.Cmd = model.VALIDATE
	ctx, err := api.ReadContext(r, conf)
	if err != nil {
		return fmt.Errorf("read context: %w", err)
	}
	if err := setAssociatedFilesAside(ctx.XRefTable); err != nil {
		return err
	}
	return api.ValidateContext(ctx)
}

func setAssociatedFilesAside(xt *model.XRefTable) error {
	root, err := xt.Catalog()
	if err != nil || root == nil {
		return nil // the validation reports the missing catalog
	}
	o, ok := root.Find("AF")
	if !ok {
		return nil
	}
	a, err := xt.DereferenceArray(o)
	if err != nil {
		return fmt.Errorf("catalog /AF: %w", err)
	}
	for _, e := range a {
		fs, err := xt.DereferenceDict(e)
		if err != nil || fs == nil || fs.Type() == nil || *fs.Type() != "Filespec" {
			return errors.New("catalog /AF: every entry must be a file specification")
		}
		if n, ok := fs.Find("AFRelationship"); ok {
			if _, isName := n.(types.Name); !isName {
				return errors.New("file specification /AFRelationship: not a name")
			}
			fs.Delete("AFRelationship")
		}
	}
	root.Delete("AF")
	return nil
}
