// Package dossier is the domain of segur: it reads the fournisseur file
// (segur.yaml) and the order records, applies every regulatory rule of the
// Ségur numérique SONS programme, and returns, for each record, a Dossier:
// its problems and every value the documents and the dépôt need, typed and
// grouped by what each part feeds — Ref (names), Parties, TVA, Commande (the
// BDC), Facture (the factures, the avance/solde split), Realisation (the
// flows), Justificatif (MOM or VA, pages, signatories), JSON (the solde
// line's own values), Pieces and Documents. The renderers and the packer read
// the Dossier alone, never the record nor segur.yaml.
//
// Start with Read (records from files and directories), LoadConfig
// (segur.yaml), LoadRegistry (the dispositif data embedded in templates/), and
// Check, which turns records into Dossiers. Problems are values (Problem) with
// a file, line, column, field path, stable code and a French message; nothing
// here prints or exits.
//
// The package imports neither render nor pack: they depend on it.
package dossier
