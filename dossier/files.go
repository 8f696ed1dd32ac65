package dossier

import "path/filepath"

// FileChecker is how the rules see the files a record or segur.yaml names (the
// pièces, the traités of a reprise, the logo). The domain never opens a file
// itself: the command passes an implementation that reads the disk
// (internal/pdfops.Disk), tests pass one held in memory.
type FileChecker interface {
	// IsFile reports whether path names a file that is not a folder and
	// can be read.
	IsFile(path string) bool
	// ReadablePDF reports whether the file at path is a PDF that can be
	// read and merged into another document.
	ReadablePDF(path string) bool
}

// noFiles is the FileChecker of an Options that names none: every file is
// missing, so that a caller that forgets to pass its FileChecker gets errors,
// never a silently skipped check.
type noFiles struct{}

func (noFiles) IsFile(string) bool      { return false }
func (noFiles) ReadablePDF(string) bool { return false }

func filesOf(f FileChecker) FileChecker {
	if f == nil {
		return noFiles{}
	}
	return f
}

// outsideChecker is a FileChecker that also knows the folders the files
// must lie in (the disk's does).
type outsideChecker interface {
	Outside(path string) bool
}

// outside reports whether the checker knows path to lie outside the
// allowed folders.
func outside(f FileChecker, path string) bool {
	o, ok := f.(outsideChecker)
	return ok && o.Outside(path)
}

// problemChecker is a FileChecker that says why a file cannot be used (the
// disk's does): code and French reason, "" when it can or is missing.
type problemChecker interface {
	FileProblem(path string) (code, why string)
}

func fileProblem(f FileChecker, path string) (string, string) {
	p, ok := f.(problemChecker)
	if !ok {
		return "", ""
	}
	return p.FileProblem(path)
}

// contentChecker is a FileChecker that reads a file's content (the disk's
// does): PIECE_INTERDITE with what it is when its bytes are a key, a
// certificate or a SQLite database; PIECE_CONTENU when they are not of
// kind (set); "" otherwise (or when it cannot read it).
type contentChecker interface {
	ContentProblem(path, kind string) (code, why string)
}

func contentProblem(f FileChecker, path, kind string) (string, string) {
	c, ok := f.(contentChecker)
	if !ok {
		return "", ""
	}
	return c.ContentProblem(path, kind)
}

// sameChecker is a FileChecker that tells whether two paths are the same
// file (the disk's does, by identity: a link or another name for segur.yaml
// is still segur.yaml).
type sameChecker interface {
	SameFile(a, b string) bool
}

func sameFile(f FileChecker, a, b string) bool {
	if s, ok := f.(sameChecker); ok {
		return s.SameFile(a, b)
	}
	return filepath.Clean(a) == filepath.Clean(b)
}
