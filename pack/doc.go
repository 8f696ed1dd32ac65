// Package pack builds the solde dépôt from checked dossiers: the solde JSON
// (WriteSolde, in the format of package asp), the zip of pièces
// justificatives (WriteZip), the dossiers' documents (WriteDocument), the
// upload pairs of at most asp.MaxLines lines (Run) and rapport.json; package
// readback reads a dépôt back as the ASP would. It knows nothing of YAML: it
// takes dossier.Dossier values, and writes to io.Writer or, for the dépôt
// folder, atomically through temporary names.
package pack
