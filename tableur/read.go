package tableur

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/segur-sons/segur/internal/fr"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// The bounds of a spreadsheet read. They are far above a quarter of 10,000
// dossiers and far below what would hurt a back-office PC.
const (
	MaxRows      = 50000     // rows of data
	MaxColumns   = 200       // columns of a row
	MaxCell      = 2000      // characters of a cell
	maxZipFiles  = 2000      // entries of an XLSX
	maxUnzipped  = 128 << 20 // bytes the XLSX's entries declare once decompressed
	maxEntryRate = 1000      // decompressed/compressed of one entry past 1 Mo
)

// File is the size limit of a spreadsheet file.
var File = safeio.Kind{Name: "tableur", Max: 16 << 20}

// grid is a sheet read as text cells, row by row.
type grid struct {
	sheet    string // "" for CSV
	rows     [][]string
	date1904 bool
	encoding string // CSV: how its bytes were decoded, for people
	sep      rune
}

// isXLSX tells an XLSX (a zip) from a CSV by its first bytes.
func isXLSX(data []byte) bool { return bytes.HasPrefix(data, []byte("PK\x03\x04")) }

// readCSV decodes a CSV: its encoding (UTF-8 with or without BOM, UTF-16
// with BOM, else Windows-1252, of which ISO-8859-1's printable characters
// are a part) and its separator (« ; », « , » or a tab, the most frequent
// one of the first line outside quotes).
func readCSV(name string, data []byte) (*grid, []Problem) {
	g := &grid{}
	var text string
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		g.encoding = "UTF-8 (avec BOM)"
		text = string(data[3:])
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		b, err := dec.Bytes(data)
		if err != nil {
			return nil, []Problem{{File: name, Code: "TABLEUR_ENCODAGE", Message: "le fichier commence comme un texte UTF-16 mais ne se décode pas : enregistrez-le en CSV UTF-8"}}
		}
		g.encoding = "UTF-16 (texte Unicode)"
		text = string(b)
	case utf8.Valid(data):
		g.encoding = "UTF-8"
		text = string(data)
	default:
		b, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return nil, []Problem{{File: name, Code: "TABLEUR_ENCODAGE", Message: "encodage du fichier illisible : enregistrez-le en CSV UTF-8"}}
		}
		g.encoding = "Windows-1252 / ISO-8859-1 (le fichier n'est pas en UTF-8)"
		text = string(b)
	}
	g.sep = separator(text)
	if row := wideRow(text, g.sep); row > 0 {
		return nil, []Problem{{File: name, Row: row, Code: "TABLEUR_TROP_GRAND", Message: fmt.Sprintf("la ligne a plus de %d colonnes : le fichier n'est pas lu", MaxColumns)}}
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = g.sep
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var probs []Problem
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			probs = append(probs, Problem{File: name, Row: len(g.rows) + 1, Code: "TABLEUR_CSV", Message: fmt.Sprintf("le CSV n'est plus lisible à partir de la ligne de texte %d (guillemet non fermé ?) : la suite du fichier n'est pas lue", line)})
			break
		}
		if len(g.rows) >= MaxRows+maxHeaderRow {
			probs = append(probs, Problem{File: name, Row: len(g.rows) + 1, Code: "TABLEUR_TROP_GRAND", Message: fmt.Sprintf("plus de %d lignes : la suite n'est pas lue ; répartissez les dossiers dans plusieurs fichiers", MaxRows)})
			break
		}
		g.rows = append(g.rows, rec)
	}
	return g, probs
}

// separator picks « ; », « , » or a tab: the most frequent on the first
// line, outside quotes (« ; » when none is found: Excel's French CSV).
func separator(text string) rune {
	counts := map[rune]int{}
	inQuote := false
	for _, c := range text {
		if c == '"' {
			inQuote = !inQuote
			continue
		}
		if inQuote {
			continue
		}
		if c == '\n' || c == '\r' {
			break
		}
		if c == ';' || c == ',' || c == '\t' {
			counts[c]++
		}
	}
	best := ';'
	for _, c := range []rune{',', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// wideRow returns the first row (from 1) with more than MaxColumns
// columns, counted before the CSV is parsed so that a line of separators
// cannot make millions of cells; 0 when there is none.
func wideRow(text string, sep rune) int {
	row, fields, inQuote := 1, 1, false
	for _, c := range text {
		switch {
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == sep:
			if fields++; fields > MaxColumns {
				return row
			}
		case c == '\n':
			row, fields = row+1, 1
		}
	}
	return 0
}

// checkZip refuses an XLSX whose directory declares too many entries or
// too many bytes once decompressed, before anything is decompressed.
func checkZip(name string, data []byte) *Problem {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &Problem{File: name, Code: "TABLEUR_ILLISIBLE", Message: "le fichier n'est pas un classeur XLSX lisible (enregistrez-le depuis le tableur au format « Classeur Excel (.xlsx) » ou en CSV)"}
	}
	if len(zr.File) > maxZipFiles {
		return &Problem{File: name, Code: "TABLEUR_TROP_GRAND", Message: fmt.Sprintf("le classeur contient %d fichiers internes (au plus %d)", len(zr.File), maxZipFiles)}
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64/max(f.CompressedSize64, 1) > maxEntryRate {
			return &Problem{File: name, Code: "TABLEUR_TROP_GRAND", Message: fmt.Sprintf("le classeur contient une partie compressée plus de %d fois : il n'est pas lu", maxEntryRate)}
		}
		if total > maxUnzipped {
			return &Problem{File: name, Code: "TABLEUR_TROP_GRAND", Message: fmt.Sprintf("le classeur décompressé dépasse %s : répartissez les dossiers dans plusieurs fichiers", fr.Size(maxUnzipped))}
		}
	}
	return nil
}

// readXLSX reads the sheet named sheet, or else the first one.
func readXLSX(name string, data []byte, sheet string) (*grid, []Problem) {
	if p := checkZip(name, data); p != nil {
		return nil, []Problem{*p}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped})
	if err != nil {
		return nil, []Problem{{File: name, Code: "TABLEUR_ILLISIBLE", Message: "le classeur XLSX est illisible (protégé par mot de passe, ou abîmé) : enregistrez-le à nouveau, ou en CSV"}}
	}
	defer f.Close() // frees excelize's temporary files: the workbook is written (or its error returned) already
	g := &grid{}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, []Problem{{File: name, Code: "TABLEUR_ILLISIBLE", Message: "le classeur ne contient aucune feuille"}}
	}
	g.sheet = sheets[0]
	for _, s := range sheets {
		if strings.EqualFold(s, sheet) {
			g.sheet = s
		}
	}
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		g.date1904 = *p.Date1904
	}
	rows, err := f.Rows(g.sheet)
	if err != nil {
		return nil, []Problem{{File: name, Sheet: g.sheet, Code: "TABLEUR_ILLISIBLE", Message: "la feuille est illisible"}}
	}
	defer rows.Close() // excelize's row iterator over a workbook read in memory: its errors come from Columns and rows.Error
	var probs []Problem
	for rows.Next() {
		if len(g.rows) >= MaxRows+maxHeaderRow {
			probs = append(probs, Problem{File: name, Sheet: g.sheet, Row: len(g.rows) + 1, Code: "TABLEUR_TROP_GRAND", Message: fmt.Sprintf("plus de %d lignes : la suite n'est pas lue ; répartissez les dossiers dans plusieurs fichiers", MaxRows)})
			break
		}
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			probs = append(probs, Problem{File: name, Sheet: g.sheet, Row: len(g.rows) + 1, Code: "TABLEUR_ILLISIBLE", Message: "ligne illisible : la suite de la feuille n'est pas lue"})
			break
		}
		if len(cols) > MaxColumns {
			// excelize gives every column up to the last one used; only
			// the first MaxColumns are kept, the others must be empty.
			for i := MaxColumns; i < len(cols); i++ {
				if strings.TrimSpace(cols[i]) != "" {
					probs = append(probs, Problem{File: name, Sheet: g.sheet, Row: len(g.rows) + 1, Col: i + 1, Code: "TABLEUR_TROP_GRAND", Message: fmt.Sprintf("une cellule au-delà de la colonne %d n'est pas lue", MaxColumns)})
					break
				}
			}
			cols = append([]string(nil), cols[:MaxColumns]...)
		}
		g.rows = append(g.rows, cols)
	}
	return g, probs
}
