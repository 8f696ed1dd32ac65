package facturx

import (
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/shopspring/decimal"
)

// Line is one line of a facture as printed: désignation and amount HT,
// quantity 1.
type Line struct {
	Label string
	HT    decimal.Decimal
}

// Part is the facture the XML describes, as the PDF prints it: in mode
// avance-solde, the solde facture (Previous names the avance facture).
type Part struct {
	Numero string
	Date   time.Time
	Lines  []Line
	Total  dossier.Montants
	// Paid is the amount already paid (BT-113): the avance TTC when one
	// facture covers avance and solde, zero otherwise.
	Paid decimal.Decimal
	// Previous is the avance facture a solde facture follows, or the
	// facture an avoir cancels (BT-25, BT-26).
	Previous     string
	PreviousDate time.Time
	// Avoir makes the document a credit note (BT-3 381 instead of 380):
	// its amounts are positive, the type carries the sign (EN 16931).
	Avoir bool
	// Echeance is the due date (BT-9), zero when none: the record's
	// facture.echeance is the solde's, never the avance facture's.
	Echeance time.Time
}

// Texts are the wording the PDF prints, reused verbatim in the XML notes.
type Texts struct {
	SellerLegal string   // BT-33: forme juridique, capital, RCS
	Terms       string   // BT-20: échéance or payment term
	Penalites   string   // note PMT
	Indemnite   string   // note PMD
	Escompte    string   // note AAB
	General     []string // notes AAI: nature of the operations, Ségur mentions
}

// Due is the amount due (BT-115): total TTC minus the amount already paid.
func (p Part) Due() decimal.Decimal { return p.Total.TTC.Sub(p.Paid) }

// AmountPaid is the avance already paid, TTC, that a single facture
// (avance + solde) deducts from its total: as the ASP notified it when the
// record gives it TTC (avance.montant_verse_ttc: its HT, rounded, would not
// always give the same TTC back), else at the facture's rate; zero in mode
// avance-solde, where the solde facture bills only the solde. The plain
// facture prints it (« Avance déjà versée ») as the XML states it.
func AmountPaid(d *dossier.Dossier) decimal.Decimal {
	if d.Facture.Mode == dossier.ModeAvanceSolde {
		return decimal.Zero
	}
	if !d.Facture.AvanceHT.IsPositive() {
		return decimal.Zero
	}
	if v := d.Facture.AvanceVerseeTTC; v != nil {
		return *v
	}
	return dossier.WithTVA(d.Facture.AvanceHT, d.TVA.Taux).TTC
}

// Enabled reports whether the fournisseur asked for Factur-X factures.
func Enabled(d *dossier.Dossier) bool {
	return d != nil && d.Facture.FacturX
}

// address is a postal address in the CII fields.
type address struct {
	lines          []string // at most three
	postcode, city string
}

var postcodeCity = regexp.MustCompile(`^\s*(\d{5})\s+(.+?)\s*$`)

// splitAddress reads « 24 quai Perrache », « 69002 Lyon »: the last line
// that starts with a five-digit code gives the postcode and the city, the
// lines before it the street lines (extra lines are joined into the third).
func splitAddress(lines []string) address {
	var a address
	rest := lines
	if n := len(lines); n > 0 {
		if m := postcodeCity.FindStringSubmatch(lines[n-1]); m != nil {
			a.postcode, a.city = m[1], m[2]
			rest = lines[:n-1]
		}
	}
	for _, l := range rest {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if len(a.lines) == 3 {
			a.lines[2] += ", " + l
			continue
		}
		a.lines = append(a.lines, l)
	}
	return a
}

// checkInput refuses a dossier the XML cannot describe.
func checkInput(d *dossier.Dossier, p Part) error {
	if d == nil || d.Parties.Fournisseur.Siret == "" || d.Parties.Client.Nom == "" ||
		d.Commande.Numero == "" || d.Stage != dossier.PhaseSolde {
		return errors.New("facture incomplète pour Factur-X (fournisseur, client, commande ou réalisation manquant)")
	}
	if p.Numero == "" || p.Date.IsZero() || len(p.Lines) == 0 {
		return errors.New("facture incomplète pour Factur-X (numéro, date ou lignes manquants)")
	}
	return nil
}
