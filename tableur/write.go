package tableur

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/segur-sons/segur/internal/safeio"
)

// Outcome is what writing a record did.
type Outcome int

const (
	Written   Outcome = iota // a new file
	Unchanged                // the file was there with the same bytes
	Replaced                 // the file was there, different, and replace was asked
	Kept                     // the file was there, different: not replaced (a problem says so)
	Failed                   // not written (a problem says why)
	Skipped                  // the record has errors: not written
)

// Writing records, per record of res, what Write did.
type Writing struct {
	Record  *Record
	Path    string
	Outcome Outcome
}

// Write writes each record of res without errors as DIR/<numéro>.yaml. A
// file already there with other bytes is kept, and said, unless replace;
// each file appears whole or not at all (written aside, then renamed).
// Nothing is written when res is blocked.
func Write(dir string, res *Result, replace bool) ([]Writing, []Problem) {
	var out []Writing
	var probs []Problem
	if res.Blocked {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, []Problem{{File: dir, Code: "TABLEUR_ECRITURE", Message: "dossier de sortie impossible à créer : " + safeio.Message(err)}}
	}
	for _, rec := range res.Records {
		w := Writing{Record: rec, Path: filepath.Join(dir, rec.FileName())}
		if rec.YAML == nil {
			w.Outcome = Skipped
			out = append(out, w)
			continue
		}
		fail := func(code, format string, args ...any) {
			w.Outcome = Failed
			probs = append(probs, Problem{File: res.File, Sheet: res.Sheet, Row: rec.first.row, Numero: rec.Numero, Code: code, Message: fmt.Sprintf(format, args...)})
		}
		old, err := safeio.ReadFile(w.Path, safeio.Records)
		switch {
		case err == nil && bytes.Equal(old, rec.YAML):
			w.Outcome = Unchanged
		case err == nil && !replace:
			w.Outcome = Kept
			probs = append(probs, Problem{File: res.File, Sheet: res.Sheet, Row: rec.first.row, Numero: rec.Numero, Code: "TABLEUR_FICHIER_EXISTANT", Message: fmt.Sprintf("%s existe déjà avec un autre contenu : il n'est pas remplacé (importez vers un autre dossier, ou demandez le remplacement)", w.Path)})
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			fail("TABLEUR_ECRITURE", "%s : %s", w.Path, safeio.Message(err))
		default:
			w.Outcome = Written
			if err == nil {
				w.Outcome = Replaced
			}
			if err := writeFile(w.Path, rec.YAML, replace); err != nil {
				if errors.Is(err, fs.ErrExist) {
					w.Outcome = Kept
					probs = append(probs, Problem{File: res.File, Sheet: res.Sheet, Row: rec.first.row, Numero: rec.Numero, Code: "TABLEUR_FICHIER_EXISTANT", Message: fmt.Sprintf("%s est apparu pendant l'import : il n'est pas remplacé", w.Path)})
				} else {
					fail("TABLEUR_ECRITURE", "%s : %s", w.Path, safeio.Message(err))
				}
			}
		}
		out = append(out, w)
	}
	return out, probs
}

// writeFile writes data to path through a temporary file of the same
// folder: a reader sees the old file or the new one, never a part. Without
// replace, a file that appeared meanwhile is kept (fs.ErrExist).
func writeFile(path string, data []byte, replace bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".segur-import-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // after the rename there is nothing left to remove; after a failure, our own temporary file
	if _, err := tmp.Write(data); err != nil {
		tmp.Close() // our own temporary file, after a failure that is reported
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close() // our own temporary file, after a failure that is reported
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if replace {
		return os.Rename(name, path)
	}
	// A hard link fails if path exists: no file is replaced unseen.
	if err := os.Link(name, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		if _, serr := os.Lstat(path); serr == nil {
			return fs.ErrExist
		}
		return os.Rename(name, path) // a file system without hard links
	}
	return nil
}
