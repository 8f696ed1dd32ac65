package dossier

import (
	"bytes"
	"fmt"
)

// Bounds on what one records file may make segur hold and print: each is
// far above a real record (some hundred values, a few problems) and keeps
// a hostile file of a few hundred kilobytes from taking gigabytes or
// printing hundreds of thousands of lines (README.md, « Limites »).
const (
	// MaxProblemsPerRecord is the most problems kept for one record; the
	// rest are counted in one PROBLEMES_NOMBREUX.
	MaxProblemsPerRecord = 100
	// MaxProblemsPerFile is the most problems a records file's records
	// may give before the rest of the file is left unread (counted in one
	// PROBLEMES_NOMBREUX).
	MaxProblemsPerFile = 1000
	// maxListItems is the longest list one record may hold (beneficiaries,
	// RPPS, pièces…): the ASP takes 200 lines per dépôt.
	maxListItems = 1000
	// maxDocumentTokens bounds the YAML values of one record, estimated
	// before it is parsed (see tokens).
	maxDocumentTokens = 100_000
)

// tokens estimates from above, without parsing, half the number of YAML
// values a document can make: every value but the first is introduced by
// an indicator (: - , [ { ?) or stands on a line of its own. Comments and
// quoted text count too, which only errs on the safe side.
func tokens(text []byte) int {
	n := 0
	blank := true
	for _, b := range text {
		switch b {
		case ':', '-', ',', '[', '{', '?':
			n++
			blank = false
		case '\n':
			if !blank {
				n++
			}
			blank = true
		case ' ', '\t', '\r':
		default:
			blank = false
		}
	}
	return n
}

// tooComplex is the broken record standing for a document past
// maxDocumentTokens: it is not parsed at all.
func tooComplex(name string, c chunk) *Record {
	return &Record{
		Source: Pos{File: name, Line: c.line}, Broken: true,
		Problems: []Problem{{Pos: Pos{File: name, Line: c.line}, Code: "ENREGISTREMENT_TROP_GRAND",
			Message: fmt.Sprintf("enregistrement trop complexe (plus de %d valeurs) : un dossier en compte quelques centaines ; vérifiez le fichier ou découpez l'enregistrement", 2*maxDocumentTokens)}},
	}
}

// capProblems keeps the first MaxProblemsPerRecord of ps (in printing
// order) and counts the rest, with dropped more already counted, in one
// PROBLEMES_NOMBREUX where the first one left out stood. The summary is an
// error when an error was left out: a capped record stays blocked.
func capProblems(ps []Problem, dropped int) []Problem {
	if len(ps) <= MaxProblemsPerRecord && dropped == 0 {
		return ps
	}
	SortProblems(ps)
	at := ps[len(ps)-1].Pos
	level := Attention
	if dropped > 0 { // the decoder's, all errors
		level = Erreur
	}
	if len(ps) > MaxProblemsPerRecord {
		at = ps[MaxProblemsPerRecord].Pos
		if HasError(ps[MaxProblemsPerRecord:]) {
			level = Erreur
		}
		dropped += len(ps) - MaxProblemsPerRecord
		ps = ps[:MaxProblemsPerRecord:MaxProblemsPerRecord]
	}
	return append(ps, Problem{Pos: at, Level: level, Numero: ps[0].Numero, Field: "-", Code: "PROBLEMES_NOMBREUX",
		Message: fmt.Sprintf("… et %d autres problèmes dans cet enregistrement, non affichés : corrigez les premiers puis relancez", dropped)})
}

// unread is the broken record standing for the documents of a file left
// unread once the file gave MaxProblemsPerFile problems; c is the first.
func unread(name string, c chunk, n int) *Record {
	return &Record{
		Source: Pos{File: name, Line: c.line}, Broken: true,
		Problems: []Problem{{Pos: Pos{File: name, Line: c.line}, Code: "PROBLEMES_NOMBREUX",
			Message: fmt.Sprintf("… et %d autres documents du fichier non lus : il a déjà plus de %d problèmes ; corrigez les premiers puis relancez", n, MaxProblemsPerFile)}},
	}
}

// eachLine calls f with each line of data (its newline kept) and the
// offset where it starts, without holding them all.
func eachLine(data []byte, f func(line []byte, off int)) {
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += off + 1
		}
		f(data[off:end], off)
		off = end
	}
}
