package dossier

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Dispositif is the regulatory data of one dispositif (a SONS and a vague),
// read from templates/dispositifs/<id>.yaml. Adding a dispositif or
// correcting a figure means editing that file, not Go code.
type Dispositif struct {
	ID           string `yaml:"id"`
	Libelle      string `yaml:"libelle"`
	Statut       string `yaml:"statut"` // definitif | provisoire
	StatutSource string `yaml:"statut_source"`

	Split struct {
		Avance int    `yaml:"avance"`
		Solde  int    `yaml:"solde"`
		Source string `yaml:"source"`
	} `yaml:"split"`

	Justificatif struct {
		MOMQuand MOMQuand `yaml:"mom_quand"`
		Source   string   `yaml:"source"`
	} `yaml:"justificatif"`

	Clients struct {
		Types          []string        `yaml:"types"`
		StructureTypes []StructureType `yaml:"structure_types"`
		Effectifs      bool            `yaml:"effectifs"`
		Source         string          `yaml:"source"`
	} `yaml:"clients"`

	SpecialitesExclues struct {
		Valeurs []string `yaml:"valeurs"`
		Source  string   `yaml:"source"`
	} `yaml:"specialites_exclues"`

	Plafond struct {
		Base PlafondBase `yaml:"base"`
		// TauxNonAssujetti converts a TTC ceiling into HT when the
		// fournisseur is not liable to TVA (taux_tva 0).
		TauxNonAssujetti decimal.Decimal `yaml:"taux_non_assujetti"`
		Source           string          `yaml:"source"`
		Baremes          []Bareme        `yaml:"baremes"`
	} `yaml:"plafond"`

	Prestations struct {
		Source  string       `yaml:"source"`
		Valeurs []Prestation `yaml:"valeurs"`
	} `yaml:"prestations"`

	DeclarationVA1 struct {
		Requise bool `yaml:"requise"`
		// Texte is the client's sworn statement printed on the BDC.
		Texte  string `yaml:"texte"`
		Source string `yaml:"source"`
	} `yaml:"declaration_va1"`

	Profils struct {
		Source string        `yaml:"source"`
		Regles []RegleProfil `yaml:"regles"`
	} `yaml:"profils"`

	AccompagnementRenforce struct {
		Autorise bool `yaml:"autorise"`
		// Clients are the client types it may be ordered for.
		Clients []string `yaml:"clients"`
		// PlafondParBeneficiaire is the HT ceiling per beneficiary; nil
		// while the AF has not published it, and then any amount is refused.
		PlafondParBeneficiaire *decimal.Decimal `yaml:"plafond_ht_par_beneficiaire"`
		// Libelle is the name of its line on the BDC and the facture.
		Libelle string `yaml:"libelle"`
		// Intitule and Attestation are the heading and the sentence of the
		// MOM or VA attesting the threshold that conditions it.
		Intitule    string `yaml:"intitule"`
		Attestation string `yaml:"attestation"`
		Source      string `yaml:"source"`
	} `yaml:"accompagnement_renforce"`

	TauxTVA struct {
		Valeurs []decimal.Decimal `yaml:"valeurs"`
		Source  string            `yaml:"source"`
	} `yaml:"taux_tva"`

	IdentDMP struct {
		Mode   IdentDMPMode `yaml:"mode"`
		Source string       `yaml:"source"`
	} `yaml:"ident_dmp"`

	Pieces struct {
		Source  string  `yaml:"source"`
		Valeurs []Piece `yaml:"valeurs"`
	} `yaml:"pieces"`

	Commande struct {
		DelaiAvantReferencementJours int    `yaml:"delai_avant_referencement_jours"`
		VersionInstalleeRequise      bool   `yaml:"version_installee_requise"`
		MentionConditionnelle        string `yaml:"mention_conditionnelle"`
		Source                       string `yaml:"source"`
	} `yaml:"commande"`

	Delais struct {
		Solde  string `yaml:"solde"` // RFC 3339, empty when not known
		Source string `yaml:"source"`
		// CommandesDebut is the first day an order is eligible (Va2: Date
		// 1), Avance the last moment an avance may be filed (Va2: Date 3),
		// RFC 3339, a day alone (2022-11-30) when no source gives the
		// hour, empty when no source gives the date; each with its source.
		CommandesDebut       string `yaml:"commandes_debut"`
		CommandesDebutSource string `yaml:"commandes_debut_source"`
		Avance               string `yaml:"avance"`
		AvanceSource         string `yaml:"avance_source"`
	} `yaml:"delais"`

	// JSONAvance names the avance JSON's profile (templates/json/).
	JSONAvance struct {
		Profil string `yaml:"profil"`
		Source string `yaml:"source"`
	} `yaml:"json_avance"`

	JSONSolde struct {
		Source string      `yaml:"source"`
		Champs []ChampJSON `yaml:"champs"`
	} `yaml:"json_solde"`

	Textes Textes `yaml:"textes"`

	soldeLimit     time.Time
	avanceLimit    time.Time
	avanceJour     bool // delais.avance is a day without an hour
	commandesDebut time.Time
	profilAvance   *ProfilAvance
	specialites    *Specialites
}

// AvanceLimit is the last moment an avance may be filed (zero when unknown).
func (d *Dispositif) AvanceLimit() time.Time { return d.avanceLimit }

// AvanceJourSeul: the data gives the avance's last day but no source its
// hour (AvanceLimit is then that day at 00:00 UTC).
func (d *Dispositif) AvanceJourSeul() bool { return d.avanceJour }

// CommandesDebut is the first moment an order is eligible (zero when
// unknown).
func (d *Dispositif) CommandesDebut() time.Time { return d.commandesDebut }

// ProfilAvance is the avance JSON's profile.
func (d *Dispositif) ProfilAvance() *ProfilAvance { return d.profilAvance }

// SoldeProvisoires lists the solde JSON keys of the dispositif whose name
// the ASP has not published.
func (d *Dispositif) SoldeProvisoires() []string {
	var out []string
	for _, f := range d.JSONSolde.Champs {
		if f.Provisoire {
			out = append(out, f.Cle)
		}
	}
	return out
}

// SpecialiteLibelle is the libellé of a médecin's specialty, "" when none.
func (d *Dispositif) SpecialiteLibelle(id string) string {
	if d.specialites == nil {
		return ""
	}
	return d.specialites.Libelle(id)
}

// Bareme is one row of ceilings, for a prestation ("" when the dispositif
// has none).
type Bareme struct {
	Prestation             string          `yaml:"prestation"`
	LiberalParBeneficiaire decimal.Decimal `yaml:"liberal_par_beneficiaire"`
	StructureFixe          decimal.Decimal `yaml:"structure_fixe"`
	StructureParEffectif   decimal.Decimal `yaml:"structure_par_effectif"`
}

// Prestation is a kind of Prestation Ségur (Va2).
type Prestation struct {
	ID              string `yaml:"id"`
	Libelle         string `yaml:"libelle"`
	JSON            string `yaml:"json"`
	ReserveeSansVA1 bool   `yaml:"reservee_sans_va1"`
}

// MOMQuand is a dispositif's rule for the justificatif (justificatif.mom_quand):
// which dossiers prove their réalisation by a MOM rather than a VA.
type MOMQuand string

// The MOM rules a dispositif may give.
const (
	MOMTousDirects MOMQuand = "tous_directs" // a MOM when every flow is direct
	MOMDMPDirect   MOMQuand = "dmp_direct"   // a MOM when the DMP flow is direct
	MOMJamais      MOMQuand = "jamais"       // always a VA
)

// PlafondBase is what a dispositif's ceiling is counted on (plafond.base).
type PlafondBase string

// The ceiling bases a dispositif may give.
const (
	PlafondTTC      PlafondBase = "ttc"      // the barème is TTC
	PlafondHT       PlafondBase = "ht"       // the barème is HT
	PlafondCommande PlafondBase = "commande" // no barème: the BDC's amount
)

// RegleProfil says which solution profile a client characteristic requires.
type RegleProfil struct {
	SiStructureType StructureType `yaml:"si_structure_type"`
	SiSpecialite    []string      `yaml:"si_specialite"`
	Profil          string        `yaml:"profil"`
	Libelle         string        `yaml:"libelle"`
}

// Piece is an extra pièce justificative the dispositif requires.
type Piece struct {
	Type    string `yaml:"type"` // file-name KIND: CR, CATALOGUE
	Libelle string `yaml:"libelle"`
	// Extensions, when set, are the only file types accepted for this
	// pièce (lower case, without the dot: pdf, csv).
	Extensions []string `yaml:"extensions"`
}

// ChampJSON is a dispositif-specific field of the solde JSON line. Valeur
// names a derived value: prestation | certificats_dmp | profil |
// accompagnement. Provisoire marks a key name the ASP has not published.
type ChampJSON struct {
	Cle        string `yaml:"cle"`
	Valeur     string `yaml:"valeur"`
	Provisoire bool   `yaml:"provisoire"`
	Source     string `yaml:"source"`
}

// Textes is the fixed wording of the VA and MOM.
type Textes struct {
	VAIntroduction  string `yaml:"va_introduction"`
	MOMIntroduction string `yaml:"mom_introduction"`
	MOMCas          string `yaml:"mom_cas"`
	VACocher        string `yaml:"va_cocher"`
	VACocherSource  string `yaml:"va_cocher_source"`
	// SoussigneMasculin and SoussigneFeminin open the identification of a
	// MOM or VA; SoussigneInconnu when the signatory's civility is unknown.
	SoussigneMasculin string      `yaml:"soussigne_masculin"`
	SoussigneFeminin  string      `yaml:"soussigne_feminin"`
	SoussigneInconnu  string      `yaml:"soussigne_inconnu"`
	Source            string      `yaml:"source"`
	Flux              []TexteFlux `yaml:"flux"`
}

// TexteFlux is the wording of one flow: its heading, the VA box when direct,
// the VA box when through another software, and the MOM attestation.
type TexteFlux struct {
	ID       string `yaml:"id"` // dmp | mss_pro | mss_citoyen
	Intitule string `yaml:"intitule"`
	Direct   string `yaml:"direct"`
	Tiers    string `yaml:"tiers"`
	MOM      string `yaml:"mom"`
	// MOMTiers stands in a MOM for a flow that goes through another
	// software, where the dispositif allows it (Va2: only the DMP decides).
	MOMTiers string `yaml:"mom_tiers"`
	// ParPrestation replaces the wording for one prestation (Va2: the
	// ten-document threshold of « Mise à jour vague 1 et vague 2 »).
	ParPrestation []VarianteFlux `yaml:"par_prestation"`
}

// VarianteFlux is the wording of a flow for one prestation; an empty field
// keeps the flow's own.
type VarianteFlux struct {
	Prestation string `yaml:"prestation"`
	Direct     string `yaml:"direct"`
	Tiers      string `yaml:"tiers"`
	MOM        string `yaml:"mom"`
	Source     string `yaml:"source"`
}

// For returns the flow's wording for a prestation ("" for none).
func (f TexteFlux) For(prestation string) TexteFlux {
	out := f
	out.ParPrestation = nil
	for _, v := range f.ParPrestation {
		if v.Prestation != prestation {
			continue
		}
		if v.Direct != "" {
			out.Direct = v.Direct
		}
		if v.Tiers != "" {
			out.Tiers = v.Tiers
		}
		if v.MOM != "" {
			out.MOM = v.MOM
		}
	}
	return out
}

// Provisoire reports whether the dispositif's source is a draft.
func (d *Dispositif) Provisoire() bool { return d.Statut == "provisoire" }

// SoldeLimit is the last moment a solde may be filed (zero when unknown).
func (d *Dispositif) SoldeLimit() time.Time { return d.soldeLimit }

// Prestation returns the prestation id, or nil.
func (d *Dispositif) Prestation(id string) *Prestation {
	for i := range d.Prestations.Valeurs {
		if d.Prestations.Valeurs[i].ID == id {
			return &d.Prestations.Valeurs[i]
		}
	}
	return nil
}

// Bareme returns the ceilings row for a prestation, or nil.
func (d *Dispositif) Bareme(prestation string) *Bareme {
	for i := range d.Plafond.Baremes {
		if d.Plafond.Baremes[i].Prestation == prestation {
			return &d.Plafond.Baremes[i]
		}
	}
	return nil
}

// Registry holds every known dispositif.
type Registry struct {
	byID map[string]*Dispositif
	ids  []string
	tva  *TVAData
	// specialites are the médecins' specialties (specialites.yaml).
	specialites *Specialites
	// contenus says what a pièce's bytes must be, by extension.
	contenus *Contenus
}

// Get returns the dispositif id, or nil.
func (r *Registry) Get(id string) *Dispositif { return r.byID[id] }

// Names lists the known dispositifs, comma-separated.
func (r *Registry) Names() string { return strings.Join(r.ids, ", ") }

// All returns the dispositifs in id order.
func (r *Registry) All() []*Dispositif {
	out := make([]*Dispositif, len(r.ids))
	for i, id := range r.ids {
		out[i] = r.byID[id]
	}
	return out
}

// LoadRegistry reads and checks every dispositifs/*.yaml of fsys. Any
// problem is an error: the data ships with the binary and must be right.
func LoadRegistry(fsys fs.FS) (*Registry, error) {
	names, err := fs.Glob(fsys, "dispositifs/*.yaml")
	if err != nil {
		return nil, err
	}
	reg := &Registry{byID: map[string]*Dispositif{}}
	var errs []string
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		d, probs := parseDispositif(name, data)
		for _, p := range probs {
			errs = append(errs, p.String())
		}
		if d == nil || len(probs) > 0 {
			continue
		}
		if want := strings.TrimSuffix(path.Base(name), ".yaml"); d.ID != want {
			errs = append(errs, fmt.Sprintf("%s: id « %s » différent du nom du fichier", name, d.ID))
			continue
		}
		reg.byID[d.ID] = d
		reg.ids = append(reg.ids, d.ID)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("données des dispositifs invalides :\n%s", strings.Join(errs, "\n"))
	}
	if len(reg.ids) == 0 {
		return nil, fmt.Errorf("aucun dispositif dans les données embarquées")
	}
	if reg.tva, err = loadTVA(fsys); err != nil {
		return nil, err
	}
	if reg.specialites, err = loadSpecialites(fsys); err != nil {
		return nil, err
	}
	if reg.contenus, err = loadContenus(fsys); err != nil {
		return nil, err
	}
	profils, err := loadProfilsAvance(fsys)
	if err != nil {
		return nil, err
	}
	for _, d := range reg.byID {
		d.specialites = reg.specialites
		if d.profilAvance = profils[d.JSONAvance.Profil]; d.profilAvance == nil {
			return nil, fmt.Errorf("dispositifs/%s.yaml : json_avance.profil : « %s » n'est pas un profil de templates/json/", d.ID, d.JSONAvance.Profil)
		}
		for i, v := range d.SpecialitesExclues.Valeurs {
			if reg.specialites.Libelle(v) == "" {
				return nil, fmt.Errorf("dispositifs/%s.yaml : specialites_exclues.valeurs[%d] : « %s » n'est pas dans specialites.yaml", d.ID, i, v)
			}
		}
	}
	slices.Sort(reg.ids)
	return reg, nil
}

func parseDispositif(name string, data []byte) (*Dispositif, []Problem) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := syntaxError(err)
		return nil, []Problem{{Pos: Pos{File: name, Line: line}, Code: "YAML_SYNTAXE", Message: msg}}
	}
	if len(root.Content) == 0 {
		return nil, []Problem{{Pos: Pos{File: name}, Code: "CHAMP_MANQUANT", Message: "fichier vide"}}
	}
	d := &Dispositif{}
	dec := &decoder{file: name, pos: positions{}}
	dec.decode(root.Content[0], reflectValue(d), "", false)
	c := &checker{pos: dec.pos, src: Pos{File: name, Line: 1}, numero: d.ID}
	c.probs = dec.probs
	checkDispositif(c, d)
	return d, c.probs
}

// checkDispositif checks the data file's consistency: every rule the Go code
// relies on, and a source for every table.
func checkDispositif(c *checker, d *Dispositif) {
	c.required("id", d.ID)
	c.required("libelle", d.Libelle)
	c.oneOf("statut", d.Statut, "definitif", "provisoire")
	c.required("statut_source", d.StatutSource)
	if d.Split.Avance <= 0 || d.Split.Solde <= 0 || d.Split.Avance+d.Split.Solde != 100 {
		c.errorf("split", "VALEUR_INVALIDE", "avance + solde doit faire 100 (%d + %d)", d.Split.Avance, d.Split.Solde)
	}
	c.required("split.source", d.Split.Source)
	c.oneOf("justificatif.mom_quand", string(d.Justificatif.MOMQuand), string(MOMTousDirects), string(MOMDMPDirect), string(MOMJamais))
	c.required("justificatif.source", d.Justificatif.Source)
	if len(d.Clients.Types) == 0 {
		c.errorf("clients.types", "CHAMP_MANQUANT", "au moins un type de client")
	}
	for i, t := range d.Clients.Types {
		c.oneOf(fmt.Sprintf("clients.types[%d]", i), t, Liberal, Structure)
	}
	c.required("clients.source", d.Clients.Source)
	c.required("specialites_exclues.source", d.SpecialitesExclues.Source)
	c.oneOf("plafond.base", string(d.Plafond.Base), string(PlafondTTC), string(PlafondHT), string(PlafondCommande))
	c.required("plafond.source", d.Plafond.Source)
	if d.Plafond.Base == PlafondTTC && !d.Plafond.TauxNonAssujetti.IsPositive() {
		c.errorf("plafond.taux_non_assujetti", "CHAMP_MANQUANT", "un barème TTC a besoin du taux qui le convertit en HT pour un fournisseur non assujetti")
	}
	if d.Plafond.Base != PlafondCommande && len(d.Plafond.Baremes) == 0 {
		c.errorf("plafond.baremes", "CHAMP_MANQUANT", "un barème est obligatoire quand la base n'est pas « commande »")
	}
	for i, b := range d.Plafond.Baremes {
		p := fmt.Sprintf("plafond.baremes[%d]", i)
		if !b.LiberalParBeneficiaire.IsPositive() || !b.StructureFixe.IsPositive() || b.StructureParEffectif.IsNegative() {
			c.errorf(p, "VALEUR_INVALIDE", "montants du barème absents ou nuls")
		}
		if len(d.Prestations.Valeurs) > 0 && d.Prestation(b.Prestation) == nil {
			c.errorf(p+".prestation", "VALEUR_INVALIDE", "prestation « %s » non déclarée", b.Prestation)
		}
	}
	for i, pr := range d.Prestations.Valeurs {
		p := fmt.Sprintf("prestations.valeurs[%d]", i)
		c.required(p+".id", pr.ID)
		c.required(p+".libelle", pr.Libelle)
		if d.Plafond.Base != PlafondCommande && d.Bareme(pr.ID) == nil {
			c.errorf(p, "CHAMP_MANQUANT", "pas de barème pour la prestation « %s »", pr.ID)
		}
	}
	if len(d.Prestations.Valeurs) > 0 {
		c.required("prestations.source", d.Prestations.Source)
	}
	if len(d.TauxTVA.Valeurs) == 0 {
		c.errorf("taux_tva.valeurs", "CHAMP_MANQUANT", "au moins un taux de TVA")
	}
	c.required("taux_tva.source", d.TauxTVA.Source)
	c.oneOf("ident_dmp.mode", string(d.IdentDMP.Mode), string(IdentDMPRPPS), string(IdentDMPAssocieFiness), string(IdentDMPAucun))
	c.required("ident_dmp.source", d.IdentDMP.Source)
	for i, p := range d.Pieces.Valeurs {
		if !reKind.MatchString(p.Type) {
			c.errorf(fmt.Sprintf("pieces.valeurs[%d].type", i), "VALEUR_INVALIDE", "type de pièce « %s » : lettres majuscules attendues", p.Type)
		}
		for j, e := range p.Extensions {
			if !reExt.MatchString("." + e) {
				c.errorf(fmt.Sprintf("pieces.valeurs[%d].extensions[%d]", i, j), "VALEUR_INVALIDE", "extension « %s » : de 1 à 10 lettres minuscules ou chiffres, sans point", e)
			} else if why := ForbiddenPiece("x." + e); why != "" {
				c.errorf(fmt.Sprintf("pieces.valeurs[%d].extensions[%d]", i, j), "VALEUR_INVALIDE", "extension « %s » : c'est %s, jamais une pièce", e, why)
			}
		}
	}
	if d.Commande.DelaiAvantReferencementJours <= 0 {
		c.errorf("commande.delai_avant_referencement_jours", "CHAMP_MANQUANT", "délai obligatoire")
	}
	c.required("commande.mention_conditionnelle", d.Commande.MentionConditionnelle)
	c.required("commande.source", d.Commande.Source)
	if d.Delais.Solde != "" {
		t, err := time.Parse(time.RFC3339, d.Delais.Solde)
		if err != nil {
			c.errorf("delais.solde", "DATE_FORMAT", "date RFC 3339 attendue (2023-12-14T14:00:00+01:00)")
		}
		d.soldeLimit = t
	}
	c.required("delais.source", d.Delais.Source)
	for _, dl := range []struct {
		path, v, source string
		t               *time.Time
		jour            *bool
	}{
		{"delais.commandes_debut", d.Delais.CommandesDebut, d.Delais.CommandesDebutSource, &d.commandesDebut, new(bool)},
		{"delais.avance", d.Delais.Avance, d.Delais.AvanceSource, &d.avanceLimit, &d.avanceJour},
	} {
		c.required(dl.path+"_source", dl.source)
		if dl.v == "" {
			continue
		}
		if t, err := time.Parse(time.DateOnly, dl.v); err == nil {
			*dl.t, *dl.jour = t, true
			continue
		}
		t, err := time.Parse(time.RFC3339, dl.v)
		if err != nil {
			c.errorf(dl.path, "DATE_FORMAT", "date RFC 3339 attendue (2022-11-30T14:00:00+01:00), ou le jour seul (2022-11-30) quand aucune source ne donne l'heure")
		}
		*dl.t = t
	}
	c.required("json_avance.profil", d.JSONAvance.Profil)
	c.required("json_avance.source", d.JSONAvance.Source)
	for i, f := range d.JSONSolde.Champs {
		c.required(fmt.Sprintf("json_solde.champs[%d].cle", i), f.Cle)
		c.oneOf(fmt.Sprintf("json_solde.champs[%d].valeur", i), f.Valeur, "prestation", "certificats_dmp", "profil", "accompagnement")
	}
	if a := d.AccompagnementRenforce; a.Autorise {
		if len(a.Clients) == 0 {
			c.errorf("accompagnement_renforce.clients", "CHAMP_MANQUANT", "les types de client éligibles à l'accompagnement renforcé sont obligatoires")
		}
		for i, t := range a.Clients {
			c.oneOf(fmt.Sprintf("accompagnement_renforce.clients[%d]", i), t, Liberal, Structure)
		}
		c.required("accompagnement_renforce.libelle", a.Libelle)
		c.required("accompagnement_renforce.intitule", a.Intitule)
		c.required("accompagnement_renforce.attestation", a.Attestation)
		c.required("accompagnement_renforce.source", a.Source)
	}
	if d.DeclarationVA1.Requise {
		c.required("declaration_va1.texte", d.DeclarationVA1.Texte)
	}
	for _, k := range []struct{ path, v string }{
		{"textes.soussigne_masculin", d.Textes.SoussigneMasculin},
		{"textes.soussigne_feminin", d.Textes.SoussigneFeminin},
		{"textes.soussigne_inconnu", d.Textes.SoussigneInconnu},
	} {
		c.required(k.path, k.v)
	}
	flows := []string{"dmp", "mss_pro", "mss_citoyen"}
	if len(d.Textes.Flux) != len(flows) {
		c.errorf("textes.flux", "CHAMP_MANQUANT", "les trois flux dmp, mss_pro, mss_citoyen sont attendus dans cet ordre")
	}
	for i, f := range d.Textes.Flux {
		p := fmt.Sprintf("textes.flux[%d]", i)
		if i < len(flows) && f.ID != flows[i] {
			c.errorf(p+".id", "VALEUR_INVALIDE", "« %s » attendu", flows[i])
		}
		c.required(p+".intitule", f.Intitule)
		c.required(p+".direct", f.Direct)
		c.required(p+".tiers", f.Tiers)
		if d.Justificatif.MOMQuand != MOMJamais {
			c.required(p+".mom", f.MOM)
		}
		if d.Justificatif.MOMQuand == MOMDMPDirect && f.ID != "dmp" {
			c.required(p+".mom_tiers", f.MOMTiers)
		}
		for j, v := range f.ParPrestation {
			q := fmt.Sprintf("%s.par_prestation[%d]", p, j)
			if d.Prestation(v.Prestation) == nil {
				c.errorf(q+".prestation", "VALEUR_INVALIDE", "prestation « %s » non déclarée", v.Prestation)
			}
			c.required(q+".source", v.Source)
		}
	}
	c.required("textes.va_introduction", d.Textes.VAIntroduction)
	c.required("textes.va_cocher", d.Textes.VACocher)
	if d.Justificatif.MOMQuand != MOMJamais {
		c.required("textes.mom_introduction", d.Textes.MOMIntroduction)
		c.required("textes.mom_cas", d.Textes.MOMCas)
	}
	c.required("textes.source", d.Textes.Source)
}

// IdentDMPMode is what a dispositif's JSON identDMP holds for a direct
// sending to the DMP.
type IdentDMPMode string

// Modes of identDMP.
const (
	IdentDMPRPPS          IdentDMPMode = "rpps"           // the médecin's RPPS
	IdentDMPAssocieFiness IdentDMPMode = "associe_finess" // the associated identifier, then the FINESS géographique
	IdentDMPAucun         IdentDMPMode = "aucun"          // always null
)
