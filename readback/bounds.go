package readback

import (
	"archive/zip"
	"fmt"
	"slices"

	"github.com/segur-sons/segur/dossier"
)

// Bounds on a zip of the dépôt, checked from its central directory before
// any entry is decompressed: a hostile zip (entries that overlap, so that a
// few kilobytes decompress again and again; or millions of entries) must
// not take minutes or gigabytes.
const (
	maxZipEntries = 10_000  // 200 lines × a handful of pièces, with room
	maxZipTotal   = 4 << 30 // bytes all entries declare, decompressed
	maxZipRatio   = 200     // decompressed / compressed, per entry past 1 Mo
	zipRatioFloor = 1 << 20 // entries under this size are not ratio-checked
)

// zipLayout says why a zip's layout is hostile or past the bounds; "" when
// it is fine. Entries must not overlap: each one's data ends before the
// next one's header begins.
func zipLayout(zr *zip.Reader) string {
	if len(zr.File) > maxZipEntries {
		return fmt.Sprintf("%d entrées : au plus %d dans un zip de dépôt", len(zr.File), maxZipEntries)
	}
	type span struct{ start, end int64 }
	spans := make([]span, 0, len(zr.File))
	var total uint64
	for _, f := range zr.File {
		off, err := f.DataOffset()
		if err != nil {
			return "en-tête d'entrée illisible"
		}
		spans = append(spans, span{off, off + int64(f.CompressedSize64)})
		total += f.UncompressedSize64
		if total > maxZipTotal {
			return "contenu décompressé de plus de 4 Go"
		}
		if f.UncompressedSize64 > zipRatioFloor && f.UncompressedSize64/max(f.CompressedSize64, 1) > maxZipRatio {
			return fmt.Sprintf("« %s » se décompresse %d fois plus gros : archive piégée", f.Name, f.UncompressedSize64/max(f.CompressedSize64, 1))
		}
	}
	slices.SortFunc(spans, func(a, b span) int {
		switch {
		case a.start < b.start:
			return -1
		case a.start > b.start:
			return 1
		}
		return 0
	})
	for i := 1; i < len(spans); i++ {
		// The next entry's local header (30 bytes at least) starts after
		// this one's data ends.
		if spans[i].start-30 < spans[i-1].end {
			return "des entrées se chevauchent : archive piégée (zip bomb)"
		}
	}
	return ""
}

// echof formats a message of the read-back with every text argument as
// dossier.Echo shows it: at most 80 characters, control characters
// escaped, so that a hostile dépôt's 60 MB value is never echoed whole.
func echof(format string, args ...any) string {
	for i, a := range args {
		switch s := a.(type) {
		case string:
			args[i] = dossier.Echo(s, 80)
		case composed:
			args[i] = dossier.Echo(string(s), maxComposed)
		}
	}
	return fmt.Sprintf(format, args...)
}

// composed is a message segur's own packages wrote (a signature's verdict,
// a reason a file could not be read): it is passed on whole, never cut at
// 80 characters like a value read from the dépôt — « VA_NUMERISEE » ends with
// what to check by eye. It is still bounded (maxComposed), since it may
// quote a signer's name or a file name taken from the dépôt.
type composed string

// maxComposed bounds a composed message: far above the longest message
// segur writes (a VA's list of signatories), far below a hostile value.
const maxComposed = 2000
