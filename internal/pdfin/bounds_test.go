package pdfin

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/internal/pdftest"
)

// objStmBomb is a small PDF whose object stream inflates to n bytes.
func objStmBomb(t testing.TB, n int) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for left := n; left > 0; left -= len(chunk) {
		zw.Write(chunk[:min(left, len(chunk))])
	}
	zw.Close()
	stm := fmt.Sprintf("<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", z.Len(), z.Bytes())
	return pdftest.Raw("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>", stm)
}

// manyPages is a PDF whose page tree refers to the same page n times.
func manyPages(n int) []byte {
	kids := strings.Repeat("3 0 R ", n)
	return pdftest.Raw("<< /Type /Catalog /Pages 2 0 R >>", fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, n), "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>")
}

// TestClientPDFBounds (issue #10, case 6): an object-stream bomb and a
// million page references are refused, in bounded memory and time; real
// PDFs pass.
func TestClientPDFBounds(t *testing.T) {
	for _, ok := range [][]byte{facture(t), traite(t), pdftest.Raw("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>")} {
		if err := checkRead(ok); err != nil {
			t.Errorf("a readable PDF is refused: %v", err)
		}
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"object stream of 256 MiB", objStmBomb(t, 256<<20), "décompressés"},
		{"a million page references", manyPages(1_100_000), "trop d'objets"},
		{"3000 pages", manyPages(3000), "plus de 2000 pages"},
		{"not a PDF", []byte("bonjour"), "ne commence pas"},
	}
	for _, tc := range cases {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		err := checkRead(tc.data)
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
		grew := after.TotalAlloc - before.TotalAlloc
		// Bounded by the limits, not by the bomb: at most the file's own
		// size a few times, plus what pdfcpu holds of a refused-early file.
		if limit := uint64(4*len(tc.data)) + 8<<20; grew > limit {
			t.Errorf("%s (%d KiB): %d MiB allocated, want < %d MiB", tc.name, len(tc.data)>>10, grew>>20, limit>>20)
		}
		t.Logf("%s: %d KiB file, %d MiB allocated, %s", tc.name, len(tc.data)>>10, grew>>20, took)
	}
}

// checkRead is Read's refusal, nil when it reads data.
func checkRead(data []byte) error {
	_, err := Read(data)
	return err
}

// FuzzRead feeds mutated PDFs to every reading of this package — Read,
// Open and Accept, and what a Doc gives (pages, text, drawing, revisions,
// signature dictionaries, an embedded file): each must return, without
// panic, within its bounds, and a refusal is an *Error with a code.
//
//	go test -run '^$' -fuzz FuzzRead -fuzztime 30s ./internal/pdfin/
func FuzzRead(f *testing.F) {
	f.Add(facture(f))
	f.Add(traite(f))
	f.Add(manyPages(3))
	f.Add(objStmBomb(f, 1<<12))
	f.Add(pdftest.XRefStreamBomb(1<<12, "7 0 R", 600))
	f.Add(pdftest.XRefStreamBomb(1<<12, "[/ASCIIHexDecode /FlateDecode]", 10))
	f.Fuzz(func(t *testing.T, data []byte) {
		reportPanics(t)
		exercise(t, data)
	})
}

// TestObjectStreamBombBehindXRefStream (issue 20): a 200 KiB object
// stream that inflates to 200 MiB, reached only through an xref stream,
// its /Filter hidden from a look at the bytes before « stream » (padding,
// an indirect filter, a filter chain), is refused by Accept before pdfcpu
// reads it, in bounded memory.
func TestObjectStreamBombBehindXRefStream(t *testing.T) {
	cases := []struct{ name, filter string }{
		{"padded /FlateDecode", "/FlateDecode"},
		{"indirect filter", "7 0 R"},
		{"filter chain", "[/ASCIIHexDecode /FlateDecode]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bomb := pdftest.XRefStreamBomb(200<<20, c.filter, 4096)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := Accept(bomb)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "décompressés") {
				t.Errorf("got %v, want the bomb refused", err)
			}
			grew := after.TotalAlloc - before.TotalAlloc
			if limit := uint64(16<<20 + 8*len(bomb)); grew > limit {
				t.Errorf("%d KiB file: %d MiB allocated, want < %d MiB", len(bomb)>>10, grew>>20, limit>>20)
			}
			t.Logf("%d KiB file: %d KiB allocated", len(bomb)>>10, grew>>10)
		})
	}
	// The same file within the bounds is not refused for its size.
	if err := Accept(pdftest.XRefStreamBomb(1<<20, "7 0 R", 4096)); err != nil && strings.Contains(err.Error(), "décompressés") {
		t.Errorf("a 1 MiB object stream: %v", err)
	}
}

// exercise reads data every way a Doc can be read.
func exercise(t *testing.T, data []byte) {
	coded := func(err error) {
		var e *Error
		if err != nil && (!errors.As(err, &e) || e.Cause == "") {
			t.Errorf("refusal %q (%T) without a code", err, err)
		}
	}
	if d, err := Read(data); err != nil {
		coded(err)
	} else {
		_, err := d.Pages()
		coded(err)
		_, err = d.Text()
		coded(err)
		_, err = d.Drawing()
		coded(err)
		_, _, err = d.Attachment("factur-x.xml", 1<<20)
		coded(err)
		_, err = d.Signatures()
		coded(err)
		for _, end := range d.RevisionEnds() {
			if r, err := d.Revision(end); err != nil {
				coded(err)
			} else {
				_, err = r.Text()
				coded(err)
			}
		}
	}
	d, err := Open(data)
	coded(err)
	if err == nil {
		coded(d.Accept())
	}
}

// TestOpenAfterScansWhatFollowsOwn: a file that starts with a PDF segur
// wrote (own) has the bytes after it scanned — a bomb appended by an
// incremental update is refused — and a file that does not start with own
// is scanned whole; own's own streams are not scanned again.
func TestOpenAfterScansWhatFollowsOwn(t *testing.T) {
	own := facture(t)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(make([]byte, MaxInflated+1<<20))
	zw.Close()
	appended := append(append([]byte{}, own...), fmt.Sprintf("\n99 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream\nendobj\n%%%%EOF\n", z.Len(), z.Bytes())...)
	bomb := objStmBomb(t, MaxInflated+1<<20)
	cases := []struct {
		name      string
		data, own []byte
		refused   bool
	}{
		{"own, signed by an incremental update", own, own, false},
		{"a bomb appended after own", appended, own, true},
		{"a bomb that does not start with own", bomb, own, true},
		{"a bomb, no own", bomb, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := OpenAfter(c.data, c.own)
			if refused := err != nil && strings.Contains(err.Error(), "décompressés"); refused != c.refused {
				t.Errorf("OpenAfter: %v, want refused for its size: %v", err, c.refused)
			}
		})
	}
	// What is skipped is own, and only own: the same bomb is refused when
	// scanned from its start, passed when it is all before the offset.
	if scanBoundsFrom(bomb, 0) == nil || scanBoundsFrom(bomb, len(bomb)) != nil {
		t.Errorf("scanBoundsFrom does not scan from its offset")
	}
}
