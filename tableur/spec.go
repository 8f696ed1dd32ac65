package tableur

import (
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"unicode"

	"github.com/segur-sons/segur/templates"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"
)

// Column is one column of the spreadsheet: the record key it fills.
type Column struct {
	Key    string     `yaml:"cle"`     // record path: commande.date, beneficiaires[].rpps
	Label  string     `yaml:"libelle"` // header label
	Type   ColumnType `yaml:"type"`
	When   string     `yaml:"quand"`
	Help   string     `yaml:"aide"`
	Values []string   `yaml:"valeurs"`
	Digits int        `yaml:"chiffres"`
}

// beneficiary reports whether the column describes one beneficiary (one
// per row) rather than the dossier.
func (c *Column) beneficiary() bool { return strings.HasPrefix(c.Key, benefPrefix) }

const benefPrefix = "beneficiaires[]."

// Example is one example dossier of the template.
type Example struct {
	Situation string    `yaml:"situation"`
	Record    yaml.Node `yaml:"enregistrement"`
}

// Spec is templates/tableur.yaml.
type Spec struct {
	Sheet     string    `yaml:"feuille"`
	HelpSheet string    `yaml:"feuille_aide"`
	Columns   []Column  `yaml:"colonnes"`
	Examples  []Example `yaml:"exemples"`
	Export    struct {
		Sheet       string            `yaml:"feuille"`
		TotalsSheet string            `yaml:"feuille_totaux"`
		Columns     map[string]string `yaml:"colonnes"`
		Totals      map[string]string `yaml:"totaux"`
	} `yaml:"export"`

	byName map[string]int // normalised label or key → column index
}

// ColumnType is how a column's cells are read and written back (type in
// templates/tableur.yaml).
type ColumnType string

// The column types.
const (
	colTexte        ColumnType = "texte"        // text on one line
	colIdentifiant  ColumnType = "identifiant"  // letters and digits (chiffres: the digits expected)
	colIdentifiants ColumnType = "identifiants" // several identifiants
	colMontant      ColumnType = "montant"      // an amount in euros
	colTaux         ColumnType = "taux"         // a TVA rate in %
	colDate         ColumnType = "date"
	colEntier       ColumnType = "entier"  // a whole number
	colOuiNon       ColumnType = "oui-non" // oui or non
	colChoix        ColumnType = "choix"   // one of the column's valeurs
	colLignes       ColumnType = "lignes"  // lines (an address)
	colListe        ColumnType = "liste"   // several texts
)

var columnTypes = map[ColumnType]bool{
	colTexte: true, colIdentifiant: true, colMontant: true, colTaux: true, colDate: true, colEntier: true,
	colOuiNon: true, colChoix: true, colLignes: true, colIdentifiants: true, colListe: true,
}

// LoadSpec reads and checks the column file from fsys.
func LoadSpec(fsys fs.FS) (*Spec, error) {
	data, err := fs.ReadFile(fsys, templates.Tableur)
	if err != nil {
		return nil, fmt.Errorf("%s illisible : %v", templates.Tableur, err)
	}
	var s Spec
	if err := yaml.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s illisible : %v", templates.Tableur, err)
	}
	s.byName = map[string]int{}
	for i, c := range s.Columns {
		if c.Key == "" || c.Label == "" || c.Help == "" {
			return nil, fmt.Errorf("%s : colonne %d sans clé, libellé ou aide", templates.Tableur, i+1)
		}
		if !columnTypes[c.Type] {
			return nil, fmt.Errorf("%s : colonne « %s » de type inconnu « %s »", templates.Tableur, c.Key, c.Type)
		}
		if (c.Type == colChoix) != (len(c.Values) > 0) && c.Type != colTaux {
			return nil, fmt.Errorf("%s : colonne « %s » : des valeurs vont avec le type choix", templates.Tableur, c.Key)
		}
		for _, n := range []string{normalize(c.Label), normalize(c.Key)} {
			if j, dup := s.byName[n]; dup && j != i {
				return nil, fmt.Errorf("%s : colonnes « %s » et « %s » de même nom", templates.Tableur, s.Columns[j].Key, c.Key)
			}
			s.byName[n] = i
		}
	}
	if _, ok := s.byName[normalize("numero_editeur")]; !ok {
		return nil, fmt.Errorf("%s : la colonne numero_editeur manque", templates.Tableur)
	}
	if s.Sheet == "" || s.HelpSheet == "" || s.Export.Sheet == "" || s.Export.TotalsSheet == "" {
		return nil, fmt.Errorf("%s : noms de feuilles manquants", templates.Tableur)
	}
	return &s, nil
}

var (
	defaultOnce sync.Once
	defaultSpec *Spec
	defaultErr  error
)

// DefaultSpec is the embedded column file.
func DefaultSpec() (*Spec, error) {
	defaultOnce.Do(func() { defaultSpec, defaultErr = LoadSpec(templates.FS) })
	return defaultSpec, defaultErr
}

// column finds the column a header names, by its label or its key, case,
// accents, spaces and punctuation aside.
func (s *Spec) column(header string) (int, bool) {
	i, ok := s.byName[normalize(header)]
	return i, ok
}

// normalize lowers, strips accents and reduces anything but letters and
// digits to single spaces: « Bénéficiaire - RPPS » and
// « beneficiaires[].rpps » compare as « beneficiaire rpps » and
// « beneficiaires rpps ».
func normalize(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// suggestion returns the known label nearest header, when close enough.
func (s *Spec) suggestion(header string) string {
	h := normalize(header)
	best, bestD := "", 4
	for _, c := range s.Columns {
		for _, n := range []string{normalize(c.Label), normalize(c.Key)} {
			if d := levenshtein(h, n); d < bestD {
				best, bestD = c.Label, d
			}
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 200 || len(rb) > 200 {
		return 1 << 20
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
