package pack

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/segur-sons/segur/depot"
)

// spoolPrefix names the file holding the JSON lines of a run until their
// pairs are written, in the output folder's .segur/ (segur's own state).
const spoolPrefix = "lignes" + depot.TmpMarker

// lineSpool keeps each dossier's JSON line in a temporary file instead of
// in memory from the moment it is encoded (pass 1) until its pair is
// written (pass 2): what pack holds per dossier meanwhile is an offset.
type lineSpool struct {
	mu   sync.Mutex
	f    *os.File
	off  int64
	gone bool // the file was removed while open (not on Windows)
}

// newLineSpool creates the spool in dir/.segur/, removing any an
// interrupted run left there (the caller holds dir's lock).
func newLineSpool(dir string) (*lineSpool, error) {
	state := filepath.Join(dir, ".segur")
	if err := os.MkdirAll(state, 0o755); err != nil {
		return nil, err
	}
	if st, err := os.Lstat(state); err != nil {
		return nil, err
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%s n'est pas un dossier", state)
	}
	if old, err := filepath.Glob(filepath.Join(state, spoolPrefix+"*")); err == nil {
		for _, p := range old {
			if st, err := os.Lstat(p); err == nil && st.Mode().IsRegular() {
				os.Remove(p) // our own temporary files: a leftover is only space, removed again by the next run
			}
		}
	}
	f, err := os.CreateTemp(state, spoolPrefix+"*")
	if err != nil {
		return nil, err
	}
	s := &lineSpool{f: f}
	// Unix lets an open file be removed: nothing is left behind whatever
	// stops the process. Windows does not: close removes it.
	s.gone = os.Remove(f.Name()) == nil
	return s, nil
}

// put moves w's line into the spool.
func (s *lineSpool) put(w *dossierWork) error {
	if w.line == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.WriteAt(w.line, s.off); err != nil {
		return err
	}
	w.lineAt, w.lineLen = s.off, len(w.line)
	s.off += int64(len(w.line))
	w.line = nil
	w.spooled = true
	return nil
}

// get gives w's line back.
func (s *lineSpool) get(w *dossierWork) ([]byte, error) {
	if !w.spooled {
		return w.line, nil
	}
	b := make([]byte, w.lineLen)
	if _, err := s.f.ReadAt(b, w.lineAt); err != nil {
		return nil, err
	}
	return b, nil
}

// putBytes appends b to the spool: where it stands, to read it back with
// getBytes.
func (s *lineSpool) putBytes(b []byte) (at int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.WriteAt(b, s.off); err != nil {
		return 0, err
	}
	at = s.off
	s.off += int64(len(b))
	return at, nil
}

// getBytes reads back n bytes put at at.
func (s *lineSpool) getBytes(at int64, n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := s.f.ReadAt(b, at); err != nil {
		return nil, err
	}
	return b, nil
}

// close closes and removes the spool.
func (s *lineSpool) close() {
	s.f.Close() // the spool is our temporary file, read to the end before
	if !s.gone {
		os.Remove(s.f.Name()) // our own temporary files: a leftover is only space, removed again by the next run
	}
}
