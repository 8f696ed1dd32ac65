package rapport

import (
	"bytes"
	"errors"
	"testing"
)

// TestStreamed: a streamed rapport writes the same rapport.json as the
// same entries held; EachWhere gives only the entries of the states asked,
// held or streamed (the streamed source is asked with the filter); an
// empty streamed rapport lists « [] »; a source's error stops the writing.
func TestStreamed(t *testing.T) {
	entries := []RapportDossier{
		{NumeroEditeur: "00001", Statut: StatutPret, Problemes: []Probleme{}, Fichiers: []Fichier{}},
		{NumeroEditeur: "00002", Statut: StatutBloque, Problemes: []Probleme{{Niveau: NiveauErreur, Code: "VA_NON_SIGNEE"}}, Fichiers: []Fichier{}, Info: Info{VA: "X-VA-00002.pdf"}},
		{NumeroEditeur: "00003", Statut: StatutBloque, Problemes: []Probleme{{Niveau: NiveauErreur, Code: "MONTANT"}}, Fichiers: []Fichier{}},
	}
	held := &Rapport{GenerePar: "segur test", DateDepot: "2023-03-01", Dossiers: entries}
	streamed := Streamed("segur test", "2023-03-01", func(keep func(Etat) bool, f func(*RapportDossier) error) error {
		for i := range entries {
			e := entries[i]
			if keep != nil && !keep(e.Etat()) {
				continue
			}
			if err := f(&e); err != nil {
				return err
			}
		}
		return nil
	})
	hj, err := held.JSON()
	if err != nil {
		t.Fatal(err)
	}
	sj, err := streamed.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(hj, sj) {
		t.Errorf("streamed rapport.json differs:\n%s\nheld:\n%s", sj, hj)
	}
	for name, r := range map[string]*Rapport{"held": held, "streamed": streamed} {
		var got []string
		err := r.EachWhere(func(e Etat) bool { return e == EtatASigner }, func(d *RapportDossier) error {
			got = append(got, d.NumeroEditeur)
			return nil
		})
		if err != nil || len(got) != 1 || got[0] != "00002" {
			t.Errorf("%s: EachWhere(à signer) gave %v, %v; want [00002]", name, got, err)
		}
	}
	h, err := streamed.Held()
	if err != nil || len(h.Dossiers) != 3 {
		t.Fatalf("Held: %v, %v", h, err)
	}
	if hh, _ := h.JSON(); !bytes.Equal(hh, hj) {
		t.Error("Held gives another rapport.json")
	}
	empty := Streamed("segur test", "", func(func(Etat) bool, func(*RapportDossier) error) error { return nil })
	if j, err := empty.JSON(); err != nil || !bytes.Contains(j, []byte(`"dossiers": []`)) {
		t.Errorf("empty streamed rapport: %s %v", j, err)
	}
	broken := errors.New("spool unreadable")
	bad := Streamed("segur test", "", func(func(Etat) bool, func(*RapportDossier) error) error { return broken })
	if _, err := bad.JSON(); !errors.Is(err, broken) {
		t.Errorf("a source's error: %v", err)
	}
}
