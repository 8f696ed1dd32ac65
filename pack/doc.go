// Package pack builds the solde dépôt from checked dossiers: a pool of
// workers makes the dossiers' documents (WriteDocument) and gathers their
// pièces, then the solde JSON (WriteSolde, in the format of package asp) and
// the zip of pièces justificatives (WriteZip) are written as upload pairs of
// at most asp.MaxLines lines (Run). The returned MOMs and VAs are taken in
// by package retours, rapport.json and the pages for people are written by
// package rapport, and the new dépôt is switched to in one unit by package
// depot; package readback reads a dépôt back as the ASP would. It knows
// nothing of YAML: it takes dossier.Dossier values.
package pack
