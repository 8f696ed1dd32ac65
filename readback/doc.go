// Package readback is `segur check`: it reads the output folder of
// `segur pack` back as the ASP would (the upload pairs' names, the solde
// JSON against the format of package asp, the zips and their pièces, the
// PDFs, each facture's text against its JSON line, rapport.json) and
// reports every problem it finds. It reads what was written, never the
// records: a dépôt made or changed by hand is checked the same way.
package readback
