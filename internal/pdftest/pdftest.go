// Package pdftest builds small raw PDFs for tests: hostile files (bombs,
// deep page trees) that no PDF library would write. It is never used by
// segur itself.
package pdftest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
)

// deflated remembers Deflated's streams: a test binary compresses each
// bomb once (256 MiB take most of a CPU-second at the best level).
var deflated struct {
	sync.Mutex
	m map[deflatedKey][]byte
}

type deflatedKey struct {
	prefix string
	n      int
	fill   byte
}

// Deflated is a zlib stream, at the best compression level, of prefix
// followed by n bytes of fill: the stream of a decompression bomb. Each
// call gets its own copy.
func Deflated(prefix string, n int, fill byte) []byte {
	k := deflatedKey{prefix, n, fill}
	deflated.Lock()
	defer deflated.Unlock()
	if z, ok := deflated.m[k]; ok {
		return bytes.Clone(z)
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression) // a valid level: cannot fail
	zw.Write([]byte(prefix))                               // writes into memory: cannot fail
	chunk := bytes.Repeat([]byte{fill}, min(n, 1<<20))
	for left := n; left > 0; left -= len(chunk) {
		zw.Write(chunk[:min(left, len(chunk))]) // writes into memory: cannot fail
	}
	zw.Close() // writes into memory: cannot fail
	if deflated.m == nil {
		deflated.m = map[deflatedKey][]byte{}
	}
	deflated.m[k] = z.Bytes()
	return bytes.Clone(z.Bytes())
}

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

// XRefStreamBomb is a PDF whose only cross-reference section is an xref
// stream, pointing into an object stream that inflates to inflated bytes
// (a 200 KiB stream inflates to about 200 MiB). filter is the stream's
// /Filter value as written (« /FlateDecode », « 7 0 R » — object 7 is
// then the name /FlateDecode —, « [/ASCIIHexDecode /FlateDecode] », the
// data then hex-encoded); pad bytes of white space sit between the
// dictionary's /Filter and the stream keyword.
func XRefStreamBomb(inflated int, filter string, pad int) []byte {
	stm := Deflated("5 0 ", inflated, 0)
	if strings.Contains(filter, "ASCIIHex") {
		stm = []byte(hex.EncodeToString(stm) + ">")
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	off := map[int]int{}
	obj := func(n int, body string) {
		off[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, body)
	}
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>")
	obj(4, fmt.Sprintf("<< /Type /ObjStm /N 1 /First 4 /Filter %s%s /Length %d >>\nstream\n%s\nendstream", filter, strings.Repeat(" ", pad), len(stm), stm))
	obj(7, "/FlateDecode")
	xref := b.Len()
	var rows bytes.Buffer
	row := func(typ byte, a uint32, c uint16) {
		rows.WriteByte(typ)
		binary.Write(&rows, binary.BigEndian, a) // writes into memory: cannot fail
		binary.Write(&rows, binary.BigEndian, c) // writes into memory: cannot fail
	}
	row(0, 0, 65535)
	for n := 1; n <= 4; n++ {
		row(1, uint32(off[n]), 0)
	}
	row(2, 4, 0) // object 5, in object stream 4
	row(1, uint32(xref), 0)
	row(1, uint32(off[7]), 0)
	fmt.Fprintf(&b, "6 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n", rows.Len())
	b.Write(rows.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes()
}
