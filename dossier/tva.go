package dossier

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"github.com/segur-sons/segur/internal/contenu"
)

// TVAData is templates/tva.yaml: the territories where the TVA rate differs
// from metropolitan France, with the legal basis printed when it does not
// apply (Guyane, Mayotte: art. 294 du CGI).
type TVAData struct {
	Source string `yaml:"source"`
	// Metropole is the normal rate of metropolitan France.
	Metropole struct {
		Taux   decimal.Decimal `yaml:"taux"`
		Source string          `yaml:"source"`
	} `yaml:"metropole"`
	Territoires []Territoire `yaml:"territoires"`
}

// Territoire is one overseas territory, known by its postal code prefixes.
type Territoire struct {
	Nom             string          `yaml:"nom"`
	CodesPostaux    []string        `yaml:"codes_postaux"`
	Taux            decimal.Decimal `yaml:"taux"`
	Mention         string          `yaml:"mention"`
	CodeExoneration string          `yaml:"code_exoneration"`
	Source          string          `yaml:"source"`
}

// Regimes of RegimeTVA.
const (
	RegimeAssujetti = "assujetti"
	RegimeFranchise = "franchise"
	RegimeExonere   = "exonere"
)

// TVA is the TVA data shipped with the registry.
func (r *Registry) TVA() *TVAData { return r.tva }

func loadTVA(fsys fs.FS) (*TVAData, error) {
	t := &TVAData{}
	err := loadYAML(fsys, "tva.yaml", t, func(c *checker) {
		c.required("source", t.Source)
		c.required("metropole.source", t.Metropole.Source)
		if !t.Metropole.Taux.IsPositive() {
			c.errorf("metropole.taux", "CHAMP_MANQUANT", "le taux normal de métropole est obligatoire")
		}
		for i, tr := range t.Territoires {
			p := fmt.Sprintf("territoires[%d]", i)
			c.required(p+".nom", tr.Nom)
			c.required(p+".source", tr.Source)
			if len(tr.CodesPostaux) == 0 {
				c.errorf(p+".codes_postaux", "CHAMP_MANQUANT", "au moins un préfixe de code postal")
			}
			if tr.Taux.IsZero() {
				c.required(p+".mention", tr.Mention)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// rePostal finds a French postal code in an address line.
var rePostal = regexp.MustCompile(`\b([0-9]{5})\b`)

// Territoire returns the overseas territory of an address (its last line
// holding a postal code), or nil for metropolitan France.
func (t *TVAData) Territoire(adresse []string) *Territoire {
	if t == nil {
		return nil
	}
	for i := len(adresse) - 1; i >= 0; i-- {
		m := rePostal.FindStringSubmatch(adresse[i])
		if m == nil {
			continue
		}
		for j := range t.Territoires {
			if slices.Contains(t.Territoires[j].CodesPostaux, m[1][:3]) {
				return &t.Territoires[j]
			}
		}
		return nil
	}
	return nil
}

func checkRegimeTVA(c *checker, t *RegimeTVA) {
	if t == nil {
		return
	}
	if !c.oneOf("fournisseur.tva.regime", t.Regime, RegimeAssujetti, RegimeFranchise, RegimeExonere) {
		return
	}
	if t.Regime != RegimeAssujetti {
		if t.Mention == "" {
			c.errorf("fournisseur.tva.mention", "TVA_MENTION_MANQUANTE", "fournisseur non assujetti (%s) : la mention de la disposition du CGI qui justifie l'absence de TVA est obligatoire sur la facture (CGI ann. II art. 242 nonies A, 12°), ex. « TVA non applicable, art. 293 B du CGI »", t.Regime)
		}
		c.required("fournisseur.tva.code_exoneration", t.CodeExoneration)
	}
}

// tva decides the TVA mention of a dossier billed at rate 0: the client's
// territory (Guyane, Mayotte: art. 294 du CGI) or the fournisseur's regime
// (franchise, exonération). A rate 0 with neither is refused: the invoice
// would carry no legal basis.
func (k *rules) tva(reg *Registry) {
	c, d, r := k.c, k.d, k.r
	if r.Commande == nil || r.Commande.TauxTVA == nil {
		return
	}
	var adresse []string
	if r.Client != nil {
		adresse = r.Client.AdresseFacturation
		if len(adresse) == 0 {
			adresse = r.Client.Adresse
		}
	}
	taux := *r.Commande.TauxTVA
	t := reg.TVA().Territoire(adresse)
	if !taux.IsZero() {
		// A liable fournisseur's rate should be the client's territory's.
		switch {
		case t != nil && !t.Taux.Equal(taux):
			c.warnf("commande.taux_tva", "TAUX_TVA_TERRITOIRE", "client en %s : taux %s %% attendu (%s), le bon de commande porte %s %%", t.Nom, t.Taux, t.Source, taux)
		case t == nil && reg.TVA() != nil && !taux.Equal(reg.TVA().Metropole.Taux):
			c.warnf("commande.taux_tva", "TAUX_TVA_TERRITOIRE", "taux %s %% pour un client de métropole (adresse sans code postal d'outre-mer) : le taux normal est %s %% (%s)", taux, reg.TVA().Metropole.Taux, reg.TVA().Metropole.Source)
		}
		return
	}
	if t != nil && t.Taux.IsZero() {
		d.TVA.Mention, d.TVA.CodeExoneration = t.Mention, t.CodeExoneration
		return
	}
	f := k.cfg.Fournisseur
	if f != nil && f.TVA != nil && f.TVA.Regime != RegimeAssujetti && f.TVA.Mention != "" {
		d.TVA.Mention, d.TVA.CodeExoneration = f.TVA.Mention, f.TVA.CodeExoneration
		return
	}
	c.errorf("commande.taux_tva", "TVA_MENTION_MANQUANTE", "taux 0 : la facture doit citer la disposition qui justifie l'absence de TVA ; déclarez le régime du fournisseur dans segur.yaml (fournisseur.tva : regime franchise ou exonere, mention « TVA non applicable, art. 293 B du CGI », code_exoneration) — ou, pour un client de Guyane ou de Mayotte, une adresse avec son code postal (art. 294 du CGI)")
}

// Specialites is templates/specialites.yaml: the médecins' specialties and
// their libellés.
type Specialites struct {
	Source  string `yaml:"source"`
	Valeurs []struct {
		ID      string `yaml:"id"`
		Libelle string `yaml:"libelle"`
	} `yaml:"valeurs"`
}

// IDs lists the specialties' ids, in the data's order.
func (s *Specialites) IDs() []string {
	out := make([]string, len(s.Valeurs))
	for i, v := range s.Valeurs {
		out[i] = v.ID
	}
	return out
}

// Libelle is the libellé of specialty id, "" when unknown or empty.
func (s *Specialites) Libelle(id string) string {
	for _, v := range s.Valeurs {
		if v.ID == id {
			return v.Libelle
		}
	}
	return ""
}

// loadYAML decodes an embedded data file into v with segur's decoder (unknown
// keys refused) and hands check a checker for its rules.
func loadYAML(fsys fs.FS, name string, v any, check func(c *checker)) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("%s : %v", name, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := syntaxError(err)
		return fmt.Errorf("%s:%d: %s", name, line, msg)
	}
	if len(root.Content) == 0 {
		return fmt.Errorf("%s : fichier vide", name)
	}
	dec := &decoder{file: name, pos: positions{}}
	dec.decode(root.Content[0], reflectValue(v), "", false)
	c := &checker{pos: dec.pos, src: Pos{File: name, Line: 1}, numero: "-"}
	c.probs = dec.probs
	check(c)
	if len(c.probs) > 0 {
		msg := ""
		for _, p := range c.probs {
			msg += "\n" + p.String()
		}
		return fmt.Errorf("données %s invalides :%s", name, msg)
	}
	return nil
}

func loadSpecialites(fsys fs.FS) (*Specialites, error) {
	s := &Specialites{}
	err := loadYAML(fsys, "specialites.yaml", s, func(c *checker) {
		c.required("source", s.Source)
		if len(s.Valeurs) == 0 {
			c.errorf("valeurs", "CHAMP_MANQUANT", "au moins une spécialité")
		}
		for i, v := range s.Valeurs {
			c.required(fmt.Sprintf("valeurs[%d].id", i), v.ID)
			c.required(fmt.Sprintf("valeurs[%d].libelle", i), v.Libelle)
		}
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Contenus is contenus.yaml: the content a pièce's bytes must have, by
// its extension.
type Contenus struct {
	Source     string             `yaml:"source"`
	Extensions []ContenuExtension `yaml:"extensions"`
}

// ContenuExtension is one line of contenus.yaml.
type ContenuExtension struct {
	Extension string `yaml:"extension"`
	Contenu   string `yaml:"contenu"`
}

// Of is the content kind a file with extension ext (lower case, without
// its dot) must have, "" when its extension has no content rule.
func (c *Contenus) Of(ext string) string {
	if c == nil {
		return ""
	}
	for _, e := range c.Extensions {
		if e.Extension == ext {
			return e.Contenu
		}
	}
	return ""
}

func loadContenus(fsys fs.FS) (*Contenus, error) {
	s := &Contenus{}
	err := loadYAML(fsys, "contenus.yaml", s, func(c *checker) {
		c.required("source", s.Source)
		seen := map[string]bool{}
		for i, e := range s.Extensions {
			p := fmt.Sprintf("extensions[%d]", i)
			if !reExt.MatchString("." + e.Extension) {
				c.errorf(p+".extension", "VALEUR_INVALIDE", "extension « %s » : de 1 à 10 lettres minuscules ou chiffres, sans point", e.Extension)
			}
			if seen[e.Extension] {
				c.errorf(p+".extension", "VALEUR_INVALIDE", "extension « %s » deux fois", e.Extension)
			}
			seen[e.Extension] = true
			if !contenu.Known(e.Contenu) {
				c.errorf(p+".contenu", "VALEUR_INVALIDE", "contenu « %s » inconnu (pdf, classeur-ooxml, classeur-odf, classeur-ole, texte)", e.Contenu)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ContenuOf is the content kind (templates/contenus.yaml) a pièce named
// name must have, from its extension; "" when it has no such rule.
func (r *Registry) ContenuOf(name string) string {
	if r == nil {
		return ""
	}
	return r.contenus.Of(strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), "."))
}
