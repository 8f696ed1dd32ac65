package dossier

import (
	"path/filepath"
	"regexp"
	"strings"
)

// reExt is the extension a pièce may have: the zip entry is named
// <dispositif>-<TYPE>-<numéro>.<extension>, and the ASP's check (as
// `segur check`) accepts 1 to 10 ASCII letters or digits there.
var reExt = regexp.MustCompile(`^\.[0-9a-z]{1,10}$`)

// outsideMsg says why a file a record names is refused when it resolves
// outside the allowed folders.
const outsideMsg = "« %s » est hors du dossier des enregistrements et de celui de segur.yaml (chemin ou lien qui en sort) : copiez le fichier dans le dossier du client, ou indiquez son dossier par --pieces"

// pieceNameOK checks a file a record names (a pièce, a traité) before it is
// looked for: a path relative to the record's folder (not absolute, not a
// Windows drive or share), with an extension the upload accepts.
func pieceNameOK(c *checker, path, p string) bool {
	if filepath.IsAbs(p) || filepath.VolumeName(p) != "" || strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) {
		c.errorf(path, "PIECE_CHEMIN_ABSOLU", "« %s » est un chemin absolu : indiquez le chemin de la pièce depuis le dossier de l'enregistrement (ex. ../annexes/piece.pdf)", p)
		return false
	}
	if ext := strings.ToLower(filepath.Ext(p)); !reExt.MatchString(ext) {
		c.errorf(path, "PIECE_EXTENSION", "« %s » : la pièce doit avoir une extension de 1 à 10 lettres ou chiffres sans accent ni espace (ex. .pdf) : renommez le fichier", p)
		return false
	}
	return true
}
