package facturx

import (
	"fmt"
	"sync"
	"time"

	"github.com/segur-sons/segur/templates"
	"go.yaml.in/yaml/v3"
)

// Data are the codes and wording of templates/facturx.yaml.
type Data struct {
	Profil struct {
		Guideline    string `yaml:"guideline"`
		Fichier      string `yaml:"fichier"`
		Conformance  string `yaml:"conformance"`
		Version      string `yaml:"version"`
		TypeDocument string `yaml:"type_document"`
	} `yaml:"profil"`
	Exoneration struct {
		Categorie  string            `yaml:"categorie"`
		Categories map[string]string `yaml:"categories"`
		Code       string            `yaml:"code"`
		Texte      string            `yaml:"texte"`
	} `yaml:"exoneration"`
	Assujetti struct {
		Categorie               string `yaml:"categorie"`
		ExigibiliteDebits       string `yaml:"exigibilite_debits"`
		ExigibiliteEncaissement string `yaml:"exigibilite_encaissement"`
	} `yaml:"assujetti"`
	Types struct {
		Facture string `yaml:"facture"`
		Avoir   string `yaml:"avoir"`
	} `yaml:"types"`
	Notes struct {
		Penalites string `yaml:"penalites"`
		Indemnite string `yaml:"indemnite"`
		Escompte  string `yaml:"escompte"`
		General   string `yaml:"general"`
	} `yaml:"notes"`
	Identifiants struct {
		Siren string `yaml:"siren"`
		Siret string `yaml:"siret"`
		TVA   string `yaml:"tva"`
	} `yaml:"identifiants"`
	Obligation struct {
		Emission map[string]string `yaml:"emission"`
		Toutes   string            `yaml:"toutes"`
	} `yaml:"obligation"`
	Relation string `yaml:"relation"`
	Unite    string `yaml:"unite"`
	Pays     string `yaml:"pays"`
	Devise   string `yaml:"devise"`
}

// Load returns the embedded data, read and checked once.
var Load = sync.OnceValues(func() (*Data, error) {
	b, err := templates.FS.ReadFile(templates.FacturX)
	if err != nil {
		return nil, fmt.Errorf("facturx: %w", err)
	}
	var d Data
	if err := yaml.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("facturx: %s: %w", templates.FacturX, err)
	}
	for name, v := range map[string]string{
		"profil.guideline": d.Profil.Guideline, "profil.fichier": d.Profil.Fichier,
		"profil.conformance": d.Profil.Conformance, "profil.version": d.Profil.Version,
		"profil.type_document":  d.Profil.TypeDocument,
		"exoneration.categorie": d.Exoneration.Categorie, "exoneration.code": d.Exoneration.Code,
		"exoneration.texte": d.Exoneration.Texte, "assujetti.categorie": d.Assujetti.Categorie,
		"assujetti.exigibilite_debits":       d.Assujetti.ExigibiliteDebits,
		"assujetti.exigibilite_encaissement": d.Assujetti.ExigibiliteEncaissement,
		"types.facture":                      d.Types.Facture, "types.avoir": d.Types.Avoir,
		"notes.penalites": d.Notes.Penalites, "notes.indemnite": d.Notes.Indemnite,
		"notes.escompte": d.Notes.Escompte, "notes.general": d.Notes.General,
		"identifiants.siren": d.Identifiants.Siren, "identifiants.siret": d.Identifiants.Siret,
		"identifiants.tva": d.Identifiants.TVA, "unite": d.Unite, "relation": d.Relation, "pays": d.Pays, "devise": d.Devise,
	} {
		if v == "" {
			return nil, fmt.Errorf("facturx: %s: %s manquant", templates.FacturX, name)
		}
	}
	for _, v := range append(mapValues(d.Obligation.Emission), d.Obligation.Toutes) {
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return nil, fmt.Errorf("facturx: %s: obligation : date « %s » invalide", templates.FacturX, v)
		}
	}
	return &d, nil
})

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// ICC returns the sRGB ICC profile of the OutputIntent.
func ICC() ([]byte, error) { return templates.FS.ReadFile(templates.SRGB) }
