// Package pack builds the solde dépôt from checked dossiers: the solde JSON
// (WriteSolde, documents.md §8), the zip of pièces justificatives (WriteZip),
// the upload pairs of at most 200 lines (Plan), rapport.json, and Check,
// which reads a dépôt back as the ASP would. It knows nothing of YAML: it
// takes dossier.Dossier values, and writes to io.Writer or, for the dépôt
// folder, atomically through temporary names.
package pack
