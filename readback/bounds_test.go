//go:build unix

package readback

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/rapport"
)

// overlap rewrites a zip's central directory so that every entry points at
// the first entry's data: entries that overlap, as in a zip bomb that
// decompresses the same bytes again and again.
func overlap(t *testing.T, zipData []byte) []byte {
	out := bytes.Clone(zipData)
	sig := []byte("PK\x01\x02")
	first := -1
	for i := bytes.Index(out, sig); i >= 0; {
		off := binary.LittleEndian.Uint32(out[i+42:])
		if first < 0 {
			first = int(off)
		} else {
			binary.LittleEndian.PutUint32(out[i+42:], uint32(first))
		}
		j := bytes.Index(out[i+4:], sig)
		if j < 0 {
			break
		}
		i += 4 + j
	}
	if first < 0 {
		t.Fatal("no central directory found")
	}
	return out
}

// TestCheckHostileDepots (issue #10, case 7): an overlapping-entry zip, a
// rapport.json that is /dev/zero, a solde JSON that is a FIFO — refused,
// coded, promptly and in bounded memory.
func TestCheckHostileDepots(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"overlapping zip entries", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "depot", chkMDV+".zip")
			data, _ := os.ReadFile(p)
			os.WriteFile(p, overlap(t, data), 0o644)
		}, "depot/" + chkMDV + ".zip - - ZIP_INVALIDE"},
		{"a PDF entry that inflates to 128 MiB", func(t *testing.T, dir string) {
			var z bytes.Buffer
			zw := zlib.NewWriter(&z)
			zw.Write(make([]byte, 128<<20))
			zw.Close()
			bomb := fmt.Sprintf("%%PDF-1.7\n1 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream\nendobj\n%%%%EOF\n", z.Len(), z.Bytes())
			chkEditZip(t, dir, chkMDV+".zip", func(e map[string][]byte) { e["MDV-LGC-Va1-MOM-00042.pdf"] = []byte(bomb) })
		}, "depot/" + chkMDV + ".zip 00042 MDV-LGC-Va1-MOM-00042.pdf PDF_INVALIDE"},
		{"rapport.json is /dev/zero", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "rapport.json")
			os.Remove(p)
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Skip("no links")
			}
		}, "rapport.json - - RAPPORT attention"},
		{"the solde JSON is a FIFO", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "depot", chkMDV+".json")
			os.Remove(p)
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Skip("no FIFO")
			}
		}, "depot/" + chkMDV + ".json - - JSON_INVALIDE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := chkWrite(t)
			tc.setup(t, dir)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			type result struct {
				got []string
				err error
			}
			done := make(chan result, 1)
			go func() {
				ps, err := Check(dir, testRegistry(t))
				done <- result{chkSummary(ps), err}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(2 * time.Minute): // a hang, not a slow machine
				t.Fatal("check still running after 2 min")
			}
			runtime.ReadMemStats(&after)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if !strings.Contains(strings.Join(r.got, "\n"), tc.want) {
				t.Errorf("want %q among:\n%s", tc.want, strings.Join(r.got, "\n"))
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 256<<20 {
				t.Errorf("%d MiB allocated", grew>>20)
			}
		})
	}
}

// TestHostileDepotJSONIsBounded (issue #22, item 4): a solde JSON of
// 6 Mo of {} lines and a rapport.json of 60 Mo of empty entries are read
// with bounded problems and memory (they took gigabytes).
func TestHostileDepotJSONIsBounded(t *testing.T) {
	var js bytes.Buffer
	js.WriteString(`{"impId":null,"numeroAns":"1234567890","siret":"12345678900011","lignesImport":[`)
	for js.Len() < 6<<20 {
		js.WriteString("{},\n")
	}
	js.WriteString("{}]}\n")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, probs := parseSolde("depot/x.json", js.Bytes())
	runtime.ReadMemStats(&after)
	if len(probs) > dossier.MaxProblemsPerFile+1 {
		t.Errorf("%d problems", len(probs))
	}
	last := probs[len(probs)-1]
	if last.Code != "PROBLEMES_NOMBREUX" || !strings.Contains(last.Message, "autres problèmes") || !strings.Contains(probs[0].Message+probs[1].Message, "lignes : un dépôt en compte au plus 200") {
		t.Errorf("first %v, last %v", probs[:2], last)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 256<<20 {
		t.Errorf("%d MiB allocated for a 6 Mo solde JSON", grew>>20)
	}

	var rap bytes.Buffer
	rap.WriteString(`{"genere_par":"x","dossiers":[`)
	for rap.Len() < 60<<20 {
		rap.WriteString("{},")
	}
	rap.WriteString("{}]}")
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := rapport.ReadEntries(&rap)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, rapport.ErrTooManyEntries) {
		t.Errorf("60 Mo rapport.json of {}: %v", err)
	}
	if grew := after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc); grew > 64<<20 {
		t.Errorf("%d MiB held reading rapport.json", grew>>20)
	}
	ds, err := rapport.ReadEntries(strings.NewReader(`{"genere_par":"segur","dossiers":[{"numero_editeur":"00042","statut":"pret","depot":"X","problemes":[{"code":"A"}]}]}`))
	if err != nil || len(ds) != 1 || ds[0].NumeroEditeur != "00042" || ds[0].Statut != "pret" || ds[0].Depot != "X" || ds[0].Fichiers != nil {
		t.Errorf("a real entry: %v %v", ds, err)
	}
}
