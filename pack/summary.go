package pack

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/retours"
)

// part is what the rapport needs of a dossier's work once its documents
// are made, as it waits in the run's spool (spoolPart): kept in memory for
// every dossier until the rapport is written, it made pack's memory — and
// the collector's work — grow with the quarter.
type part struct {
	Files  []rapport.Fichier `json:"f"`
	Info   rapport.Info      `json:"i"`
	Preuve *retours.Preuve   `json:"p"`
	Parts  []string          `json:"pp"` // Preuve.Parts, which rapport.json leaves out
}

// spoolPart moves w's part of the rapport (its files, what people need of
// it, the proof of its MOM or VA) into the run's spool: from there on pack
// holds of the dossier only what the pairs need.
func (o Options) spoolPart(w *dossierWork) error {
	w.awaiting = w.preuve != nil && len(w.preuve.Attendus) > 0 && w.justificatif == dossier.VA
	p := part{Files: w.files, Info: w.info, Preuve: w.preuve}
	if w.preuve != nil {
		p.Parts = w.preuve.Parts
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("pack: rapport: %w", err)
	}
	if w.partAt, err = o.spool.putBytes(b); err != nil {
		return err
	}
	w.partLen = len(b)
	w.files, w.info, w.preuve = nil, rapport.Info{}, nil
	return nil
}

// unspoolPart gives w's part back (spoolPart), or what w holds when it was
// not spooled.
func (o Options) unspoolPart(w *dossierWork) (part, error) {
	if w.partLen == 0 {
		return part{Files: w.files, Info: w.info, Preuve: w.preuve}, nil
	}
	b, err := o.spool.getBytes(w.partAt, w.partLen)
	if err != nil {
		return part{}, err
	}
	var p part
	if err := json.Unmarshal(b, &p); err != nil {
		return part{}, fmt.Errorf("pack: rapport: %w", err)
	}
	if p.Preuve != nil {
		p.Preuve.Parts = p.Parts
	}
	return p, nil
}

// entry is a whole rapport entry as it waits in the spool.
type entry struct {
	D     *rapport.RapportDossier `json:"d"`
	Info  rapport.Info            `json:"i"`  // RapportDossier.Info, which rapport.json leaves out
	Parts []string                `json:"pp"` // Preuve.Parts, likewise
}

// kept are the numéros of works that stay in the dépôt: in one of pairs,
// or left out because a pair deposited them earlier (the registre).
func kept(works []*dossierWork, pairs []pair) map[string]bool {
	now := map[string]bool{}
	for _, p := range pairs {
		for _, w := range p.works {
			now[w.numero] = true
		}
	}
	for _, w := range works {
		if w.deposited != "" {
			now[w.numero] = true
		}
	}
	return now
}

// buildRapport is rapport.json of a run: one entry per dossier read, in
// numéro éditeur order, with the upload pair it went into, each finished
// by finish (nil: as it is). The entries wait in the run's spool, one at a
// time in memory: the rapport returned reads them from there while the
// run lasts (Rapport.Held keeps them). It lets go of works and of the
// pairs' works (set to nil): the caller is done with them.
func buildRapport(opt Options, works []*dossierWork, pairs []pair, finish func(*rapport.RapportDossier) error) (*rapport.Rapport, error) {
	depotOf := map[*dossierWork]string{}
	for _, p := range pairs {
		for _, w := range p.works {
			depotOf[w] = p.name
		}
	}
	type at struct {
		off  int64
		n    int
		etat rapport.Etat // what EachWhere selects on, read without the entry
	}
	spooled := make([]at, 0, len(works))
	for i, w := range works {
		pt, err := opt.unspoolPart(w)
		if err != nil {
			return nil, err
		}
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
			Preuve:        pt.Preuve,
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
		e.Fichiers = append(e.Fichiers, pt.Files...)
		e.Info = pt.Info
		if finish != nil {
			if err := finish(&e); err != nil {
				return nil, err
			}
		}
		en := entry{D: &e, Info: e.Info}
		if e.Preuve != nil {
			en.Parts = e.Preuve.Parts
		}
		b, err := json.Marshal(en)
		if err != nil {
			return nil, fmt.Errorf("pack: rapport: %w", err)
		}
		off, err := opt.spool.putBytes(b)
		if err != nil {
			return nil, err
		}
		spooled = append(spooled, at{off, len(b), e.Etat()})
		// The entry now waits in the spool: the work itself is let go (its
		// pair was written, its pièces are closed).
		w.closePieces()
		works[i] = nil
	}
	for i := range pairs {
		pairs[i].works = nil
	}
	return rapport.Streamed("segur "+opt.Version, opt.DateDepot, func(keep func(rapport.Etat) bool, f func(*rapport.RapportDossier) error) error {
		for _, a := range spooled {
			if keep != nil && !keep(a.etat) {
				continue
			}
			b, err := opt.spool.getBytes(a.off, a.n)
			if err != nil {
				return err
			}
			var en entry
			if err := json.Unmarshal(b, &en); err != nil {
				return fmt.Errorf("pack: rapport: %w", err)
			}
			en.D.Info = en.Info
			if en.D.Preuve != nil {
				en.D.Preuve.Parts = en.Parts
			}
			if err := f(en.D); err != nil {
				return err
			}
		}
		return nil
	}), nil
}
