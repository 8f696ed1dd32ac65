package dossier

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// solde checks what the solde dépôt needs and derives the JSON, MOM/VA and
// facture values.
func (k *rules) solde() {
	c, r := k.c, k.r
	if c.required("numero_asp", r.NumeroASP) && !reASP.MatchString(r.NumeroASP) {
		c.errorf("numero_asp", "NUMERO_ASP_FORMAT", "« %s » : le numéro de dossier ASP s'écrit FIN, 3 lettres majuscules et 6 chiffres (ex. FINMDV000042)", r.NumeroASP)
	}
	hint := " (pour ne contrôler que le bon de commande : --phase commande)"
	if r.Avance == nil {
		c.errorf("avance", "CHAMP_MANQUANT", "le bloc « avance » est obligatoire pour le solde%s", hint)
	} else {
		k.avance()
	}
	k.perimetreSolde()
	if r.Realisation == nil {
		c.errorf("realisation", "CHAMP_MANQUANT", "le bloc « realisation » est obligatoire pour le solde%s", hint)
	} else {
		k.realisation()
	}
	if r.Facture == nil {
		c.errorf("facture", "CHAMP_MANQUANT", "le bloc « facture » est obligatoire pour le solde%s", hint)
	} else {
		k.facture()
	}
	k.dates()
	k.justificatif()
}

func (k *rules) avance() {
	c, r := k.c, k.r
	a := r.Avance
	if len(a.Beneficiaires) == 0 {
		c.errorf("avance.beneficiaires", "CHAMP_MANQUANT", "les bénéficiaires déclarés à l'avance (RPPS ou FINESS géo) sont obligatoires")
	}
	for i, id := range a.Beneficiaires {
		p := fmt.Sprintf("avance.beneficiaires[%d]", i)
		if r.Client != nil && r.Client.Type == Structure {
			checkFiness(c, p, id)
		} else {
			checkRPPS(c, p, id)
		}
	}
	k.verse = k.avanceVersee()
	if a.MontantHT == nil {
		c.errorf("avance.montant_ht", "CHAMP_MANQUANT", "le montant HT déclaré à l'avance est obligatoire : le solde ne peut pas le dépasser")
	}
	if c.oneOf("avance.statut", a.Statut, AvanceStatutPaye, "en_instruction", "decide_non_paye") && a.Statut != AvanceStatutPaye {
		c.errorf("avance.statut", "AVANCE_NON_PAYEE", "l'avance est « %s » : le solde ne peut être déposé qu'une fois l'avance au statut « Paiement effectué »", strings.ReplaceAll(a.Statut, "_", " "))
	}
}

// perimetreSolde compares the beneficiaries at the solde with those of the
// avance: removed, added, replaced, taken over.
func (k *rules) perimetreSolde() {
	c, r, d := k.c, k.r, k.d
	structure := r.Client != nil && r.Client.Type == Structure
	// nouveau → ancien for declared takeovers.
	took := map[string]string{}
	for i, ch := range r.Changements {
		p := fmt.Sprintf("changements[%d]", i)
		if !structure {
			c.errorf(p, "CHANGEMENT_INVALIDE", "un changement de bénéficiaire (reprise, fusion) ne concerne que les structures")
			continue
		}
		okA := c.required(p+".ancien", ch.Ancien)
		okN := c.required(p+".nouveau", ch.Nouveau)
		if okN {
			checkFiness(c, p+".nouveau", ch.Nouveau)
		}
		c.required(p+".nouveau_nom", ch.NouveauNom)
		if okA && r.Avance != nil && !slices.Contains(r.Avance.Beneficiaires, ch.Ancien) {
			c.errorf(p+".ancien", "CHANGEMENT_INVALIDE", "« %s » n'a pas été déclaré à l'avance : seul un bénéficiaire de l'avance peut être repris", ch.Ancien)
			continue
		}
		if okN && !slices.ContainsFunc(r.Beneficiaires, func(b Beneficiaire) bool { return b.FinessGeo == ch.Nouveau }) {
			c.errorf(p+".nouveau", "CHANGEMENT_INVALIDE", "« %s » ne figure pas dans les bénéficiaires du dossier", ch.Nouveau)
			continue
		}
		traite := ""
		if c.required(p+".traite", ch.Traite) {
			traite = filepath.Join(r.Dir, ch.Traite)
			if !pieceNameOK(c, p+".traite", ch.Traite) {
				traite = ""
			} else if outside(k.files, traite) {
				c.errorf(p+".traite", "PIECE_HORS_DOSSIER", outsideMsg, ch.Traite)
				traite = ""
			} else if k.pieceForbidden(p+".traite", ch.Traite, traite) || k.pieceProblem(p+".traite", ch.Traite, traite, "") {
				traite = ""
			} else if !k.files.IsFile(traite) {
				c.errorf(p+".traite", "TRAITE_MANQUANT", "le traité « %s » est introuvable : il doit être joint à la facture", ch.Traite)
			} else if !k.files.ReadablePDF(traite) {
				c.errorf(p+".traite", "PIECE_ILLISIBLE", "le traité « %s » n'est pas un PDF lisible : il ne peut pas être joint à la facture", ch.Traite)
			}
		}
		if okA && okN {
			took[ch.Nouveau] = ch.Ancien
			d.Parties.Reprises = append(d.Parties.Reprises, Reprise{Ancien: ch.Ancien, Nouveau: ch.Nouveau, NouveauNom: ch.NouveauNom, Traite: traite})
		}
	}
	for _, b := range r.Beneficiaires {
		id := b.ID()
		if old, ok := took[id]; ok {
			id = old
		}
		d.JSON.Beneficiaires = append(d.JSON.Beneficiaires, id)
	}
	if r.Avance == nil || len(r.Avance.Beneficiaires) == 0 || c.badUnder("beneficiaires") || c.badUnder("avance.beneficiaires") {
		k.perimetreSur = false
		return // identifiers already refused: no comparison would be right
	}
	k.perimetreSur = true
	var added []int
	for i, id := range d.JSON.Beneficiaires {
		if !slices.Contains(r.Avance.Beneficiaires, id) {
			added = append(added, i)
		}
	}
	var gone, mistyped []string // declared at the avance, not in the solde; those of them mistyped
	for _, id := range r.Avance.Beneficiaires {
		if !slices.Contains(d.JSON.Beneficiaires, id) {
			gone = append(gone, id)
		}
	}
	removed := slices.Clone(gone)
	for _, i := range added {
		p := fmt.Sprintf("beneficiaires[%d]", i)
		id := d.JSON.Beneficiaires[i]
		if near, at := typo(id, removed); near != "" {
			// One digit off, or two swapped: a typing mistake, not a new
			// beneficiary; the advice is to correct it, never to remove it.
			c.errorf(p, "IDENTIFIANT_FAUTE_FRAPPE", "« %s » ressemble à « %s » déclaré à l'avance (%s) : corrigez ce numéro, le bénéficiaire déclaré reste financé", id, near, at)
			removed = slices.DeleteFunc(removed, func(s string) bool { return s == near })
			mistyped = append(mistyped, near)
			continue
		}
		k.added++
		if structure && len(removed) > 0 {
			c.errorf(p, "BENEFICIAIRE_REMPLACE", "le FINESS géo %s remplace %s déclaré à l'avance : l'ASP rejette la demande ; gardez %s et déclarez la reprise dans « changements » avec le traité", id, removed[0], removed[0])
			removed = removed[1:]
			continue
		}
		c.errorf(p, "BENEFICIAIRE_AJOUTE", "%s n'a pas été déclaré à l'avance : un bénéficiaire ne peut pas être ajouté au solde (rejet automatique de l'ASP), retirez-le du dossier", id)
	}
	// As IDENTIFIANT_FAUTE_FRAPPE says, a mistyped beneficiary stays in the
	// perimeter: neither retired nor replaced by an added one, so the
	// solde's ceiling is not cut for a typing mistake.
	d.Parties.Retires = slices.DeleteFunc(gone, func(s string) bool { return slices.Contains(mistyped, s) })
	for _, id := range removed {
		c.warnf(fmt.Sprintf("avance.beneficiaires[%d]", slices.Index(r.Avance.Beneficiaires, id)), "BENEFICIAIRE_RETIRE", "%s, déclaré à l'avance, n'est plus dans le dossier : il ne pourra plus jamais être financé pour ce dispositif", id)
	}
	// Mandataire between avance and solde (cas 5 and 6).
	d.Parties.MandataireRetire = r.Avance.Mandataire && r.Mandataire == nil
}

func (k *rules) realisation() {
	c, r, d, dis := k.c, k.r, k.d, k.dis
	re := r.Realisation
	if re.DateFin.IsZero() {
		c.required("realisation.date_fin", "")
	}
	s := re.Scenarios
	if s == nil {
		c.errorf("realisation.scenarios", "CHAMP_MANQUANT", "les scénarios effectivement installés (dmp, mss_pro, mss_citoyen) sont obligatoires")
		s = &Scenarios{}
	}
	direct := func(path string, v *bool, present bool) bool {
		if !present || v == nil {
			c.errorf(path+".direct", "CHAMP_MANQUANT", "« direct » (true ou false) est obligatoire pour ce flux")
			return false
		}
		return *v
	}
	if s.DMP != nil {
		d.Realisation.DMPDirect = direct("realisation.scenarios.dmp", s.DMP.Direct, true)
	} else if re.Scenarios != nil {
		direct("realisation.scenarios.dmp", nil, false)
	}
	d.Realisation.MSSProDirect, d.Realisation.AdresseMSSPro = k.mss("realisation.scenarios.mss_pro", s.MSSPro, re.Scenarios != nil, direct)
	d.Realisation.MSSCitoyenDirect, d.Realisation.AdresseMSSCitoyen = k.mss("realisation.scenarios.mss_citoyen", s.MSSCitoyen, re.Scenarios != nil, direct)
	k.identDMP()
	// Dispositif-specific fields of the JSON line.
	usesCerts := false
	for _, f := range dis.JSONSolde.Champs {
		switch f.Valeur {
		case "prestation":
			if d.Prestation != nil {
				d.JSON.Extra = append(d.JSON.Extra, ChampValeur{Cle: f.Cle, Valeur: d.Prestation.JSON})
			}
		case "profil":
			d.JSON.Extra = append(d.JSON.Extra, ChampValeur{Cle: f.Cle, Valeur: append([]string{}, d.Justificatif.Profils...)})
		case "accompagnement":
			var v any // null without accompagnement renforcé
			if d.Commande.Accompagnement.HT.IsPositive() {
				v = d.Commande.Accompagnement.HT
			}
			d.JSON.Extra = append(d.JSON.Extra, ChampValeur{Cle: f.Cle, Valeur: v})
		case "certificats_dmp":
			usesCerts = true
			d.JSON.Extra = append(d.JSON.Extra, ChampValeur{Cle: f.Cle, Valeur: append([]string{}, re.CertificatsDMP...)})
			if d.Realisation.DMPDirect && len(re.CertificatsDMP) == 0 {
				c.errorf("realisation.certificats_dmp", "CHAMP_MANQUANT", "envoi direct au DMP : le ou les numéros de certificat serveur sont obligatoires pour %s", dis.ID)
			}
		}
	}
	if !usesCerts {
		k.outside("realisation.certificats_dmp", "les certificats serveur DMP")
	}
	// Extra pièces.
	want := dis.Pieces.Valeurs
	for i, p := range re.Pieces {
		path := fmt.Sprintf("realisation.pieces[%d]", i)
		if i >= len(want) {
			c.errorf(path, "PIECE_EN_TROP", "%s n'attend que %d pièce(s) en plus de la facture et de la VA ou MOM", dis.ID, len(want))
			continue
		}
		if !pieceNameOK(c, path, p) {
			continue
		}
		if ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(p)), "."); len(want[i].Extensions) > 0 && !slices.Contains(want[i].Extensions, ext) {
			c.errorf(path, "PIECE_EXTENSION", "« %s » : %s attend un fichier %s pour « %s »", p, dis.ID, strings.Join(want[i].Extensions, " ou "), want[i].Libelle)
			continue
		}
		full := filepath.Join(r.Dir, p)
		if outside(k.files, full) {
			c.errorf(path, "PIECE_HORS_DOSSIER", outsideMsg, p)
			continue
		}
		kind := k.reg.ContenuOf(p)
		if k.pieceForbidden(path, p, full) || k.pieceProblem(path, p, full, kind) {
			continue
		}
		if !k.files.IsFile(full) {
			c.errorf(path, "PIECE_MANQUANTE", "la pièce « %s » (%s) est introuvable", p, want[i].Libelle)
			continue
		}
		d.Pieces = append(d.Pieces, PieceFile{Type: want[i].Type, Libelle: want[i].Libelle, Path: full, Contenu: kind})
	}
	for _, w := range want[min(len(re.Pieces), len(want)):] {
		c.errorf("realisation.pieces", "PIECE_MANQUANTE", "%s exige la pièce « %s » (realisation.pieces)", dis.ID, w.Libelle)
	}
}

// mss checks one MSSanté flow and returns whether it is direct and its box.
func (k *rules) mss(path string, f *FluxMSS, scenarios bool, direct func(string, *bool, bool) bool) (bool, string) {
	c := k.c
	if f == nil {
		if scenarios {
			direct(path, nil, false)
		}
		return false, ""
	}
	isDirect := direct(path, f.Direct, true)
	addr := ""
	if f.Adresse != nil {
		addr = strings.TrimSpace(*f.Adresse)
	}
	switch {
	case isDirect && addr == "":
		c.errorf(path+".adresse", "MSS_ADRESSE", "envoi direct : l'adresse MSSanté complète depuis laquelle le client envoie est obligatoire")
	case addr != "":
		// Through another software too, the MOM or VA states the box the
		// client actually uses (seed 004 L1: « les contrôles a posteriori
		// s'appuieront sur cette adresse »); the JSON keeps null.
		checkMSS(c, path+".adresse", addr)
	}
	return isDirect, addr
}

// identDMP derives the JSON identDMP (the dispositif's ident_dmp rule).
func (k *rules) identDMP() {
	c, r, d, dis := k.c, k.r, k.d, k.dis
	var given []string
	if s := r.Realisation.Scenarios; s != nil && s.DMP != nil {
		given = s.DMP.Ident
	}
	path := "realisation.scenarios.dmp.ident"
	d.JSON.IdentDMPNull = dis.IdentDMP.Mode == IdentDMPAucun
	if !d.Realisation.DMPDirect {
		if len(given) > 0 {
			c.errorf(path, "SCENARIO_INCOHERENT", "identDMP n'est donné que pour un envoi direct au DMP (direct: true)")
		}
		return
	}
	// identAssocieUnpublished: the programme (seed 001, « Numéro
	// identifiant DMP ») gives no prefix nor format for the « numéro
	// identifiant associé », so the message says what is checked instead.
	const identAssocieUnpublished = "le programme Ségur ne publie ni préfixe ni format pour ce numéro : segur vérifie seulement que l'identifiant finit par le FINESS géographique d'un bénéficiaire du dossier, précédé d'au moins un caractère"
	switch dis.IdentDMP.Mode {
	case IdentDMPAucun:
		if len(given) > 0 {
			c.errorf(path, "IDENT_DMP", "pour %s l'identifiant DMP est toujours vide (null) : retirez « ident »", dis.ID)
		}
		return
	case IdentDMPAssocieFiness:
		if len(given) == 0 {
			c.errorf(path, "IDENT_DMP", "envoi direct au DMP : indiquez l'identifiant DMP, le « numéro identifiant associé » suivi des 9 caractères du FINESS géographique du site ; %s", identAssocieUnpublished)
			return
		}
		for i, v := range given {
			if len(v) <= 9 || !slices.Contains(d.JSON.Beneficiaires, v[len(v)-9:]) {
				c.errorf(fmt.Sprintf("%s[%d]", path, i), "IDENT_DMP", "« %s » doit finir par le FINESS géographique d'un bénéficiaire (%s), précédé du « numéro identifiant associé » ; %s", v, strings.Join(d.JSON.Beneficiaires, ", "), identAssocieUnpublished)
			}
		}
		d.JSON.IdentDMP = given
		return
	}
	if len(given) > 0 {
		// An override must still name médecins of this dossier.
		var known []string
		for _, b := range r.Beneficiaires {
			known = append(known, b.RPPS)
			known = append(known, b.RPPSMedecins...)
		}
		for i, v := range given {
			if !reRPPS.MatchString(v) || !slices.Contains(known, v) {
				c.errorf(fmt.Sprintf("%s[%d]", path, i), "IDENT_DMP", "« %s » : identDMP attend le RPPS d'un médecin du dossier (%s)", v, strings.Join(slices.DeleteFunc(known, func(s string) bool { return s == "" }), ", "))
			}
		}
		d.JSON.IdentDMP = given
		return
	}
	ids := []string{}
	for i, b := range r.Beneficiaires {
		if r.Client != nil && r.Client.Type == Structure {
			if len(b.RPPSMedecins) == 0 {
				c.errorf(fmt.Sprintf("beneficiaires[%d].rpps_medecins", i), "IDENT_DMP", "envoi direct au DMP : les RPPS des médecins du site %s (rpps_medecins) sont obligatoires pour identDMP", b.FinessGeo)
			}
			for _, m := range b.RPPSMedecins {
				if !slices.Contains(ids, m) {
					ids = append(ids, m)
				}
			}
		} else if b.RPPS != "" {
			ids = append(ids, b.RPPS)
		}
	}
	d.JSON.IdentDMP = ids
}

func (k *rules) facture() {
	c, r, d, dis := k.c, k.r, k.d, k.dis
	f := r.Facture
	if k.cfg.Numerotation() == "" {
		c.required("facture.numero", f.Numero) // else segur gives it at the facture's issue
	}
	if f.Date.IsZero() {
		c.required("facture.date", "")
	}
	mode := f.Mode
	if mode == "" {
		mode = ModeUnique
	} else {
		c.oneOf("facture.mode", string(mode), string(ModeUnique), string(ModeAvanceSolde))
	}
	if mode == ModeAvanceSolde {
		if f.FactureAvance == nil {
			c.errorf("facture.facture_avance", "CHAMP_MANQUANT", "mode avance-solde : la facture d'avance (numéro, date) est obligatoire")
		} else {
			c.required("facture.facture_avance.numero", f.FactureAvance.Numero)
			if f.FactureAvance.Date.IsZero() {
				c.required("facture.facture_avance.date", "")
			}
		}
		k.factureAvanceFichier()
	} else if f.FactureAvance != nil {
		c.errorf("facture.facture_avance", "SCENARIO_INCOHERENT", "une facture d'avance n'existe qu'en mode « avance-solde »")
	}
	if f.Echeance != nil {
		d.Facture.Echeance = *f.Echeance
	} else if !f.Date.IsZero() && k.cfg.Fournisseur != nil && k.cfg.Fournisseur.Paiement != nil && k.cfg.Fournisseur.Paiement.DelaiJours != nil {
		d.Facture.Echeance = Date{f.Date.AddDate(0, 0, *k.cfg.Fournisseur.Paiement.DelaiJours)}
	}
	// Amounts (the dispositif's plafond and split).
	if (d.Commande.Montant.HT.IsZero() && f.MontantHT == nil) || c.bad["facture.montant_ht"] {
		return // the amount is already reported
	}
	remaining := len(d.JSON.Beneficiaires) - k.added
	d.Facture.PlafondSolde = d.Commande.Plafond
	if len(d.Parties.Retires) > 0 {
		if p, known := k.plafond(remaining); known {
			d.Facture.PlafondSolde = p
		}
	}
	ht := d.Commande.Montant.HT
	if f.MontantHT != nil {
		ht = *f.MontantHT
	} else if len(d.Parties.Retires) > 0 {
		ht = decimal.Min(ht, d.Facture.PlafondSolde)
	}
	d.Facture.Segur = WithTVA(ht, d.TVA.Taux)
	d.Facture.Total = WithTVA(ht.Add(d.Commande.Accompagnement.HT), d.TVA.Taux)
	// The avance is what the ASP paid (montant_verse), else the split
	// percentage of the amount declared at the avance; the solde is the rest.
	d.Facture.AvanceHT = Percent(ht, dis.Split.Avance)
	verse := k.verse
	if a := r.Avance; verse != nil {
		d.Facture.AvanceHT = *verse
	} else if a != nil && a.MontantHT != nil {
		d.Facture.AvanceHT = Percent(*a.MontantHT, dis.Split.Avance)
	}
	d.Facture.AvanceSplit = d.Facture.AvanceHT.Equal(Percent(ht, dis.Split.Avance))
	d.Facture.SoldeHT = ht.Sub(d.Facture.AvanceHT)
	if mode == ModeAvanceSolde {
		d.Facture.Avance.Montants = WithTVA(d.Facture.AvanceHT, d.TVA.Taux)
		d.Facture.Solde = WithTVA(d.Facture.SoldeHT.Add(d.Commande.Accompagnement.HT), d.TVA.Taux)
	}
	path := "facture.montant_ht"
	if f.MontantHT == nil {
		path = "facture"
	}
	switch {
	case !ht.IsPositive():
		c.errorf(path, "MONTANT_NUL", "le total HT de la Prestation Ségur doit être supérieur à 0 € (une facture à 0 € est toujours rejetée)")
		return
	case ht.GreaterThan(d.Facture.PlafondSolde) && dis.Plafond.Base != PlafondCommande && k.perimetreSur:
		c.errorf(path, "MONTANT_PLAFOND", "%s € HT dépasse le plafond du périmètre du solde, %s € HT", euros(ht), euros(d.Facture.PlafondSolde))
	case ht.GreaterThan(d.Commande.Montant.HT) && dis.Plafond.Base == PlafondCommande:
		c.errorf(path, "MONTANT_PLAFOND", "%s € HT dépasse le montant convenu au bon de commande, %s € HT", euros(ht), euros(d.Commande.Montant.HT))
	}
	a := r.Avance
	if a == nil || a.MontantHT == nil {
		return
	}
	if ht.GreaterThan(*a.MontantHT) {
		c.errorf(path, "MONTANT_SUPERIEUR_AVANCE", "%s € HT dépasse le montant déclaré à l'avance, %s € HT", euros(ht), euros(*a.MontantHT))
	}
	paid, how := Percent(*a.MontantHT, dis.Split.Avance), fmt.Sprintf("%d %% de %s € HT déclarés", dis.Split.Avance, euros(*a.MontantHT))
	if verse != nil {
		paid, how = *verse, "avance versée, en HT"
	}
	if ht.LessThan(paid) {
		c.errorf(path, "MONTANT_INFERIEUR_AVANCE", "%s € HT est inférieur à l'avance déjà versée, %s € HT (%s) : l'ASP rejette ce solde", euros(ht), euros(paid), how)
		return
	}
	k.soldeInferieurAvance(path, ht)
}

// dates checks commande ≤ fin de prestation ≤ facture ≤ échéance, and that
// an avance invoice falls between the order and the solde invoice.
func (k *rules) dates() {
	c, r := k.c, k.r
	type at struct {
		path, label string
		date        Date
	}
	var cmd, fin, fac, ech, fav at
	if r.Commande != nil {
		cmd = at{"commande.date", "la signature du bon de commande", r.Commande.Date}
	}
	if r.Realisation != nil {
		fin = at{"realisation.date_fin", "la fin de la prestation", r.Realisation.DateFin}
	}
	if f := r.Facture; f != nil {
		fac = at{"facture.date", "la facture", f.Date}
		if f.Echeance != nil {
			ech = at{"facture.echeance", "l'échéance", *f.Echeance}
		}
		if f.FactureAvance != nil {
			fav = at{"facture.facture_avance.date", "la facture d'avance", f.FactureAvance.Date}
		}
	}
	for _, pair := range [][2]at{{cmd, fin}, {fin, fac}, {fac, ech}, {cmd, fav}, {fav, fac}} {
		before, after := pair[0], pair[1]
		if before.date.IsZero() || after.date.IsZero() || !after.date.Before(before.date.Time) {
			continue
		}
		c.errorf(after.path, "DATE_ORDRE", "%s (%s) ne peut pas précéder %s (%s)", capitalize(after.label), after.date.FR(), before.label, before.date.FR())
	}
	k.factureApresDepot()
	k.delaiDepasse()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// justificatif decides MOM or VA (the dispositif's justificatif rule) and who signs.
func (k *rules) justificatif() {
	r, d, dis := k.r, k.d, k.dis
	switch dis.Justificatif.MOMQuand {
	case MOMTousDirects:
		d.Justificatif.Kind = VA
		if d.Realisation.DMPDirect && d.Realisation.MSSProDirect && d.Realisation.MSSCitoyenDirect {
			d.Justificatif.Kind = MOM
		}
	case MOMDMPDirect:
		d.Justificatif.Kind = VA
		if d.Realisation.DMPDirect {
			d.Justificatif.Kind = MOM
		}
	default:
		d.Justificatif.Kind = VA
	}
	declared := r.Mandataire != nil // no avance block: the order's mandataire
	if r.Avance != nil {
		declared = r.Avance.Mandataire
	}
	if d.Justificatif.Kind == MOM {
		f := k.cfg.Fournisseur
		sig := Signataire{Role: RoleFournisseur}
		if f != nil && f.Signataire != nil {
			sig = Signataire{Nom: f.Signataire.Nom, Prenom: f.Signataire.Prenom, Qualite: f.Signataire.Qualite, Civilite: Civilite(f.Signataire.Civilite), Organisation: f.RaisonSociale, Role: RoleFournisseur}
		}
		if declared || r.Mandataire != nil {
			d.Justificatif.Pages = []Page{{Beneficiaires: r.Beneficiaires, Signataire: sig}}
			return
		}
		for i, b := range r.Beneficiaires {
			d.Justificatif.Pages = append(d.Justificatif.Pages, Page{Beneficiaires: r.Beneficiaires[i : i+1 : i+1], Signataire: sig, ID: b.ID()})
		}
		return
	}
	if declared && r.Mandataire != nil {
		d.Justificatif.Pages = []Page{{Beneficiaires: r.Beneficiaires, Signataire: mandataireSignataire(r.Mandataire)}}
		return
	}
	for i, b := range r.Beneficiaires {
		p := Page{Beneficiaires: r.Beneficiaires[i : i+1 : i+1], ID: b.ID()}
		if r.Client != nil && r.Client.Type == Structure {
			p.Signataire = Signataire{Role: RoleResponsable, Organisation: r.Client.Nom, Qualite: "Responsable de la structure"}
			if resp := r.Client.Responsable; resp != nil {
				p.Signataire.Nom, p.Signataire.Prenom, p.Signataire.Civilite = resp.Nom, resp.Prenom, Civilite(resp.Civilite)
				if resp.Qualite != "" {
					p.Signataire.Qualite = resp.Qualite
				}
			}
		} else {
			p.Signataire = Signataire{Nom: b.Nom, Prenom: b.Prenom, Civilite: Civilite(b.Civilite), Qualite: "Médecin, bénéficiaire final", Role: RoleBeneficiaire}
		}
		d.Justificatif.Pages = append(d.Justificatif.Pages, p)
	}
}

// mandataireSignataire is who signs the VA for a mandataire: its
// representative when the record names them; otherwise the organisation
// alone, its representative's name left blank on the VA for them to write.
func mandataireSignataire(m *Mandataire) Signataire {
	s := Signataire{Nom: m.Nom, Organisation: m.Nom, Qualite: "Mandataire des bénéficiaires finaux", Role: RoleMandataire}
	if m.RepresentantNom != "" || m.RepresentantPrenom != "" {
		s.Nom, s.Prenom = m.RepresentantNom, m.RepresentantPrenom
	}
	return s
}
