package dossier

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/segur-sons/segur/asp"
)

// ProfilAvance is the avance JSON line of a dispositif, key by key in the
// order they are written, each with its source (templates/json/<id>.yaml,
// named by the dispositif's json_avance.profil).
type ProfilAvance struct {
	ID     string      `yaml:"id"`
	Source string      `yaml:"source"`
	Cles   []CleAvance `yaml:"cles"`
}

// CleAvance is one key of the avance line. Valeur names what is written
// (AvanceValeurs); Champs are the keys of an object, or of each item of a
// list. Provisoire marks a key, or its values, that no official source
// confirms; Pourquoi says what is not confirmed.
type CleAvance struct {
	Cle        string      `yaml:"cle"`
	Valeur     string      `yaml:"valeur"`
	Provisoire bool        `yaml:"provisoire"`
	Pourquoi   string      `yaml:"pourquoi"`
	Source     string      `yaml:"source"`
	Champs     []CleAvance `yaml:"champs"`
}

// Kinds of avance values.
const (
	ValeurFeuille = iota // a string, number, boolean or null
	ValeurObjet          // an object of Champs
	ValeurListe          // a list of objects of Champs, one per item
)

// AvanceValeurs are the values the avance writer (package pack) knows, by
// name, with their kind; a list's items are the médecins (liberal) or the
// pièces (pieces).
var AvanceValeurs = map[string]int{
	"num_ligne": ValeurFeuille, "type_action": ValeurFeuille, "numero_asp": ValeurFeuille, "numero_editeur": ValeurFeuille,
	"code_traitement": ValeurFeuille, "libelle_traitement": ValeurFeuille,
	"objet":         ValeurObjet,
	"date_commande": ValeurFeuille, "regime_tva": ValeurFeuille, "montant_segur_ht": ValeurFeuille,
	"commande_pour": ValeurFeuille, "is_mandataire": ValeurFeuille, "is_client_unique": ValeurFeuille,
	"nom_mandataire": ValeurFeuille, "email_mandataire": ValeurFeuille, "telephone_mandataire": ValeurFeuille,
	"liberal":     ValeurListe,
	"medecin_nom": ValeurFeuille, "medecin_email": ValeurFeuille, "medecin_telephone": ValeurFeuille, "medecin_rpps": ValeurFeuille,
	"responsable_nom": ValeurFeuille, "responsable_email": ValeurFeuille, "responsable_telephone": ValeurFeuille,
	"finess_juridique": ValeurFeuille, "finess_geo": ValeurFeuille,
	"pieces":    ValeurListe,
	"piece_nom": ValeurFeuille, "piece_format": ValeurFeuille, "piece_type": ValeurFeuille,
	"centre_de_sante": ValeurFeuille, "operateur_messagerie": ValeurFeuille, "pro_sante_connect": ValeurFeuille,
	"dmp_direct": ValeurFeuille, "dmp_tiers": ValeurFeuille, "mss_pro_direct": ValeurFeuille, "mss_pro_tiers": ValeurFeuille,
	"mss_citoyen_direct": ValeurFeuille, "mss_citoyen_tiers": ValeurFeuille,
}

// Provisoires lists the paths of the profile's provisional keys
// (« commande.dateCommande »), in order.
func (p *ProfilAvance) Provisoires() []string {
	var out []string
	var walk func(prefix string, cles []CleAvance)
	walk = func(prefix string, cles []CleAvance) {
		for _, c := range cles {
			if c.Provisoire {
				out = append(out, prefix+c.Cle)
			}
			walk(prefix+c.Cle+".", c.Champs)
		}
	}
	walk("", p.Cles)
	return out
}

// Paths lists every key of the profile as package asp names them
// (« beneficiaires.liberal[].RPPS »), in order.
func (p *ProfilAvance) Paths() []string {
	var out []string
	var walk func(prefix string, cles []CleAvance)
	walk = func(prefix string, cles []CleAvance) {
		for _, c := range cles {
			out = append(out, prefix+c.Cle)
			sub := prefix + c.Cle + "."
			if AvanceValeurs[c.Valeur] == ValeurListe {
				sub = prefix + c.Cle + "[]."
			}
			walk(sub, c.Champs)
		}
	}
	walk("", p.Cles)
	return out
}

// loadProfilsAvance reads every json/avance-*.yaml of fsys.
func loadProfilsAvance(fsys fs.FS) (map[string]*ProfilAvance, error) {
	names, err := fs.Glob(fsys, "json/avance-*.yaml")
	if err != nil {
		return nil, err
	}
	out := map[string]*ProfilAvance{}
	for _, name := range names {
		p := &ProfilAvance{}
		err := loadYAML(fsys, name, p, func(c *checker) {
			c.required("id", p.ID)
			c.required("source", p.Source)
			if want := strings.TrimSuffix(strings.TrimPrefix(name, "json/"), ".yaml"); p.ID != want {
				c.errorf("id", "VALEUR_INVALIDE", "id « %s » différent du nom du fichier", p.ID)
			}
			checkClesAvance(c, "cles", "", p.Cles)
			// The dépôt numbers its lines from the first key, as the solde's.
			if len(p.Cles) > 0 && (p.Cles[0].Cle != "numLigne" || p.Cles[0].Valeur != "num_ligne") {
				c.errorf("cles[0]", "VALEUR_INVALIDE", "la première clé d'une ligne est numLigne (valeur num_ligne)")
			}
		})
		if err != nil {
			return nil, err
		}
		out[p.ID] = p
	}
	return out, nil
}

// checkClesAvance checks keys of a profile: each has a source, a value the
// writer knows, the keys of its object or list, a reason when provisional,
// and is a key package asp describes; none twice.
func checkClesAvance(c *checker, path, aspPrefix string, cles []CleAvance) {
	if len(cles) == 0 {
		c.errorf(path, "CHAMP_MANQUANT", "au moins une clé")
	}
	var seen []string
	for i, k := range cles {
		p := fmt.Sprintf("%s[%d]", path, i)
		c.required(p+".cle", k.Cle)
		c.required(p+".source", k.Source)
		if slices.Contains(seen, k.Cle) {
			c.errorf(p+".cle", "VALEUR_INVALIDE", "clé « %s » en double", k.Cle)
		}
		seen = append(seen, k.Cle)
		kind, known := AvanceValeurs[k.Valeur]
		if !known {
			c.errorf(p+".valeur", "VALEUR_INVALIDE", "valeur « %s » inconnue de segur", k.Valeur)
			continue
		}
		if !asp.AvanceKnown(aspPrefix + k.Cle) {
			c.errorf(p+".cle", "VALEUR_INVALIDE", "clé « %s » absente de la description du format d'avance (package asp)", aspPrefix+k.Cle)
		}
		if k.Provisoire {
			c.required(p+".pourquoi", k.Pourquoi)
		}
		switch kind {
		case ValeurObjet:
			checkClesAvance(c, p+".champs", aspPrefix+k.Cle+".", k.Champs)
		case ValeurListe:
			checkClesAvance(c, p+".champs", aspPrefix+k.Cle+"[].", k.Champs)
		default:
			if len(k.Champs) > 0 {
				c.errorf(p+".champs", "VALEUR_INVALIDE", "une valeur simple n'a pas de champs")
			}
		}
	}
}
