package readback

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/registre"
)

// CheckRegistre compares the dépôt in dir with the registre r: every pair
// of depot/ must be one the registre recorded, with the SHA-256 it
// recorded (DEPOT_MODIFIE, PAIRE_HORS_REGISTRE); every BDC, facture and
// MOM under dossiers/ must be a document the registre issued, byte for
// byte (DOCUMENT_MODIFIE); and a dossier the registre says réalisé (its
// facture and justificatif issued) that no pair deposited, and that
// rapport.json does not say blocked, is named (DOSSIER_PRET_SANS_PAIRE).
// Nothing is written to the registre.
func CheckRegistre(dir string, r *registre.Registre) ([]dossier.Problem, error) {
	c := &depotCheck{}
	regFile := r.Path()
	pairs, err := r.Pairs()
	if err != nil {
		return nil, err
	}
	recorded := map[string]string{} // file name → SHA-256
	for _, p := range pairs {
		recorded[p.Name+".json"] = p.JSONSHA256
		recorded[p.Name+".zip"] = p.ZipSHA256
	}
	entries, err := os.ReadDir(filepath.Join(dir, "depot"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New(safeio.Message(err))
	}
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		if ext != ".json" && ext != ".zip" {
			continue
		}
		rel := filepath.Join("depot", name)
		want, ok := recorded[name]
		if !ok {
			c.error(rel, "-", "-", "PAIRE_HORS_REGISTRE", "la paire %s n'est pas dans le registre « %s » : écrite sans registre (--sans-registre), avec un autre registre, ou copiée d'ailleurs — relancez segur pack avec ce registre avant de téléverser", composed(strings.TrimSuffix(name, ext)), composed(regFile))
			continue
		}
		kind := safeio.DepotJSON
		if ext == ".zip" {
			kind = safeio.DepotZip
		}
		got, err := hashFile(filepath.Join(dir, rel), kind)
		if err != nil {
			c.error(rel, "-", "-", "DEPOT_MODIFIE", "%s illisible, il n'est pas comparé au registre : %s", composed(name), composed(safeio.Reason(err)))
			continue
		}
		if got != want {
			c.error(rel, "-", "-", "DEPOT_MODIFIE", "%s a changé depuis que segur pack l'a écrit : SHA-256 %s, le registre « %s » a enregistré %s — ne téléversez pas ce fichier, relancez segur pack", composed(name), got, composed(regFile), want)
		}
	}

	states, err := r.States()
	if err != nil {
		return nil, err
	}
	blocked := map[string]bool{}
	if rap, err := rapport.ReadFile(filepath.Join(dir, "rapport.json")); err == nil {
		for _, d := range rap {
			if d.Statut == rapport.StatutBloque {
				blocked[d.NumeroEditeur] = true
			}
		}
	}
	var ready []string
	for _, s := range states {
		if err := c.documents(dir, r, s.Dossier); err != nil {
			return nil, err
		}
		if s.Etat != registre.Realise || blocked[s.Dossier] {
			continue
		}
		dep, err := r.DepositedIn(s.Dossier, registre.PhaseSolde)
		if err != nil {
			return nil, err
		}
		if dep == "" {
			ready = append(ready, s.Dossier)
		}
	}
	if len(ready) > 0 {
		c.warn(regFile, "-", "-", "DOSSIER_PRET_SANS_PAIRE", "%d dossier(s) réalisé(s) selon le registre (facture et justificatif émis) ne sont dans aucune paire déposée : %s — s'ils sont prêts (toutes leurs pièces, VA signée), relancez segur pack ; sinon, rapport.json dit ce qui les bloque", len(ready), composed(strings.Join(ready, ", ")))
	}
	sort.SliceStable(c.probs, func(i, j int) bool { return c.probs[i].Pos.File < c.probs[j].Pos.File })
	return c.probs, nil
}

// documents compares the BDC, facture and MOM of numero under dossiers/
// with the versions the registre issued (any of them: an avance facture,
// a facture replaced after an avoir).
func (c *depotCheck) documents(dir string, r *registre.Registre, numero string) error {
	folder := filepath.Join(dir, "dossiers", numero)
	files, err := os.ReadDir(folder)
	if err != nil {
		return nil // nothing written for it in this folder
	}
	docs, err := r.Documents(numero)
	if err != nil {
		return err
	}
	issued := map[string]map[string]bool{} // kind → SHA-256s
	for _, d := range docs {
		if issued[d.Kind] == nil {
			issued[d.Kind] = map[string]bool{}
		}
		issued[d.Kind][d.SHA256] = true
	}
	for _, f := range files {
		for kind, sums := range issued {
			// An avoir is named <dispositif>-AVOIR-<numéro éditeur>-<its number>.pdf.
			if !strings.HasSuffix(f.Name(), "-"+kind+"-"+numero+".pdf") && (kind != registre.Avoir || !strings.Contains(f.Name(), "-AVOIR-"+numero+"-")) {
				continue
			}
			rel := filepath.Join("dossiers", numero, f.Name())
			got, err := hashFile(filepath.Join(dir, rel), safeio.PDF)
			if err != nil {
				c.error(rel, numero, "-", "DOCUMENT_MODIFIE", "%s illisible, il n'est pas comparé au registre : %s", composed(f.Name()), composed(safeio.Reason(err)))
				continue
			}
			if !sums[got] {
				c.error(rel, numero, "-", "DOCUMENT_MODIFIE", "%s n'est pas le document émis que garde le registre (SHA-256 %s) : il a été modifié ou produit sans registre — relancez segur render ou segur pack, qui le redonnent tel qu'émis", composed(f.Name()), got)
			}
		}
	}
	return nil
}

// hashFile is the SHA-256 of a regular file, read within kind's limit.
func hashFile(path string, kind safeio.Kind) (string, error) {
	f, err := safeio.Open(path, kind)
	if err != nil {
		return "", err
	}
	defer f.Close() // read-only: closing it loses nothing
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(f, kind.Max)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
