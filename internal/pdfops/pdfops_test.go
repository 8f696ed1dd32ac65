package pdfops

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/pdftest"
)

func TestInitDisablesConfigDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	Init()
	if got, want := model.ConfigPath, "disable"; got != want {
		t.Fatalf("got model.ConfigPath %q, want %q", got, want)
	}
	data := facture(t)
	if err := pdfin.Validate(bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if _, err := pdfin.Text(data); err != nil {
		t.Fatal(err)
	}
	if err := Merge(io.Discard, read(t, data), read(t, data)); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(home)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("got %d entries in the config home (first %q), want none", len(entries), entries[0].Name())
	}
}

// mergeFunc adapts Merge and MergeAt to one signature.
type mergeFunc func(w io.Writer, parts ...*pdfin.Doc) error

func mergeAtFixed(w io.Writer, parts ...*pdfin.Doc) error {
	return MergeAt(w, fixedDate, parts...)
}

func TestMerge(t *testing.T) {
	t.Parallel()
	fac, tra := facture(t), traite(t)
	funcs := []struct {
		name  string
		merge mergeFunc
	}{
		{"Merge", Merge},
		{"MergeAt", mergeAtFixed},
	}
	tests := []struct {
		name      string
		parts     [][]byte
		wantPages int
		wantOrder []string // phrases that must appear in this order
	}{
		{"facture then traité", [][]byte{fac, tra}, 3, []string{"Montant total HT : 1 075,00 €", "☐ Que ces envois", "Traité de fusion"}},
		{"traité then facture", [][]byte{tra, fac}, 3, []string{"Traité de fusion", "Facture n° F2023-0042", "☒ Que ces envois"}},
		{"one VA per beneficiary", [][]byte{tra, tra, tra}, 3, []string{"Traité de fusion", "Traité de fusion", "Traité de fusion"}},
		{"single part", [][]byte{fac}, 2, []string{"Facture n° F2023-0042"}},
	}
	for _, f := range funcs {
		for _, tt := range tests {
			t.Run(f.name+"/"+tt.name, func(t *testing.T) {
				var rs []*pdfin.Doc
				for _, p := range tt.parts {
					rs = append(rs, read(t, p))
				}
				var out bytes.Buffer
				if err := f.merge(&out, rs...); err != nil {
					t.Fatalf("merge: %v", err)
				}
				merged := out.Bytes()
				if err := pdfin.Validate(bytes.NewReader(merged)); err != nil {
					t.Errorf("Validate: %v", err)
				}
				n, err := pdfin.PageCount(merged)
				if err != nil || n != tt.wantPages {
					t.Errorf("PageCount: got %d, %v, want %d", n, err, tt.wantPages)
				}
				pages, err := pdfin.Text(merged)
				if err != nil {
					t.Fatalf("Text: %v", err)
				}
				all := strings.Join(pages, "\n")
				pos := 0
				for _, phrase := range tt.wantOrder {
					i := strings.Index(all[pos:], phrase)
					if i < 0 {
						t.Fatalf("got no %q after offset %d, want it; text:\n%s", phrase, pos, all)
					}
					pos += i + len(phrase)
				}
			})
		}
	}
}

func TestMergeErrors(t *testing.T) {
	t.Parallel()
	fac := facture(t)
	tests := []struct {
		name  string
		parts []*pdfin.Doc
	}{
		{"no parts", nil},
		{"nil part", []*pdfin.Doc{read(t, fac), nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Merge(&out, tt.parts...)
			if err == nil {
				t.Fatal("got no error, want one")
			}
			if !strings.HasPrefix(err.Error(), "pdfops: merge: ") {
				t.Errorf("got error %q, want prefix %q", err, "pdfops: merge: ")
			}
			if out.Len() != 0 {
				t.Errorf("got %d bytes written on error, want 0", out.Len())
			}
		})
	}
}

func TestMergeDeterminism(t *testing.T) {
	t.Parallel()
	fac, tra := facture(t), traite(t)
	run := func(merge mergeFunc) []byte {
		var out bytes.Buffer
		if err := merge(&out, read(t, fac), read(t, tra), read(t, tra)); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	first := run(mergeAtFixed)
	for i := 0; i < 10; i++ {
		if got := run(mergeAtFixed); !bytes.Equal(got, first) {
			t.Fatalf("MergeAt run %d: got %d bytes differing from the first run's %d, want identical output", i, len(got), len(first))
		}
	}
	if !bytes.Contains(first, []byte("/CreationDate(D:20230210093000+00'00')")) {
		t.Errorf("MergeAt: got no CreationDate set to the given time, want it")
	}
	var other bytes.Buffer
	if err := MergeAt(&other, fixedDate.Add(time.Hour), read(t, fac), read(t, tra), read(t, tra)); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other.Bytes(), first) {
		t.Errorf("MergeAt with another date: got identical bytes, want different")
	}
	if err := MergeAt(io.Discard, time.Time{}, read(t, fac)); err == nil {
		t.Errorf("MergeAt with zero time: got no error, want one")
	}

	// Plain Merge is documented as non-deterministic (time stamps, map
	// order); record it so that a pdfcpu upgrade changing this is noticed.
	if a, b := run(Merge), run(Merge); bytes.Equal(a, b) {
		t.Logf("Merge: output was byte-identical across runs; the doc comment may be outdated")
	}
}

// TestMergeCoreFontsNotStrict documents a pdfcpu behaviour (see Merge): a
// gofpdf part using a core font is strictly valid on its own (PDF 1.3) but
// not once merged (PDF 1.7, where standard 14 fonts need /Widths).
func TestMergeCoreFontsNotStrict(t *testing.T) {
	t.Parallel()
	pdf := pdftest.CoreFontPDF()
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 12)
	pdf.Text(20, 30, "Total")
	var part bytes.Buffer
	if err := pdf.Output(&part); err != nil {
		t.Fatal(err)
	}
	if err := pdfin.Validate(bytes.NewReader(part.Bytes())); err != nil {
		t.Fatalf("core font part: got %v, want strictly valid", err)
	}
	var out bytes.Buffer
	if err := Merge(&out, read(t, part.Bytes()), read(t, traite(t))); err != nil {
		t.Fatal(err)
	}
	err := pdfin.Validate(bytes.NewReader(out.Bytes()))
	if err == nil || !strings.Contains(err.Error(), "FirstChar") {
		t.Errorf("merged core font part: got %v, want a strict validation error about FirstChar", err)
	}
	if pages, err := pdfin.Text(out.Bytes()); err != nil || len(pages) != 2 || pages[0] != "Total" {
		t.Errorf("Text of merged core font part: got %q, %v, want page 1 %q", pages, err, "Total")
	}
}

// read is data read by pdfin, as every part of a merge is.
func read(t testing.TB, data []byte) *pdfin.Doc {
	t.Helper()
	d, err := pdfin.Read(data)
	if err != nil {
		t.Fatalf("pdfin.Read: %v", err)
	}
	return d
}
