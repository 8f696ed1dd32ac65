package app

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// cleanedFolders are the folders of the output folder that Pack replaces
// or cleans: no input may lie inside one, and none may be a link (what
// segur deletes there must be its own).
var cleanedFolders = []string{"a-signer", "depot", "dossiers", ".segur"}

// physical is path made absolute with its links resolved (as far as it
// exists: a folder not made yet keeps its name under its resolved parent).
func physical(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	parent, base := filepath.Split(abs)
	if parent == abs || parent == "" {
		return abs
	}
	return filepath.Join(physical(filepath.Clean(parent)), base)
}

// within reports whether p is dir or lies under it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// checkConfinement refuses, before anything is read or written, a Pack
// whose output folder has a link where segur cleans (a-signer/, depot/,
// dossiers/, .segur/), or whose inputs (--signes, --pieces, the records'
// folders) lie inside one of those: the run would delete or replace them.
//
// Render calls it too (it writes dossiers/ under the same -o), with what it
// reads: the records and --pieces.
func checkConfinement(opt PackOptions) error {
	return confine(opt.Out, opt.Signes, opt.Pieces, opt.Paths)
}

func confine(outDir, signes, pieces string, paths []string) error {
	if outDir == "" {
		return nil
	}
	opt := struct{ Out string }{outDir}
	for _, c := range cleanedFolders {
		sub := filepath.Join(opt.Out, c)
		if st, err := os.Lstat(sub); err == nil && st.Mode()&fs.ModeSymlink != 0 {
			return &Error{Message: fmt.Sprintf("[SORTIE_LIEN] « %s » est un lien symbolique : segur remplace et nettoie ce dossier et ne suit jamais de lien pour y supprimer des fichiers ; supprimez le lien (segur recréera le dossier) ou choisissez un autre dossier de sortie -o", sub)}
		}
	}
	out := physical(opt.Out)
	inputs := []struct{ what, path string }{{"--signes", signes}, {"--pieces", pieces}}
	for _, p := range paths {
		inputs = append(inputs, struct{ what, path string }{"les enregistrements", p})
	}
	for _, in := range inputs {
		if in.path == "" {
			continue
		}
		p := physical(in.path)
		for _, c := range cleanedFolders {
			if within(p, filepath.Join(out, c)) {
				return &Error{Message: fmt.Sprintf("[ENTREE_DANS_SORTIE] %s « %s » est dans « %s », un dossier que segur pack remplace ou vide à chaque lancement : ses fichiers seraient supprimés ; déplacez-les hors de %s (par ex. les VA signées par les clients dans un dossier signes/ à part) et relancez", in.what, in.path, filepath.Join(opt.Out, c), c+"/")}
			}
		}
	}
	return nil
}
