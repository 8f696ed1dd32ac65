package pack

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/rapport"
)

// DropError stops a run that would take out of the dépôt dossiers its
// previous run put in it (blocked now, or gone from the records), unless
// Options.Retirer names them: a dépôt is never replaced by less without
// being told. The previous dépôt is left as it was.
type DropError struct {
	Numeros []string // numéros éditeur, sorted
}

func (e *DropError) Error() string {
	list := strings.Join(e.Numeros, ", ")
	if len(e.Numeros) > 20 {
		list = strings.Join(e.Numeros[:20], ", ") + fmt.Sprintf(" … et %d autres", len(e.Numeros)-20)
	}
	return fmt.Sprintf("%d dossier(s) du dépôt précédent n'y seraient plus : %s (bloqués, voir leurs problèmes, ou absents des enregistrements) ; le dépôt précédent est intact. Si c'est voulu, relancez segur pack avec --retirer %s",
		len(e.Numeros), list, strings.Join(e.Numeros, ","))
}

// dropped compares the previous dépôt (its rapport.json in dir) with the
// new one: the numéros ready before and not now, less those retirer
// names and those the registre (mem, when set) remembers in a pair
// recorded as deposited — a later quarter's dépôt replaces those by
// design. A previous rapport.json missing or unreadable gives none: there
// is then nothing known to keep.
//
// now are the numéros the new dépôt keeps: ready again, or left out
// because a pair recorded in the registre already deposited it (kept).
func dropped(dir string, now map[string]bool, retirer []string, mem Memory) *DropError {
	// The previous rapport.json is streamed: only the numéros that would
	// be dropped are kept of it.
	var gone []string
	err := rapport.EachFile(filepath.Join(dir, depot.RapportFile), func(d rapport.Entry) {
		if d.Statut == rapport.StatutPret && d.Depot != "" && !now[d.NumeroEditeur] && !slices.Contains(retirer, d.NumeroEditeur) {
			gone = append(gone, d.NumeroEditeur)
		}
	})
	if err != nil {
		return nil
	}
	var out []string
	for _, n := range gone {
		if mem != nil {
			if pair, err := mem.Deposited(n); err == nil && pair != "" {
				continue
			}
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil
	}
	slices.Sort(out)
	return &DropError{Numeros: slices.Compact(out)}
}
