package pdfin

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/segur-sons/segur/internal/pdftest"
)

// streamDictsEach is the reading dictScan replaces: every « << » tried is
// read again for every stream. The scan must find exactly what it finds.
func streamDictsEach(data []byte, kw int) []streamDict {
	end := dictEnd(data, kw)
	if end < 0 {
		return nil
	}
	var out []streamDict
	from := end - 2
	for try := 0; try < maxDictTries && from > 0; try++ {
		c := bytes.LastIndex(data[:from], []byte("<<"))
		if c < 0 {
			break
		}
		from = c
		l := &lexer{buf: data[:end], pos: c}
		d, ok := readDict(l, 0)
		if !ok || l.pos != end {
			continue
		}
		out = append(out, streamDictOf(data, d))
		if len(out) == maxDictReadings {
			break
		}
	}
	return out
}

// sameStreamDicts fails t where dictScan reads a stream's dictionaries
// differently from streamDictsEach; it returns the streams compared.
func sameStreamDicts(t *testing.T, name string, data []byte) int {
	t.Helper()
	s := newDictScan(data)
	locs := reStream.FindAllIndex(data, MaxObjects+1)
	for _, loc := range locs {
		got, want := s.streamDicts(loc[0]), streamDictsEach(data, loc[0])
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: stream keyword at %d: read %+v, want %+v", name, loc[0], got, want)
		}
	}
	return len(locs)
}

// dictCorpus is every PDF of the repository's fixtures and of this
// package's tests: signed by segur and by other tools, pièces, bombs.
func dictCorpus(t testing.TB) map[string][]byte {
	files := map[string][]byte{
		"facture": facture(t), "traite": traite(t), "pages": manyPages(3),
		"objstm":    objStmBomb(t, 1<<12),
		"xref":      pdftest.XRefStreamBomb(1<<12, "7 0 R", 600),
		"xrefchain": pdftest.XRefStreamBomb(1<<12, "[/ASCIIHexDecode /FlateDecode]", 10),
	}
	for _, dir := range []string{"signes", "outils", "annexes"} {
		paths, _ := filepath.Glob(filepath.Join("..", "..", "fixtures", dir, "*.pdf"))
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files[p] = data
		}
	}
	return files
}

// TestDictScanReadsAsBefore: remembering the « << » that can start no
// later dictionary changes no reading of any stream — on real files, and
// on the same files with delimiters, strings, comments and references
// thrown in and cut short at random places, which make readings run over
// objects and up to the end of the bytes they are given.
func TestDictScanReadsAsBefore(t *testing.T) {
	corpus := dictCorpus(t)
	if len(corpus) < 20 {
		t.Fatalf("%d files in the corpus: fixtures not found", len(corpus))
	}
	inserts := [][]byte{
		[]byte("<<"), []byte(">>"), []byte("("), []byte(")"), []byte("<"), []byte(">"),
		[]byte("["), []byte("]"), []byte("%"), []byte("/F#2"), []byte(" 5 0 R "), []byte("\\"),
		[]byte("<< /Filter /FlateDecode >>"), []byte("/Type /ObjStm "), []byte("12"), []byte("<<<"),
	}
	// A « << » whose string runs past one stream and ends before the
	// next (read to the end of its bytes for the first: not dead), and
	// « << » that overlap.
	corpus["string over a stream"] = []byte("1 0 obj << /A (x << /B 1 >>\nstream\nab\nendstream\n) /Filter /FlateDecode >>\nstream\nxy\nendstream\n")
	corpus["overlapping"] = []byte("<<<< /Filter /FlateDecode >> >>\nstream\nab\nendstream <<</Type/ObjStm>> >>\nstream\n<<<</Type/ObjStm>>>>\nstream\n")
	// Overlapping « << » count as LastIndex finds them: the dictionary
	// is reached within its 64 tries only when they do.
	corpus["overlapping in a string"] = []byte("<< /A (" + strings.Repeat("<<<< ", 25) + ") >>\nstream\nab\nendstream\n")
	rng := rand.New(rand.NewSource(17))
	streams := 0
	for name, data := range corpus {
		streams += sameStreamDicts(t, name, data)
		for range 12 {
			m := bytes.Clone(data)
			for range 1 + rng.Intn(8) {
				at := rng.Intn(len(m) + 1)
				ins := inserts[rng.Intn(len(inserts))]
				m = append(m[:at:at], append(bytes.Clone(ins), m[at:]...)...)
			}
			if rng.Intn(3) == 0 {
				m = m[:rng.Intn(len(m)+1)]
			}
			streams += sameStreamDicts(t, name+" (changed)", m)
		}
	}
	if streams < 1000 {
		t.Fatalf("only %d stream keywords compared", streams)
	}
}

// FuzzDictScan: on any bytes, the scan reads every stream's dictionaries
// as reading each « << » again would.
//
//	go test -run '^$' -fuzz FuzzDictScan -fuzztime 30s ./internal/pdfin/
func FuzzDictScan(f *testing.F) {
	for _, data := range dictCorpus(f) {
		f.Add(data)
	}
	f.Add([]byte("<< /A << /B (<<) >> >>\nstream\n<< /C 1 0 R >> stream\r\n<<<</X>>>>\nstream\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameStreamDicts(t, "fuzz", data)
	})
}
