package dossier

import (
	"cmp"
	"fmt"
	"slices"
)

// Pos is a place in an input file; Line and Col count from 1 (0 when unknown).
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Level tells an error (the ASP would reject the dossier) from a warning.
type Level int

const (
	Erreur Level = iota
	Attention
)

// Problem is one thing wrong with the user's data.
type Problem struct {
	Pos
	Level   Level
	Numero  string // numero_editeur of the record, "-" when unknown
	Field   string // field path in the record, e.g. beneficiaires[1].rpps
	Code    string // stable upper-case code, e.g. RPPS_FORMAT
	Message string // French, for back-office staff
}

// String formats the problem as file:line:col: numero: field: message [CODE],
// warnings prefixed with « attention: ».
func (p Problem) String() string {
	prefix := ""
	if p.Level == Attention {
		prefix = "attention: "
	}
	num := p.Numero
	if num == "" {
		num = "-"
	}
	field := p.Field
	if field == "" {
		field = "-"
	}
	return fmt.Sprintf("%s%s: %s: %s: %s [%s]", prefix, p.Pos, num, field, p.Message, p.Code)
}

// SortProblems orders problems by file, line, column, then code: the order in
// which they are printed.
func SortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Code, b.Code),
			cmp.Compare(a.Field, b.Field),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// HasError reports whether ps holds at least one error.
func HasError(ps []Problem) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Level == Erreur })
}
