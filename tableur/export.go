package tableur

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// Line is one dossier of the quarter's summary.
type Line struct {
	Numero       string
	Dispositif   string
	Client       string
	State        string // « prêt », « bloqué », « attend sa signature »… as said to people
	Justificatif string // MOM or VA
	HT, TVA, TTC decimal.Decimal
	// Signers still to sign, by name.
	Signers []string
	// Problems, as printed.
	Problems []string
}

// Total is one state and dispositif of the summary.
type Total struct {
	State, Dispositif string
	Count             int
	HT, TVA, TTC      decimal.Decimal
}

// Totals sums lines per state and dispositif, in that order; the last
// entry, with empty State and Dispositif, is the grand total.
func Totals(lines []Line) []Total {
	idx := map[[2]string]int{}
	var out []Total
	grand := Total{}
	for _, l := range lines {
		k := [2]string{l.State, l.Dispositif}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Total{State: l.State, Dispositif: l.Dispositif})
		}
		for _, t := range []*Total{&out[i], &grand} {
			t.Count++
			t.HT, t.TVA, t.TTC = t.HT.Add(l.HT), t.TVA.Add(l.TVA), t.TTC.Add(l.TTC)
		}
	}
	slices.SortFunc(out, func(a, b Total) int {
		return cmp.Or(cmp.Compare(a.State, b.State), cmp.Compare(a.Dispositif, b.Dispositif))
	})
	return append(out, grand)
}

func (s *Spec) exportHeader() []string {
	c := s.Export.Columns
	return []string{c["numero"], c["dispositif"], c["client"], c["etat"], c["justificatif"], c["ht"], c["tva"], c["ttc"], c["signataires"], c["problemes"]}
}

// ExportXLSX writes the summary: a sheet of dossiers, a sheet of totals per
// state and dispositif. Amounts are number cells written from their
// decimal text, to the cent.
func ExportXLSX(w io.Writer, lines []Line) error {
	s, err := DefaultSpec()
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close() // frees excelize's temporary files: the workbook is written (or its error returned) already
	sh := s.Export.Sheet
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	euro := "#,##0.00\\ \"€\""
	money, err := f.NewStyle(&excelize.Style{CustomNumFmt: &euro})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	put := func(sheet string, row int, cells []any) error {
		for j, v := range cells {
			ref := ColumnName(j+1) + strconv.Itoa(row)
			switch x := v.(type) {
			case decimal.Decimal:
				if err := f.SetCellDefault(sheet, ref, x.StringFixed(2)); err != nil {
					return err
				}
				if err := f.SetCellStyle(sheet, ref, ref, money); err != nil {
					return err
				}
			case int:
				if err := f.SetCellInt(sheet, ref, int64(x)); err != nil {
					return err
				}
			default:
				if err := f.SetCellStr(sheet, ref, fmt.Sprint(x)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	head := s.exportHeader()
	row := make([]any, len(head))
	for i, h := range head {
		row[i] = h
	}
	if err := put(sh, 1, row); err != nil {
		return err
	}
	for i, l := range lines {
		if err := put(sh, i+2, []any{l.Numero, l.Dispositif, l.Client, l.State, l.Justificatif, l.HT, l.TVA, l.TTC, strings.Join(l.Signers, "\n"), strings.Join(l.Problems, "\n")}); err != nil {
			return err
		}
	}
	if err := f.SetRowStyle(sh, 1, 1, bold); err != nil {
		return err
	}
	if len(lines) > 0 {
		if err := f.SetCellStyle(sh, "I2", fmt.Sprintf("J%d", len(lines)+1), wrap); err != nil {
			return err
		}
	}
	for col, width := range map[string]float64{"A": 14, "B": 16, "C": 34, "D": 22, "E": 12, "F": 14, "G": 12, "H": 14, "I": 30, "J": 80} {
		if err := f.SetColWidth(sh, col, col, width); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := f.AutoFilter(sh, fmt.Sprintf("A1:J%d", len(lines)+1), nil); err != nil {
		return err
	}
	ts := s.Export.TotalsSheet
	if _, err := f.NewSheet(ts); err != nil {
		return err
	}
	t := s.Export.Totals
	if err := put(ts, 1, []any{t["etat"], t["dispositif"], t["dossiers"], t["ht"], t["tva"], t["ttc"]}); err != nil {
		return err
	}
	tot := Totals(lines)
	for i, x := range tot {
		state, disp := x.State, x.Dispositif
		if i == len(tot)-1 {
			state, disp = t["total"], ""
		}
		if err := put(ts, i+2, []any{state, disp, x.Count, x.HT, x.TVA, x.TTC}); err != nil {
			return err
		}
	}
	if err := f.SetRowStyle(ts, 1, 1, bold); err != nil {
		return err
	}
	if err := f.SetRowStyle(ts, len(tot)+1, len(tot)+1, bold); err != nil {
		return err
	}
	for col, width := range map[string]float64{"A": 24, "B": 16, "C": 10, "D": 16, "E": 14, "F": 16} {
		if err := f.SetColWidth(ts, col, col, width); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// ExportCSV writes the dossiers of the summary as a CSV Excel opens as it
// is: UTF-8 with a BOM, « ; », amounts with a decimal comma. A cell that
// a spreadsheet would take for a formula (starting with =, +, -, @, a tab
// or a carriage return) is prefixed with « ' », so that a client's name
// cannot run anything on the desk that opens the file.
func ExportCSV(w io.Writer, lines []Line) error {
	s, err := DefaultSpec()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(neutralise(s.exportHeader())); err != nil {
		return err
	}
	amount := func(d decimal.Decimal) string { return strings.Replace(d.StringFixed(2), ".", ",", 1) }
	for _, l := range lines {
		rec := []string{l.Numero, l.Dispositif, l.Client, l.State, l.Justificatif, amount(l.HT), amount(l.TVA), amount(l.TTC), strings.Join(l.Signers, ", "), strings.Join(l.Problems, " | ")}
		if err := cw.Write(neutralise(rec)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func neutralise(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			c = "'" + c
		}
		out[i] = c
	}
	return out
}
