// Package tableur reads order spreadsheets (XLSX or CSV) into the YAML
// records segur reads, writes the spreadsheet template staff fill in, and
// writes the quarter's summary as a spreadsheet.
//
// The columns — the record key each one fills, its header label, its help
// and its drop-down values — are data, in templates/tableur.yaml. A dossier
// is one row, or several rows sharing a numéro éditeur: one beneficiary per
// row. Every problem names its sheet, row and column and carries a stable
// code; one bad row never stops the others (the dossier it belongs to is not
// written, the others are). Inputs are bounded: the file's size, its rows and
// columns, each cell, and for XLSX (a zip) the sizes its directory declares,
// checked before anything is decompressed.
package tableur
