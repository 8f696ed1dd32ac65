package pdfops

import (
	"bytes"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Stamp writes text across every page of the PDF in, across the middle, in red
// and half transparent, over the content: the mark of a preview that must
// show on pages segur did not lay out itself (appended documents) too.
func Stamp(in []byte, text string) (out []byte, err error) {
	defer catch(&err, "stamp")
	conf := newConf()
	wm, err := pdfcpu.ParseTextWatermarkDetails(text, "font:Helvetica-Bold, points:72, rot:0, fillcolor:#C80000, opacity:0.35, scale:0.8 rel", true, types.POINTS)
	if err != nil {
		return nil, fmt.Errorf("stamp: %w", err)
	}
	var buf bytes.Buffer
	if err := api.AddWatermarks(bytes.NewReader(in), &buf, nil, wm, conf); err != nil {
		return nil, fmt.Errorf("stamp: %w", err)
	}
	return buf.Bytes(), nil
}
