// Package templates holds segur's embedded data: one file per dispositif
// (dispositifs/*.yaml: split, ceilings, MOM rule, pièces, deadlines, wording,
// each figure with its source), the fonts, and the fixed wording of the
// documents. It has no logic: see README.md for each file's source and how
// to update it.
package templates

import "embed"

// FS holds every embedded file: dispositifs/, json/ (the avance JSON's
// profiles), contenus.yaml (what a pièce holds, by extension), tva.yaml,
// specialites.yaml, fonts/,
// facturx.yaml, mentions.yaml, icc/ and tableur.yaml.
//
//go:embed dispositifs/*.yaml json/*.yaml contenus.yaml tva.yaml specialites.yaml fonts/*.ttf facturx.yaml mentions.yaml icc/sRGB.icc tableur.yaml
var FS embed.FS

// Font files, as embedded.
const (
	FontRegular = "fonts/DejaVuSans-segur.ttf"
	FontBold    = "fonts/DejaVuSans-Bold-segur.ttf"
	// FacturX holds the codes and wording of the Factur-X XML; SRGB the
	// ICC profile of its PDF/A OutputIntent (CC0, icc/LICENSE-sRGB.txt).
	FacturX = "facturx.yaml"
	SRGB    = "icc/sRGB.icc"
	// Mentions holds the fixed mentions of the documents, each with its
	// source.
	Mentions = "mentions.yaml"
)

// Tableur holds the columns of the spreadsheets of `segur importer`,
// `segur modele-tableur` and `segur exporter`: header labels, help,
// drop-down values, the template's example rows.
const Tableur = "tableur.yaml"
