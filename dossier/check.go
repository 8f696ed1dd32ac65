package dossier

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/segur-sons/segur/asp"
	"github.com/shopspring/decimal"
)

// Phase is how far a dossier has gone: the order (BDC) or the solde.
type Phase int

const (
	PhaseCommande Phase = iota
	PhaseSolde
	// PhaseAvance checks the order and what its avance dépôt needs.
	PhaseAvance
)

func (p Phase) String() string {
	switch p {
	case PhaseCommande:
		return "commande"
	case PhaseAvance:
		return "avance"
	}
	return "solde"
}

// Kind is a document kind, as it appears in file names.
type Kind string

const (
	BDC     Kind = "BDC"
	MOM     Kind = "MOM"
	VA      Kind = "VA"
	FACTURE Kind = "FACTURE"
)

// Options steer Check.
type Options struct {
	// Phase is what to check: PhaseCommande checks only what a BDC needs;
	// PhaseSolde checks everything.
	Phase Phase
	// DateDepot is when the solde (or, with PhaseAvance, the avance) is
	// filed, for the deadline rules; zero skips them.
	DateDepot time.Time
	// ByStage checks each record at its own stage instead of Phase: a
	// record without realisation nor facture is checked as an order.
	ByStage bool
	// Strict makes a solde filed after the guichet's closing
	// (DELAI_DEPASSE) or citing a facture dated after the dépôt
	// (FACTURE_APRES_DEPOT) an error instead of a warning.
	Strict bool
	// Files checks the files a record names (pièces, traités); nil finds
	// none of them.
	Files FileChecker
	// Avances, when set, gives the solde what the avance's filing and the
	// ASP's answer told (the registre): the numéro ASP and the avance's
	// declaration of a record that leaves them out.
	Avances AvancesConnues
}

// Dossier is the complete, typed result of the rules for one record: its
// problems, and every value the documents, the JSON line and the dépôt use,
// grouped by what each part feeds. Renderers and the packer read only the
// Dossier (never the record nor segur.yaml) and never re-decide a rule. A
// dossier with an error may have parts left empty.
type Dossier struct {
	Ref      Ref
	Stage    Phase // PhaseSolde when the record has a realisation or facture block
	Problems []Problem

	Dispositif *Dispositif // nil when unknown
	Solution   *Solution   // nil when unknown
	Prestation *Prestation // Va2 only

	Parties      Parties       // who orders, who benefits, who signs
	TVA          TVA           // the rate of the BDC and the factures
	Commande     BonDeCommande // what the BDC states
	Facture      Factures      // what the facture(s) state
	Realisation  Installation  // the prestation as done: flows, end date
	Justificatif Justificatif  // the MOM or the VA
	JSON         LigneJSON     // the solde JSON line's own values
	Avance       AvancePart    // the avance's JSON line, zip and facture (PhaseAvance)
	// Pieces are the dispositif's extra pièces justificatives, resolved.
	Pieces []PieceFile
	// Documents are the documents the dossier gets at its stage: the BDC,
	// then the MOM or VA and the facture once the prestation is done.
	Documents []Kind

	run runKey // what the rules across a run need of it
}

// Unplaced is a copy of d without where its record stands — its file,
// its lines, the positions the rules across a run keep — nor its
// problems: none of them is drawn on a document. A key of what a
// document is drawn from digests it, so that the same record read
// through another path (a run from another folder) keys the same
// document.
func (d *Dossier) Unplaced() Dossier {
	c := *d
	c.Ref.Source = Pos{}
	c.Facture.DatePos = Pos{}
	c.Problems = nil
	c.run = runKey{}
	return c
}

// Ref is what identifies a dossier and names its files.
type Ref struct {
	Dispositif    string // as written, even when unknown
	NumeroEditeur string
	NumeroASP     string // "" before the avance is notified
	Source        Pos    // where the record starts
}

// Parties are the fournisseur (segur.yaml), the client, the
// beneficiaries and the mandataire, and where documents are signed.
type Parties struct {
	Fournisseur   Fournisseur
	Client        Client
	Beneficiaires []Beneficiaire
	Mandataire    *Mandataire // nil when none
	// Reprises are the takeovers between avance and solde (cas 4).
	Reprises []Reprise
	// Retires are declared at the avance and gone at the solde (cas 2);
	// MandataireRetire: the avance's mandataire is gone (cas 5).
	Retires          []string
	MandataireRetire bool
	// Lieu is where documents are signed (signature.lieu), "" when not given.
	Lieu string
	// LieuFournisseur is where the fournisseur signs its MOM: the town of
	// its address (segur.yaml), "" when it cannot be read.
	LieuFournisseur string
}

// TVA is the rate of the BDC and the factures; at rate 0, the legal basis
// printed instead of TVA and its EN 16931 VATEX code.
type TVA struct {
	Taux                     decimal.Decimal
	Mention, CodeExoneration string
}

// BonDeCommande is what the BDC states.
type BonDeCommande struct {
	Numero string
	Date   Date
	// Montant is the Prestation Ségur ordered; Plafond the HT ceiling of
	// the commande's perimeter.
	Montant Montants
	Plafond decimal.Decimal
	// Accompagnement is the Va2 « Accompagnement renforcé » (zero
	// otherwise); AccompagnementLigne tells whether the BDC shows its line
	// (the dispositif allows it for this client type).
	Accompagnement      Montants
	AccompagnementLigne bool
	// SousCondition: signed before the solution's référencement, the BDC
	// carries the dispositif's conditional mention.
	SousCondition    bool
	VersionInstallee string
	Scenario         ScenarioPrevu // the flows planned: direct or tiers
}

// Factures is what the facture states, and in mode avance-solde the two
// factures (the accompagnement goes with the solde).
type Factures struct {
	Numero string
	Date   Date
	// DatePos is where the facture's date stands in the record.
	DatePos  Pos
	Mode     FactureMode // ModeUnique or ModeAvanceSolde
	Echeance Date        // zero when not given
	// Segur is the Prestation Ségur invoiced (JSON montantSegurHTFacture);
	// Total every line of the facture.
	Segur, Total Montants
	// AvanceHT is the avance paid (avance.montant_verse, else the split
	// percentage of avance.montant_ht); SoldeHT is the rest of Segur.HT.
	// AvanceSplit tells whether AvanceHT is the dispositif's percentage of
	// Segur.HT, so that the facture may print that percentage.
	AvanceHT, SoldeHT decimal.Decimal
	AvanceSplit       bool
	// AvanceVerseeTTC is the avance paid as the record gives it TTC, nil
	// otherwise.
	AvanceVerseeTTC *decimal.Decimal
	// Avance and Solde are the two factures of mode avance-solde.
	Avance FactureAvancePart
	Solde  Montants
	// PlafondSolde is the HT ceiling of the perimeter left at the solde.
	PlafondSolde decimal.Decimal
	// FacturX: segur.yaml asks for Factur-X (EN 16931) factures.
	FacturX bool
}

// FactureAvancePart is the avance facture of mode avance-solde.
type FactureAvancePart struct {
	Numero   string
	Date     Date
	Montants Montants
	// PDF is the avance facture as issued (facture.facture_avance.fichier),
	// resolved; "" to regenerate it.
	PDF string
}

// Installation is the prestation as done: which flows the software sends
// directly, from which MSSanté boxes, with which DMP identifiers.
type Installation struct {
	DateFin                                   Date
	DMPDirect, MSSProDirect, MSSCitoyenDirect bool
	// AdresseMSSPro, AdresseMSSCitoyen are the boxes the client sends from,
	// also through another software (the MOM or VA prints them; the JSON
	// keeps null unless the flow is direct); "" when not given.
	AdresseMSSPro, AdresseMSSCitoyen string
	CertificatsDMP                   []string // the DMP server certificates
}

// Justificatif is the MOM or the VA: its kind, its pages and who signs
// each.
type Justificatif struct {
	Kind  Kind   // MOM or VA (solde stage only)
	Pages []Page // one per signatory
	// Profils are the libellés of the solution profiles the client's
	// characteristics call for (Va2 §3.2.1), in the data's order.
	Profils []string
}

// LigneJSON are the values of the solde JSON line that no document prints
// as such.
type LigneJSON struct {
	CommandePour asp.CommandePour
	// Beneficiaires are the identifiers the ASP knows (the old FINESS géo
	// after a takeover), in record order.
	Beneficiaires []string
	// IdentDMP is nil when the DMP flow is not direct; IdentDMPNull is set
	// when the dispositif's data says identDMP is always null (BIO-LOINC).
	IdentDMP     []string
	IdentDMPNull bool
	Extra        []ChampValeur // the dispositif's own fields
}

// runPositions are the positions the run-wide rules point at, kept when the
// record's other positions are let go.
type runPositions struct {
	editeur, asp, facture, factureAvance Pos
	beneficiaires                        []Pos
}

// Page is one page (or section) of a MOM or VA: the beneficiaries it covers
// and who signs it.
type Page struct {
	Beneficiaires []Beneficiaire
	Signataire    Signataire
	// ID is the RPPS or FINESS géo of the beneficiary who signs this page,
	// "" when the page covers every beneficiary.
	ID string
}

// Civilite agrees « soussigné(e) » on the documents: madame, monsieur, or
// "" (unknown), as a record or segur.yaml gives it.
type Civilite string

// The civilités a record may give.
const (
	Madame   Civilite = "madame"
	Monsieur Civilite = "monsieur"
)

// Signataire is who signs a page.
type Signataire struct {
	Nom, Prenom, Qualite string
	Civilite             Civilite
	Organisation         string
	Role                 Role
}

// Role is what a signatory signs as.
type Role string

// Roles of a signatory.
const (
	RoleFournisseur  Role = "fournisseur"  // the fournisseur's signataire (MOM)
	RoleBeneficiaire Role = "beneficiaire" // a libéral médecin, for their page of the VA
	RoleResponsable  Role = "responsable"  // a structure's responsable
	RoleMandataire   Role = "mandataire"   // the mandataire of the beneficiaries
)

// FullName is « Prénom Nom », or the one of them given.
func (s Signataire) FullName() string { return strings.TrimSpace(s.Prenom + " " + s.Nom) }

// Reprise is a takeover between avance and solde (cas 4).
type Reprise struct {
	Ancien, Nouveau, NouveauNom string
	Traite                      string // path of the traité, resolved from the record
}

// PieceFile is an extra pièce justificative of the dispositif.
type PieceFile struct {
	Type    string // CR, CATALOGUE
	Libelle string
	Path    string // resolved from the record
	// Contenu is what its bytes must be (templates/contenus.yaml, by its
	// extension: pdf, texte…), "" when its extension has no such rule.
	Contenu string
}

// ChampValeur is a dispositif-specific JSON field with its value (string,
// []string).
type ChampValeur struct {
	Cle    string
	Valeur any
}

// Numero is the record's numéro éditeur.
func (d *Dossier) Numero() string { return d.Ref.NumeroEditeur }

// Blocked reports whether the dossier has an error.
func (d *Dossier) Blocked() bool { return HasError(d.Problems) }

// FileName is the name of a document of this dossier: <dispositif>-<KIND>-<numero>.pdf.
func (d *Dossier) FileName(kind Kind) string {
	return asp.DocName(d.Ref.Dispositif, string(kind), d.Ref.NumeroEditeur, ".pdf")
}

// PieceName is the name of an extra pièce in the zip, keeping its extension.
func (d *Dossier) PieceName(p PieceFile) string {
	return asp.DocName(d.Ref.Dispositif, p.Type, d.Ref.NumeroEditeur, strings.ToLower(filepath.Ext(p.Path)))
}

// Check checks every record against cfg and the dispositif data, and
// returns one Dossier per record, in the same order. Rules across records
// (duplicates in one run) are applied too.
func Check(cfg *Config, reg *Registry, recs []*Record, opt Options) []*Dossier {
	out := make([]*Dossier, len(recs))
	for i, r := range recs {
		out[i] = checkOne(cfg, reg, r, opt)
	}
	return finish(out)
}

// CheckFiles reads and checks the records of files one file at a time, and
// returns their Dossiers as Check does. A record's field positions (most of
// its memory) are let go as soon as it is checked, so that a quarter of tens
// of thousands of records does not hold them all at once.
func CheckFiles(cfg *Config, reg *Registry, files []string, opt Options) []*Dossier {
	var out []*Dossier
	for _, f := range files {
		eachRecord(f, func(_ chunk, r *Record, _ int) int {
			d := checkOne(cfg, reg, r, opt)
			out = append(out, d)
			return len(d.Problems)
		})
	}
	return finish(out)
}

// checkOne checks one record, keeps the positions the run-wide rules need,
// and lets the others go.
func checkOne(cfg *Config, reg *Registry, r *Record, opt Options) *Dossier {
	d := checkRecord(cfg, reg, r, opt)
	d.Problems = capProblems(d.Problems, r.dropped)
	d.run = keyOf(d, r)
	r.pos = nil
	r.Problems = nil // copied into the dossier's
	return d
}

// finish applies the run-wide rules and sorts each dossier's problems.
func finish(out []*Dossier) []*Dossier {
	keys := make([]runKey, len(out))
	for i, d := range out {
		keys[i] = d.run
	}
	for i, ps := range checkRun(keys) {
		out[i].Problems = append(out[i].Problems, ps...)
	}
	for _, d := range out {
		SortProblems(d.Problems)
	}
	return out
}

func checkRecord(cfg *Config, reg *Registry, r *Record, opt Options) *Dossier {
	if opt.Phase == PhaseSolde {
		withAvanceConnue(r, opt)
	}
	d := &Dossier{Ref: Ref{Dispositif: r.Dispositif, NumeroEditeur: r.NumeroEditeur, NumeroASP: r.NumeroASP, Source: r.Source}}
	c := &checker{pos: r.pos, src: r.Source, numero: "-"}
	c.probs = append(c.probs, r.Problems...)
	if reEditeur.MatchString(r.NumeroEditeur) {
		c.numero = r.NumeroEditeur
	}
	c.bad = map[string]bool{}
	for i := range c.probs {
		c.probs[i].Numero = c.numero
		c.bad[c.probs[i].Field] = true
	}
	if r.Facture != nil || r.Realisation != nil {
		d.Stage = PhaseSolde
	}
	defer func() {
		d.Problems = c.probs
		fillParts(d, r, cfg)
	}()
	if r.Broken || r.misspelt {
		return d
	}
	k := &rules{c: c, d: d, r: r, cfg: cfg, opt: opt, reg: reg, files: filesOf(opt.Files)}
	if !k.identity(reg) {
		return d
	}
	k.commande()
	if opt.Phase == PhaseAvance {
		k.avanceDepot()
	}
	if opt.Phase == PhaseSolde && (!opt.ByStage || d.Stage == PhaseSolde) {
		k.solde()
	}
	return d
}

// rules applies the rules to one record.
type rules struct {
	c     *checker
	d     *Dossier
	r     *Record
	cfg   *Config
	opt   Options
	files FileChecker
	reg   *Registry
	dis   *Dispositif
	// commande perimeter: identifiers declared at the avance, or the
	// beneficiaries when there is no avance yet.
	perimetre []string
	// verse is the avance paid, HT (avance.montant_verse_ht or _ttc).
	verse *decimal.Decimal
	// perimetreSur is set when the solde perimeter could be compared with
	// the avance's (identifiers all readable).
	perimetreSur bool
	// added counts the beneficiaries of the solde not declared at the
	// avance (a declared one mistyped, IDENTIFIANT_FAUTE_FRAPPE, aside).
	added int
}

// identity checks the numéro éditeur, dispositif and solution; false when
// the dispositif is unknown (nothing else can be checked).
func (k *rules) identity(reg *Registry) bool {
	c, r := k.c, k.r
	if c.required("numero_editeur", r.NumeroEditeur) && !reEditeur.MatchString(r.NumeroEditeur) {
		c.errorf("numero_editeur", "NUMERO_EDITEUR_FORMAT", "« %s » : le numéro éditeur compte 1 à 20 lettres ou chiffres, sans espace ni autre signe (il entre dans le nom des fichiers)", r.NumeroEditeur)
	}
	if !c.required("dispositif", r.Dispositif) {
		return false
	}
	k.dis = reg.Get(r.Dispositif)
	if k.dis == nil {
		c.errorf("dispositif", "DISPOSITIF_INCONNU", "dispositif « %s » inconnu (connus : %s)", r.Dispositif, reg.Names())
		return false
	}
	k.d.Dispositif = k.dis
	if k.dis.Provisoire() {
		msg := fmt.Sprintf("les règles de %s viennent d'un appel à financement provisoire (« release candidate ») : montants et délais à confirmer avant dépôt", k.dis.ID)
		if keys := k.dis.SoldeProvisoires(); len(keys) > 0 {
			msg += fmt.Sprintf(" ; le JSON de solde porte %d clé(s) dont l'ASP n'a pas publié le nom : %s", len(keys), strings.Join(keys, ", "))
		}
		c.warnf("dispositif", "DISPOSITIF_PROVISOIRE", "%s", msg)
	}
	k.solution()
	return true
}

func (k *rules) solution() {
	c, r := k.c, k.r
	var same []*Solution
	for i := range k.cfg.Solutions {
		s := &k.cfg.Solutions[i]
		if r.Solution != "" && s.NumeroANS == r.Solution {
			if s.Dispositif != r.Dispositif {
				c.errorf("solution", "SOLUTION_INCONNUE", "la solution %s (%s) est référencée pour %s, pas pour %s", s.NumeroANS, s.Nom, s.Dispositif, r.Dispositif)
				return
			}
			k.d.Solution = s
			return
		}
		if s.Dispositif == r.Dispositif {
			same = append(same, s)
		}
	}
	switch {
	case r.Solution != "":
		c.errorf("solution", "SOLUTION_INCONNUE", "aucune solution de numéro ANS « %s » dans %s", r.Solution, filepath.Base(k.cfg.Path))
	case len(same) == 1:
		k.d.Solution = same[0]
	case len(same) == 0:
		c.errorf("dispositif", "SOLUTION_INCONNUE", "aucune solution de %s n'est déclarée pour %s", filepath.Base(k.cfg.Path), r.Dispositif)
	default:
		c.errorf("solution", "SOLUTION_INCONNUE", "plusieurs solutions sont déclarées pour %s : indiquez « solution » (numéro ANS)", r.Dispositif)
	}
}

func (k *rules) outside(path, what string) {
	if k.r.Has(path) {
		k.c.errorf(path, "CHAMP_HORS_DISPOSITIF", "%s ne concerne pas le dispositif %s", what, k.dis.ID)
	}
}

// commande checks what a BDC needs.
func (k *rules) commande() {
	c, r, dis, d := k.c, k.r, k.dis, k.d
	if len(dis.Prestations.Valeurs) > 0 {
		ids := make([]string, len(dis.Prestations.Valeurs))
		for i, p := range dis.Prestations.Valeurs {
			ids[i] = p.ID
		}
		if c.oneOf("prestation", r.Prestation, ids...) {
			d.Prestation = dis.Prestation(r.Prestation)
		}
	} else {
		k.outside("prestation", "le type de prestation")
	}
	k.client()
	k.beneficiaires()
	if r.Mandataire != nil {
		c.required("mandataire.nom", r.Mandataire.Nom)
	}
	cmd := r.Commande
	if cmd == nil {
		c.errorf("commande", "CHAMP_MANQUANT", "le bloc « commande » (bon de commande) est obligatoire")
		return
	}
	c.required("commande.numero", cmd.Numero)
	if cmd.Date.IsZero() {
		c.required("commande.date", "")
	}
	if cmd.TauxTVA == nil {
		c.errorf("commande.taux_tva", "CHAMP_MANQUANT", "« taux_tva » est obligatoire (taux prévus par %s : %s ; 0 si le fournisseur n'est pas assujetti à la TVA)", dis.ID, joinDecimals(dis.TauxTVA.Valeurs))
	} else if !slices.ContainsFunc(dis.TauxTVA.Valeurs, cmd.TauxTVA.Equal) {
		c.errorf("commande.taux_tva", "VALEUR_INVALIDE", "taux de TVA %s %% non prévu par %s (%s)", cmd.TauxTVA, dis.ID, joinDecimals(dis.TauxTVA.Valeurs))
	} else {
		d.TVA.Taux = *cmd.TauxTVA
		k.tva(k.reg)
	}
	if dis.Commande.VersionInstalleeRequise {
		c.required("commande.version_installee", cmd.VersionInstallee)
	}
	if dis.AccompagnementRenforce.Autorise {
		k.accompagnement()
	} else {
		k.outside("commande.accompagnement_renforce_ht", "l'accompagnement renforcé")
	}
	if sp := cmd.ScenarioPrevu; sp == nil {
		c.errorf("commande.scenario_prevu", "CHAMP_MANQUANT", "le scénario d'installation prévu (dmp, mss_pro, mss_citoyen : direct ou tiers) est obligatoire sur le bon de commande")
	} else {
		c.oneOf("commande.scenario_prevu.dmp", sp.DMP, "direct", "tiers")
		c.oneOf("commande.scenario_prevu.mss_pro", sp.MSSPro, "direct", "tiers")
		c.oneOf("commande.scenario_prevu.mss_citoyen", sp.MSSCitoyen, "direct", "tiers")
	}
	k.referencement()
	k.eligibilite()
	k.montantCommande()
}

func joinDecimals(ds []decimal.Decimal) string {
	s := make([]string, len(ds))
	for i, v := range ds {
		s[i] = v.String()
	}
	return strings.Join(s, ", ")
}

func (k *rules) client() {
	c, r, dis, d := k.c, k.r, k.dis, k.d
	cl := r.Client
	if cl == nil {
		c.errorf("client", "CHAMP_MANQUANT", "le bloc « client » est obligatoire")
		return
	}
	if c.oneOf("client.type", cl.Type, dis.Clients.Types...) {
		d.JSON.CommandePour = asp.CommandePour(strings.ToUpper(cl.Type))
	}
	c.required("client.nom", cl.Nom)
	if len(cl.Adresse) == 0 {
		c.errorf("client.adresse", "CHAMP_MANQUANT", "l'adresse du client est obligatoire (bon de commande et facture)")
	}
	if cl.Siren == "" && !c.badAbove("client.siren") {
		c.warnf("client", "SIREN_CLIENT_MANQUANT", "SIREN du client absent : mention obligatoire sur les factures à partir de 2026/2027 selon la taille du fournisseur")
	} else if cl.Siren != "" {
		checkSiren(c, "client.siren", cl.Siren)
	}
	if cl.Type == Structure {
		if cl.Responsable == nil {
			c.errorf("client.responsable", "CHAMP_MANQUANT", "le responsable de la structure (nom, prénom, qualité) est obligatoire : il signe le bon de commande")
		} else {
			c.required("client.responsable.nom", cl.Responsable.Nom)
			checkCivilite(c, "client.responsable.civilite", cl.Responsable.Civilite)
		}
		if c.required("client.finess_juridique", cl.FinessJuridique) {
			checkFiness(c, "client.finess_juridique", cl.FinessJuridique)
		}
		if len(dis.Clients.StructureTypes) > 0 {
			c.oneOf("client.structure_type", string(cl.StructureType), strs(dis.Clients.StructureTypes)...)
		} else {
			k.outside("client.structure_type", "le type de structure")
		}
		if dis.Clients.Effectifs {
			if cl.Effectifs == nil || *cl.Effectifs < 1 {
				c.errorf("client.effectifs", "CHAMP_MANQUANT", "les effectifs de la Base Ségur (au moins 1) sont obligatoires : ils fixent le plafond")
			}
		} else {
			k.outside("client.effectifs", "les effectifs")
		}
	} else if cl.Type == Liberal {
		for _, f := range []string{"responsable", "finess_juridique", "structure_type", "effectifs"} {
			if r.Has("client." + f) {
				c.errorf("client."+f, "CHAMP_HORS_DISPOSITIF", "« %s » ne concerne que les structures", f)
			}
		}
	}
	if !dis.DeclarationVA1.Requise {
		k.outside("client.financement_va1", "l'historique vague 1")
		k.outside("client.declaration_seuils_va1", "la déclaration sur les seuils vague 1")
	}
}

func (k *rules) beneficiaires() {
	c, r, dis := k.c, k.r, k.dis
	if len(r.Beneficiaires) == 0 {
		if !c.bad["beneficiaires"] {
			c.errorf("beneficiaires", "CHAMP_MANQUANT", "au moins un bénéficiaire final est obligatoire")
		}
		return
	}
	typ := ""
	if r.Client != nil {
		typ = r.Client.Type
	}
	seen := map[string]string{}
	specs := k.reg.specialites.IDs()
	for i, b := range r.Beneficiaires {
		p := fmt.Sprintf("beneficiaires[%d]", i)
		c.required(p+".nom", b.Nom)
		checkCivilite(c, p+".civilite", b.Civilite)
		switch typ {
		case Liberal:
			if b.FinessGeo != "" || len(b.RPPSMedecins) > 0 {
				c.errorf(p, "BENEFICIAIRE_TYPE", "un client libéral a pour bénéficiaires des médecins (rpps), pas des sites (finess_geo)")
				continue
			}
			if c.required(p+".rpps", b.RPPS) {
				checkRPPS(c, p+".rpps", b.RPPS)
			}
		case Structure:
			if b.RPPS != "" {
				c.errorf(p, "BENEFICIAIRE_TYPE", "une structure a pour bénéficiaires ses sites (finess_geo), pas des médecins (rpps) : mettez les médecins dans rpps_medecins")
				continue
			}
			if c.required(p+".finess_geo", b.FinessGeo) {
				checkFiness(c, p+".finess_geo", b.FinessGeo)
			}
			for j, m := range b.RPPSMedecins {
				checkRPPS(c, fmt.Sprintf("%s.rpps_medecins[%d]", p, j), m)
			}
		}
		if id := b.ID(); id != "" {
			if first, dup := seen[id]; dup {
				c.errorf(p, "BENEFICIAIRE_DOUBLON", "« %s » figure deux fois dans ce dossier (déjà en %s)", id, first)
			}
			seen[id] = p
		}
		if b.Specialite != "" && c.oneOf(p+".specialite", b.Specialite, specs...) && slices.Contains(dis.SpecialitesExclues.Valeurs, b.Specialite) {
			c.errorf(p+".specialite", "SPECIALITE_INELIGIBLE", "la spécialité %s relève d'un autre dispositif Ségur : ce médecin n'est pas éligible à %s", b.Specialite, dis.ID)
		}
	}
}

// referencement checks orders signed before the solution's référencement.
func (k *rules) referencement() {
	c, cmd, s, dis := k.c, k.r.Commande, k.d.Solution, k.dis
	if s == nil || cmd.Date.IsZero() {
		return
	}
	before := s.DateReferencement != nil && cmd.Date.Before(s.DateReferencement.Time)
	if before && !cmd.SousConditionReferencement {
		c.errorf("commande.sous_condition_referencement", "MENTION_CONDITIONNELLE", "bon de commande signé le %s, avant le référencement de %s (%s) : il doit porter la mention conditionnelle (sous_condition_referencement: true)", cmd.Date.FR(), s.Nom, s.DateReferencement.FR())
	}
	if (before || cmd.SousConditionReferencement) && s.DateDepotReferencement != nil {
		limit := s.DateDepotReferencement.AddDate(0, 0, -dis.Commande.DelaiAvantReferencementJours)
		if cmd.Date.Before(limit) {
			c.errorf("commande.date", "COMMANDE_HORS_DELAI", "bon de commande signé le %s, plus de %d jours avant le dépôt du dossier de référencement (%s) : la commande n'est pas éligible", cmd.Date.FR(), dis.Commande.DelaiAvantReferencementJours, s.DateDepotReferencement.FR())
		}
	}
}

func (k *rules) eligibilite() {
	c, r, dis, d := k.c, k.r, k.dis, k.d
	cl := r.Client
	if cl == nil {
		return
	}
	if d.Prestation != nil && d.Prestation.ReserveeSansVA1 && cl.FinancementVA1 {
		c.errorf("prestation", "PRESTATION_INELIGIBLE", "la prestation « %s » est réservée aux clients sans financement ni mise à jour vague 1 (financement_va1: true)", d.Prestation.Libelle)
	}
	if dis.DeclarationVA1.Requise && cl.FinancementVA1 && !cl.DeclarationSeuilsVA1 {
		c.errorf("client.declaration_seuils_va1", "DECLARATION_MANQUANTE", "client financé en vague 1 : sa déclaration sur l'honneur du seuil d'alimentation du DMP est obligatoire (declaration_seuils_va1: true)")
	}
	k.profils()
	s := d.Solution
	if s == nil || len(s.Profils) == 0 {
		return
	}
	for _, rule := range dis.Profils.Regles {
		need, path := false, ""
		if rule.SiStructureType != "" && cl.Type == Structure && cl.StructureType == rule.SiStructureType {
			need, path = true, "client.structure_type"
		}
		for i, b := range r.Beneficiaires {
			if !need && slices.Contains(rule.SiSpecialite, b.Specialite) {
				need, path = true, fmt.Sprintf("beneficiaires[%d].specialite", i)
			}
		}
		if need && !slices.Contains(s.Profils, rule.Profil) {
			c.errorf(path, "PROFIL_MANQUANT", "la solution %s n'a pas le profil « %s » (%s), exigé pour ce client", s.Nom, rule.Libelle, rule.Profil)
		}
	}
}

// plafond is the HT ceiling for n beneficiaries (libéral) or the structure.
func (k *rules) plafond(n int) (decimal.Decimal, bool) {
	dis, r := k.dis, k.r
	if dis.Plafond.Base == PlafondCommande || r.Client == nil {
		return decimal.Zero, false
	}
	prest := ""
	if len(dis.Prestations.Valeurs) > 0 {
		if k.d.Prestation == nil {
			return decimal.Zero, false
		}
		prest = k.d.Prestation.ID
	}
	b := dis.Bareme(prest)
	if b == nil {
		return decimal.Zero, false
	}
	eff := 0
	if r.Client.Effectifs != nil {
		eff = *r.Client.Effectifs
	}
	rate := k.d.TVA.Taux
	if rate.IsZero() {
		rate = dis.Plafond.TauxNonAssujetti
	}
	switch r.Client.Type {
	case Liberal, Structure:
		return b.Plafond(dis.Plafond.Base, r.Client.Type, n, eff, rate), true
	}
	return decimal.Zero, false
}

func (k *rules) montantCommande() {
	c, r, d := k.c, k.r, k.d
	cmd := r.Commande
	if r.Avance != nil && len(r.Avance.Beneficiaires) > 0 {
		k.perimetre = r.Avance.Beneficiaires
	} else {
		for _, b := range r.Beneficiaires {
			k.perimetre = append(k.perimetre, b.ID())
		}
	}
	if cmd.TauxTVA == nil || (r.Client != nil && r.Client.Type == Structure && k.dis.Clients.Effectifs && r.Client.Effectifs == nil) {
		return
	}
	plafond, known := k.plafond(len(k.perimetre))
	switch {
	case cmd.MontantHT != nil:
		d.Commande.Montant = WithTVA(*cmd.MontantHT, d.TVA.Taux)
	case known:
		d.Commande.Montant = WithTVA(plafond, d.TVA.Taux)
	default:
		c.errorf("commande.montant_ht", "CHAMP_MANQUANT", "le montant HT convenu de la Prestation Ségur est obligatoire pour %s (pas de barème publié)", k.dis.ID)
		return
	}
	if !known {
		plafond = d.Commande.Montant.HT
	}
	d.Commande.Plafond = plafond
	switch {
	case !d.Commande.Montant.HT.IsPositive():
		c.errorf("commande.montant_ht", "MONTANT_NUL", "le montant de la Prestation Ségur doit être supérieur à 0 € (une facture à 0 € est toujours rejetée)")
	case d.Commande.Montant.HT.GreaterThan(plafond):
		c.errorf("commande.montant_ht", "MONTANT_PLAFOND", "%s € HT dépasse le plafond de %s € HT (%s)", euros(d.Commande.Montant.HT), euros(plafond), k.plafondDetail(len(k.perimetre)))
	}
}

func (k *rules) plafondDetail(n int) string {
	r := k.r
	if r.Client != nil && r.Client.Type == Structure {
		eff := 0
		if r.Client.Effectifs != nil {
			eff = *r.Client.Effectifs
		}
		return fmt.Sprintf("structure de %d professionnels, TVA %s %%", eff, k.d.TVA.Taux)
	}
	return fmt.Sprintf("%d médecin(s), TVA %s %%", n, k.d.TVA.Taux)
}
