package rapport

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// EachFile gives every dossier's entry in order and keeps none;
// ReadEntries, built on it, the same as a list. What is not a rapport is
// an error, and so is one past MaxEntries.
func TestEachFile(t *testing.T) {
	t.Parallel()
	many := `{"dossiers":[` + strings.Repeat(`{"numero_editeur":"1"},`, MaxEntries) + `{"numero_editeur":"2"}]}`
	for _, c := range []struct {
		name, json string
		want       []string // numero:statut:depot
		err        error
	}{
		{"two dossiers among other keys", `{"version":"1","dossiers":[{"numero_editeur":"00042","statut":"pret","depot":"P-01","fichiers":[{"nom":"a.pdf","sha256":"x"}],"autre":{"x":[1]}},{"numero_editeur":"00043","statut":"bloque"}],"fin":null}`,
			[]string{"00042:pret:P-01", "00043:bloque:"}, nil},
		{"no dossiers", `{"dossiers":null}`, nil, nil},
		{"not an object", `[1]`, nil, errors.New("not an object")},
		{"cut", `{"dossiers":[{"numero_editeur":"00042"}`, nil, errors.New("cut")},
		{"too many", many, nil, ErrTooManyEntries},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "rapport.json")
			if err := os.WriteFile(p, []byte(c.json), 0o644); err != nil {
				t.Fatal(err)
			}
			var got []string
			err := EachFile(p, func(e Entry) { got = append(got, e.NumeroEditeur+":"+string(e.Statut)+":"+e.Depot) })
			if (err != nil) != (c.err != nil) || (errors.Is(c.err, ErrTooManyEntries) && !errors.Is(err, ErrTooManyEntries)) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			if err != nil {
				return
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("entries %v, want %v", got, c.want)
			}
			list, err := ReadFile(p)
			if err != nil || len(list) != len(got) {
				t.Errorf("ReadFile: %d entries, %v", len(list), err)
			}
		})
	}
}
