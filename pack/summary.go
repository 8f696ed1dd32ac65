package pack

import (
	"slices"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/rapport"
)

// buildRapport is rapport.json of a run: one entry per dossier read, in
// numéro éditeur order, with the upload pair it went into. It lets go of
// works and of the pairs' works (set to nil): the caller is done with them.
func buildRapport(version, dateDepot string, works []*dossierWork, pairs []pair) *rapport.Rapport {
	depotOf := map[*dossierWork]string{}
	for _, p := range pairs {
		for _, w := range p.works {
			depotOf[w] = p.name
		}
	}
	r := &rapport.Rapport{GenerePar: "segur " + version, DateDepot: dateDepot, Dossiers: make([]rapport.RapportDossier, 0, len(works))}
	for i, w := range works {
		e := rapport.RapportDossier{
			NumeroEditeur: w.numero,
			NumeroASP:     w.numeroASP,
			Dispositif:    w.dispositif,
			Fichier:       w.source.File,
			Ligne:         w.source.Line,
			Statut:        rapport.StatutBloque,
			Justificatif:  w.justificatif,
			Depot:         depotOf[w],
			Problemes:     []rapport.Probleme{},
			Fichiers:      []rapport.Fichier{},
			Preuve:        w.preuve,
		}
		if e.Depot != "" {
			e.Statut = rapport.StatutPret
		} else if w.deposited != "" {
			e.Statut, e.Depot = rapport.StatutDepose, w.deposited
		}
		probs := slices.Clone(w.problems)
		dossier.SortProblems(probs)
		for _, p := range probs {
			e.Problemes = append(e.Problemes, rapport.Probleme{Niveau: rapport.NiveauOf(p.Level), Code: p.Code, Champ: p.Field, Fichier: p.File, Ligne: p.Line, Colonne: p.Col, Message: p.Message})
		}
		e.Fichiers = append(e.Fichiers, w.files...)
		e.Info = w.info
		r.Dossiers = append(r.Dossiers, e)
		// The entry now holds what the rapport needs of the work: the work
		// itself is let go (its pair was written, its pièces are closed),
		// so that the rapport does not hold each dossier twice.
		w.closePieces()
		works[i] = nil
	}
	for i := range pairs {
		pairs[i].works = nil
	}
	return r
}
