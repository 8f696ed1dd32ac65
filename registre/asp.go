package registre

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/segur-sons/segur/asp"
)

// MaxRetourASP bounds the ASP answer file ImportASP reads.
const MaxRetourASP = 16 << 20

// CodeRetourASP marks an ASP answer file segur cannot read.
const CodeRetourASP = "RETOUR_ASP_INVALIDE"

// RetourLine is one line of the ASP's answer.
type RetourLine struct {
	Line          int    // line of the file where the object starts
	NumLigne      int    // numLigne
	NumeroEditeur string // numeroEditeur
	NumeroASP     string // numeroASP, "" when null
	Code          string // codeTraitement, "" when null or empty: accepted
	Label         string // libelleTraitement
	Phase         string // PhaseSolde when the line has a facture, else PhaseAvance
}

// Rejected reports whether the ASP refused the line (it carries a code).
func (l RetourLine) Rejected() bool { return l.Code != "" }

// Retour is the ASP's answer file (its « JSON de sortie »): the upload's
// envelope with each line's numeroASP, codeTraitement and
// libelleTraitement filled in.
type Retour struct {
	NumeroANS string
	Siret     string
	Lines     []RetourLine
}

// ParseRetourASP reads the ASP's answer strictly: the envelope's keys are
// asp.TopKeys and no other; each line has a numeroEditeur, a numLigne and
// the ASP's three answer keys. A line's other keys (the echo of what was
// uploaded) are not read. Errors are French, with the line of the file.
func ParseRetourASP(data []byte) (*Retour, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	at := func(off int64) int { return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n")) }
	fail := func(off int64, format string, a ...any) error {
		return &Error{Code: CodeRetourASP, Msg: fmt.Sprintf("ligne %d : ", at(off)) + fmt.Sprintf(format, a...)}
	}
	syntax := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fail(se.Offset, "JSON illisible : ce n'est pas le fichier de retour de l'ASP, ou il est tronqué")
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fail(int64(len(data)), "le fichier s'arrête avant la fin du JSON (tronqué ?)")
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fail(te.Offset, "« %s » n'a pas la bonne forme", te.Field)
		}
		return fail(dec.InputOffset(), "JSON illisible")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, syntax(err)
	}
	if tok != json.Delim('{') {
		return nil, fail(0, "un objet JSON est attendu (le fichier de retour de l'ASP commence par « { »)")
	}
	ret := &Retour{}
	seen := map[string]bool{}
	for dec.More() {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		key, _ := tok.(string)
		if !slices.Contains(asp.TopKeys, key) {
			return nil, fail(off, "clé « %s » inconnue dans l'enveloppe (attendu : %s)", key, strings.Join(asp.TopKeys, ", "))
		}
		if seen[key] {
			return nil, fail(off, "clé « %s » donnée deux fois", key)
		}
		seen[key] = true
		switch key {
		case asp.KeyImpID:
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, syntax(err)
			}
		case asp.KeyNumeroAns, asp.KeySiret:
			var s *string
			if err := dec.Decode(&s); err != nil {
				var te *json.UnmarshalTypeError
				if errors.As(err, &te) {
					return nil, fail(off, "« %s » doit être un texte", key)
				}
				return nil, syntax(err)
			}
			if s == nil {
				return nil, fail(off, "« %s » est vide", key)
			}
			if key == asp.KeyNumeroAns {
				if !asp.NumeroANS.MatchString(*s) {
					return nil, fail(off, "numeroAns « %s » : 10 chiffres attendus", *s)
				}
				ret.NumeroANS = *s
			} else {
				if !asp.Siret.MatchString(*s) {
					return nil, fail(off, "siret « %s » : 14 chiffres attendus", *s)
				}
				ret.Siret = *s
			}
		case asp.KeyLignesImport:
			if err := parseLines(dec, data, ret, fail, syntax); err != nil {
				return nil, err
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntax(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fail(dec.InputOffset(), "texte après la fin du JSON")
	}
	for _, k := range []string{asp.KeyNumeroAns, asp.KeySiret, asp.KeyLignesImport} {
		if !seen[k] {
			return nil, fail(int64(len(data)), "clé « %s » absente : ce n'est pas un fichier de retour de l'ASP", k)
		}
	}
	return ret, nil
}

// retourLine is what ImportASP reads of a line.
type retourLine struct {
	NumLigne          *json.Number    `json:"numLigne"`
	NumeroEditeur     *string         `json:"numeroEditeur"`
	NumeroASP         *string         `json:"numeroASP"`
	CodeTraitement    json.RawMessage `json:"codeTraitement"`
	LibelleTraitement *string         `json:"libelleTraitement"`
	Facture           json.RawMessage `json:"facture"`
}

func parseLines(dec *json.Decoder, data []byte, ret *Retour, fail func(int64, string, ...any) error, syntax func(error) error) error {
	off := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return syntax(err)
	}
	if tok != json.Delim('[') {
		return fail(off, "« lignesImport » doit être une liste")
	}
	nums, editeurs := map[int]bool{}, map[string]int{}
	for dec.More() {
		start := dec.InputOffset()
		// The next value starts after the separator and spaces.
		for int(start) < len(data) && strings.ContainsRune(", \t\r\n", rune(data[start])) {
			start++
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntax(err)
		}
		line := 1 + bytes.Count(data[:start], []byte("\n"))
		if len(ret.Lines) >= 100000 {
			return fail(start, "plus de 100 000 lignes : ce n'est pas un fichier de retour de l'ASP")
		}
		var l retourLine
		if err := json.Unmarshal(raw, &l); err != nil || len(raw) == 0 || raw[0] != '{' {
			return fail(start, "ligne de lignesImport illisible (un objet avec numLigne, numeroEditeur, numeroASP, codeTraitement et libelleTraitement est attendu)")
		}
		rl := RetourLine{Line: line, Phase: PhaseAvance}
		if l.NumLigne == nil {
			return fail(start, "numLigne absent")
		}
		n, err := strconv.Atoi(l.NumLigne.String())
		if err != nil || n < 1 {
			return fail(start, "numLigne « %s » : un entier à partir de 1 est attendu", l.NumLigne.String())
		}
		if nums[n] {
			return fail(start, "numLigne %d donné deux fois", n)
		}
		nums[n] = true
		rl.NumLigne = n
		if l.NumeroEditeur == nil || !asp.NumeroEditeur.MatchString(*l.NumeroEditeur) {
			v := "absent"
			if l.NumeroEditeur != nil {
				v = "« " + *l.NumeroEditeur + " »"
			}
			return fail(start, "ligne %d : numeroEditeur %s : lettres et chiffres attendus (20 au plus)", n, v)
		}
		rl.NumeroEditeur = *l.NumeroEditeur
		if prev, ok := editeurs[rl.NumeroEditeur]; ok {
			return fail(start, "ligne %d : le dossier %s figure déjà à la ligne %d", n, rl.NumeroEditeur, prev)
		}
		editeurs[rl.NumeroEditeur] = n
		if l.NumeroASP != nil && *l.NumeroASP != "" {
			if !asp.NumeroASP.MatchString(*l.NumeroASP) {
				return fail(start, "ligne %d : numeroASP « %s » : attendu FIN, trois lettres et six chiffres (FINMDV000001)", n, *l.NumeroASP)
			}
			rl.NumeroASP = *l.NumeroASP
		}
		switch c := bytes.TrimSpace(l.CodeTraitement); {
		case len(c) == 0 || string(c) == "null":
		case c[0] == '"':
			var s string
			if err := json.Unmarshal(c, &s); err != nil {
				return fail(start, "ligne %d : codeTraitement doit être un texte, un nombre ou null", n)
			}
			rl.Code = strings.TrimSpace(s)
		case c[0] >= '0' && c[0] <= '9' || c[0] == '-':
			rl.Code = string(c)
		default:
			return fail(start, "ligne %d : codeTraitement doit être un texte, un nombre ou null", n)
		}
		if l.LibelleTraitement != nil {
			rl.Label = strings.TrimSpace(*l.LibelleTraitement)
		}
		if rl.Label != "" && rl.Code == "" {
			return fail(start, "ligne %d : libelleTraitement « %s » sans codeTraitement", n, rl.Label)
		}
		if !rl.Rejected() && rl.NumeroASP == "" {
			return fail(start, "ligne %d : ni numeroASP ni codeTraitement : la ligne n'a pas été traitée par l'ASP (est-ce le fichier déposé plutôt que son retour ?)", n)
		}
		if len(l.Facture) > 0 && string(l.Facture) != "null" {
			rl.Phase = PhaseSolde
		}
		ret.Lines = append(ret.Lines, rl)
	}
	if _, err := dec.Token(); err != nil {
		return syntax(err)
	}
	return nil
}

// ImportResult is what ImportASP recorded.
type ImportResult struct {
	Retour   *Retour
	Numeros  int // numéros ASP recorded (new or confirmed)
	Accepted int
	Rejected int
}

// ImportASP reads the ASP's answer file (at most MaxRetourASP bytes) and
// records, in one transaction, each line's numéro ASP and state: an
// accepted avance line makes the dossier « avance payée » (its numéro ASP
// is known), an accepted solde line records the ASP's acceptance under
// « solde déposé », a rejected line makes it « rejeté » with the ASP's code
// and label. A malformed file, or a numéro ASP different from the one
// known, records nothing.
func (r *Registre) ImportASP(ctx context.Context, rd io.Reader, file string) (*ImportResult, error) {
	data, err := io.ReadAll(io.LimitReader(rd, MaxRetourASP+1))
	if err != nil {
		return nil, &Error{Code: CodeRetourASP, Msg: fmt.Sprintf("« %s » illisible : %v", file, err)}
	}
	if len(data) > MaxRetourASP {
		return nil, &Error{Code: CodeRetourASP, Msg: fmt.Sprintf("« %s » dépasse %d Mo : ce n'est pas un fichier de retour de l'ASP", file, MaxRetourASP>>20)}
	}
	ret, err := ParseRetourASP(data)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Msg = file + " : " + e.Msg
		}
		return nil, err
	}
	tx, err := r.Begin(ctx, Cause{Command: "asp importer", File: file})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // after Commit a no-op; on a failure, the error returned says why
	res := &ImportResult{Retour: ret}
	tx.mu.Lock()
	for _, l := range ret.Lines {
		if l.NumeroASP != "" {
			if err := tx.setNumeroASP(l.NumeroEditeur, l.NumeroASP); err != nil {
				tx.mu.Unlock()
				var e *Error
				if errors.As(err, &e) {
					e.Msg = fmt.Sprintf("%s:%d : %s ; rien n'est enregistré", file, l.Line, e.Msg)
				}
				return nil, err
			}
			res.Numeros++
		}
		var err error
		switch {
		case l.Rejected():
			res.Rejected++
			err = tx.setState(l.NumeroEditeur, "", Rejete, l.Code, l.Label)
			if err == nil {
				_, err = tx.tx.Exec("INSERT INTO rejets (dossier, phase, code, libelle, le, fichier, tx) VALUES (?, ?, ?, ?, ?, ?, ?)", l.NumeroEditeur, l.Phase, l.Code, l.Label, stamp(tx.r.clock()), file, tx.id)
			}
		case l.Phase == PhaseAvance:
			res.Accepted++
			err = tx.setState(l.NumeroEditeur, "", AvancePayee, "", "")
		default:
			res.Accepted++
			err = tx.setState(l.NumeroEditeur, "", SoldeDepose, "", "accepté par l'ASP")
		}
		if err != nil {
			tx.mu.Unlock()
			return nil, r.classify(err)
		}
	}
	tx.mu.Unlock()
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}
