package dossier

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
