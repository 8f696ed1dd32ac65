package dossier

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/shopspring/decimal"
)

// Rules added for what the ASP would still reject (issue #11): the
// accompagnement renforcé of Va2, the client's profiles in the solde JSON,
// the avance paid given HT or TTC, the avance facture as issued.

// accompagnement checks the Va2 « Accompagnement renforcé » line of the
// BDC: for the client types the data allows, within its published ceiling.
// While the AF leaves the ceiling unpublished every amount is refused.
func (k *rules) accompagnement() {
	c, r, d, a := k.c, k.r, k.d, k.dis.AccompagnementRenforce
	v := r.Commande.AccompagnementRenforceHT
	if v == nil || v.IsZero() {
		return
	}
	path := "commande.accompagnement_renforce_ht"
	if v.IsNegative() {
		c.errorf(path, "MONTANT_NUL", "le montant de l'accompagnement renforcé ne peut pas être négatif")
		return
	}
	if r.Client != nil && r.Client.Type != "" && !slices.Contains(a.Clients, r.Client.Type) {
		c.errorf(path, "ACCOMPAGNEMENT_INELIGIBLE", "le financement complémentaire « Accompagnement renforcé » est réservé aux clients de type %s (%s) : un client « %s » n'y a pas droit ; retirez la ligne", joinQuoted(a.Clients), a.Source, r.Client.Type)
		return
	}
	if a.PlafondParBeneficiaire == nil {
		c.errorf(path, "ACCOMPAGNEMENT_PLAFOND_INCONNU", "le plafond de l'accompagnement renforcé n'est pas publié (« ZZZ € HT » dans l'AF provisoire %s) : aucun montant ne peut être accepté tant que segur ne le connaît pas ; retirez la ligne", k.dis.ID)
		return
	}
	n := len(r.Beneficiaires)
	ceiling := a.PlafondParBeneficiaire.Mul(decimal.NewFromInt(int64(n)))
	if v.GreaterThan(ceiling) {
		c.errorf(path, "MONTANT_PLAFOND", "accompagnement renforcé : %s € HT dépasse le plafond de %s € HT (%d médecin(s) × %s € HT)", euros(*v), euros(ceiling), n, euros(*a.PlafondParBeneficiaire))
		return
	}
	d.Commande.Accompagnement = WithTVA(*v, d.TVA.Taux)
}

func joinQuoted(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += "« " + v + " »"
	}
	return out
}

// profils lists the solution profiles the client calls for (Va2 §3.2.1):
// they go into the solde JSON.
func (k *rules) profils() {
	r, d := k.r, k.d
	cl := r.Client
	for _, rule := range k.dis.Profils.Regles {
		need := rule.SiStructureType != "" && cl.Type == Structure && cl.StructureType == rule.SiStructureType
		for _, b := range r.Beneficiaires {
			need = need || slices.Contains(rule.SiSpecialite, b.Specialite)
		}
		if need && !slices.Contains(d.Justificatif.Profils, rule.Libelle) {
			d.Justificatif.Profils = append(d.Justificatif.Profils, rule.Libelle)
		}
	}
}

// avanceVersee checks how the avance paid is given: HT or TTC, never the
// old ambiguous montant_verse. It returns the HT amount paid, or nil.
func (k *rules) avanceVersee() *decimal.Decimal {
	c, a, d := k.c, k.r.Avance, k.d
	if a == nil {
		return nil
	}
	if a.MontantVerse != nil {
		c.errorf("avance.montant_verse", "AVANCE_MONTANT_AMBIGU", "« montant_verse » ne dit pas si l'avance versée par l'ASP est HT ou TTC : écrivez montant_verse_ht ou montant_verse_ttc")
		return nil
	}
	switch {
	case a.MontantVerseHT != nil && a.MontantVerseTTC != nil:
		c.errorf("avance.montant_verse_ttc", "AVANCE_MONTANT_AMBIGU", "l'avance versée est donnée deux fois (montant_verse_ht et montant_verse_ttc) : gardez le montant versé tel que l'ASP l'a notifié")
		return nil
	case a.MontantVerseHT != nil:
		return a.MontantVerseHT
	case a.MontantVerseTTC != nil:
		ht := htFromTTC(*a.MontantVerseTTC, d.TVA.Taux)
		return &ht
	}
	return nil
}

// factureAvanceFichier resolves the avance facture's PDF, when the record
// names it: it goes into the facture PDF as issued (seed 004: the two
// existing invoices in one PDF).
func (k *rules) factureAvanceFichier() {
	c, r, d := k.c, k.r, k.d
	fa := r.Facture.FactureAvance
	if fa == nil || fa.Fichier == "" {
		return
	}
	path := fa.Fichier
	if !filepath.IsAbs(path) {
		path = filepath.Join(r.Dir, path)
	}
	if outside(k.files, path) {
		c.errorf("facture.facture_avance.fichier", "PIECE_HORS_DOSSIER", outsideMsg, fa.Fichier)
		return
	}
	if k.pieceForbidden("facture.facture_avance.fichier", fa.Fichier, path) || k.pieceProblem("facture.facture_avance.fichier", fa.Fichier, path, "") {
		return
	}
	if !k.files.IsFile(path) {
		c.errorf("facture.facture_avance.fichier", "PIECE_MANQUANTE", "la facture d'avance « %s » est introuvable", fa.Fichier)
		return
	}
	if !k.files.ReadablePDF(path) {
		c.errorf("facture.facture_avance.fichier", "PIECE_ILLISIBLE", "la facture d'avance « %s » n'est pas un PDF lisible : elle ne peut pas être jointe à la facture de solde", fa.Fichier)
		return
	}
	d.Facture.Avance.PDF = path
}

// soldeInferieurAvance warns when, for the same beneficiaries as at the
// avance, the Prestation Ségur is billed below the amount declared then
// (seed 000 L159, seed 001 L371-379: it « devrait être égal »).
func (k *rules) soldeInferieurAvance(path string, ht decimal.Decimal) {
	a := k.r.Avance
	if a == nil || a.MontantHT == nil || !k.perimetreSur || len(k.d.Parties.Retires) > 0 || k.added > 0 || !ht.LessThan(*a.MontantHT) {
		return
	}
	k.c.warnf(path, "SOLDE_INFERIEUR_AVANCE", "%s € HT au solde, mais %s € HT déclarés à l'avance pour les mêmes bénéficiaires : l'ASP attend le même montant quand le périmètre n'a pas changé", euros(ht), euros(*a.MontantHT))
}

// factureApresDepot flags a facture dated after the day of the dépôt: a
// warning (the dépôt date may be a guess: --date-depot defaults to now),
// an error with --strict.
func (k *rules) factureApresDepot() {
	f := k.r.Facture
	dep := k.opt.DateDepot
	if f == nil || f.Date.IsZero() || dep.IsZero() {
		return
	}
	day := Date{dep}
	if f.Date.ISO() <= day.ISO() {
		return
	}
	msg := fmt.Sprintf("la facture est datée du %s, après le dépôt du solde (%s) : la demande citerait une facture pas encore émise", f.Date.FR(), day.FR())
	if k.opt.Strict {
		k.c.errorf("facture.date", "FACTURE_APRES_DEPOT", "%s (--strict)", msg)
		return
	}
	k.c.warnf("facture.date", "FACTURE_APRES_DEPOT", "%s ; vérifiez la date de la facture ou --date-depot", msg)
}

// delaiDepasse reports a solde filed after the guichet closed: a warning
// (the ASP sometimes extends), an error with --strict; pack counts these
// dossiers apart from their DELAI_DEPASSE.
func (k *rules) delaiDepasse() {
	dl := k.dis.SoldeLimit()
	dep := k.opt.DateDepot
	if dl.IsZero() || dep.IsZero() || !dep.After(dl) {
		return
	}
	msg := fmt.Sprintf("dépôt du solde le %s, après la clôture du guichet %s (%s) : demande irrecevable sauf report de l'ASP", dep.Format("02/01/2006 à 15h04"), k.dis.ID, dl.Format("02/01/2006 à 15h04"))
	if k.opt.Strict {
		k.c.errorf("dispositif", "DELAI_DEPASSE", "%s (--strict)", msg)
		return
	}
	k.c.warnf("dispositif", "DELAI_DEPASSE", "%s", msg)
}

// checkCivilite accepts madame, monsieur or nothing: it agrees « Je,
// soussigné(e) » on the MOM and VA.
func checkCivilite(c *checker, path, v string) {
	if v != "" {
		c.oneOf(path, v, string(Madame), string(Monsieur))
	}
}
