package dossier

import (
	"regexp"
	"slices"
	"strings"
)

// reTownLine is an address's last line: a postal code and a town, maybe
// followed by CEDEX and its number.
var reTownLine = regexp.MustCompile(`^[0-9]{5}\s+(.+?)(?:\s+(?i:cedex)(?:\s+[0-9]+)?)?$`)

// townOf is the town of an address (« 69002 Lyon » → « Lyon »), "" when
// its last line is not a postal code and a town.
func townOf(adresse []string) string {
	if len(adresse) == 0 {
		return ""
	}
	m := reTownLine.FindStringSubmatch(strings.TrimSpace(adresse[len(adresse)-1]))
	if m == nil {
		return ""
	}
	return m[1]
}

// fillParts copies into d's parts what the record and segur.yaml state as
// is (the rules have set what they compute), so that the documents and the
// dépôt read the dossier alone. It runs on every dossier, blocked or not:
// a blocked one still names its client and dates in the rapport.
func fillParts(d *Dossier, r *Record, cfg *Config) {
	if cfg != nil && cfg.Fournisseur != nil {
		d.Parties.Fournisseur = *cfg.Fournisseur
		d.Parties.LieuFournisseur = townOf(cfg.Fournisseur.Adresse)
	}
	if r.Client != nil {
		d.Parties.Client = *r.Client
	}
	d.Parties.Beneficiaires = r.Beneficiaires
	d.Parties.Mandataire = r.Mandataire
	if r.Signature != nil {
		d.Parties.Lieu = r.Signature.Lieu
	}

	if c := r.Commande; c != nil {
		d.Commande.Numero = c.Numero
		d.Commande.Date = c.Date
		d.Commande.SousCondition = c.SousConditionReferencement
		d.Commande.VersionInstallee = c.VersionInstallee
		if c.ScenarioPrevu != nil {
			d.Commande.Scenario = *c.ScenarioPrevu
		}
	}
	if dis := d.Dispositif; dis != nil {
		a := dis.AccompagnementRenforce
		d.Commande.AccompagnementLigne = a.Autorise && slices.Contains(a.Clients, d.Parties.Client.Type)
	}

	if f := r.Facture; f != nil {
		d.Facture.Numero = f.Numero
		d.Facture.Date = f.Date
		d.Facture.DatePos = r.At("facture.date")
		d.Facture.Mode = f.Mode
		if fa := f.FactureAvance; fa != nil {
			d.Facture.Avance.Numero = fa.Numero
			d.Facture.Avance.Date = fa.Date
		}
	}
	if a := r.Avance; a != nil {
		d.Facture.AvanceVerseeTTC = a.MontantVerseTTC
	}
	d.Facture.FacturX = cfg != nil && cfg.FactureFormat() == FormatFacturX

	if re := r.Realisation; re != nil {
		d.Realisation.DateFin = re.DateFin
		d.Realisation.CertificatsDMP = re.CertificatsDMP
	}

	d.Documents = []Kind{BDC}
	if d.Stage == PhaseSolde && d.Justificatif.Kind != "" {
		d.Documents = append(d.Documents, d.Justificatif.Kind, FACTURE)
	}
}
