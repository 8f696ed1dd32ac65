package pdfops

import "os"

// Disk is the dossier.FileChecker of the disk: a pièce is checked where it lies,
// and a PDF is readable when pdfcpu can count its pages.
type Disk struct{}

// IsFile reports whether path names a file that is not a folder and can be
// opened for reading.
func (Disk) IsFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	return err == nil && !st.IsDir()
}

// ReadablePDF reports whether path is a PDF that can be read (and merged).
func (Disk) ReadablePDF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	_, err = PageCount(f)
	return err == nil
}
