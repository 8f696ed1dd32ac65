package signature

import (
	"bytes"
	"math"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// scanned reports whether every page of ctx is a scan: an image drawn over
// at least 80 % of the page (an OCR text layer on top is allowed), as
// scanners, img2pdf and OCR tools write them.
func scanned(ctx *model.Context) bool {
	for p := 1; p <= ctx.PageCount; p++ {
		d, _, inh, err := ctx.XRefTable.PageDict(p, true)
		if err != nil || d == nil {
			return false
		}
		box := inh.MediaBox
		if mb, ok := d["MediaBox"]; ok {
			if a, err := ctx.XRefTable.DereferenceArray(mb); err == nil {
				if r, err := ctx.XRefTable.RectForArray(a); err == nil {
					box = r
				}
			}
		}
		if box == nil {
			return false
		}
		content, err := ctx.XRefTable.PageContent(d, p)
		if err != nil {
			return false
		}
		images := map[string]bool{}
		if inh.Resources != nil {
			if xo, ok := inh.Resources["XObject"]; ok {
				if xd, err := ctx.XRefTable.DereferenceDict(xo); err == nil {
					for k, v := range xd {
						if sd, _, err := ctx.XRefTable.DereferenceStreamDict(v); err == nil && sd != nil && name(sd.Dict, "Subtype") == "Image" {
							images[k] = true
						}
					}
				}
			}
		}
		if !fullPageImage(content, images, box.Width()*box.Height()) {
			return false
		}
	}
	return ctx.PageCount > 0
}

// fullPageImage reads a content stream for an image XObject drawn with a
// transformation covering at least 80 % of area.
func fullPageImage(content []byte, images map[string]bool, area float64) bool {
	var nums []float64
	var last string // the last name operand
	ctm := [][6]float64{{1, 0, 0, 1, 0, 0}}
	for _, tok := range bytes.Fields(content) {
		s := string(tok)
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			nums = append(nums, f)
			continue
		}
		switch {
		case s == "q":
			ctm = append(ctm, ctm[len(ctm)-1])
		case s == "Q":
			if len(ctm) > 1 {
				ctm = ctm[:len(ctm)-1]
			}
		case s == "cm" && len(nums) >= 6:
			m := nums[len(nums)-6:]
			c := ctm[len(ctm)-1]
			ctm[len(ctm)-1] = [6]float64{
				m[0]*c[0] + m[1]*c[2], m[0]*c[1] + m[1]*c[3],
				m[2]*c[0] + m[3]*c[2], m[2]*c[1] + m[3]*c[3],
				m[4]*c[0] + m[5]*c[2] + c[4], m[4]*c[1] + m[5]*c[3] + c[5],
			}
		case len(s) > 1 && s[0] == '/':
			nums = nums[:0]
			last = s[1:]
			continue
		case s == "Do":
			c := ctm[len(ctm)-1]
			if images[last] && math.Abs(c[0]*c[3]-c[1]*c[2]) >= 0.8*area {
				return true
			}
		}
		nums = nums[:0]
	}
	return false
}
