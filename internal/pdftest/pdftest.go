// Package pdftest builds small raw PDFs for tests: hostile files (bombs,
// deep page trees) that no PDF library would write. It is never used by
// segur itself.
package pdftest

import (
	"bytes"
	"fmt"
)

// Raw assembles a PDF from object bodies (object i+1 is objs[i], object 1
// the catalog) with a correct cross-reference table.
func Raw(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
