package gofpdf

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestFontSelectMatchesSprintf: the fmt-free font selection writes the
// bytes upstream's format wrote, for the sizes segur uses and edge cases.
func TestFontSelectMatchesSprintf(t *testing.T) {
	for _, size := range []float64{0, 6, 7.5, 8, 9.25, 10, 10.005, 10.015, 12.345, 14, 99.999, 1e-9, 123456.789} {
		id := "3f2a9c"
		want := fmt.Sprintf("BT /F%s %.2f Tf ET", id, size)
		if got := fontSelect(id, size); got != want {
			t.Errorf("size %v: got %q, want %q", size, got, want)
		}
	}
}

// TestTextAndColorOpsMatchSprintf: the fmt-free text and colour operators
// write the bytes of upstream's formats.
func TestTextAndColorOpsMatchSprintf(t *testing.T) {
	values := []float64{0, -0.004, -0.005, 0.005, 0.0049999, 1.005, 2.675, 10.015, 12.345, 99.999, 595.28, 841.89, -12.5, 1e-9, 123456.789, 1.0 / 3}
	for _, x := range values {
		for _, y := range values {
			want := fmt.Sprintf("BT %.2f %.2f Td (%s) Tj ET", x, y, "a\\(b\\)")
			if got := textOp(x, y, "a\\(b\\)"); got != want {
				t.Errorf("textOp(%v, %v): got %q, want %q", x, y, got, want)
			}
		}
	}
	for _, c := range [][3]int{{0, 0, 0}, {255, 255, 255}, {128, 128, 128}, {12, 34, 56}, {255, 0, 1}, {1, 2, 1}} {
		for _, ops := range [][2]string{{"g", "rg"}, {"G", "RG"}, {"", ""}} {
			clr := rgbColorValue(c[0], c[1], c[2], ops[0], ops[1])
			var want string
			switch {
			case ops[0] != "" && clr.gray:
				want = fmt.Sprintf("%.3f %s", clr.r, ops[0])
			case ops[0] != "":
				want = fmt.Sprintf("%.3f %.3f %.3f %s", clr.r, clr.g, clr.b, ops[1])
			default:
				want = fmt.Sprintf("%.3f %.3f %.3f", clr.r, clr.g, clr.b)
			}
			if clr.str != want {
				t.Errorf("rgbColorValue(%v, %q): got %q, want %q", c, ops, clr.str, want)
			}
		}
	}
}

// render writes a one-page document with text in the project's font.
func render(t *testing.T, font []byte, text string) []byte {
	t.Helper()
	pdf := New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(time.Date(2023, 1, 20, 0, 0, 0, 0, time.UTC))
	pdf.AddUTF8FontFromBytes("dejavu", "", font)
	pdf.AddPage()
	pdf.SetFont("dejavu", "", 11)
	pdf.Cell(40, 10, text)
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestCutFontCacheGivesUpstreamBytes: a document whose font subset comes
// from the cache is byte for byte the one made with the cache empty, and a
// new rune set is cut anew (not served another set's subset).
func TestCutFontCacheGivesUpstreamBytes(t *testing.T) {
	font, err := os.ReadFile("../../templates/fonts/DejaVuSans-segur.ttf")
	if err != nil {
		t.Fatal(err)
	}
	reset := func() {
		cutFontsMu.Lock()
		clear(cutFonts)
		cutFontsMu.Unlock()
	}
	reset()
	fresh := render(t, font, "Facture n° F2023-0042 — 716,66 € HT")
	cached := render(t, font, "Facture n° F2023-0042 — 716,66 € HT")
	if !bytes.Equal(fresh, cached) {
		t.Fatal("the document made from the cache differs from the one made with an empty cache")
	}
	other := render(t, font, "Zoé Ÿvelin, Quimper")
	reset()
	if again := render(t, font, "Zoé Ÿvelin, Quimper"); !bytes.Equal(other, again) {
		t.Fatal("a second rune set was not cut as with an empty cache")
	}
	if bytes.Equal(fresh, other) {
		t.Fatal("two texts gave one document")
	}
}

// TestParsedFontKeyFollowsTheBytes: the key of a font's bytes is computed
// once per slice, yet follows the bytes: the same slice changed, or
// another slice, gets the key of its own bytes.
func TestParsedFontKeyFollowsTheBytes(t *testing.T) {
	want := func(fontkey string, b []byte) string { return fmt.Sprintf("%s|%x", fontkey, sha1.Sum(b)) }
	font := []byte("une police de caractères")
	for i := 0; i < 3; i++ {
		if got := parsedFontKey("dejavu", font); got != want("dejavu", font) {
			t.Fatalf("got %s, want %s", got, want("dejavu", font))
		}
	}
	if got := parsedFontKey("dejavuB", font); got != want("dejavuB", font) {
		t.Errorf("another font key on the same bytes: got %s", got)
	}
	font[0] = 'U' // the same slice, changed
	if got := parsedFontKey("dejavu", font); got != want("dejavu", font) {
		t.Errorf("changed bytes: got %s, want %s", got, want("dejavu", font))
	}
	other := bytes.Clone(font)
	if got := parsedFontKey("dejavu", other); got != want("dejavu", other) {
		t.Errorf("another slice: got %s", got)
	}
	if got := parsedFontKey("vide", nil); got != want("vide", nil) {
		t.Errorf("no bytes: got %s", got)
	}
}
