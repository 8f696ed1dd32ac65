package registre

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Codes of the states set by hand (segur etat --paye, --annule).
const (
	CodeEtatIncompatible = "ETAT_INCOMPATIBLE"
	CodeDossierAnnule    = "DOSSIER_ANNULE"
	CodeDossierInconnu   = "DOSSIER_INCONNU"
	CodeDossierPaye      = "DOSSIER_PAYE"
)

// Current is the dossier's current state through the transaction: its
// last change, and whether the registre knows the dossier at all.
func (t *Tx) Current(dossier string) (Event, bool, error) {
	if err := t.lock(); err != nil {
		return Event{}, false, err
	}
	defer t.mu.Unlock()
	return current(t.tx, t.r, dossier)
}

func current(q querier, r *Registre, dossier string) (Event, bool, error) {
	var n int
	if err := q.QueryRow("SELECT count(*) FROM dossiers WHERE numero = ?", dossier).Scan(&n); err != nil {
		return Event{}, false, r.classify(err)
	}
	if n == 0 {
		return Event{}, false, nil
	}
	var e Event
	var etat, le string
	err := q.QueryRow("SELECT etat, code, libelle, le, commande, fichier FROM etats WHERE dossier = ? ORDER BY id DESC LIMIT 1", dossier).
		Scan(&etat, &e.Code, &e.Label, &le, &e.Command, &e.File)
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, true, nil
	} else if err != nil {
		return Event{}, true, r.classify(err)
	}
	e.Etat, e.At = Etat(etat), parseStamp(le)
	return e, true, nil
}

// MarkPaid records that the solde of dossier was paid on day: « solde
// payé », which follows « solde déposé » only.
func (t *Tx) MarkPaid(dossier string, day time.Time) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	cur, known, err := current(t.tx, t.r, dossier)
	if err != nil {
		return err
	}
	if !known {
		return &Error{Code: CodeDossierInconnu, Msg: fmt.Sprintf("le registre ne connaît pas le dossier %s", dossier)}
	}
	if cur.Etat != SoldeDepose {
		return &Error{Code: CodeEtatIncompatible, Msg: fmt.Sprintf("le dossier %s est « %s » : « %s » suit « %s » (le solde déposé, accepté par l'ASP) ; rien n'est enregistré", dossier, shown(cur.Etat), SoldePaye, SoldeDepose)}
	}
	if day.After(t.r.clock()) {
		return &Error{Code: CodeEtatIncompatible, Msg: fmt.Sprintf("date de paiement %s dans le futur ; rien n'est enregistré", day.Format("02/01/2006"))}
	}
	return t.setState(dossier, "", SoldePaye, "", "payé le "+day.Format("02/01/2006"))
}

// Cancel records that dossier is cancelled, with why: « annulé », after
// which it is never deposited again. A dossier paid or already cancelled
// cannot be.
func (t *Tx) Cancel(dossier, motif string) error {
	if err := t.lock(); err != nil {
		return err
	}
	defer t.mu.Unlock()
	if motif == "" {
		return &Error{Code: CodeRegistreValeur, Msg: "annulation sans motif : rien n'est enregistré"}
	}
	cur, known, err := current(t.tx, t.r, dossier)
	if err != nil {
		return err
	}
	if !known {
		return &Error{Code: CodeDossierInconnu, Msg: fmt.Sprintf("le registre ne connaît pas le dossier %s", dossier)}
	}
	if cur.Etat == SoldePaye || cur.Etat == Annule {
		return &Error{Code: CodeEtatIncompatible, Msg: fmt.Sprintf("le dossier %s est déjà « %s » (le %s) : il ne peut plus être annulé ; rien n'est enregistré", dossier, cur.Etat, cur.At.Format("02/01/2006"))}
	}
	return t.setState(dossier, "", Annule, "", motif)
}

// Cancelled is the DOSSIER_ANNULE error of a cancelled dossier (nil when
// it is not), through the transaction: such a dossier is never produced
// nor deposited again.
func (t *Tx) Cancelled(dossier string) error {
	cur, _, err := t.Current(dossier)
	if err != nil {
		return err
	}
	return cancelled(dossier, cur)
}

// Cancelled is Tx.Cancelled outside a transaction (a read of the last
// committed state: segur validate).
func (r *Registre) Cancelled(dossier string) error {
	cur, _, err := current(r.db, r, dossier)
	if err != nil {
		return err
	}
	return cancelled(dossier, cur)
}

// Paid is the DOSSIER_PAYE error of a dossier whose solde was paid (nil
// when it was not), through the transaction: such a dossier is never
// deposited again, even when asked (--redeposer).
func (t *Tx) Paid(dossier string) error {
	cur, _, err := t.Current(dossier)
	if err != nil || cur.Etat != SoldePaye {
		return err
	}
	return &Error{Code: CodeDossierPaye, Msg: fmt.Sprintf("le solde du dossier %s est payé (%s, enregistré le %s) : un dossier payé n'est plus jamais déposé, même avec --redeposer ; retirez %s de --redeposer", dossier, cur.Label, cur.At.Format("02/01/2006"), dossier)}
}

func cancelled(dossier string, cur Event) error {
	if cur.Etat != Annule {
		return nil
	}
	return &Error{Code: CodeDossierAnnule, Msg: fmt.Sprintf("le dossier %s a été annulé le %s (motif : %s) : un dossier annulé n'est plus jamais produit ni déposé ; retirez son enregistrement du trimestre", dossier, cur.At.Format("02/01/2006"), cur.Label)}
}

func shown(e Etat) string {
	if e == "" {
		return "sans état"
	}
	return string(e)
}
