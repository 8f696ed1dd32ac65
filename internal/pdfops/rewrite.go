package pdfops

import (
	"fmt"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// RewriteAt reads in, lets edit change its objects (add objects with
// xt.IndRefForNewObject, change the catalog), and writes the result as
// [MergeAt] does: byte-deterministic, objects reachable from the catalog
// and the Info dictionary only, Info dates set to t, a file identifier
// derived from the content, a PDF 1.7 header with a binary comment line.
// edit sees the Info dictionary before its dates are set to t.
func RewriteAt(in []byte, t time.Time, edit func(xt *model.XRefTable) error) (out []byte, err error) {
	defer catch(&err, "rewrite")
	if t.Year() < 1000 || t.Year() > 9999 {
		return nil, fmt.Errorf("pdfops: rewrite: date %s out of range", t)
	}
	out, err = canonicalEdit(in, t, edit)
	if err != nil {
		return nil, fmt.Errorf("pdfops: rewrite: %w", err)
	}
	return out, nil
}
