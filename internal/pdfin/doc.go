// Package pdfin is the one reader of the PDFs segur did not write: pièces,
// traités de fusion, factures d'avance, returned VAs, MOMs and BDCs, scans,
// and the PDFs of a dépôt read back by check. No other package parses such
// a file: they read what a [Doc] gives.
//
// Where to start:
//
//   - [Open] reads a file as the dépôt's rule wants it (it starts and ends
//     like a PDF, is not encrypted), [Doc.Accept] then validates it
//     (relaxed, one page at least, [MaxPages] at most); [Accept] is both.
//     [Read] is more lenient (junk before the header, no end check) for
//     the files segur merges or only reads text from.
//   - Before pdfcpu parses anything, every entry point bounds the whole
//     file ([scanBounds] in bounds.go): objects, references, pages, and
//     every stream decoded through its real, resolved /Filter chain
//     against one budget of [MaxInflated] bytes. A prefix of a file within
//     the bounds is within them: [Doc.Revision] reads one without scanning
//     again.
//   - A [Doc] gives its pages, text ([Doc.Text]: text.go, font.go,
//     cmap.go, lexer.go), drawing ([Doc.Drawing]: glyphs with positions,
//     paths, images), revisions, embedded files ([Doc.Attachment]), and
//     the parsed objects ([Doc.Context]) for package signature to walk.
//   - [Validate] checks a file strictly (segur's own outputs, in tests).
//   - [Init] keeps pdfcpu away from the user's home; [Config] is the
//     pdfcpu configuration of every reading, with this package's bounds.
//
// Every function recovers from a panic of pdfcpu (or of this package) on a
// malformed file; a refusal is an [*Error]: a French sentence that never
// shows the parser's words, and its [Cause]. Callers put the sentence in
// a message under their own stable code (PIECE_ILLISIBLE, PDF_INVALIDE,
// VA_…).
package pdfin
