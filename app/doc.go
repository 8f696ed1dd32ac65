// Package app is segur's application layer: one function per use case —
// Validate, Render, Pack, Check, and what the local page (segur serve)
// needs: Preview (the records read again and packed into a private folder),
// AcceptVA (an uploaded signed VA verified and saved). Each takes a
// context and an options struct and returns its result and problems;
// cmd/segur only translates flags into options and results into printing
// and exit codes, and web only requests into calls.
//
// A use case that cannot run returns an *Error: its French message, and the
// problems to print before it (segur.yaml's lines).
package app
