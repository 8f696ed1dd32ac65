package tableur

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// templateRows is how far down the template's drop-down lists and text
// formats reach.
const templateRows = 2000

// ModeleTableur writes the spreadsheet template staff fill in: the header
// of every column with its help as a comment, an example dossier per
// situation, drop-down lists where the values are fixed, identifier
// columns formatted as text (leading zeros kept), and a help sheet.
func ModeleTableur(w io.Writer) error {
	s, err := DefaultSpec()
	if err != nil {
		return err
	}
	return s.ModeleTableur(w)
}

// ModeleTableur writes the template of s.
func (s *Spec) ModeleTableur(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close() // frees excelize's temporary files: the workbook is written (or its error returned) already
	sh := s.Sheet
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	for j, c := range s.Columns {
		col := ColumnName(j + 1)
		cell := col + "1"
		if err := f.SetCellStr(sh, cell, c.Label); err != nil {
			return err
		}
		help := c.Help
		if c.When != "" {
			help += " — " + c.When + "."
		}
		if len(c.Values) > 0 {
			help += " Valeurs : " + strings.Join(c.Values, ", ") + "."
		}
		if err := f.AddComment(sh, excelize.Comment{Author: "segur", Cell: cell, Text: help, Width: 300, Height: 120}); err != nil {
			return err
		}
		width := 18.0
		if c.Type == colLignes || c.Type == colTexte {
			width = 28
		}
		if err := f.SetColWidth(sh, col, col, width); err != nil {
			return err
		}
		// Every cell is text: identifiers keep their leading zeros, and
		// the importer reads what was typed.
		if err := f.SetColStyle(sh, col, text); err != nil {
			return err
		}
		values := c.Values
		if c.Type == colOuiNon {
			values = []string{"oui", "non"}
		}
		if len(values) > 0 {
			dv := excelize.NewDataValidation(true)
			dv.SetSqref(fmt.Sprintf("%s2:%s%d", col, col, templateRows))
			if err := dv.SetDropList(values); err != nil {
				return err
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, c.Label, "Choisissez une valeur de la liste : "+strings.Join(values, ", "))
			if err := f.AddDataValidation(sh, dv); err != nil {
				return err
			}
		}
	}
	if err := f.SetCellStyle(sh, "A1", ColumnName(len(s.Columns))+"1", head); err != nil {
		return err
	}
	if err := f.SetRowHeight(sh, 1, 45); err != nil {
		return err
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	row := 2
	for _, ex := range s.Examples {
		rows := s.Rows(&ex.Record)
		if err := f.AddComment(sh, excelize.Comment{Author: "segur", Cell: fmt.Sprintf("A%d", row), Text: "Exemple : " + ex.Situation + ". Remplacez les exemples par vos dossiers.", Width: 300, Height: 60}); err != nil {
			return err
		}
		for _, r := range rows {
			for j, v := range r {
				if v == "" {
					continue
				}
				if err := f.SetCellStr(sh, fmt.Sprintf("%s%d", ColumnName(j+1), row), v); err != nil {
					return err
				}
			}
			row++
		}
	}
	if err := s.helpSheet(f); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// helpSheet lists every column: its header, its record key, when it is
// needed, its help and its values.
func (s *Spec) helpSheet(f *excelize.File) error {
	sh := s.HelpSheet
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	lines := [][]string{
		{"Une ligne par dossier, ou plusieurs lignes de même numéro éditeur : une par bénéficiaire (médecin ou site). Les valeurs du dossier se donnent sur l'une de ses lignes (ou répétées à l'identique)."},
		{"Puis : segur importer commandes.xlsx -o commandes/ écrit un enregistrement par dossier ; segur validate commandes/ les contrôle. Le détail de chaque clé : segur aide format."},
		{},
		{"Colonne", "Clé de l'enregistrement", "Quand", "Aide", "Valeurs"},
	}
	for _, c := range s.Columns {
		values := strings.Join(c.Values, ", ")
		if c.Type == colOuiNon {
			values = "oui, non"
		}
		lines = append(lines, []string{c.Label, c.Key, c.When, c.Help, values})
	}
	for i, l := range lines {
		for j, v := range l {
			if err := f.SetCellStr(sh, fmt.Sprintf("%s%d", ColumnName(j+1), i+1), v); err != nil {
				return err
			}
		}
	}
	for col, w := range map[string]float64{"A": 34, "B": 36, "C": 24, "D": 90, "E": 40} {
		if err := f.SetColWidth(sh, col, col, w); err != nil {
			return err
		}
	}
	return nil
}
