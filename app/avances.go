package app

import (
	"os"
	"sync"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/registre"
)

// avancesConnues is given, or else what an existing registre knows, with
// the function that lets it go once the records are checked.
func (e *Env) avancesConnues(given dossier.AvancesConnues) (dossier.AvancesConnues, func(), error) {
	none := func() {}
	if given != nil {
		return given, none, nil
	}
	p := e.RegistrePath()
	if p == "" {
		return nil, none, nil
	}
	if _, err := os.Stat(p); err != nil {
		return nil, none, nil // no registre yet: nothing is known
	}
	r, err := e.openRegistre()
	if err != nil || r == nil {
		return nil, none, err
	}
	a := &registreAvances{r: r, seen: map[string]string{}}
	return a, a.close, nil
}

// registreAvances gives the solde what the registre knows of each
// dossier's avance: the numéro ASP the ASP's answer gave (segur asp
// importer), so that a solde record need not repeat it. The registre does
// not keep the beneficiaries the avance declared: the record's avance:
// block still gives them.
//
// Every record is checked once while the quarter is scanned, with the
// registre open; the packing workers check their records again later, from
// what was read then (the registre is closed by then, and the answer must
// not change between the two checks).
type registreAvances struct {
	r    *registre.Registre
	mu   sync.Mutex
	seen map[string]string // numéro éditeur → numéro ASP ("" unknown)
}

func (a *registreAvances) Avance(numero string) *dossier.AvanceConnue {
	a.mu.Lock()
	defer a.mu.Unlock()
	n, ok := a.seen[numero]
	if !ok && a.r != nil {
		var err error
		if n, err = a.r.NumeroASP(numero); err != nil {
			n = "" // unreadable: the record must give it
		}
		a.seen[numero] = n
	}
	if n == "" {
		return nil
	}
	return &dossier.AvanceConnue{NumeroASP: n}
}

// close lets the registre go; what was read stays.
func (a *registreAvances) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.r != nil {
		a.r.Close()
		a.r = nil
	}
}
