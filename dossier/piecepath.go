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
	if why := ForbiddenPiece(p); why != "" {
		c.errorf(path, "PIECE_INTERDITE", forbiddenMsg, p, why)
		return false
	}
	if ext := strings.ToLower(filepath.Ext(p)); !reExt.MatchString(ext) {
		c.errorf(path, "PIECE_EXTENSION", "« %s » : la pièce doit avoir une extension de 1 à 10 lettres ou chiffres sans accent ni espace (ex. .pdf) : renommez le fichier", p)
		return false
	}
	return true
}

// forbiddenSuffixes are the file names that are never a pièce, whatever the
// dispositif: certificates and keys (the fournisseur's signing key must
// never reach the ASP), configuration and records (segur.yaml, *.yaml) and
// the registre's SQLite files.
var forbiddenSuffixes = []struct{ suffix, why string }{
	{".p12", "un certificat avec sa clé privée"},
	{".pfx", "un certificat avec sa clé privée"},
	{".pem", "un certificat ou une clé"},
	{".key", "une clé privée"},
	{".crt", "un certificat"},
	{".cer", "un certificat"},
	{".der", "un certificat ou une clé"},
	{".p7b", "une chaîne de certificats"},
	{".yaml", "un fichier de configuration ou d'enregistrements"},
	{".yml", "un fichier de configuration ou d'enregistrements"},
	{".sqlite", "le registre de segur"},
	{".sqlite-wal", "le journal du registre de segur"},
	{".sqlite-shm", "le journal du registre de segur"},
}

// ForbiddenPiece says why a file named name is never a pièce (a key, a
// certificate, segur.yaml, the registre), "" when its name is not one of
// those. Pack's check and `segur check` share it.
func ForbiddenPiece(name string) string {
	base := strings.ToLower(filepath.Base(strings.ReplaceAll(name, `\`, "/")))
	for _, f := range forbiddenSuffixes {
		if strings.HasSuffix(base, f.suffix) {
			return f.why
		}
	}
	return ""
}

// forbiddenMsg is the message of PIECE_INTERDITE.
const forbiddenMsg = "« %s » est %s : ce fichier ne doit jamais partir à l'ASP comme pièce, quel que soit son nom ; indiquez le vrai fichier de la pièce"

// pieceForbidden reports (as PIECE_INTERDITE) a file a record names that is
// never a pièce: by its name, or because it is segur.yaml or the registre
// under another name.
func (k *rules) pieceForbidden(path, p, full string) bool {
	why := ForbiddenPiece(p)
	if why == "" && k.cfg != nil {
		if k.cfg.Path != "" && sameFile(k.files, full, k.cfg.Path) {
			why = "le fichier fournisseur segur.yaml"
		} else if k.cfg.Registre != "" {
			reg := k.cfg.Registre
			if !filepath.IsAbs(reg) {
				reg = filepath.Join(k.cfg.Dir, reg)
			}
			if sameFile(k.files, full, reg) {
				why = "le registre de segur"
			}
		}
	}
	if why == "" {
		return false
	}
	k.c.errorf(path, "PIECE_INTERDITE", forbiddenMsg, p, why)
	return true
}

// pieceProblem reports a pièce or traité that exists but cannot be used
// (too big, a folder, a FIFO, unreadable) with its reason, and returns
// whether it did; a missing file is left to the caller's « introuvable ».
//
// A file that can be read is then checked on its content: never a key, a
// certificate or a SQLite database (PIECE_INTERDITE), and what kind says
// (PIECE_CONTENU) when kind is set (templates/contenus.yaml).
func (k *rules) pieceProblem(path, p, full, kind string) bool {
	code, why := fileProblem(k.files, full)
	if code == "" {
		code, why = contentProblem(k.files, full, kind)
		if code == "PIECE_INTERDITE" {
			k.c.errorf(path, code, forbiddenMsg, p, why)
			return true
		}
	}
	if code == "" {
		return false
	}
	k.c.errorf(path, code, "« %s » : %s", p, why)
	return true
}
