package readback

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/segur-sons/segur/asp"
	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/facturx"
	"github.com/segur-sons/segur/internal/contenu"
	"github.com/segur-sons/segur/internal/fr"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/retours"
	"github.com/segur-sons/segur/signature"
	"github.com/shopspring/decimal"
)

// Check reads back the output folder of `segur pack` as the ASP would and
// returns every problem found, sorted: the upload pairs' names (NOM_DEPOT),
// the solde JSON's format and values (JSON_INVALIDE, JSON_CHAMP, DOUBLON),
// the zips (ZIP_INVALIDE), the pièces each line needs (PIECE_ABSENTE,
// PIECE_EN_TROP, PIECE_VIDE), the PDFs (PDF_INVALIDE), the facture against
// its line (FACTURE_INCOHERENTE), and rapport.json (RAPPORT, a warning).
//
// The error is only for a check that cannot run: dir or dir/depot missing
// or unreadable. A dépôt with no pair at all is not a problem by itself.
// Zips are read one entry at a time; only one PDF is in memory at once.
//
// reg gives each dispositif's extra pièces (templates/dispositifs/*.yaml).
func Check(dir string, reg *dossier.Registry) ([]dossier.Problem, error) {
	res, err := CheckWith(dir, reg, Options{})
	if err != nil {
		return nil, err
	}
	return res.Problems, nil
}

// Options steer CheckWith.
type Options struct {
	// Trust holds the roots segur.yaml gives for the level of each
	// signature (nil: every signature is of level simple); MinLevel the
	// level each must reach (signature.niveau_minimum), as pack applies it.
	Trust    *signature.Trust
	MinLevel signature.Level
}

// Signed is one signed MOM or VA found in a zip, with its signatures as
// verified.
type Signed struct {
	Zip, Numero, Piece string
	Signers            []signature.SignerInfo
}

// Result is what CheckWith found: the problems, sorted, and every signed
// pièce read, in the order read.
type Result struct {
	Problems []dossier.Problem
	Signed   []Signed
}

// CheckWith is Check with the signature policy of segur.yaml, returning
// also the signatures read (for `segur check`'s output).
func CheckWith(dir string, reg *dossier.Registry, opt Options) (*Result, error) {
	if fi, err := os.Stat(dir); err != nil {
		return nil, errors.New(safeio.Message(err))
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("« %s » n'est pas un dossier", dir)
	}
	folder := filepath.Join(dir, "depot")
	fi, err := os.Stat(folder)
	if err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("« %s » : pas de dossier depot/ (est-ce bien la sortie de segur pack ?)", dir)
	}
	entries, err := os.ReadDir(folder)
	if err != nil {
		return nil, errors.New(safeio.Message(err))
	}
	c := &depotCheck{reg: reg, dir: dir, opt: opt, remises: retours.LoadRemises(dir)}
	if depot.SwitchPending(dir) {
		c.warn("depot", "-", "-", "BASCULE_INTERROMPUE", "la production précédente a été interrompue pendant la bascule du dépôt : relancez segur pack pour la terminer avant de téléverser")
	}
	rap := c.rapport(dir)
	if rap != nil {
		c.sums = map[string]map[string]string{}
		for _, d := range rap {
			if d.Statut != rapport.StatutPret {
				continue
			}
			for _, f := range d.Fichiers {
				if c.sums[d.NumeroEditeur] == nil {
					c.sums[d.NumeroEditeur] = map[string]string{}
				}
				c.sums[d.NumeroEditeur][f.Nom] = f.SHA256
			}
		}
	}

	type files struct{ json, zip bool }
	pairs := map[string]*files{}
	var bases []string
	for _, e := range entries {
		name := e.Name()
		rel := "depot/" + name
		base, ext := name, ""
		if i := strings.LastIndexByte(name, '.'); i > 0 {
			base, ext = name[:i], name[i:]
		}
		switch {
		case strings.Contains(name, depot.TmpMarker):
			c.warn(rel, "-", "-", "NOM_DEPOT", "fichier temporaire laissé par une production interrompue : relancez segur pack, qui le supprime")
			continue
		case e.IsDir():
			c.warn(rel, "-", "-", "NOM_DEPOT", "dossier inattendu dans depot/ : le dépôt ne contient que des paires .json + .zip")
			continue
		case ext != ".json" && ext != ".zip":
			c.warn(rel, "-", "-", "NOM_DEPOT", "fichier inattendu dans depot/ : le dépôt ne contient que des paires .json + .zip")
			continue
		}
		p := pairs[base]
		if p == nil {
			p = &files{}
			pairs[base] = p
			bases = append(bases, base)
		}
		if ext == ".json" {
			p.json = true
		} else {
			p.zip = true
		}
	}
	slices.Sort(bases)

	type part struct {
		base string
		nn   int
	}
	parts := map[string][]part{} // dispositif-SOLDE-ans → parts
	var done []checkedPair
	for _, base := range bases {
		p := pairs[base]
		if asp.IsAvancePair(base) {
			if cp := c.avancePair(folder, base, p.json, p.zip); cp != nil {
				done = append(done, *cp)
			}
			continue
		}
		jsonRel, zipRel := "depot/"+base+".json", "depot/"+base+".zip"
		dispositif, ans := "", ""
		if m := asp.PairPattern.FindStringSubmatch(base); m == nil || m[3] == "00" {
			rel := jsonRel
			if !p.json {
				rel = zipRel
			}
			c.error(rel, "-", "-", "NOM_DEPOT", "nom « %s » non conforme : attendu <dispositif>-SOLDE-<numéro ANS à 10 chiffres>-<partie 01, 02…> (ex. MDV-LGC-Va1-SOLDE-1234567890-01)", base)
			dispositif, _, _ = strings.Cut(base, asp.PairSep)
			if dispositif == base {
				dispositif = ""
			}
		} else {
			dispositif, ans = m[1], m[2]
			nn, _ := strconv.Atoi(m[3]) // two digits: the pattern matched them
			key := m[1] + asp.PairSep + m[2]
			parts[key] = append(parts[key], part{base, nn})
			if _, ok := c.extras(dispositif); !ok {
				c.warn(jsonRel, "-", "-", "DISPOSITIF_INCONNU", "dispositif « %s » inconnu de segur check (connus : %s) : ses pièces supplémentaires ne sont pas vérifiées", dispositif, c.reg.Names())
			}
		}
		switch {
		case !p.zip:
			c.error(jsonRel, "-", "-", "NOM_DEPOT", "%s.zip absent : chaque JSON de solde se dépose avec le zip de ses pièces, de même nom", base)
		case !p.json:
			c.error(zipRel, "-", "-", "NOM_DEPOT", "%s.json absent : chaque zip de pièces se dépose avec le JSON de solde de même nom", base)
		}
		var s *solde
		if p.json {
			s = c.soldeFile(filepath.Join(folder, base+".json"), jsonRel, c.reg.Get(dispositif))
			if s != nil && ans != "" && s.numeroAns != "" && s.numeroAns != ans {
				c.add(dossier.Problem{Pos: dossier.Pos{File: jsonRel, Line: s.numeroAnsLine}, Level: dossier.Erreur, Numero: "-", Field: asp.KeyNumeroAns,
					Code: "NOM_DEPOT", Message: fmt.Sprintf("le JSON porte le numéro ANS %s mais son nom porte %s : les deux doivent être identiques", s.numeroAns, ans)})
			}
			if s != nil {
				done = append(done, checkedPair{base: base, rel: jsonRel, solde: s})
			}
		}
		if p.zip {
			var lignes []soldeLigne
			if s != nil && s.readable {
				lignes = s.lignes
			}
			c.zipFile(filepath.Join(folder, base+".zip"), zipRel, dispositif, s != nil && s.readable, lignes, jsonRel)
		}
	}

	// Parts of one dispositif and solution follow each other from -01.
	keys := make([]string, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		ps := parts[k]
		have := map[int]bool{}
		last := 0
		for _, p := range ps {
			have[p.nn] = true
			last = max(last, p.nn)
		}
		for n := 1; n < last; n++ {
			if !have[n] {
				c.warn(fmt.Sprintf("depot/%s-%02d.json", k, n), "-", "-", "NOM_DEPOT", "partie -%02d absente alors que la partie -%02d existe : des lignes manquent peut-être au dépôt", n, last)
			}
		}
	}

	c.duplicates(done)
	if rap != nil {
		c.crossRapport(rap, done)
	}
	dossier.SortProblems(c.probs)
	return &Result{Problems: c.probs, Signed: c.signed}, nil
}

// extras lists the kinds of extra pièces each line of a dispositif needs
// besides the facture and the MOM or VA, from the
// dispositif's data; false when the dispositif is unknown.
func (c *depotCheck) extras(dispositif string) ([]string, bool) {
	d := c.reg.Get(dispositif)
	if d == nil {
		return nil, false
	}
	var kinds []string
	for _, p := range d.Pieces.Valeurs {
		kinds = append(kinds, p.Type)
	}
	return kinds, true
}

// ckMaxPDF is the largest PDF entry of a zip that is read: safeio's
// bound on a PDF, as pack applied it to the file it put there.
var ckMaxPDF = safeio.PDF.Max

const (
	// ckMaxMembers is the most keys one object of a solde JSON may have:
	// the ASP's keys are some twenty, the dispositif's extras a few.
	ckMaxMembers = 1000
)

var (
	ckDecimal = regexp.MustCompile(`^-?[0-9]{1,30}(\.[0-9]{1,30})?$`) // a JSON number that decimal can read
)

// depotCheck gathers the problems of one Check.
type depotCheck struct {
	reg   *dossier.Registry
	probs []dossier.Problem
	// sums are the SHA-256 rapport.json records of each file of each
	// dossier pack put in a zip (numéro → file name → hex), nil without
	// a readable rapport.json.
	sums map[string]map[string]string
	dir  string
	opt  Options
	// remises are the SHA-256 of the unsigned documents handed out, by
	// numéro (remises-a-signer.sha256).
	remises map[string][]string
	signed  []Signed
}

func (c *depotCheck) add(p dossier.Problem) { c.probs = append(c.probs, p) }

func (c *depotCheck) error(file, numero, field, code, format string, args ...any) {
	c.add(dossier.Problem{Pos: dossier.Pos{File: file}, Level: dossier.Erreur, Numero: numero, Field: field, Code: code, Message: echof(format, args...)})
}

func (c *depotCheck) warn(file, numero, field, code, format string, args ...any) {
	c.add(dossier.Problem{Pos: dossier.Pos{File: file}, Level: dossier.Attention, Numero: numero, Field: field, Code: code, Message: echof(format, args...)})
}

// checkedPair is a solde JSON that could be read, for the checks across
// pairs.
type checkedPair struct {
	base, rel string
	solde     *solde
}

// rapport reads rapport.json's entries one at a time, keeping only what
// crossRapport needs; nil when it is missing or unreadable (a warning: the
// ASP never sees it).
func (c *depotCheck) rapport(dir string) []rapport.Entry {
	// Bounded, regular file only: rapport.json may be anything (a link to
	// /dev/zero, a FIFO).
	f, err := safeio.Open(filepath.Join(dir, "rapport.json"), safeio.Rapport)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.warn("rapport.json", "-", "-", "RAPPORT", "rapport.json absent : le dossier n'a pas été produit par segur pack, ou la production a été interrompue")
		return nil
	case err != nil:
		c.warn("rapport.json", "-", "-", "RAPPORT", "rapport.json illisible : %s", composed(safeio.Reason(err)))
		return nil
	}
	defer f.Close() // read-only: closing it loses nothing
	ds, err := rapport.ReadEntries(io.LimitReader(f, safeio.Rapport.Max))
	switch {
	case errors.Is(err, rapport.ErrTooManyEntries):
		c.warn("rapport.json", "-", "-", "RAPPORT", "rapport.json compte plus de %d dossiers : ce n'est pas un rapport de segur, il n'est pas comparé au dépôt", rapport.MaxEntries)
		return nil
	case err != nil:
		c.warn("rapport.json", "-", "-", "RAPPORT", "rapport.json n'est pas un rapport de segur lisible (JSON mal formé ou modifié à la main)")
		return nil
	}
	return ds
}

// crossRapport compares the lines of the dépôt with the dossiers
// rapport.json says are ready.
func (c *depotCheck) crossRapport(rap []rapport.Entry, pairs []checkedPair) {
	type at struct {
		i int
		d *rapport.Entry
	}
	byNumero := map[string]at{}
	for i := range rap {
		d := &rap[i]
		if old, ok := byNumero[d.NumeroEditeur]; !ok || old.d.Statut != rapport.StatutPret {
			byNumero[d.NumeroEditeur] = at{i, d}
		}
	}
	inDepot := map[string]string{} // numero → pair base
	for _, p := range pairs {
		for _, l := range p.solde.lignes {
			if l.numero == "-" {
				continue
			}
			if _, ok := inDepot[l.numero]; !ok {
				inDepot[l.numero] = p.base
			}
			e, ok := byNumero[l.numero]
			switch {
			case !ok:
				c.warn("rapport.json", l.numero, "dossiers", "RAPPORT", "le dossier %s figure dans %s.json mais pas dans rapport.json", l.numero, p.base)
			case e.d.Statut != rapport.StatutPret:
				c.warn("rapport.json", l.numero, fmt.Sprintf("dossiers[%d].statut", e.i), "RAPPORT", "le dossier %s figure dans %s.json alors que rapport.json le dit « %s »", l.numero, p.base, e.d.Statut)
			case e.d.Depot != p.base:
				c.warn("rapport.json", l.numero, fmt.Sprintf("dossiers[%d].depot", e.i), "RAPPORT", "le dossier %s figure dans %s.json alors que rapport.json le place dans %s", l.numero, p.base, e.d.Depot)
			}
		}
	}
	for i, d := range rap {
		if d.Statut != rapport.StatutPret {
			continue
		}
		if _, ok := inDepot[d.NumeroEditeur]; !ok {
			c.warn("rapport.json", ckNumero(d.NumeroEditeur), fmt.Sprintf("dossiers[%d]", i), "RAPPORT", "rapport.json dit le dossier %s prêt dans %s, mais aucune ligne de depot/ ne le contient", d.NumeroEditeur, d.Depot)
		}
	}
}

func ckNumero(s string) string {
	if asp.NumeroEditeur.MatchString(s) {
		return s
	}
	return "-"
}

// duplicates reports a numéro éditeur or numéro ASP on two lines of the
// dépôt, in one pair or across pairs.
func (c *depotCheck) duplicates(pairs []checkedPair) {
	type seen struct {
		rel  string
		line int
	}
	editeurs, asps := map[string]seen{}, map[string]seen{}
	for _, p := range pairs {
		for _, l := range p.solde.lignes {
			if l.numero != "-" {
				if s, ok := editeurs[l.numero]; ok {
					c.add(dossier.Problem{Pos: dossier.Pos{File: p.rel, Line: l.line}, Numero: l.numero, Field: fmt.Sprintf("lignesImport[%d].numeroEditeur", l.index),
						Code: "DOUBLON", Message: fmt.Sprintf("le numéro éditeur %s figure déjà dans %s (ligne %d) : un dossier se dépose une seule fois", l.numero, s.rel, s.line)})
				} else {
					editeurs[l.numero] = seen{p.rel, l.line}
				}
			}
			if l.asp != "" {
				if s, ok := asps[l.asp]; ok {
					c.add(dossier.Problem{Pos: dossier.Pos{File: p.rel, Line: l.aspLine}, Numero: l.numero, Field: fmt.Sprintf("lignesImport[%d].numeroASP", l.index),
						Code: "DOUBLON", Message: fmt.Sprintf("le numéro de dossier ASP %s figure déjà dans %s (ligne %d) : un dossier se dépose une seule fois", l.asp, s.rel, s.line)})
				} else {
					asps[l.asp] = seen{p.rel, l.aspLine}
				}
			}
		}
	}
}

// soldeFile reads and checks one solde JSON; nil when it cannot be read at
// all.
func (c *depotCheck) soldeFile(path, rel string, dis *dossier.Dispositif) *solde {
	// One limit, safeio's: a solde JSON of 200 lines is some hundreds of
	// kilobytes.
	data, err := safeio.ReadFile(path, safeio.DepotJSON)
	if err != nil {
		c.error(rel, "-", "-", "JSON_INVALIDE", "fichier illisible : %s", composed(safeio.Reason(err)))
		return nil
	}
	s, probs := parseSoldeFor(rel, data, dis)
	c.probs = append(c.probs, probs...)
	return s
}

// solde is what Check keeps of one solde JSON.
type solde struct {
	numeroAns     string // when well-formed
	numeroAnsLine int
	lignes        []soldeLigne
	// readable is set when lignesImport could be read: the zip can then be
	// matched against the lines.
	readable bool
}

// soldeLigne is what Check keeps of one line of a solde JSON.
type soldeLigne struct {
	index   int    // in lignesImport, from 0
	line    int    // in the JSON file
	numero  string // numeroEditeur when well-formed, "-" otherwise
	asp     string // numeroASP when well-formed
	date    string // dateFacture when well-formed (dd/mm/yyyy)
	montant string // montantSegurHTFacture as written, when well-formed
	// aspLine, dateLine and montantLine are the lines of asp, date and
	// montant.
	aspLine, dateLine, montantLine int
	// ids are the beneficiaries' RPPS or FINESS géo; extras the
	// dispositif-specific keys after scenariosEffectivementInstalles.
	ids    []string
	extras map[string]json.RawMessage
	// direct holds the isDirectTo… flags of the line (DMP, MSS pro, MSS
	// citoyen): 1 true, -1 false, 0 missing or malformed.
	direct [3]int8
}

// jsonCheck checks one solde JSON, keeping the offsets of values to report
// line numbers.
type jsonCheck struct {
	file string
	// identNull is set when the dispositif's data says identDMP is always
	// null (BIO-LOINC).
	identNull bool
	data      []byte
	// lines[k] counts the newlines before offset k×lineStride: lineAt
	// counts from there, without an index of every newline.
	lines []int
	probs []dossier.Problem
	// dropped counts the problems past dossier.MaxProblemsPerFile, and
	// droppedAt is where the first one stood.
	dropped   int
	droppedAt int64
}

const lineStride = 64 << 10

// newJSONCheck checks data, a JSON file named file.
func newJSONCheck(file string, data []byte) *jsonCheck {
	c := &jsonCheck{file: file, data: data}
	n := 0
	for k := 0; k < len(data); k += lineStride {
		c.lines = append(c.lines, n)
		n += bytes.Count(data[k:min(k+lineStride, len(data))], []byte{'\n'})
	}
	return c
}

// jsonMember is a key of an object with its raw value, or an element of an
// array (key "").
type jsonMember struct {
	key  string
	raw  json.RawMessage
	off  int64 // offset of the key's end (of the value for an element)
	voff int64 // offset of the value
}

// parseSolde checks a solde JSON (the format of package asp) named file, and returns
// what the zip and cross-pair checks need. It never panics, whatever data
// holds.
func parseSolde(file string, data []byte) (*solde, []dossier.Problem) {
	return parseSoldeFor(file, data, nil)
}

// parseSoldeFor is parseSolde knowing the dispositif (nil when unknown):
// its data says whether identDMP is always null.
func parseSoldeFor(file string, data []byte, dis *dossier.Dispositif) (_ *solde, probs []dossier.Problem) {
	c := newJSONCheck(file, data)
	c.identNull = dis != nil && dis.IdentDMP.Mode == dossier.IdentDMPAucun
	s := &solde{}
	defer func() {
		c.summary()
		probs = c.probs
	}()
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		c.report(0, "-", "-", "JSON_INVALIDE", "le fichier commence par une marque d'ordre d'octets (BOM) : enregistrez-le en UTF-8 sans BOM")
		return s, c.probs
	case !utf8.Valid(data):
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		c.report(int64(off), "-", "-", "JSON_INVALIDE", "le fichier n'est pas encodé en UTF-8")
		return s, c.probs
	}
	// Checked without building the values: a file of 300,000 {} lines
	// would otherwise take gigabytes.
	if !json.Valid(data) {
		var v struct{}
		err := json.Unmarshal(data, &v)
		off := int64(len(data))
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		c.report(off, "-", "-", "JSON_INVALIDE", "JSON mal formé : %s", ckSyntax(err))
		return s, c.probs
	}
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		c.report(0, "-", "-", "JSON_INVALIDE", "le fichier doit contenir un objet JSON { impId, numeroAns, siret, lignesImport }, pas %s", ckKindOf(bytes.TrimSpace(data)))
		return s, c.probs
	}
	ms, err := jsonMembers(data, 0)
	if err != nil {
		c.report(0, "-", "-", "JSON_INVALIDE", "JSON illisible")
		return s, c.probs
	}
	got := c.keys(ms, asp.TopKeys, "", 0, "-", "")
	if m, ok := got[asp.KeyImpID]; ok && string(m.raw) != "null" {
		c.report(m.off, "-", asp.KeyImpID, "JSON_CHAMP", "doit valoir null (trouvé : %s)", ckShort(m.raw))
	}
	if m, ok := got[asp.KeyNumeroAns]; ok {
		if v, ok := c.str(m, "-", asp.KeyNumeroAns); ok {
			if asp.NumeroANS.MatchString(v) {
				s.numeroAns, s.numeroAnsLine = v, c.lineAt(m.off)
			} else {
				c.report(m.off, "-", asp.KeyNumeroAns, "JSON_CHAMP", "« %s » : le numéro ANS de la solution compte 10 chiffres", v)
			}
		}
	}
	if m, ok := got[asp.KeySiret]; ok {
		if v, ok := c.str(m, "-", asp.KeySiret); ok {
			switch {
			case !asp.Siret.MatchString(v):
				c.report(m.off, "-", asp.KeySiret, "JSON_CHAMP", "« %s » : le SIRET du fournisseur compte 14 chiffres, sans espace", v)
			case !dossier.ValidSiret(v):
				c.report(m.off, "-", asp.KeySiret, "JSON_CHAMP", "« %s » : SIRET invalide (clé de contrôle incorrecte)", v)
			}
		}
	}
	if m, ok := got[asp.KeyLignesImport]; ok {
		if m.raw[0] != '[' {
			c.report(m.off, "-", asp.KeyLignesImport, "JSON_INVALIDE", "doit être un tableau de lignes [ … ], pas %s", ckKindOf(m.raw))
		} else if els, count, err := jsonElements(m.raw, m.voff, asp.MaxLines); err != nil {
			c.report(m.off, "-", asp.KeyLignesImport, "JSON_INVALIDE", "tableau illisible")
		} else {
			s.readable = true
			switch {
			case count == 0:
				c.report(m.off, "-", asp.KeyLignesImport, "JSON_CHAMP", "aucune ligne : un JSON de solde contient au moins un dossier")
			case count > asp.MaxLines:
				// Only the first lines are checked: the file is refused
				// whole anyway.
				c.report(m.off, "-", asp.KeyLignesImport, "JSON_CHAMP", "%d lignes : un dépôt en compte au plus %d, découpez-le en plusieurs parties (-01, -02…) ; seules les %d premières sont vérifiées", count, asp.MaxLines, asp.MaxLines)
			}
			for i, e := range els {
				s.lignes = append(s.lignes, c.ligne(i, e))
			}
		}
	}
	return s, c.probs
}

func (c *jsonCheck) lineAt(off int64) int {
	off = max(0, min(off, int64(len(c.data))))
	k := int(off) / lineStride
	if k >= len(c.lines) {
		return 1
	}
	return 1 + c.lines[k] + bytes.Count(c.data[k*lineStride:off], []byte{'\n'})
}

func (c *jsonCheck) report(off int64, numero, field, code, format string, args ...any) {
	if len(c.probs) >= dossier.MaxProblemsPerFile {
		if c.dropped == 0 {
			c.droppedAt = off
		}
		c.dropped++
		return
	}
	if field == "" {
		field = "-"
	}
	c.probs = append(c.probs, dossier.Problem{
		Pos: dossier.Pos{File: c.file, Line: c.lineAt(off)}, Level: dossier.Erreur,
		Numero: numero, Field: field, Code: code, Message: echof(format, args...),
	})
}

// summary counts the problems left out, in one PROBLEMES_NOMBREUX.
func (c *jsonCheck) summary() {
	if c.dropped > 0 {
		c.probs = append(c.probs, dossier.Problem{
			Pos: dossier.Pos{File: c.file, Line: c.lineAt(c.droppedAt)}, Level: dossier.Erreur, Numero: "-", Field: "-", Code: "PROBLEMES_NOMBREUX",
			Message: fmt.Sprintf("… et %d autres problèmes dans ce fichier, non affichés", c.dropped),
		})
	}
}

// jsonMembers returns the members of the object raw (valid JSON), which
// starts at offset base of the file; at most ckMaxMembers.
func jsonMembers(raw []byte, base int64) ([]jsonMember, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	var ms []jsonMember
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return ms, err
		}
		k, ok := t.(string)
		if !ok {
			return ms, errors.New("key expected")
		}
		koff := dec.InputOffset()
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return ms, err
		}
		end := dec.InputOffset()
		if len(v) == 0 {
			return ms, errors.New("empty value")
		}
		if len(ms) == ckMaxMembers {
			return ms, errors.New("too many keys")
		}
		ms = append(ms, jsonMember{key: k, raw: v, off: base + koff, voff: base + end - int64(len(v))})
	}
	return ms, nil
}

// jsonElements returns the first keep elements of the array raw (valid
// JSON), which starts at offset base of the file, and how many it has.
func jsonElements(raw []byte, base int64, keep int) ([]jsonMember, int, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, 0, errors.New("not an array")
	}
	var els []jsonMember
	count := 0
	for dec.More() {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return els, count, err
		}
		if len(v) == 0 {
			return els, count, errors.New("empty value")
		}
		count++
		if len(els) < keep {
			off := base + dec.InputOffset() - int64(len(v))
			els = append(els, jsonMember{raw: v, off: off, voff: off})
		}
	}
	return els, count, nil
}

func ckJoin(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// keys checks the keys of an object against want, in that order: each
// once, none missing, no other key — except, when extrasAfter is set, keys
// placed after extrasAfter (dispositif-specific fields). It returns the
// wanted keys present.
func (c *jsonCheck) keys(ms []jsonMember, want []string, extrasAfter string, objOff int64, numero, path string) map[string]jsonMember {
	rank := map[string]int{}
	for i, k := range want {
		rank[k] = i
	}
	got := map[string]jsonMember{}
	last, lastKey := -1, ""
	extrasOK, ordered := false, true
	for _, m := range ms {
		f := ckJoin(path, m.key)
		r, wanted := rank[m.key]
		if !wanted {
			switch {
			case extrasOK:
			case extrasAfter != "":
				c.report(m.off, numero, f, "JSON_INVALIDE", "clé « %s » inattendue ici : les clés attendues sont, dans l'ordre, %s ; les champs propres au dispositif se placent après « %s »", m.key, strings.Join(want, ", "), extrasAfter)
			default:
				c.report(m.off, numero, f, "JSON_INVALIDE", "clé « %s » inconnue (clés attendues, dans l'ordre : %s)", m.key, strings.Join(want, ", "))
			}
			continue
		}
		if _, dup := got[m.key]; dup {
			c.report(m.off, numero, f, "JSON_INVALIDE", "la clé « %s » apparaît deux fois", m.key)
			continue
		}
		got[m.key] = m
		if r < last && ordered {
			ordered = false
			c.report(m.off, numero, f, "JSON_INVALIDE", "clés dans le désordre : « %s » doit venir avant « %s » (ordre attendu : %s)", m.key, lastKey, strings.Join(want, ", "))
		}
		if r > last {
			last, lastKey = r, m.key
		}
		if m.key == extrasAfter {
			extrasOK = true
		}
	}
	for _, k := range want {
		if _, ok := got[k]; !ok {
			c.report(objOff, numero, ckJoin(path, k), "JSON_INVALIDE", "clé « %s » manquante", k)
		}
	}
	return got
}

// ckKindOf names the JSON type of a raw value, in French.
func ckKindOf(raw []byte) string {
	if len(raw) == 0 {
		return "rien"
	}
	switch raw[0] {
	case 'n':
		return "null"
	case 't', 'f':
		return "un booléen"
	case '"':
		return "une chaîne"
	case '[':
		return "un tableau"
	case '{':
		return "un objet"
	}
	return "un nombre"
}

// ckShort is a raw value cut for a message.
func ckShort(raw []byte) string {
	s := string(raw)
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return s
}

// ckSyntax turns a JSON syntax error into French.
func ckSyntax(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unexpected end of JSON input"):
		return "fin de fichier prématurée (fichier tronqué ?)"
	case strings.HasPrefix(msg, "invalid character '"):
		rest := strings.TrimPrefix(msg, "invalid character '")
		if i := strings.Index(rest, "' "); i >= 0 {
			ch := rest[:i]
			if strings.Contains(rest[i:], "after top-level value") {
				return fmt.Sprintf("caractère « %s » après la fin de l'objet JSON", ch)
			}
			return fmt.Sprintf("caractère « %s » inattendu (virgule, guillemet ou accolade manquant ou en trop ?)", ch)
		}
	case strings.Contains(msg, "max depth"):
		return "imbrication trop profonde"
	}
	return "syntaxe incorrecte"
}

func (c *jsonCheck) str(m jsonMember, numero, field string) (string, bool) {
	var s string
	if m.raw[0] != '"' || json.Unmarshal(m.raw, &s) != nil {
		c.report(m.off, numero, field, "JSON_INVALIDE", "doit être une chaîne de caractères entre guillemets, pas %s", ckKindOf(m.raw))
		return "", false
	}
	return s, true
}

func (c *jsonCheck) boolean(m jsonMember, numero, field string) (bool, bool) {
	switch string(m.raw) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	c.report(m.off, numero, field, "JSON_INVALIDE", "doit valoir true ou false, pas %s", ckKindOf(m.raw))
	return false, false
}

// stringList reads an array of strings, reporting anything else with code.
func (c *jsonCheck) stringList(m jsonMember, numero, field, code, what string) ([]string, bool) {
	var l []string
	if m.raw[0] != '[' || json.Unmarshal(m.raw, &l) != nil {
		c.report(m.off, numero, field, code, "doit être un tableau de chaînes (%s), pas %s", what, ckKindOf(m.raw))
		return nil, false
	}
	return l, true
}

// object reads the members of an object value, reporting anything else.
func (c *jsonCheck) object(m jsonMember, numero, field string, want []string) (map[string]jsonMember, bool) {
	if m.raw[0] != '{' {
		c.report(m.off, numero, field, "JSON_INVALIDE", "doit être un objet { %s }, pas %s", strings.Join(want, ", "), ckKindOf(m.raw))
		return nil, false
	}
	ms, err := jsonMembers(m.raw, m.voff)
	if err != nil {
		c.report(m.off, numero, field, "JSON_INVALIDE", "objet illisible")
		return nil, false
	}
	return c.keys(ms, want, "", m.voff, numero, field), true
}

// ligne checks line i of lignesImport.
func (c *jsonCheck) ligne(i int, e jsonMember) soldeLigne {
	p := fmt.Sprintf("%s[%d]", asp.KeyLignesImport, i)
	l := soldeLigne{index: i, line: c.lineAt(e.voff), numero: "-"}
	if e.raw[0] != '{' {
		c.report(e.off, "-", p, "JSON_INVALIDE", "chaque ligne doit être un objet { numLigne, typeAction, … }, pas %s", ckKindOf(e.raw))
		return l
	}
	ms, err := jsonMembers(e.raw, e.voff)
	if err != nil {
		c.report(e.off, "-", p, "JSON_INVALIDE", "ligne illisible")
		return l
	}
	for _, m := range ms {
		var s string
		if m.key == asp.KeyNumeroEditeur && json.Unmarshal(m.raw, &s) == nil && asp.NumeroEditeur.MatchString(s) {
			l.numero = s
			break
		}
	}
	n := l.numero
	got := c.keys(ms, asp.LineKeys, asp.KeyScenarios, e.voff, n, p)
	if m, ok := got[asp.KeyNumLigne]; ok {
		switch {
		case m.raw[0] != '-' && (m.raw[0] < '0' || m.raw[0] > '9'):
			c.report(m.off, n, p+"."+asp.KeyNumLigne, "JSON_INVALIDE", "doit être un nombre entier, pas %s", ckKindOf(m.raw))
		case string(m.raw) != strconv.Itoa(i+1):
			c.report(m.off, n, p+"."+asp.KeyNumLigne, "JSON_CHAMP", "vaut %s, attendu %d : les lignes sont numérotées à partir de 1, dans l'ordre", ckShort(m.raw), i+1)
		}
	}
	if m, ok := got[asp.KeyTypeAction]; ok {
		if v, ok := c.str(m, n, p+"."+asp.KeyTypeAction); ok && v != asp.TypeAction {
			c.report(m.off, n, p+"."+asp.KeyTypeAction, "JSON_CHAMP", "« %s » : seule la création (« C ») est attendue", v)
		}
	}
	if m, ok := got[asp.KeyNumeroASP]; ok {
		if v, ok := c.str(m, n, p+"."+asp.KeyNumeroASP); ok {
			if asp.NumeroASP.MatchString(v) {
				l.asp, l.aspLine = v, c.lineAt(m.off)
			} else {
				c.report(m.off, n, p+"."+asp.KeyNumeroASP, "JSON_CHAMP", "« %s » : le numéro de dossier ASP s'écrit FIN, trois lettres majuscules et six chiffres (ex. FINMDV000042)", v)
			}
		}
	}
	if m, ok := got[asp.KeyNumeroEditeur]; ok {
		if v, ok := c.str(m, n, p+"."+asp.KeyNumeroEditeur); ok && !asp.NumeroEditeur.MatchString(v) {
			c.report(m.off, n, p+"."+asp.KeyNumeroEditeur, "JSON_CHAMP", "« %s » : le numéro éditeur compte 1 à 20 lettres ou chiffres, sans espace ni autre signe", v)
		}
	}
	if m, ok := got[asp.KeyFacture]; ok {
		if f, ok := c.object(m, n, p+"."+asp.KeyFacture, asp.FactureKeys); ok {
			c.facture(&l, f, n, p+"."+asp.KeyFacture)
		}
	}
	if m, ok := got[asp.KeyBeneficiaires]; ok {
		if b, ok := c.object(m, n, p+"."+asp.KeyBeneficiaires, asp.BeneficiairesKeys); ok {
			c.beneficiaires(b, n, p+"."+asp.KeyBeneficiaires)
			l.ids = ckIDs(b)
		}
	}
	if m, ok := got[asp.KeyScenarios]; ok {
		if s, ok := c.object(m, n, p+"."+asp.KeyScenarios, asp.ScenariosKeys); ok {
			l.direct = c.scenarios(s, n, p+"."+asp.KeyScenarios)
		}
	}
	l.extras = ckExtras(ms)
	return l
}

// facture checks the facture object, keeping its date and amount in l when
// well-formed.
func (c *jsonCheck) facture(l *soldeLigne, got map[string]jsonMember, n, p string) {
	if m, ok := got[asp.KeyDateFacture]; ok {
		if v, ok := c.str(m, n, p+"."+asp.KeyDateFacture); ok {
			if _, err := time.Parse("02/01/2006", v); !asp.Date.MatchString(v) || err != nil {
				c.report(m.off, n, p+"."+asp.KeyDateFacture, "JSON_CHAMP", "« %s » : date jj/mm/aaaa attendue (ex. 10/02/2023)", v)
			} else {
				l.date, l.dateLine = v, c.lineAt(m.off)
			}
		}
	}
	if m, ok := got[asp.KeyMontantSegurHTFacture]; ok {
		f := p + ".montantSegurHTFacture"
		txt := string(m.raw)
		switch {
		case m.raw[0] != '-' && (m.raw[0] < '0' || m.raw[0] > '9'):
			c.report(m.off, n, f, "JSON_INVALIDE", "doit être un nombre, sans guillemets (ex. 716.66), pas %s", ckKindOf(m.raw))
		case asp.Montant.MatchString(txt):
			if d, err := decimal.NewFromString(txt); err != nil || !d.IsPositive() {
				c.report(m.off, n, f, "JSON_CHAMP", "montant %s : le montant Ségur HT doit être supérieur à 0", txt)
			} else {
				l.montant, l.montantLine = txt, c.lineAt(m.off)
			}
		default:
			if ckDecimal.MatchString(txt) {
				if d, err := decimal.NewFromString(txt); err == nil && d.IsPositive() && d.Equal(d.Round(2)) {
					c.report(m.off, n, f, "JSON_CHAMP", "« %s » : le montant s'écrit avec exactement deux décimales (%s)", txt, d.StringFixed(2))
					break
				}
			}
			c.report(m.off, n, f, "JSON_CHAMP", "« %s » : montant HT attendu, supérieur à 0, avec exactement deux décimales (ex. 716.60)", ckShort(m.raw))
		}
	}
}

func (c *jsonCheck) beneficiaires(got map[string]jsonMember, n, p string) {
	pour := ""
	if m, ok := got[asp.KeyCommandePour]; ok {
		if v, ok := c.str(m, n, p+"."+asp.KeyCommandePour); ok {
			if v == string(asp.PourLiberal) || v == string(asp.PourStructure) {
				pour = v
			} else {
				c.report(m.off, n, p+"."+asp.KeyCommandePour, "JSON_CHAMP", "« %s » : LIBERAL ou STRUCTURE attendu", v)
			}
		}
	}
	lists := []struct {
		key, pour, what string
		re              *regexp.Regexp
		format          string
	}{
		{asp.KeyLiberalRPPS, "LIBERAL", "numéros RPPS", asp.RPPS, "un RPPS compte 11 chiffres"},
		{asp.KeyStructureFINESSGeo, "STRUCTURE", "numéros FINESS géographiques", asp.Finess, "un FINESS géographique compte 9 caractères (chiffres, A ou B pour la Corse)"},
	}
	for _, li := range lists {
		m, ok := got[li.key]
		if !ok {
			continue
		}
		f := p + "." + li.key
		ids, ok := c.stringList(m, n, f, "JSON_INVALIDE", li.what)
		if !ok {
			continue
		}
		switch {
		case pour != "" && pour != li.pour && len(ids) > 0:
			c.report(m.off, n, f, "JSON_CHAMP", "doit être vide ([]) quand commandePour vaut %s", pour)
			continue
		case pour == li.pour && len(ids) == 0:
			c.report(m.off, n, f, "JSON_CHAMP", "vide : au moins un bénéficiaire attendu quand commandePour vaut %s", pour)
		}
		seen := map[string]bool{}
		for j, id := range ids {
			fj := fmt.Sprintf("%s[%d]", f, j)
			switch {
			case !li.re.MatchString(id):
				c.report(m.off, n, fj, "JSON_CHAMP", "« %s » : %s", ckShort([]byte(id)), li.format)
			case seen[id]:
				c.report(m.off, n, fj, "JSON_CHAMP", "« %s » figure deux fois", id)
			}
			seen[id] = true
		}
	}
}

func (c *jsonCheck) scenarios(got map[string]jsonMember, n, p string) [3]int8 {
	var directs [3]int8
	flows := []struct{ flag, val string }{
		{asp.KeyIsDirectToDMP, asp.KeyIdentDMP},
		{asp.KeyIsDirectToMSSPro, asp.KeyAdresseBoiteMSSPro},
		{asp.KeyIsDirectToMSSCitoyen, asp.KeyAdresseBoiteMSSCitoyen},
	}
	for i, fl := range flows {
		direct, known := false, false
		if m, ok := got[fl.flag]; ok {
			direct, known = c.boolean(m, n, p+"."+fl.flag)
		}
		if known {
			directs[i] = -1
			if direct {
				directs[i] = 1
			}
		}
		m, ok := got[fl.val]
		if !ok || !known {
			continue
		}
		f := p + "." + fl.val
		null := string(m.raw) == "null"
		switch {
		case !direct && !null:
			c.report(m.off, n, f, "JSON_CHAMP", "doit valoir null quand %s vaut false (trouvé : %s)", fl.flag, ckShort(m.raw))
		case !direct:
		case fl.val == asp.KeyIdentDMP && c.identNull:
			if !null {
				c.report(m.off, n, f, "JSON_CHAMP", "doit valoir null : pour ce dispositif l'identifiant DMP est toujours null (trouvé : %s)", ckShort(m.raw))
			}
		case fl.val == asp.KeyIdentDMP:
			if ids, ok := c.stringList(m, n, f, "JSON_CHAMP", "identifiants DMP"); ok {
				for j, id := range ids {
					if strings.TrimSpace(id) == "" {
						c.report(m.off, n, fmt.Sprintf("%s[%d]", f, j), "JSON_CHAMP", "identifiant DMP vide")
					}
				}
			}
		case null:
			c.report(m.off, n, f, "JSON_CHAMP", "adresse MSSanté obligatoire quand %s vaut true", fl.flag)
		default:
			if v, ok := c.str(m, n, f); ok {
				switch {
				case strings.TrimSpace(v) == "":
					c.report(m.off, n, f, "JSON_CHAMP", "adresse MSSanté vide alors que %s vaut true", fl.flag)
				case !asp.MSS.MatchString(v):
					c.report(m.off, n, f, "JSON_CHAMP", "« %s » n'est pas une adresse de messagerie valide", ckShort([]byte(v)))
				}
			}
		}
	}
	return directs
}

// ckPiece is a zip entry name split into its parts:
// <dispositif>-<KIND>-<numero>.<ext>.
type ckPiece struct {
	kind, numero, ext string
}

// parsePieceName splits name; the string is why it does not fit, "" when it
// does.
func parsePieceName(dispositif, name string) (ckPiece, string) {
	const want = "attendu <dispositif>-<TYPE>-<numéro éditeur>.<extension>, ex. %s-FACTURE-00042.pdf"
	rest, ok := strings.CutPrefix(name, dispositif+"-")
	if !ok {
		return ckPiece{}, fmt.Sprintf("le nom ne commence pas par le dispositif du dépôt, "+want, dispositif)
	}
	kind, after, _ := strings.Cut(rest, "-")
	i := strings.LastIndexByte(after, '.')
	if i < 0 {
		return ckPiece{}, fmt.Sprintf("nom sans extension, "+want, dispositif)
	}
	pc := ckPiece{kind: kind, numero: after[:i], ext: after[i+1:]}
	if !asp.PieceType.MatchString(pc.kind) || !asp.NumeroEditeur.MatchString(pc.numero) || !asp.Extension.MatchString(pc.ext) {
		return ckPiece{}, fmt.Sprintf("nom non conforme, "+want, dispositif)
	}
	return pc, ""
}

// openZip opens a zip of the dépôt, bounded, and refuses it unread when
// its layout is hostile (zipLayout); nil, reported, when it cannot be
// read. The caller closes the file.
func (c *depotCheck) openZip(path, rel string) (*zip.Reader, *os.File) {
	zf, err := safeio.Open(path, safeio.DepotZip)
	if err != nil {
		c.error(rel, "-", "-", "ZIP_INVALIDE", "zip illisible : %s", composed(safeio.Reason(err)))
		return nil, nil
	}
	st, err := zf.Stat()
	if err != nil {
		zf.Close() // read-only; the reason is the Stat's
		c.error(rel, "-", "-", "ZIP_INVALIDE", "zip illisible : %s", composed(safeio.Reason(err)))
		return nil, nil
	}
	zr, err := zip.NewReader(zf, st.Size())
	if err != nil {
		zf.Close() // read-only
		c.error(rel, "-", "-", "ZIP_INVALIDE", "zip illisible : le fichier est endommagé ou n'est pas une archive zip")
		return nil, nil
	}
	if why := zipLayout(zr); why != "" {
		zf.Close() // read-only
		c.error(rel, "-", "-", "ZIP_INVALIDE", "zip refusé sans être décompressé : %s", why)
		return nil, nil
	}
	return zr, zf
}

// zipFile checks one zip of pièces: entries flat and readable, PDFs valid,
// each entry tied to a line of the JSON (when matchable) and each line with
// its pièces, each facture consistent with its line.
func (c *depotCheck) zipFile(path, rel, dispositif string, matchable bool, lignes []soldeLigne, jsonRel string) {
	zr, zf := c.openZip(path, rel)
	if zr == nil {
		return
	}
	defer zf.Close() // read-only: closing it loses nothing
	byNumero := map[string]*soldeLigne{}
	for i := range lignes {
		if l := &lignes[i]; l.numero != "-" {
			if _, dup := byNumero[l.numero]; !dup {
				byNumero[l.numero] = l
			}
		}
	}
	extras, knownDispositif := c.extras(dispositif)
	found := map[string]map[string]string{} // numero → kind → entry
	seen := map[string]bool{}
	for _, f := range zr.File {
		name := f.Name
		if strings.HasSuffix(name, "/") || f.FileInfo().IsDir() {
			c.error(rel, "-", name, "ZIP_INVALIDE", "« %s » est un dossier : les pièces se placent à plat, à la racine du zip", name)
			continue
		}
		if strings.ContainsAny(name, `/\`) {
			c.error(rel, "-", name, "ZIP_INVALIDE", "« %s » est rangée dans un sous-dossier : les pièces se placent à plat, à la racine du zip", name)
			continue
		}
		if seen[name] {
			c.error(rel, "-", name, "ZIP_INVALIDE", "« %s » figure deux fois dans le zip", name)
			continue
		}
		seen[name] = true
		if why := dossier.ForbiddenPiece(name); why != "" {
			c.error(rel, "-", name, "PIECE_INTERDITE", "« %s » est %s : ce fichier ne doit jamais être envoyé à l'ASP ; retirez-le du zip et relancez segur pack", name, why)
			continue
		}

		numero := "-"
		var ligne *soldeLigne
		var pc ckPiece
		tied := false // the entry is a pièce of a line
		if dispositif != "" {
			var why string
			pc, why = parsePieceName(dispositif, name)
			switch {
			case why != "":
				c.error(rel, "-", name, "PIECE_EN_TROP", "« %s » : %s", name, why)
			case pc.kind != string(dossier.FACTURE) && pc.kind != string(dossier.MOM) && pc.kind != string(dossier.VA) &&
				knownDispositif && !slices.Contains(extras, pc.kind):
				c.error(rel, pc.numero, name, "PIECE_EN_TROP", "« %s » : pièce de type %s non attendue dans le dépôt de solde de %s (attendues : %s)", name, pc.kind, dispositif, strings.Join(append([]string{"FACTURE", "MOM ou VA"}, extras...), ", "))
			case (pc.kind == string(dossier.FACTURE) || pc.kind == string(dossier.MOM) || pc.kind == string(dossier.VA)) && pc.ext != "pdf":
				c.error(rel, pc.numero, name, "PIECE_EN_TROP", "« %s » : la pièce %s est un PDF nommé %s-%s-%s.pdf", name, pc.kind, dispositif, pc.kind, pc.numero)
			case !matchable:
				numero = pc.numero
			default:
				ligne = byNumero[pc.numero]
				if ligne == nil {
					c.error(rel, "-", name, "PIECE_EN_TROP", "« %s » : aucune ligne de %s n'a le numéro éditeur %s (pièce en trop, ou ligne absente du JSON)", name, strings.TrimPrefix(jsonRel, "depot/"), pc.numero)
					break
				}
				numero = pc.numero
				if found[numero] == nil {
					found[numero] = map[string]string{}
				}
				if prev, dup := found[numero][pc.kind]; dup {
					c.error(rel, numero, name, "PIECE_EN_TROP", "« %s » : une pièce %s existe déjà pour %s (%s) ; une seule est attendue", name, pc.kind, numero, prev)
					break
				}
				found[numero][pc.kind] = name
				tied = true
			}
		}

		isPDF := strings.EqualFold(filepath.Ext(name), ".pdf")
		if isPDF && f.UncompressedSize64 > uint64(ckMaxPDF) {
			c.warn(rel, numero, name, "PIECE_NON_VERIFIEE", "« %s » dépasse %d Mo : elle n'a pas été vérifiée", name, ckMaxPDF>>20)
			continue
		}
		rc, err := f.Open()
		if err != nil {
			c.error(rel, numero, name, "ZIP_INVALIDE", "« %s » ne peut pas être lue (compression non prise en charge ou archive endommagée)", name)
			continue
		}
		var data []byte
		var size int64
		h := sha256.New()
		head := &headWriter{max: 64 << 10}
		if isPDF {
			data, err = io.ReadAll(io.LimitReader(rc, ckMaxPDF+1))
			size = int64(len(data))
			h.Write(data)
			head.Write(data) // headWriter's Write never fails
		} else {
			size, err = io.Copy(io.MultiWriter(h, head), rc)
		}
		rc.Close() // read-only: closing it loses nothing
		// Whatever its name, a key, a certificate or a SQLite database is
		// never a pièce (its first 64 Kio tell).
		if why := contenu.Forbidden(head.b); err == nil && why != "" {
			c.error(rel, numero, name, "PIECE_INTERDITE", "« %s » est %s : ce fichier ne doit jamais être envoyé à l'ASP ; retirez-le du zip et relancez segur pack", name, why)
			continue
		}
		if want, ok := c.sums[numero][name]; ok && err == nil && hex.EncodeToString(h.Sum(nil)) != want {
			c.error(rel, numero, name, "PIECE_REMPLACEE", "« %s » n'est pas le fichier que segur pack a mis dans le zip (son empreinte SHA-256 diffère de celle de rapport.json) : il a été remplacé ou modifié depuis ; relancez segur pack", name)
		}
		switch {
		case err != nil:
			c.error(rel, numero, name, "ZIP_INVALIDE", "« %s » est endommagée dans le zip (somme de contrôle incorrecte ou archive tronquée)", name)
			continue
		case size > ckMaxPDF && isPDF:
			c.warn(rel, numero, name, "PIECE_NON_VERIFIEE", "« %s » dépasse %d Mo : elle n'a pas été vérifiée", name, ckMaxPDF>>20)
			continue
		case size == 0 && !isPDF:
			c.error(rel, numero, name, "PIECE_VIDE", "« %s » est un fichier vide", name)
			continue
		case !isPDF:
			continue
		}
		var doc *pdfin.Doc
		if tied && (pc.kind == string(dossier.MOM) || pc.kind == string(dossier.VA)) {
			err = c.acceptSigned(rel, name, pc.kind, data, ligne) // one reading for both
		} else if doc, err = pdfin.Open(data); err == nil {
			err = doc.Accept()
		}
		if err != nil {
			c.error(rel, numero, name, "PDF_INVALIDE", "« %s » n'est pas un PDF valide (%v) : le portail de l'ASP peut le refuser ; remplacez-le par un PDF lisible", name, err)
			continue
		}
		if tied && pc.kind == string(dossier.FACTURE) {
			c.factureText(rel, name, doc, ligne, jsonRel, c.reg.Get(dispositif))
		}
	}
	if !matchable || dispositif == "" {
		return
	}
	for i := range lignes {
		l := &lignes[i]
		if l.numero == "-" || byNumero[l.numero] != l {
			continue
		}
		has := found[l.numero]
		pdf := func(kind dossier.Kind) string {
			return asp.DocName(dispositif, string(kind), l.numero, ".pdf")
		}
		if has[string(dossier.FACTURE)] == "" {
			c.error(rel, l.numero, pdf(dossier.FACTURE), "PIECE_ABSENTE", "la facture %s de la ligne %d du JSON est absente du zip", pdf(dossier.FACTURE), l.index+1)
		}
		mom, va := has[string(dossier.MOM)], has[string(dossier.VA)]
		switch {
		case mom == "" && va == "":
			c.error(rel, l.numero, pdf(dossier.VA), "PIECE_ABSENTE", "ni MOM (%s) ni VA signée (%s) dans le zip pour la ligne %d du JSON : l'une des deux est obligatoire", pdf(dossier.MOM), pdf(dossier.VA), l.index+1)
		case mom != "" && va != "":
			c.error(rel, l.numero, va, "PIECE_EN_TROP", "MOM et VA toutes deux présentes pour %s : une seule des deux est attendue", l.numero)
		}
		for _, k := range extras {
			if has[k] == "" {
				c.error(rel, l.numero, fmt.Sprintf("%s-%s-%s.<extension>", dispositif, k, l.numero), "PIECE_ABSENTE", "pièce %s (%s-%s-%s.<extension>) absente du zip pour la ligne %d du JSON : elle est obligatoire pour %s", k, dispositif, k, l.numero, l.index+1, dispositif)
			}
		}
	}
}

// factureText checks that the facture shows its line's date, amount and
// numéro ASP.
func (c *depotCheck) factureText(rel, name string, doc *pdfin.Doc, l *soldeLigne, jsonRel string, dis *dossier.Dispositif) {
	pages, err := doc.Text()
	if err != nil {
		c.error(rel, l.numero, name, "PDF_INVALIDE", "« %s » : le texte de la facture ne peut pas être lu", name)
		return
	}
	text := ckNormalize(strings.Join(pages, "\n"))
	where := func(line int) string {
		return fmt.Sprintf("%s, ligne %d", strings.TrimPrefix(jsonRel, "depot/"), line)
	}
	if l.date != "" && !ckHasDate(text, l.date) {
		c.error(rel, l.numero, name, "FACTURE_INCOHERENTE", "la date de facture %s du JSON (dateFacture, %s) ne figure pas sur la facture", l.date, where(l.dateLine))
	}
	if l.montant != "" {
		if eur := fr.Amount(l.montant); !ckHasAmount(text, eur) {
			c.error(rel, l.numero, name, "FACTURE_INCOHERENTE", "le montant « %s € » du JSON (montantSegurHTFacture, %s) ne figure pas sur la facture : le total HT de la Prestation Ségur doit être identique", eur, where(l.montantLine))
		}
	}
	if l.asp != "" && !strings.Contains(strings.ReplaceAll(text, " ", ""), l.asp) {
		c.error(rel, l.numero, name, "FACTURE_INCOHERENTE", "le numéro de dossier ASP %s du JSON (numeroASP, %s) ne figure pas sur la facture", l.asp, where(l.aspLine))
	}
	for _, msg := range factureMentionsManquantes(text, l.ids, l.extras, dis) {
		c.error(rel, l.numero, name, "FACTURE_MENTION_MANQUANTE", "%s (%s)", msg, where(l.line))
	}
	for _, f := range checkFacturX(doc, text, l.date, l.montant) {
		c.error(rel, l.numero, name, f.Code, "« %s » : %s", name, f.Message)
	}
}

// checkFacturX reads a Factur-X facture's XML back (nothing for a plain PDF)
// against its printed text and its JSON date.
func checkFacturX(pdf *pdfin.Doc, text, date, montant string) []facturx.Finding {
	return facturx.CheckPDF(pdf, facturx.Printed{
		Has: func(s string) bool {
			return strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ReplaceAll(s, " ", ""))
		},
		HasDate:   func(d string) bool { return ckHasDate(text, d) },
		HasAmount: func(a string) bool { return ckHasAmount(text, fr.Amount(a)) },
	}, facturx.Expected{Date: date, Montant: montant})
}

// ckNormalize maps every space variant (U+00A0, U+202F, tabs, newlines…) to
// one plain space.
func ckNormalize(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func ckDigit(b byte) bool { return b >= '0' && b <= '9' }

// ckHasDate reports whether text holds date not glued to other digits.
func ckHasDate(text, date string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], date)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(date)
		before := j == 0 || (!ckDigit(text[j-1]) && text[j-1] != '/')
		after := end == len(text) || (!ckDigit(text[end]) && text[end] != '/')
		if before && after {
			return true
		}
		i = j + 1
	}
}

// ckHasAmount reports whether text holds amount (1 075,00) followed by €,
// and not as the tail of a larger number (2 716,66 holds 716,66).
func ckHasAmount(text, amount string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], amount)
		if j < 0 {
			return false
		}
		j += i
		i = j + 1
		before := text[:j]
		if strings.HasSuffix(before, " ") {
			before = before[:len(before)-1]
			if before != "" && ckDigit(before[len(before)-1]) {
				continue // thousands group of a larger amount
			}
		} else if before != "" && (ckDigit(before[len(before)-1]) || strings.ContainsRune(",.-", rune(before[len(before)-1]))) {
			continue
		}
		after := strings.TrimPrefix(text[j+len(amount):], " ")
		if strings.HasPrefix(after, "€") {
			return true
		}
	}
}

// headWriter keeps the first max bytes written to it.
type headWriter struct {
	b   []byte
	max int
}

func (w *headWriter) Write(p []byte) (int, error) {
	if n := w.max - len(w.b); n > 0 {
		w.b = append(w.b, p[:min(n, len(p))]...)
	}
	return len(p), nil
}
