// Package asp is the one description of the format the ASP (the State's
// paying agency) receives for a Ségur solde: the upload pairs' and
// documents' file names, the solde JSON's keys in their order and its null
// rules, the limit of lines per pair, and the formats of the identifiers it
// carries (RPPS, FINESS, SIRET, numéro ASP…) with their Luhn keys.
//
// The writer (package pack) and the read-back (package readback, behind
// `segur check`) both use it, and the rules (package dossier) check the
// records against the same formats, so that a newcomer finds any ASP rule
// or JSON key by searching this package. Its sources are the ASP's
// « Guide de l'éditeur » and the dispositif data files' `source:` rows
// (templates/dispositifs/).
//
// asp depends on the standard library only.
package asp
