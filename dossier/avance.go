package dossier

import (
	"fmt"
	"time"

	"github.com/segur-sons/segur/asp"
	"github.com/shopspring/decimal"
)

// The avance: what the demande de paiement de l'avance needs, filed with
// the bon de commande signed by the client (seed 000 L133: a dossier is
// « une avance et un solde »). The rules below run with PhaseAvance, after
// those of the order.

// AvancePart is what the avance's JSON line, its zip and its facture state.
type AvancePart struct {
	// MontantHT is the avance asked: the dispositif's percentage
	// (Pourcentage) of the Prestation Ségur ordered, half-up to the cent.
	MontantHT   decimal.Decimal
	Pourcentage int
	// RegimeTVA is asp.RegimeTTC for a fournisseur liable to TVA,
	// asp.RegimeHT otherwise (provisional values, see the profile).
	RegimeTVA string
	// OperateurMessagerie is commande.operateur_messagerie as written, ""
	// when not given.
	OperateurMessagerie string
	ProSanteConnect     bool
	// CentreDeSante: the client is a centre de santé.
	CentreDeSante bool
	// ClientUnique: the client is the only beneficiary (one médecin, or a
	// structure of one site).
	ClientUnique bool
	// Pieces are the avance's pièces justificatives, in the zip's order:
	// the signed BDC, then the avance facture in mode avance-solde.
	Pieces []PieceAvance
	// Signataires are who must sign the BDC for the client: the
	// structure's responsable, or each médecin. The signed BDC is verified
	// against them as a returned VA is (package signature).
	Signataires []Page
}

// PieceAvance is one pièce of the avance's zip.
type PieceAvance struct {
	Kind   Kind   // BDC or FACTURE
	Nom    string // its name in the zip and the JSON
	Format string // formatFichier
	Type   string // typeFichier
}

// avanceDepot checks what the avance dépôt needs and derives its values.
func (k *rules) avanceDepot() {
	c, r, d, dis := k.c, k.r, k.d, k.dis
	a := &d.Avance
	a.Pourcentage = dis.Split.Avance
	a.MontantHT = Percent(d.Commande.Montant.HT, dis.Split.Avance)
	a.RegimeTVA = asp.RegimeTTC
	if d.TVA.Taux.IsZero() {
		a.RegimeTVA = asp.RegimeHT
	}
	if cmd := r.Commande; cmd != nil {
		a.OperateurMessagerie = cmd.OperateurMessagerie
		a.ProSanteConnect = cmd.ProSanteConnect
	}
	if cl := r.Client; cl != nil {
		a.CentreDeSante = cl.Type == Structure && cl.StructureType == StructureCDS
	}
	a.ClientUnique = len(r.Beneficiaires) == 1
	a.Pieces = []PieceAvance{{Kind: BDC, Nom: d.FileName(BDC), Format: asp.FormatPDF, Type: asp.TypeFichierBDC}}
	if f := r.Facture; f != nil && f.Mode == ModeAvanceSolde {
		if f.FactureAvance == nil || f.FactureAvance.Numero == "" || f.FactureAvance.Date.IsZero() {
			c.errorf("facture.facture_avance", "CHAMP_MANQUANT", "mode avance-solde : la facture d'avance (numéro, date) est obligatoire pour déposer l'avance")
		} else {
			d.Facture.Mode = ModeAvanceSolde
			d.Facture.Avance.Montants = WithTVA(a.MontantHT, d.TVA.Taux)
			a.Pieces = append(a.Pieces, PieceAvance{Kind: FACTURE, Nom: d.FileName(FACTURE), Format: asp.FormatPDF, Type: asp.TypeFichierFacture})
		}
	}
	a.Signataires = bdcSignataires(r)
	k.avanceFenetre()
	k.avanceMontant()
	k.contacts()
}

// bdcSignataires are who signs the BDC for the client.
func bdcSignataires(r *Record) []Page {
	cl := r.Client
	if cl == nil {
		return nil
	}
	if cl.Type == Structure {
		s := Signataire{Organisation: cl.Nom, Role: RoleResponsable}
		if p := cl.Responsable; p != nil {
			s.Nom, s.Prenom, s.Qualite, s.Civilite = p.Nom, p.Prenom, p.Qualite, Civilite(p.Civilite)
		}
		return []Page{{Beneficiaires: r.Beneficiaires, Signataire: s}}
	}
	var out []Page
	for _, b := range r.Beneficiaires {
		out = append(out, Page{
			Beneficiaires: []Beneficiaire{b},
			Signataire:    Signataire{Nom: b.Nom, Prenom: b.Prenom, Qualite: "médecin", Civilite: Civilite(b.Civilite), Organisation: cl.Nom, Role: RoleBeneficiaire},
			ID:            b.RPPS,
		})
	}
	return out
}

// avanceFenetre checks the order is dated within the dispositif's window
// (from Date 1 for Va2, seed 002 §2.2 L182, L262) and the avance filed
// before its deadline (Date 3: « toute demande … postérieure à cette date
// est irrecevable », seed 002 L177; seed 001 L188 for Biologie). A date no
// source gives is not invented: the record gets a DELAI_NON_PUBLIE warning
// naming the missing source, and that bound is not checked.
func (k *rules) avanceFenetre() {
	c, r, dis := k.c, k.r, k.dis
	debut, fin := dis.CommandesDebut(), dis.AvanceLimit()
	jourSeul := dis.AvanceJourSeul()
	finFR := fin.Format("02/01/2006 à 15h04")
	if jourSeul {
		finFR = fin.Format("02/01/2006") + ", heure non publiée"
	}
	if cmd := r.Commande; cmd != nil && !cmd.Date.IsZero() {
		day := cmd.Date.ISO()
		switch {
		case !debut.IsZero() && day < debut.Format(time.DateOnly):
			c.errorf("commande.date", "COMMANDE_HORS_FENETRE", "bon de commande du %s, avant l'ouverture des commandes de %s le %s (%s) : la commande n'est pas éligible", cmd.Date.FR(), dis.ID, debut.Format("02/01/2006"), dis.Delais.CommandesDebutSource)
		case !fin.IsZero() && day > fin.Format(time.DateOnly):
			c.errorf("commande.date", "COMMANDE_HORS_FENETRE", "bon de commande du %s, après la clôture des demandes d'avance de %s le %s : la commande n'est pas éligible", cmd.Date.FR(), dis.ID, finFR)
		}
		if debut.IsZero() {
			c.warnf("commande.date", "DELAI_NON_PUBLIE", "date d'ouverture des commandes de %s non publiée (%s) : la date du bon de commande n'est pas comparée à l'ouverture", dis.ID, dis.Delais.CommandesDebutSource)
		}
	}
	dep := k.opt.DateDepot
	switch {
	case dep.IsZero():
	case fin.IsZero():
		c.warnf("dispositif", "DELAI_NON_PUBLIE", "date de clôture des demandes d'avance de %s non publiée (%s) : le délai de dépôt de l'avance n'est pas contrôlé", dis.ID, dis.Delais.AvanceSource)
	case jourSeul && dep.Format(time.DateOnly) > fin.Format(time.DateOnly),
		!jourSeul && dep.After(fin):
		c.errorf("dispositif", "AVANCE_DELAI_DEPASSE", "dépôt de l'avance le %s, après la clôture du guichet des avances de %s (%s) : la demande est irrecevable (%s)", dep.Format("02/01/2006 à 15h04"), dis.ID, finFR, dis.Delais.AvanceSource)
	case jourSeul && dep.Format(time.DateOnly) == fin.Format(time.DateOnly):
		c.warnf("dispositif", "DELAI_NON_PUBLIE", "dépôt de l'avance le %s, jour de clôture du guichet des avances de %s dont aucune source ne donne l'heure (%s) : les guichets de l'ASP ferment à 12h ou 14h, déposez avant midi", dep.Format("02/01/2006 à 15h04"), dis.ID, dis.Delais.AvanceSource)
	}
}

// avanceMontant checks the amounts the record gives for the avance against
// what the dispositif sets: the Prestation Ségur declared is the BDC's, and
// the avance asked is its percentage (30 % Va1, 40 % Va2) — so at most that
// percentage of the ceiling of its beneficiaries.
func (k *rules) avanceMontant() {
	c, r, d, dis := k.c, k.r, k.d, k.dis
	av := r.Avance
	if av == nil || d.Commande.Montant.HT.IsZero() {
		return
	}
	ht := d.Commande.Montant.HT
	if av.MontantHT != nil && !av.MontantHT.Equal(ht) {
		c.errorf("avance.montant_ht", "AVANCE_MONTANT_COMMANDE", "%s € HT déclarés à l'avance, mais %s € HT au bon de commande : l'avance déclare la Prestation Ségur commandée", euros(*av.MontantHT), euros(ht))
	}
	if av.MontantDemandeHT != nil && !av.MontantDemandeHT.Equal(d.Avance.MontantHT) {
		c.errorf("avance.montant_demande_ht", "AVANCE_POURCENTAGE", "avance demandée de %s € HT : %s verse %d %% de la Prestation Ségur commandée, soit %s € HT (%d %% de %s € HT ; plafond de l'avance %s € HT)", euros(*av.MontantDemandeHT), dis.ID, dis.Split.Avance, euros(d.Avance.MontantHT), dis.Split.Avance, euros(ht), euros(Percent(d.Commande.Plafond, dis.Split.Avance)))
	}
}

// contacts checks the contacts the avance line carries: the mandataire's
// e-mail and phone when one is declared (an error: the ASP writes to him),
// the médecins' and the responsable's (a warning when missing: null in the
// JSON); a given address or number that cannot be one is an error.
func (k *rules) contacts() {
	c, r := k.c, k.r
	if m := r.Mandataire; m != nil {
		if m.Email == "" || m.Telephone == "" {
			missing := "l'e-mail"
			switch {
			case m.Email == "" && m.Telephone == "":
				missing = "l'e-mail et le téléphone"
			case m.Telephone == "":
				missing = "le téléphone"
			}
			path := "mandataire.email"
			if m.Email != "" {
				path = "mandataire.telephone"
			}
			if !r.Has(path) {
				path = "mandataire"
			}
			c.errorf(path, "MANDATAIRE_CONTACT", "mandataire « %s » déclaré sans %s : la demande d'avance porte ses coordonnées (emailMandataire, telephoneMandataire)", m.Nom, missing)
		}
		contactFormat(c, "mandataire", m.Email, m.Telephone)
	}
	cl := r.Client
	if cl == nil {
		return
	}
	if cl.Type == Structure {
		if cl.Email == "" || cl.Telephone == "" {
			c.warnf("client", "CONTACT_MANQUANT", "e-mail ou téléphone du client absent : emailResponsable / telephoneResponsable seront null dans la demande d'avance (seed 002 §6.2.1 les demande)")
		}
		contactFormat(c, "client", cl.Email, cl.Telephone)
		return
	}
	for i, b := range r.Beneficiaires {
		p := fmt.Sprintf("beneficiaires[%d]", i)
		if b.Email == "" || b.Telephone == "" {
			c.warnf(p, "CONTACT_MANQUANT", "e-mail ou téléphone du médecin %s absent : emailMedecin / telephoneMedecin seront null dans la demande d'avance (seed 002 §6.2.1 les demande)", b.Name())
		}
		contactFormat(c, p, b.Email, b.Telephone)
	}
}

func contactFormat(c *checker, path, email, tel string) {
	if email != "" && !asp.Email.MatchString(email) {
		c.errorf(path+".email", "CONTACT_FORMAT", "« %s » n'est pas une adresse e-mail complète (nom@domaine.fr)", email)
	}
	if tel != "" && !asp.Telephone.MatchString(asp.PhoneDigits(tel)) {
		c.errorf(path+".telephone", "CONTACT_FORMAT", "« %s » n'est pas un numéro de téléphone (10 chiffres, ou +33 et 9 chiffres)", tel)
	}
}
