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

// EachFile calls each with every entry of the rapport.json at path, in
// order, bounded like ReadFile, keeping none: pack reads the previous
// dépôt's this way, in memory that does not grow with the quarter.
func EachFile(path string, each func(Entry)) error {
	f, err := safeio.Open(path, safeio.Rapport)
	if err != nil {
		return err
	}
	defer f.Close() // only read: closing loses nothing
	return eachEntry(io.LimitReader(f, safeio.Rapport.Max), each)
}

// ErrTooManyEntries is returned by ReadEntries past MaxEntries.
var ErrTooManyEntries = errors.New("too many dossiers")

// ReadEntries streams rapport.json, { …, "dossiers": [ {…}, … ], … },
// keeping of each dossier only its Entry: a hostile 60 Mo rapport.json is
// read in bounded memory.
func ReadEntries(r io.Reader) ([]Entry, error) {
	ds := []Entry{}
	if err := eachEntry(r, func(e Entry) { ds = append(ds, e) }); err != nil {
		return nil, err
	}
	return ds, nil
}

// eachEntry streams rapport.json, calling each with every dossier's Entry
// (at most MaxEntries).
func eachEntry(r io.Reader, each func(Entry)) error {
	dec := json.NewDecoder(bufio.NewReader(r))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("not an object")
	}
	n := 0
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return err
		}
		if k != "dossiers" {
			var skip struct{}
			if err := dec.Decode(&skip); err != nil {
				var te *json.UnmarshalTypeError
				if !errors.As(err, &te) {
					return err
				}
			}
			continue
		}
		t, err := dec.Token()
		if err == nil && t == nil {
			continue // "dossiers": null
		}
		if err != nil || t != json.Delim('[') {
			return errors.New("dossiers: not an array")
		}
		for dec.More() {
			if n == MaxEntries {
				return ErrTooManyEntries
			}
			var d Entry
			if err := dec.Decode(&d); err != nil {
				return err
			}
			n++
			each(d)
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}
