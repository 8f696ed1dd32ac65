// Package rapport writes the reports of a run: rapport.json (Rapport, one
// entry per dossier read, with its status, problems, files and the proof of
// its MOM or VA), rapport.html and a-signer/ with its liste.csv, for people
// (WriteForPeople); segur serve shows the same states (Etat).
package rapport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/retours"
)

// Rapport is rapport.json: one entry per dossier read, in numéro éditeur
// order, with its status, its problems and its files.
type Rapport struct {
	GenerePar string `json:"genere_par"`
	// DateDepot is the dépôt date the deadline warnings were checked
	// against (--date-depot, else the day of the run).
	DateDepot string           `json:"date_depot,omitempty"`
	Dossiers  []RapportDossier `json:"dossiers"`

	// each, when set, gives the entries one at a time in place of
	// Dossiers (Streamed): a large quarter's rapport is kept on disk, not
	// in memory, until it is written.
	each func(keep func(Etat) bool, f func(*RapportDossier) error) error
}

// Streamed is a rapport whose entries each gives one at a time, in order,
// instead of holding them (Dossiers stays nil): Each, WriteJSON,
// WriteHTML and WriteForPeople read them through it. each gives only the
// entries whose state keep accepts (all when keep is nil), reading no
// other. Its JSON lists no entry as « [] », never « null ».
func Streamed(generePar, dateDepot string, each func(keep func(Etat) bool, f func(*RapportDossier) error) error) *Rapport {
	return &Rapport{GenerePar: generePar, DateDepot: dateDepot, each: each}
}

// Held is r with its entries in Dossiers, read once through Each: what a
// streamed rapport is when its entries must outlive their source.
func (r *Rapport) Held() (*Rapport, error) {
	if r.each == nil {
		return r, nil
	}
	out := &Rapport{GenerePar: r.GenerePar, DateDepot: r.DateDepot, Dossiers: []RapportDossier{}}
	err := r.Each(func(d *RapportDossier) error {
		out.Dossiers = append(out.Dossiers, *d)
		return nil
	})
	return out, err
}

// Each calls f with each entry, in order, and stops at its first error.
func (r *Rapport) Each(f func(*RapportDossier) error) error { return r.EachWhere(nil, f) }

// EachWhere is Each over the entries whose state (RapportDossier.Etat)
// keep accepts, all when keep is nil; a streamed rapport reads no other.
func (r *Rapport) EachWhere(keep func(Etat) bool, f func(*RapportDossier) error) error {
	if r.each != nil {
		return r.each(keep, f)
	}
	for i := range r.Dossiers {
		if keep != nil && !keep(r.Dossiers[i].Etat()) {
			continue
		}
		if err := f(&r.Dossiers[i]); err != nil {
			return err
		}
	}
	return nil
}

// RapportDossier is one dossier's entry.
type RapportDossier struct {
	NumeroEditeur string       `json:"numero_editeur"`
	NumeroASP     string       `json:"numero_asp"`
	Dispositif    string       `json:"dispositif"`
	Fichier       string       `json:"fichier"`
	Ligne         int          `json:"ligne"`
	Statut        Statut       `json:"statut"`
	Justificatif  dossier.Kind `json:"justificatif,omitempty"` // MOM or VA
	Depot         string       `json:"depot,omitempty"`
	Problemes     []Probleme   `json:"problemes"`
	Fichiers      []Fichier    `json:"fichiers"`
	// Info is for people (rapport.html, a-signer/, segur serve), not in
	// rapport.json.
	Info Info `json:"-"`
	// Preuve is the proof of the MOM or VA: electronic signature (signers,
	// validity) or scan, who is still expected to sign, and the SHA-256 of
	// the bytes in the zip.
	Preuve *retours.Preuve `json:"preuve,omitempty"`
	// Verifications are the back-office's reviews of its returned files
	// (a scanned VA marked « Vérifié » or « Refusé »), oldest first.
	Verifications []Verification `json:"verifications,omitempty"`
	// Registre is the dossier's state in the registre (segur etat) and
	// its dated history; nil without a registre or when it does not know
	// the dossier.
	Registre *EtatRegistre `json:"registre,omitempty"`
}

// EtatRegistre is a dossier's state as the registre knows it: the last
// change (commandé, avance déposée, avance payée, réalisé, solde déposé,
// solde payé, rejeté with the ASP's code and label, annulé) and every
// change, oldest first, dated with what caused it.
type EtatRegistre struct {
	Etat       string      `json:"etat"`
	Code       string      `json:"code,omitempty"`    // the ASP's code, for « rejeté »
	Libelle    string      `json:"libelle,omitempty"` // the ASP's label, for « rejeté »
	Le         string      `json:"le"`                // RFC 3339, UTC
	Historique []Evenement `json:"historique"`
}

// Evenement is one dated change of state and its cause: the command and
// the file it read.
type Evenement struct {
	Etat     string `json:"etat"`
	Code     string `json:"code,omitempty"`
	Libelle  string `json:"libelle,omitempty"`
	Le       string `json:"le"` // RFC 3339, UTC
	Commande string `json:"commande"`
	Fichier  string `json:"fichier,omitempty"`
}

// Texte is the state for people: « rejeté [ERR_MONTANT] libellé de l'ASP ».
func (e *EtatRegistre) Texte() string {
	switch {
	case e.Code != "":
		return strings.TrimSpace(fmt.Sprintf("%s [%s] %s", e.Etat, e.Code, e.Libelle))
	case e.Libelle != "":
		// A state set by hand: « solde payé (payé le 12/06/2023) »,
		// « annulé (motif) », as segur etat prints it.
		return fmt.Sprintf("%s (%s)", e.Etat, e.Libelle)
	}
	return e.Etat
}

// Depuis is the date of the last change, for people.
func (e *EtatRegistre) Depuis() string { return quand(e.Le) }

// Quand is the date of the change, for people: « 07/12/2026 à 05:30 UTC ».
func (v Evenement) Quand() string { return quand(v.Le) }

// Cause is what made the change, for people: « segur pack (q1/) ».
func (v Evenement) Cause() string {
	c := "segur " + v.Commande
	if v.Fichier != "" {
		c += " (" + v.Fichier + ")"
	}
	return c
}

func quand(rfc string) string {
	t, err := time.Parse(time.RFC3339Nano, rfc)
	if err != nil {
		return rfc
	}
	return t.UTC().Format("02/01/2006 à 15:04 UTC")
}

// Verification is one review of a returned file: its verdict, by whom and
// when (RFC 3339).
type Verification struct {
	Fichier string `json:"fichier"`
	Verdict string `json:"verdict"`
	Qui     string `json:"qui"`
	Le      string `json:"le"`
}

// Niveau is a problem's level as rapport.json writes it.
type Niveau string

// The levels of a problem: the ASP would reject the dossier, or a warning.
const (
	NiveauErreur    Niveau = "erreur"
	NiveauAttention Niveau = "attention"
)

// NiveauOf is the level of a problem of the domain.
func NiveauOf(l dossier.Level) Niveau {
	if l == dossier.Attention {
		return NiveauAttention
	}
	return NiveauErreur
}

// Probleme is a problem as rapport.json writes it.
type Probleme struct {
	Niveau  Niveau `json:"niveau"` // erreur | attention
	Code    string `json:"code"`
	Champ   string `json:"champ"`
	Fichier string `json:"fichier"`
	Ligne   int    `json:"ligne"`
	Colonne int    `json:"colonne,omitempty"`
	Message string `json:"message"`
}

// Fichier is a file produced for a dossier, with its SHA-256.
type Fichier struct {
	Nom    string `json:"nom"`
	SHA256 string `json:"sha256"`
}

// Statut is a dossier's status in rapport.json.
type Statut string

// Statuts.
const (
	StatutPret   Statut = "pret"   // in an upload pair
	StatutBloque Statut = "bloque" // kept out of the dépôt
	// StatutDepose: ready, but already in a pair deposited earlier (the
	// registre); Depot names that pair, which depot/ no longer holds.
	StatutDepose Statut = "depose"
)

// JSON encodes the rapport, two-space indented, without HTML escaping.
func (r *Rapport) JSON() ([]byte, error) {
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteJSON writes what JSON returns, one dossier at a time: the encoding of
// a quarter of tens of thousands of dossiers is never held whole in memory.
func (r *Rapport) WriteJSON(w io.Writer) error {
	// bufio.Writer keeps its first error and returns it from every later
	// call: the writes below are checked once, by Flush.
	bw := bufio.NewWriter(w)
	encode := func(v any, prefix string) error {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent(prefix, "  ")
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("pack: rapport: %w", err)
		}
		bw.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n"))) // bufio.Writer keeps its first error: Flush returns it
		return nil
	}
	bw.WriteString("{\n  \"genere_par\": ") // bufio.Writer keeps its first error: Flush returns it
	if err := encode(r.GenerePar, "  "); err != nil {
		return err
	}
	if r.DateDepot != "" {
		bw.WriteString(",\n  \"date_depot\": ") // bufio.Writer keeps its first error: Flush returns it
		if err := encode(r.DateDepot, "  "); err != nil {
			return err
		}
	}
	bw.WriteString(",\n  \"dossiers\": ") // bufio.Writer keeps its first error: Flush returns it
	if r.Dossiers == nil && r.each == nil {
		bw.WriteString("null") // bufio.Writer keeps its first error: Flush returns it
	} else {
		n := 0
		err := r.Each(func(d *RapportDossier) error {
			if n == 0 {
				bw.WriteString("[\n    ") // bufio.Writer keeps its first error: Flush returns it
			} else {
				bw.WriteString(",\n    ") // bufio.Writer keeps its first error: Flush returns it
			}
			n++
			return encode(d, "    ")
		})
		if err != nil {
			return err
		}
		if n == 0 {
			bw.WriteString("[]") // bufio.Writer keeps its first error: Flush returns it
		} else {
			bw.WriteString("\n  ]") // bufio.Writer keeps its first error: Flush returns it
		}
	}
	bw.WriteString("\n}\n") // bufio.Writer keeps its first error: Flush returns it
	return bw.Flush()
}

// HorsDelai reports whether the dossier was filed after its guichet closed
// (a DELAI_DEPASSE problem, warning or, with --strict, error): pack's
// summary counts these apart.
func (d RapportDossier) HorsDelai() bool {
	for _, p := range d.Problemes {
		if p.Code == "DELAI_DEPASSE" {
			return true
		}
	}
	return false
}
