package pdfin

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/internal/pdftest"
)

// objStmBomb is a small PDF whose object stream inflates to n bytes.
func objStmBomb(t testing.TB, n int) []byte {
	z := pdftest.Deflated("", n, ' ')
	stm := fmt.Sprintf("<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", len(z), z)
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
// incremental update is refused — and a file that does not start with own,
// or whose own part names a stream's filter indirectly (which an update
// could redefine), is scanned whole; own's own streams are not scanned
// again.
func TestOpenAfterScansWhatFollowsOwn(t *testing.T) {
	// A VA as returned: segur's unsigned VA, then two signatures added by
	// incremental updates.
	signed, err := os.ReadFile("../../fixtures/signes/MDV-LGC-Va1-VA-00048.pdf")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Open(signed)
	if err != nil {
		t.Fatal(err)
	}
	own := signed[:doc.RevisionEnds()[0]]
	if indirectStreamKeys(own) {
		t.Fatal("segur's unsigned VA names a stream's filter or length indirectly: OpenAfter would scan every returned VA whole")
	}
	z := pdftest.Deflated("", MaxInflated+1<<20, 0)
	tail := fmt.Sprintf("99 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream\nendobj\n%%%%EOF\n", len(z), z)
	appended := append(append([]byte{}, signed...), "\n"+tail...)
	// The bomb's « stream » keyword right where own ends.
	atTheEnd := append(append([]byte{}, own...), tail...)
	bomb := objStmBomb(t, MaxInflated+1<<20)
	// The same file, its own part naming a filter indirectly.
	indirect := bytes.Replace(own, []byte("/Filter /FlateDecode"), []byte("/Filter 7 0 R"), 1)
	if bytes.Equal(indirect, own) {
		t.Fatal("the unsigned VA has no « /Filter /FlateDecode » to rewrite")
	}
	ownIndirect := append(append([]byte{}, indirect...), tail...)
	cases := []struct {
		name      string
		data, own []byte
		refused   bool
	}{
		{"a returned VA, own its unsigned revision", signed, own, false},
		{"a bomb appended after the signatures", appended, own, true},
		{"a bomb right where own ends", atTheEnd, own, true},
		{"own naming a filter indirectly, a bomb in it: scanned whole", ownIndirect, ownIndirect, true},
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
	if !indirectStreamKeys(indirect) {
		t.Error("« /Filter 7 0 R » not seen as an indirect filter")
	}
	for _, direct := range []string{"/Length 1234 >>", "/Length1 12345 /Length2 0 /Filter /FlateDecode", "/Length 12 0 Rx"} {
		if indirectStreamKeys([]byte(direct)) {
			t.Errorf("%q seen as an indirect reference", direct)
		}
	}
	// What is skipped is own, and only own: a bomb is refused when scanned
	// from its start, passed when it is all before the offset, and what
	// follows it still counts.
	if scanBoundsFrom(bomb, 0) == nil || scanBoundsFrom(bomb, len(bomb)) != nil {
		t.Errorf("scanBoundsFrom does not scan from its offset")
	}
	if scanBoundsFrom(append(append([]byte{}, bomb...), tail...), len(bomb)) == nil {
		t.Errorf("scanBoundsFrom passes a bomb after its offset")
	}
}
