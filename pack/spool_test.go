package pack

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestLineSpoolGivesBackEachLine: lines put by several workers at once
// come back byte for byte, the dossier keeps none in memory meanwhile, a
// spool an interrupted run left is removed and nothing is left once closed.
func TestLineSpoolGivesBackEachLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	state := filepath.Join(dir, ".segur")
	os.MkdirAll(state, 0o755)
	stale := filepath.Join(state, spoolPrefix+"123")
	os.WriteFile(stale, []byte("reste d'une production interrompue"), 0o644)
	keep := filepath.Join(state, "depot.json")
	os.WriteFile(keep, []byte("{}"), 0o644)

	s, err := newLineSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(stale); !os.IsNotExist(err) {
		t.Errorf("the spool of an interrupted run is still there (%v)", err)
	}
	if _, err := os.Lstat(keep); err != nil {
		t.Errorf("a state file that is not a spool was touched: %v", err)
	}
	cases := []struct {
		name string
		line []byte
	}{
		{"a line", []byte(`{"numLigne":0,"numeroEditeur":"00001"}`)},
		{"non-ASCII", []byte(`{"numLigne":0,"adresse":"Hôpital Saint-Étienne"}`)},
		{"no line (blocked)", nil},
		{"a longer line", bytes.Repeat([]byte("x"), 5000)},
	}
	works := make([]*dossierWork, 40)
	var wg sync.WaitGroup
	for i := range works {
		works[i] = &dossierWork{line: append([]byte(nil), cases[i%len(cases)].line...)}
		if cases[i%len(cases)].line == nil {
			works[i].line = nil
		}
		wg.Add(1)
		go func(w *dossierWork) {
			defer wg.Done()
			if err := s.put(w); err != nil {
				t.Error(err)
			}
		}(works[i])
	}
	wg.Wait()
	for i, w := range works {
		c := cases[i%len(cases)]
		if w.line != nil {
			t.Errorf("%s: the work still holds its line in memory", c.name)
		}
		got, err := s.get(w)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !bytes.Equal(got, c.line) {
			t.Errorf("%s (#%d): got %q, want %q", c.name, i, got, c.line)
		}
	}
	s.close()
	left, _ := os.ReadDir(state)
	for _, e := range left {
		if strings.HasPrefix(e.Name(), spoolPrefix) {
			t.Errorf("spool %s left in .segur/ after close", e.Name())
		}
	}
}
