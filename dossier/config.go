package dossier

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/segur-sons/segur/internal/safeio"
	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Config is segur.yaml: the fournisseur and its referenced solutions.
type Config struct {
	Fournisseur *Fournisseur    `yaml:"fournisseur"`
	Solutions   []Solution      `yaml:"solutions"`
	Facture     *FactureOptions `yaml:"facture"`
	// Signature is the fournisseur's certificate, when MOMs are signed
	// electronically (nil: signed by hand, given with --signes).
	Signature *SignatureConfig `yaml:"signature"`
	// Registre is the registre file (package registre), relative to
	// segur.yaml's folder; "" is registre.sqlite beside segur.yaml.
	Registre string `yaml:"registre"`

	// Path is the file it was read from; Dir resolves the logo.
	Path string `yaml:"-"`
	Dir  string `yaml:"-"`

	pos positions // where each value stands in segur.yaml
}

// At is where the value at path (fournisseur.logo) stands in segur.yaml.
func (c *Config) At(path string) Pos {
	for p := path; p != ""; p = parentPath(p) {
		if pos, ok := c.pos[p]; ok {
			return pos
		}
	}
	return Pos{File: c.Path, Line: 1}
}

// Fournisseur is the editor (or distributor) that invoices the Prestation.
type Fournisseur struct {
	RaisonSociale  string           `yaml:"raison_sociale"`
	FormeJuridique string           `yaml:"forme_juridique"`
	Capital        *decimal.Decimal `yaml:"capital"`
	Siret          string           `yaml:"siret" seg:"ident"`
	RCS            string           `yaml:"rcs"`
	TVAIntracom    string           `yaml:"tva_intracom" seg:"ident"`
	Adresse        []string         `yaml:"adresse"`
	Email          string           `yaml:"email"`
	Telephone      string           `yaml:"telephone"`
	Logo           string           `yaml:"logo"`
	OptionDebits   bool             `yaml:"option_debits"`
	Signataire     *Personne        `yaml:"signataire"`
	Paiement       *Paiement        `yaml:"paiement"`
	// TVA is the fournisseur's TVA regime, for the invoices at rate 0.
	TVA *RegimeTVA `yaml:"tva"`
}

// RegimeTVA is the fournisseur's TVA regime and the legal basis printed
// when it bills without TVA (CGI ann. II art. 242 nonies A, 12°). Both the
// PDF and Factur-X read it.
type RegimeTVA struct {
	Regime          string `yaml:"regime"`           // assujetti | franchise | exonere
	Mention         string `yaml:"mention"`          // « TVA non applicable, art. 293 B du CGI »
	CodeExoneration string `yaml:"code_exoneration"` // EN 16931 VATEX code, e.g. VATEX-FR-FRANCHISE
}

// FactureOptions is the facture block of segur.yaml.
type FactureOptions struct {
	// Format is FormatPDF (the default) or FormatFacturX.
	Format string `yaml:"format"`
	// Categorie is the fournisseur's INSEE size category (GE, ETI, PME,
	// MICRO), which fixes the date it must issue e-invoices; "" unknown.
	Categorie string `yaml:"categorie"`
	// Numerotation, when set (« F{AAAA}-{N:05} »), makes segur number the
	// factures and avoirs itself from a gapless per-fournisseur sequence
	// of the registre; "" leaves the numbers to the records.
	Numerotation string `yaml:"numerotation"`
}

// Numerotation is the facture numbering format segur.yaml sets, "" when
// the records give the numbers.
func (c *Config) Numerotation() string {
	if c == nil || c.Facture == nil {
		return ""
	}
	return c.Facture.Numerotation
}

// Categories d'entreprise (INSEE) known to facture.categorie.
var Categories = []string{"GE", "ETI", "PME", "MICRO"}

// Facture formats.
const (
	FormatPDF     = "pdf"
	FormatFacturX = "factur-x"
)

// FactureFormat is the format of the factures: FormatPDF unless the
// fournisseur opted in to Factur-X.
func (c *Config) FactureFormat() string {
	if c == nil || c.Facture == nil || c.Facture.Format == "" {
		return FormatPDF
	}
	return c.Facture.Format
}

// Siren is the first nine digits of the SIRET.
func (f *Fournisseur) Siren() string {
	if len(f.Siret) < 9 {
		return f.Siret
	}
	return f.Siret[:9]
}

// SignatureConfig names the fournisseur's PKCS#12 certificate (relative to
// segur.yaml) and the environment variable holding its password. Loading
// and using the certificate happens outside the domain (package signature).
type SignatureConfig struct {
	Certificat    string `yaml:"certificat"`
	MotDePasseEnv string `yaml:"mot_de_passe_env"`
	// NiveauMinimum is the level every client's signature must reach:
	// simple (default), rgs or cpx; RacinesIGCSante and RacinesRGS the
	// PEM files of the roots that make a certificate CPx or RGS (relative
	// to segur.yaml; resolved in RootsIGCSante and RootsRGS).
	NiveauMinimum   string   `yaml:"niveau_minimum"`
	RacinesIGCSante []string `yaml:"racines_igc_sante"`
	RacinesRGS      []string `yaml:"racines_rgs"`
	// Horodatage is the URL of an RFC 3161 time-stamping authority that
	// time-stamps the fournisseur's signatures ("" none).
	Horodatage    string   `yaml:"horodatage"`
	RootsIGCSante []string `yaml:"-"`
	RootsRGS      []string `yaml:"-"`
	LevelPos      Pos      `yaml:"-"` // of niveau_minimum
	Pos           Pos      `yaml:"-"` // of certificat, for messages
	PasswordPos   Pos      `yaml:"-"` // of mot_de_passe_env
	Path          string   `yaml:"-"` // Certificat resolved from segur.yaml's folder
}

// Paiement holds the payment terms printed on the facture.
type Paiement struct {
	DelaiJours *int   `yaml:"delai_jours"`
	Penalites  string `yaml:"penalites"`
	Escompte   string `yaml:"escompte"`
}

// Solution is a referenced solution (one numéro ANS).
type Solution struct {
	NumeroANS              string   `yaml:"numero_ans" seg:"ident"`
	Nom                    string   `yaml:"nom"`
	Version                string   `yaml:"version"`
	Dispositif             string   `yaml:"dispositif"`
	DateReferencement      *Date    `yaml:"date_referencement"`
	DateDepotReferencement *Date    `yaml:"date_depot_referencement"`
	Profils                []string `yaml:"profils"`
}

// LoadConfig reads and checks segur.yaml; files checks the files it names
// (the logo). Problems are returned as values; the error is for a file that
// cannot be read at all.
func LoadConfig(path string, reg *Registry, files FileChecker) (*Config, []Problem, error) {
	data, err := safeio.ReadFile(path, safeio.Config)
	var tl *safeio.TooLargeError
	if errors.As(err, &tl) || errors.Is(err, safeio.ErrNotRegular) {
		return nil, nil, fmt.Errorf("fichier fournisseur %s", safeio.Message(err))
	} else if errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("fichier fournisseur « %s » introuvable", path)
	} else if err != nil {
		return nil, nil, fmt.Errorf("fichier fournisseur « %s » illisible (droits d'accès ?)", path)
	}
	cfg, probs := ParseConfig(path, data, reg, files)
	return cfg, probs, nil
}

// ParseConfig decodes and checks the content of segur.yaml.
func ParseConfig(path string, data []byte, reg *Registry, files FileChecker) (*Config, []Problem) {
	cfg := &Config{Path: path, Dir: filepath.Dir(path)}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := syntaxError(err)
		return cfg, []Problem{{Pos: Pos{File: path, Line: line}, Code: "YAML_SYNTAXE", Message: msg}}
	}
	if len(root.Content) == 0 {
		return cfg, []Problem{{Pos: Pos{File: path}, Code: "CHAMP_MANQUANT", Message: "le fichier fournisseur est vide"}}
	}
	d := &decoder{file: path, pos: positions{}}
	d.decode(root.Content[0], reflectValue(cfg), "", false)
	cfg.pos = d.pos
	c := &checker{pos: d.pos, src: Pos{File: path, Line: 1}, numero: "-"}
	c.probs = d.probs
	checkConfig(c, cfg, reg, filesOf(files))
	return cfg, c.probs
}

func checkConfig(c *checker, cfg *Config, reg *Registry, files FileChecker) {
	f := cfg.Fournisseur
	if f == nil {
		c.errorf("fournisseur", "CHAMP_MANQUANT", "le bloc fournisseur est obligatoire")
		return
	}
	c.required("fournisseur.raison_sociale", f.RaisonSociale)
	c.required("fournisseur.forme_juridique", f.FormeJuridique)
	c.required("fournisseur.rcs", f.RCS)
	if f.Capital == nil {
		c.errorf("fournisseur.capital", "CHAMP_MANQUANT", "le capital social est obligatoire (mention légale de la facture)")
	}
	if len(f.Adresse) == 0 {
		c.errorf("fournisseur.adresse", "CHAMP_MANQUANT", "l'adresse du fournisseur est obligatoire")
	}
	if c.required("fournisseur.siret", f.Siret) {
		checkSiret(c, "fournisseur.siret", f.Siret)
	}
	if c.required("fournisseur.tva_intracom", f.TVAIntracom) {
		checkTVA(c, "fournisseur.tva_intracom", f.TVAIntracom, f.Siren())
	}
	if f.Signataire == nil {
		c.errorf("fournisseur.signataire", "CHAMP_MANQUANT", "le signataire des MOM et des bons de commande est obligatoire")
	} else {
		c.required("fournisseur.signataire.nom", f.Signataire.Nom)
		c.required("fournisseur.signataire.qualite", f.Signataire.Qualite)
		checkCivilite(c, "fournisseur.signataire.civilite", f.Signataire.Civilite)
	}
	if f.Paiement == nil || f.Paiement.DelaiJours == nil {
		c.errorf("fournisseur.paiement.delai_jours", "CHAMP_MANQUANT", "le délai de paiement (en jours) est obligatoire : il fixe l'échéance des factures")
	} else {
		c.required("fournisseur.paiement.penalites", f.Paiement.Penalites)
		c.required("fournisseur.paiement.escompte", f.Paiement.Escompte)
	}
	checkRegimeTVA(c, f.TVA)
	if f.Logo != "" {
		if !files.IsFile(filepath.Join(cfg.Dir, f.Logo)) {
			c.errorf("fournisseur.logo", "FICHIER_ILLISIBLE", "le logo « %s » est introuvable", f.Logo)
		}
	}
	if s := cfg.Signature; s != nil {
		s.Pos, s.PasswordPos, s.LevelPos = c.at("signature.certificat"), c.at("signature.mot_de_passe_env"), c.at("signature.niveau_minimum")
		policyOnly := s.Certificat == "" && s.MotDePasseEnv == "" && (s.NiveauMinimum != "" || len(s.RacinesIGCSante) > 0 || len(s.RacinesRGS) > 0)
		if !policyOnly {
			if c.required("signature.certificat", s.Certificat) {
				s.Path = s.Certificat
				if !filepath.IsAbs(s.Path) {
					s.Path = filepath.Join(cfg.Dir, s.Path)
				}
			}
			c.required("signature.mot_de_passe_env", s.MotDePasseEnv)
		}
		switch s.NiveauMinimum {
		case "", "simple", "rgs", "cpx":
		default:
			c.errorf("signature.niveau_minimum", "VALEUR_INVALIDE", "niveau de signature « %s » inconnu (valeurs possibles : simple, rgs, cpx)", s.NiveauMinimum)
		}
		resolve := func(ps []string) []string {
			var out []string
			for _, p := range ps {
				if !filepath.IsAbs(p) {
					p = filepath.Join(cfg.Dir, p)
				}
				out = append(out, p)
			}
			return out
		}
		s.RootsIGCSante, s.RootsRGS = resolve(s.RacinesIGCSante), resolve(s.RacinesRGS)
		if h := s.Horodatage; h != "" {
			if u, err := url.Parse(h); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				c.errorf("signature.horodatage", "VALEUR_INVALIDE", "adresse d'horodatage « %s » invalide : attendu l'URL http:// ou https:// d'une autorité d'horodatage RFC 3161", h)
			}
		}
		if s.NiveauMinimum == "cpx" && len(s.RacinesIGCSante) == 0 {
			c.errorf("signature.niveau_minimum", "CHAMP_MANQUANT", "le niveau cpx demande les racines IGC-Santé (signature.racines_igc_sante) : sans elles aucune signature n'est reconnue comme CPx")
		}
		if s.NiveauMinimum == "rgs" && len(s.RacinesIGCSante)+len(s.RacinesRGS) == 0 {
			c.errorf("signature.niveau_minimum", "CHAMP_MANQUANT", "le niveau rgs demande les racines des autorités acceptées (signature.racines_rgs) : sans elles aucune signature n'est reconnue comme RGS")
		}
	}
	if o := cfg.Facture; o != nil && o.Format != "" && o.Format != FormatPDF && o.Format != FormatFacturX {
		c.errorf("facture.format", "VALEUR_INVALIDE", "format de facture « %s » inconnu (valeurs possibles : %s, %s)", o.Format, FormatPDF, FormatFacturX)
	}
	if o := cfg.Facture; o != nil && o.Categorie != "" && !slices.Contains(Categories, o.Categorie) {
		c.errorf("facture.categorie", "VALEUR_INVALIDE", "catégorie d'entreprise « %s » inconnue (valeurs possibles : %s)", o.Categorie, strings.Join(Categories, ", "))
	}
	if n := cfg.Numerotation(); n != "" && !validNumerotation(n) {
		c.errorf("facture.numerotation", "VALEUR_INVALIDE", "numérotation « %s » invalide : un seul compteur {N} ou {N:05} (chiffres : largeur), {AAAA} pour l'année, et lettres, chiffres, « - », « _ », « / » autour (ex. F{AAAA}-{N:05})", n)
	}
	if len(cfg.Solutions) == 0 {
		c.errorf("solutions", "CHAMP_MANQUANT", "au moins une solution référencée est obligatoire")
	}
	seen := map[string]bool{}
	for i, s := range cfg.Solutions {
		p := fmt.Sprintf("solutions[%d]", i)
		if c.required(p+".numero_ans", s.NumeroANS) {
			checkNumeroANS(c, p+".numero_ans", s.NumeroANS)
			if seen[s.NumeroANS] {
				c.errorf(p+".numero_ans", "SOLUTION_DOUBLON", "le numéro ANS « %s » est déjà déclaré", s.NumeroANS)
			}
			seen[s.NumeroANS] = true
		}
		c.required(p+".nom", s.Nom)
		c.required(p+".version", s.Version)
		if c.required(p+".dispositif", s.Dispositif) && reg.Get(s.Dispositif) == nil {
			c.errorf(p+".dispositif", "DISPOSITIF_INCONNU", "dispositif « %s » inconnu (connus : %s)", s.Dispositif, reg.Names())
		}
	}
}

// reNumerotation is a facture numbering format: {AAAA} the year, one
// counter {N} or {N:0w}, and the characters of a facture number around.
var reNumerotation = regexp.MustCompile(`^(?:[A-Za-z0-9/_-]|\{AAAA\})*\{N(?::0[1-9])?\}(?:[A-Za-z0-9/_-]|\{AAAA\})*$`)

func validNumerotation(s string) bool { return reNumerotation.MatchString(s) }
