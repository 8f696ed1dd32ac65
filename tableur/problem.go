package tableur

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// Problem is one thing wrong in a spreadsheet, at its cell.
type Problem struct {
	File   string
	Sheet  string // "" for a CSV
	Row    int    // from 1, as the spreadsheet shows it; 0: the whole file
	Col    int    // from 1; 0: the whole row
	Header string // the column's header, when known
	Numero string // the dossier's numéro éditeur, when known
	Code   string
	// Message is French, for back-office staff.
	Message string
	// Warning marks what does not stop the dossier from being written.
	Warning bool
}

// Cell is the cell's reference, « C7 »; the row alone, « ligne 7 », when
// the column is unknown.
func (p Problem) Cell() string {
	switch {
	case p.Row == 0:
		return ""
	case p.Col == 0:
		return "ligne " + strconv.Itoa(p.Row)
	}
	return ColumnName(p.Col) + strconv.Itoa(p.Row)
}

// String writes the problem as « commandes.xlsx: feuille « Commandes »,
// cellule C7 (Bénéficiaire - RPPS): 00042: message [CODE] ».
func (p Problem) String() string {
	s := ""
	if p.Warning {
		s = "attention: "
	}
	s += p.File
	if p.Sheet != "" {
		s += fmt.Sprintf(": feuille « %s »", p.Sheet)
	}
	if c := p.Cell(); c != "" {
		if p.Col > 0 {
			s += ", cellule " + c
		} else {
			s += ", " + c
		}
		if p.Header != "" {
			s += fmt.Sprintf(" (%s)", p.Header)
		}
	}
	if p.Numero != "" {
		s += ": " + p.Numero
	}
	return s + fmt.Sprintf(": %s [%s]", p.Message, p.Code)
}

// ColumnName is the spreadsheet's name of column n (from 1): A, Z, AA.
func ColumnName(n int) string {
	s := ""
	for n > 0 {
		n--
		s = string(rune('A'+n%26)) + s
		n /= 26
	}
	return s
}

// SortProblems orders problems by row, then column, then code.
func SortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Sheet, b.Sheet), cmp.Compare(a.Row, b.Row), cmp.Compare(a.Col, b.Col), cmp.Compare(a.Code, b.Code))
	})
}
