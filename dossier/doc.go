// Package dossier is the domain of segur: it reads the fournisseur file
// (segur.yaml) and the order records, applies every regulatory rule of the
// Ségur numérique SONS programme, and returns, for each record, a Dossier: the
// record, its problems, and every value the documents and the dépôt need
// (amounts, MOM or VA, signatories, identDMP, JSON fields).
//
// Start with Read (records from files and directories), LoadConfig
// (segur.yaml), LoadRegistry (the dispositif data embedded in templates/), and
// Check, which turns records into Dossiers. Problems are values (Problem) with
// a file, line, column, field path, stable code and a French message; nothing
// here prints or exits.
//
// The package imports neither render nor pack: they depend on it.
package dossier
