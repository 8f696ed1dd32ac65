package pdfin

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// A Doc gives what the verification of a returned VA reads — revisions,
// signature dictionaries and their CMS, text, drawing — from one reading.
func TestDocOfSignedFiles(t *testing.T) {
	cases := []struct {
		file    string
		signers []string // common names, one CMS each, in file order
	}{
		{"../../fixtures/signes/MDV-LGC-Va1-VA-00048.pdf", []string{"Anne Schmitt", "Francois Muller"}},
		{"../../fixtures/outils/00048-pdfsig-pdfbox.pdf", []string{"Anne Schmitt", "Francois Muller"}},
		{"../../fixtures/outils/00045-podofosign.pdf", nil}, // several SignerInfos: names checked below
		{"../../fixtures/outils/00045-signpdf.pdf", nil},
	}
	for _, c := range cases {
		t.Run(c.file[strings.LastIndexByte(c.file, '/')+1:], func(t *testing.T) {
			data, err := os.ReadFile(c.file)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Open(data)
			if err != nil {
				t.Fatal(err)
			}
			sigs, err := d.Signatures()
			if err != nil || len(sigs) == 0 {
				t.Fatal("no signature dictionary")
			}
			var names []string
			for i, s := range sigs {
				if s.ByteRange[0] != 0 || s.ByteRange[1] <= 0 || s.ByteRange[2] <= s.ByteRange[1] {
					t.Errorf("signature %d: byte range %v", i+1, s.ByteRange)
				}
				if i > 0 && s.ByteRange[2] < sigs[i-1].ByteRange[2] {
					t.Errorf("signatures not in file order: %v after %v", s.ByteRange, sigs[i-1].ByteRange)
				}
				p7, who, err := ParseCMS(s.Contents)
				if err != nil || p7 == nil || len(who) == 0 {
					t.Fatalf("signature %d: CMS %v", i+1, err)
				}
				names = append(names, who[0].Subject.CommonName)
			}
			if c.signers != nil && !slices.Equal(names, c.signers) {
				t.Errorf("signers %q, want %q", names, c.signers)
			}
			// The unsigned revision: no signature, the same text as the
			// whole file (signatures add no page content).
			ends := d.RevisionEnds()
			first, err := d.Revision(ends[0])
			if err != nil {
				t.Fatal(err)
			}
			if fs, err := first.Signatures(); int64(ends[0]) < sigs[0].ByteRange[1] && (err != nil || len(fs) != 0) {
				t.Errorf("the first revision has %d signatures (%v), want none", len(fs), err)
			}
			again, _ := d.Revision(ends[0])
			if again != first {
				t.Error("a revision is read again instead of once")
			}
			whole, err := d.Text()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(whole, "\n"), "☒") {
				t.Errorf("no ☒ in the VA's text: %q", whole)
			}
			drawn, err := d.Drawing()
			if err != nil || len(drawn) != len(whole) {
				t.Errorf("drawing of %d pages (%v), text of %d", len(drawn), err, len(whole))
			}
			if err := d.Accept(); err != nil {
				t.Errorf("Accept: %v", err)
			}
		})
	}
}

// A panic inside a parser is an *Error in French, its cause
// CauseUnreadable, the panic kept for the log only.
func TestPanicIsAFrenchError(t *testing.T) {
	var err error
	func() {
		defer catch(&err, "test")
		parts := []int{1}
		i := len(parts)
		_ = parts[i] // a runtime panic (index out of range), as pdfcpu's on a malformed file
	}()
	var e *Error
	if !errors.As(err, &e) || e.Cause != CauseUnreadable {
		t.Fatalf("got %v (%T), want an *Error of cause %q", err, err, CauseUnreadable)
	}
	if strings.Contains(err.Error(), "runtime") || strings.Contains(err.Error(), "index out of range") {
		t.Errorf("the message shows the panic: %q", err)
	}
	if errors.Unwrap(err) == nil || !strings.Contains(errors.Unwrap(err).Error(), "index out of range") {
		t.Errorf("the panic is not kept for the log: %v", errors.Unwrap(err))
	}
}

// Each refusal has its cause.
func TestRefusalCauses(t *testing.T) {
	good := facture(t)
	cases := []struct {
		name string
		data []byte
		want Cause
	}{
		{"empty", nil, CauseEmpty},
		{"not a PDF", []byte("bonjour"), CauseNotPDF},
		{"cut short", good[:len(good)-40], CauseTruncated},
		{"bomb", objStmBomb(t, 256<<20), CauseBounds},
		{"garbage after the header", []byte("%PDF-1.7\nrien\nstartxref\n0\n%%EOF\n"), CauseUnreadable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Accept(c.data)
			var e *Error
			if !errors.As(err, &e) || e.Cause != c.want {
				t.Errorf("got %v (%T), want cause %q", err, err, c.want)
			}
		})
	}
}

// ReadOwn reads segur's own render as Read does (the same pages and
// text), and still refuses what is not a PDF, in French.
func TestReadOwn(t *testing.T) {
	pdf := facture(t)
	own, err := ReadOwn(pdf)
	if err != nil {
		t.Fatal(err)
	}
	read, err := Read(pdf)
	if err != nil {
		t.Fatal(err)
	}
	n, err1 := own.Pages()
	m, err2 := read.Pages()
	if err1 != nil || err2 != nil || n != m || n == 0 {
		t.Errorf("ReadOwn: %d pages (%v), Read: %d (%v)", n, err1, m, err2)
	}
	for _, bad := range [][]byte{nil, []byte("bonjour"), []byte("%PDF-1.7\ntronqué")} {
		var e *Error
		if _, err := ReadOwn(bad); !errors.As(err, &e) || e.Cause == "" {
			t.Errorf("ReadOwn(%q): %v, want an *Error with its cause", bad, err)
		}
	}
}
