// Package pdfops wraps the PDF operations segur needs on the documents it
// produces (factures, traités de fusion, signed VA files, …) and on the
// documents it reads back "as the ASP would": text extraction, strict
// validation, merging and page counting. Everything is pure Go on top of
// pdfcpu; poppler is never required.
//
// Where to start:
//
//   - Call [Init] once at program (or TestMain) start-up: it stops pdfcpu from
//     creating or reading a configuration directory in the user's home.
//   - [Text] returns the text of each page, one string per page, lines
//     separated by "\n", in top-to-bottom, left-to-right order. The
//     implementation lives in text.go (page walking and content stream
//     interpretation), font.go (fonts, widths and encodings), cmap.go
//     (ToUnicode CMaps) and lexer.go (content stream tokens).
//   - [Validate] checks a file against pdfcpu in strict mode.
//   - [Merge] concatenates PDFs; [MergeAt] does the same with a
//     byte-deterministic output (fixed dates and file identifier).
//   - [PageCount] counts pages.
//
// It is the one reader of the PDFs segur did not write (pièces, traités,
// returned VAs and MOMs): [Accept] and [CheckClientPDF] bound the whole
// file first (scanBounds: objects, references, pages, and every stream
// decoded through its real filter chain against one budget), and
// [Config] is the pdfcpu configuration, with its own limits, that
// package signature reads such files with.
//
// Every function recovers from malformed input and reports it as an error,
// wrapped with a "pdfops: " prefix; none of them panics.
package pdfops
