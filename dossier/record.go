package dossier

import (
	"github.com/shopspring/decimal"
)

// Record is one order record: one bon de commande, one ASP dossier, one
// facture, as typed by the user (fixtures/ has a commented example of each
// case). It grows with the dossier: Avance, Realisation and Facture are
// added after the order.
type Record struct {
	Dispositif    string         `yaml:"dispositif"`
	NumeroEditeur string         `yaml:"numero_editeur" seg:"ident"`
	NumeroASP     string         `yaml:"numero_asp" seg:"ident"`
	Solution      string         `yaml:"solution" seg:"ident"`
	Prestation    string         `yaml:"prestation"`
	Commande      *Commande      `yaml:"commande"`
	Client        *Client        `yaml:"client"`
	Beneficiaires []Beneficiaire `yaml:"beneficiaires"`
	Mandataire    *Mandataire    `yaml:"mandataire"`
	Avance        *Avance        `yaml:"avance"`
	Changements   []Changement   `yaml:"changements"`
	Realisation   *Realisation   `yaml:"realisation"`
	Facture       *Facture       `yaml:"facture"`
	Signature     *Signature     `yaml:"signature"`

	// Source is where the record starts (file and line of its first key).
	Source Pos `yaml:"-"`
	// Dir is the directory of the record's file: relative paths (traité,
	// pièces) are resolved from it.
	Dir string `yaml:"-"`
	// Problems found while reading (syntax, unknown keys, types).
	Problems []Problem `yaml:"-"`
	// Broken is set when the YAML could not be read at all.
	Broken bool `yaml:"-"`

	pos positions
	// dropped counts the decoder's problems past MaxProblemsPerRecord.
	dropped int
	// misspelt is set when a key is unknown but close to a known one (a
	// typo): the rules are not applied, since they would only report what
	// the misspelt key holds as missing (CHAMP_MANQUANT, MONTANT_NUL,
	// BENEFICIAIRE_RETIRE…), which misleads.
	misspelt bool
}

// At returns where the value at path stands, or the nearest enclosing value
// that is present, or the record's start.
func (r *Record) At(path string) Pos { return r.pos.at(path, r.Source) }

// Has reports whether the user wrote a value at path (null counts as written).
func (r *Record) Has(path string) bool {
	_, ok := r.pos[path]
	return ok
}

func parentPath(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		switch p[i] {
		case '.':
			return p[:i]
		case '[':
			return p[:i]
		}
	}
	return ""
}

// Commande is the bon de commande block.
type Commande struct {
	Numero                     string           `yaml:"numero"`
	Date                       Date             `yaml:"date"`
	TauxTVA                    *decimal.Decimal `yaml:"taux_tva"`
	MontantHT                  *decimal.Decimal `yaml:"montant_ht"`
	AccompagnementRenforceHT   *decimal.Decimal `yaml:"accompagnement_renforce_ht"`
	SousConditionReferencement bool             `yaml:"sous_condition_referencement"`
	VersionInstallee           string           `yaml:"version_installee"`
	ScenarioPrevu              *ScenarioPrevu   `yaml:"scenario_prevu"`
	// OperateurMessagerie is the MSSanté operator's code the avance JSON
	// carries (operateurMessagerie; codes not published).
	OperateurMessagerie string `yaml:"operateur_messagerie"`
	// ProSanteConnect: the installation needs Pro Santé Connect
	// (isProSanteConnectNeeded).
	ProSanteConnect bool `yaml:"pro_sante_connect"`
}

// ScenarioPrevu is the installation scenario declared on the BDC: each flow
// is "direct" or "tiers".
type ScenarioPrevu struct {
	DMP        string `yaml:"dmp"`
	MSSPro     string `yaml:"mss_pro"`
	MSSCitoyen string `yaml:"mss_citoyen"`
}

// Personne is a named person with a quality (signatory, responsable).
type Personne struct {
	Nom     string `yaml:"nom"`
	Prenom  string `yaml:"prenom"`
	Qualite string `yaml:"qualite"`
	// Civilite is madame or monsieur ("" unknown): it agrees « soussigné ».
	Civilite string `yaml:"civilite"`
}

// FullName is « Prénom Nom ».
func (p *Personne) FullName() string {
	if p == nil {
		return ""
	}
	if p.Prenom == "" {
		return p.Nom
	}
	return p.Prenom + " " + p.Nom
}

// Client is the contracting party: it signs the BDC and receives the facture.
type Client struct {
	Type                 string        `yaml:"type"`
	Nom                  string        `yaml:"nom"`
	Siren                string        `yaml:"siren" seg:"ident"`
	Adresse              []string      `yaml:"adresse"`
	AdresseFacturation   []string      `yaml:"adresse_facturation"`
	Email                string        `yaml:"email"`
	Telephone            string        `yaml:"telephone"`
	Responsable          *Personne     `yaml:"responsable"`
	FinancementVA1       bool          `yaml:"financement_va1"`
	DeclarationSeuilsVA1 bool          `yaml:"declaration_seuils_va1"`
	StructureType        StructureType `yaml:"structure_type"`
	FinessJuridique      string        `yaml:"finess_juridique" seg:"ident"`
	Effectifs            *int          `yaml:"effectifs"`
}

// Client types (JSON commandePour).
const (
	Liberal   = "liberal"
	Structure = "structure"
)

// StructureType is a structure client's kind (client.structure_type), among
// those its dispositif allows (clients.structure_types); a profile rule may
// depend on it (si_structure_type).
type StructureType string

// The structure types the documents name.
const (
	StructureMSP StructureType = "msp" // maison de santé pluriprofessionnelle
	StructureCDS StructureType = "cds" // centre de santé
)

// Beneficiaire is a bénéficiaire final: a médecin (libéral) or a site
// (structure).
type Beneficiaire struct {
	RPPS         string   `yaml:"rpps" seg:"ident"`
	FinessGeo    string   `yaml:"finess_geo" seg:"ident"`
	Nom          string   `yaml:"nom"`
	Prenom       string   `yaml:"prenom"`
	Email        string   `yaml:"email"`
	Telephone    string   `yaml:"telephone"`
	Specialite   string   `yaml:"specialite"`
	Civilite     string   `yaml:"civilite"`
	RPPSMedecins []string `yaml:"rpps_medecins" seg:"ident"`
}

// ID is the beneficiary's identifier: RPPS for a médecin, FINESS géo for a site.
func (b Beneficiaire) ID() string {
	if b.FinessGeo != "" {
		return b.FinessGeo
	}
	return b.RPPS
}

// Name is « Prénom Nom » for a médecin, the site's name for a site.
func (b Beneficiaire) Name() string {
	if b.Prenom == "" {
		return b.Nom
	}
	return b.Prenom + " " + b.Nom
}

// Mandataire acts for the beneficiaries.
type Mandataire struct {
	Nom       string `yaml:"nom"`
	Email     string `yaml:"email"`
	Telephone string `yaml:"telephone"`
	// RepresentantNom and RepresentantPrenom name the person who signs
	// the VA for the mandataire; left blank on the VA when not given.
	RepresentantNom    string `yaml:"representant_nom"`
	RepresentantPrenom string `yaml:"representant_prenom"`
}

// Avance is what was filed at the avance.
type Avance struct {
	Beneficiaires []string         `yaml:"beneficiaires" seg:"ident"`
	MontantHT     *decimal.Decimal `yaml:"montant_ht"`
	// MontantDemandeHT is the avance asked, HT, when the record states it:
	// it must be the dispositif's percentage of the BDC's amount.
	MontantDemandeHT *decimal.Decimal `yaml:"montant_demande_ht"`
	// MontantVerse is the old key, ambiguous (HT or TTC?): refused with
	// AVANCE_MONTANT_AMBIGU. The amount paid is given HT or TTC.
	MontantVerse    *decimal.Decimal `yaml:"montant_verse"`
	MontantVerseHT  *decimal.Decimal `yaml:"montant_verse_ht"`
	MontantVerseTTC *decimal.Decimal `yaml:"montant_verse_ttc"`
	Statut          string           `yaml:"statut"`
	Mandataire      bool             `yaml:"mandataire"`
}

// Changement is a beneficiary bought or merged since the avance (cas 4).
type Changement struct {
	Ancien     string `yaml:"ancien" seg:"ident"`
	Nouveau    string `yaml:"nouveau" seg:"ident"`
	NouveauNom string `yaml:"nouveau_nom"`
	Traite     string `yaml:"traite"`
}

// Realisation is the finished Prestation Ségur.
type Realisation struct {
	DateFin        Date       `yaml:"date_fin"`
	Scenarios      *Scenarios `yaml:"scenarios"`
	CertificatsDMP []string   `yaml:"certificats_dmp"`
	Pieces         []string   `yaml:"pieces"`
}

// Scenarios are the flows effectively installed.
type Scenarios struct {
	DMP        *FluxDMP `yaml:"dmp"`
	MSSPro     *FluxMSS `yaml:"mss_pro"`
	MSSCitoyen *FluxMSS `yaml:"mss_citoyen"`
}

// FluxDMP is the DMP flow.
type FluxDMP struct {
	Direct *bool    `yaml:"direct"`
	Ident  []string `yaml:"ident" seg:"ident"`
}

// FluxMSS is an MSSanté flow, with the box it sends from.
type FluxMSS struct {
	Direct  *bool   `yaml:"direct"`
	Adresse *string `yaml:"adresse"`
}

// Facture is the invoice block.
type Facture struct {
	Numero        string           `yaml:"numero"`
	Date          Date             `yaml:"date"`
	Echeance      *Date            `yaml:"echeance"`
	MontantHT     *decimal.Decimal `yaml:"montant_ht"`
	Mode          FactureMode      `yaml:"mode"`
	FactureAvance *FactureAvance   `yaml:"facture_avance"`
}

// FactureMode is how a dossier is invoiced: one facture, or an avance
// then the solde (facture.mode in the records).
type FactureMode string

// Facture modes.
const (
	ModeUnique      FactureMode = "unique"
	ModeAvanceSolde FactureMode = "avance-solde"
)

// AvanceStatutPaye is the avance's statut once the ASP has paid it.
const AvanceStatutPaye = "paiement_effectue"

// FactureAvance is the avance invoice in mode avance-solde.
type FactureAvance struct {
	Numero string `yaml:"numero"`
	Date   Date   `yaml:"date"`
	// Fichier is the PDF of the avance facture as it was issued, resolved
	// from the record; it is put in the facture PDF as is.
	Fichier string `yaml:"fichier"`
}

// Signature says where documents are signed.
type Signature struct {
	Lieu string `yaml:"lieu"`
}
