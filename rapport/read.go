package rapport

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"

	"github.com/segur-sons/segur/internal/safeio"
)

// Entry is what is read back of one dossier of rapport.json: by segur
// check, and by pack to know what the previous dépôt held.
type Entry struct {
	NumeroEditeur string `json:"numero_editeur"`
	Statut        Statut `json:"statut"`
	Depot         string `json:"depot"`
	// Fichiers are the files pack put in the zip for the dossier, with
	// the SHA-256 of their bytes.
	Fichiers []Fichier `json:"fichiers"`
}

// MaxEntries bounds the dossiers of rapport.json read back: a quarter is
// some thousands of dossiers.
const MaxEntries = 100_000

// ReadFile reads the entries of the rapport.json at path, bounded
// (safeio.Rapport, a regular file only).
func ReadFile(path string) ([]Entry, error) {
	f, err := safeio.Open(path, safeio.Rapport)
	if err != nil {
		return nil, err
	}
	defer f.Close() // read-only: closing it loses nothing
	return ReadEntries(io.LimitReader(f, safeio.Rapport.Max))
}

// ErrTooManyEntries is returned by ReadEntries past MaxEntries.
var ErrTooManyEntries = errors.New("too many dossiers")

// ReadEntries streams rapport.json, { …, "dossiers": [ {…}, … ], … },
// keeping of each dossier only its Entry: a hostile 60 Mo rapport.json is
// read in bounded memory.
func ReadEntries(r io.Reader) ([]Entry, error) {
	dec := json.NewDecoder(bufio.NewReader(r))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	ds := []Entry{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if k != "dossiers" {
			var skip struct{}
			if err := dec.Decode(&skip); err != nil {
				var te *json.UnmarshalTypeError
				if !errors.As(err, &te) {
					return nil, err
				}
			}
			continue
		}
		t, err := dec.Token()
		if err == nil && t == nil {
			continue // "dossiers": null
		}
		if err != nil || t != json.Delim('[') {
			return nil, errors.New("dossiers: not an array")
		}
		for dec.More() {
			if len(ds) == MaxEntries {
				return nil, ErrTooManyEntries
			}
			var d Entry
			if err := dec.Decode(&d); err != nil {
				return nil, err
			}
			ds = append(ds, d)
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return ds, nil
}
