package gofpdf

import (
	"fmt"
	"testing"
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
