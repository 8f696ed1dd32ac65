package retours

import (
	"slices"
	"testing"
)

// TestTextDiffs: a returned document is compared with the one segur
// rendered by its numbers and its ticked boxes; anything else (layout,
// spacing, OCR noise around them) does not count.
func TestTextDiffs(t *testing.T) {
	t.Parallel()
	want := []string{"Dossier 00042 FINMDV000042", "RPPS 10003461034", "☒ DMP ☐ MSS pro ☒ MSS citoyen"}
	tests := []struct {
		name string
		got  []string
		diff []string
	}{
		{"same text", want, nil},
		{"laid out otherwise", []string{"Dossier  00042", "FINMDV000042 RPPS 10003461034 ☒ DMP ☐ MSS pro ☒ MSS citoyen"}, nil},
		{"a number missing", []string{"Dossier 00042", "RPPS 10003461034", "☒ DMP ☐ MSS pro ☒ MSS citoyen"}, []string{"numéro(s) absent(s) : FINMDV000042"}},
		{"boxes ticked otherwise", []string{"Dossier 00042 FINMDV000042", "RPPS 10003461034", "☐ DMP ☐ MSS pro ☒ MSS citoyen"},
			[]string{"cases cochées « ☐☐☒ » au lieu de « ☒☐☒ » (DMP, MSS pro, MSS citoyen, comme dans le JSON)"}},
		{"no box at all", []string{"Dossier 00042 FINMDV000042 RPPS 10003461034"}, []string{"aucune case ☒/☐ (ce n'est pas une VA)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TextDiffs(want, tt.got)
			if !slices.Equal(got, tt.diff) {
				t.Errorf("got %q, want %q", got, tt.diff)
			}
		})
	}
}

// TestExpectFailsClosed: when the VA segur rendered cannot be read back
// (its text, its page count), a returned document is never found equal to
// it: the comparison reports a difference and the count is one no file has.
func TestExpectFailsClosed(t *testing.T) {
	t.Parallel()
	want := expectFor(Options{}, []byte("pas un PDF"), nil, nil)
	if diffs := want.Text([]string{"Dossier 00042 FINMDV000042 ☒ DMP"}); len(diffs) == 0 {
		t.Error("an unreadable rendered VA compared equal to a document")
	}
	if n := want.Pages(); n >= 0 {
		t.Errorf("page count of an unreadable rendered VA: %d, want -1", n)
	}
}
