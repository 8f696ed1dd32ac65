package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/tableur"
	"github.com/segur-sons/segur/templates"
)

// ImportOptions steer Import.
type ImportOptions struct {
	// File is the spreadsheet (XLSX or CSV); Data, when set, its bytes
	// (an upload), File then only naming it.
	File string
	Data []byte
	// Out is the folder the records are written to.
	Out string
	// Replace replaces a record file already there with other content.
	Replace bool
	// Preview writes nothing: what would be written, and the problems.
	Preview bool
	// Config is segur.yaml, to check the records as validate would; ""
	// finds it from Out; none found: the records are not checked.
	Config string
}

// ImportResult is what a spreadsheet gave.
type ImportResult struct {
	*tableur.Result
	// Written says, per record, what was written (nothing in preview).
	Written []tableur.Writing
	// Checked tells whether the records were checked against segur.yaml;
	// their problems are then in Problems, at the cells they come from.
	Checked bool
}

// Import reads an order spreadsheet and writes one record per dossier in
// opt.Out. The records are checked by the domain's rules (each at its own
// stage) when segur.yaml is found, and their problems given at the cells
// they come from; a record with such problems is written all the same
// (validate says what to complete), a record with a cell the spreadsheet
// reader could not read is not.
func Import(ctx context.Context, opt ImportOptions) (*ImportResult, error) {
	data := opt.Data
	if data == nil {
		var err error
		if data, err = safeio.ReadFile(opt.File, tableur.File); err != nil {
			return nil, &Error{Message: fmt.Sprintf("%s : %s", opt.File, safeio.Reason(err))}
		}
	}
	res := &ImportResult{Result: tableur.Import(filepath.Base(opt.File), data)}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cfg := opt.Config; cfg != "" || opt.Out != "" {
		if cfg == "" {
			cfg, _ = FindConfig([]string{opt.Out}) // none found: the records are written unchecked, and the command says so
		}
		if cfg != "" {
			res.Checked = checkImported(res.Result, cfg)
		}
	}
	if !opt.Preview {
		w, probs := tableur.Write(opt.Out, res.Result, opt.Replace)
		res.Written = w
		res.Problems = append(res.Problems, probs...)
		tableur.SortProblems(res.Problems)
	}
	return res, nil
}

// checkImported checks the records as validate would and adds their
// problems at their cells; false when segur.yaml cannot be read.
func checkImported(res *tableur.Result, cfgPath string) bool {
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		return false
	}
	cfg, probs, err := dossier.LoadConfig(cfgPath, reg, pdfops.Disk{})
	if err != nil || dossier.HasError(probs) {
		return false
	}
	var recs []*dossier.Record
	var from []*tableur.Record
	for _, r := range res.Records {
		if r.YAML == nil {
			continue
		}
		for _, rec := range dossier.Decode(r.FileName(), r.YAML) {
			recs = append(recs, rec)
			from = append(from, r)
		}
	}
	opt := dossier.Options{Phase: dossier.PhaseSolde, ByStage: true, Files: pdfops.Disk{Roots: safeio.NewRoots(cfg.Dir)}}
	for i, d := range dossier.Check(cfg, reg, recs, opt) {
		r := from[i]
		for _, p := range d.Problems {
			row, col, header := r.Locate(p.Field)
			tp := tableur.Problem{File: res.File, Sheet: res.Sheet, Row: row, Col: col, Header: header, Numero: r.Numero,
				Code: p.Code, Message: p.Message, Warning: p.Level == dossier.Attention}
			r.Problems = append(r.Problems, tp)
			res.Problems = append(res.Problems, tp)
		}
	}
	tableur.SortProblems(res.Problems)
	return true
}

// ModeleTableur writes the spreadsheet template.
func ModeleTableur(w io.Writer) error { return tableur.ModeleTableur(w) }

// ExportOptions steer Export.
type ExportOptions struct {
	Inputs
	// Out is the spreadsheet written: .xlsx, or .csv.
	Out string
	// Depot is a pack output folder: its rapport.json gives each
	// dossier's state and who still signs. "" reads none.
	Depot     string
	DateDepot time.Time
}

// ExportResult is what Export wrote.
type ExportResult struct {
	Lines  []tableur.Line
	Totals []tableur.Total
	// Rapport tells whether the dépôt's rapport.json was read.
	Rapport bool
}

// Export writes the quarter's summary: one row per dossier (state,
// amounts, MOM or VA, who still signs, problems) and the totals per state
// and dispositif.
func Export(ctx context.Context, opt ExportOptions) (*ExportResult, error) {
	ext := strings.ToLower(filepath.Ext(opt.Out))
	if ext != ".xlsx" && ext != ".csv" {
		return nil, &Error{Message: fmt.Sprintf("« %s » : le fichier écrit finit par .xlsx ou .csv", opt.Out)}
	}
	res, err := Summary(ctx, opt.Inputs, opt.Depot, opt.DateDepot)
	if err != nil {
		return nil, err
	}
	err = depot.WriteWith(opt.Out, true, func(w io.Writer) error {
		if ext == ".csv" {
			return tableur.ExportCSV(w, res.Lines)
		}
		return tableur.ExportXLSX(w, res.Lines)
	})
	if err != nil {
		return nil, &Error{Message: fmt.Sprintf("%s : %s", opt.Out, safeio.Message(err))}
	}
	return res, nil
}

// Summary is one line per dossier of the records, with the dépôt's state
// when depot holds a rapport.json, and the totals.
func Summary(ctx context.Context, in Inputs, depot string, dateDepot time.Time) (*ExportResult, error) {
	e, err := Load(in)
	if err != nil {
		return nil, err
	}
	ds, err := e.check(dossier.Options{Phase: dossier.PhaseSolde, ByStage: true, DateDepot: dateDepot})
	if err != nil {
		return nil, err
	}
	res := &ExportResult{}
	var rap map[string]rapport.RapportDossier
	if depot != "" {
		if rap, err = readRapport(filepath.Join(depot, "rapport.json")); err != nil {
			return nil, e.fail("%v", err)
		}
		res.Rapport = rap != nil
	}
	for _, d := range ds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res.Lines = append(res.Lines, lineOf(d, rap))
	}
	res.Totals = tableur.Totals(res.Lines)
	return res, nil
}

func lineOf(d *dossier.Dossier, rap map[string]rapport.RapportDossier) tableur.Line {
	info := rapport.InfoOf(d)
	l := tableur.Line{Numero: d.Numero(), Dispositif: d.Ref.Dispositif, Client: info.Client, Justificatif: string(d.Justificatif.Kind)}
	m := d.Facture.Total
	if m.HT.IsZero() {
		m = d.Commande.Montant
	}
	l.HT, l.TVA, l.TTC = m.HT, m.TVA, m.TTC
	probs := d.Problems
	if rd, ok := rap[d.Numero()]; ok && rd.Dispositif == d.Ref.Dispositif {
		rd.Info = info
		l.State = string(rd.Etat()) // the spreadsheet's column: the label
		if rd.Preuve != nil {
			l.Signers = rd.Preuve.Attendus
		}
		l.Problems = nil
		for _, p := range rd.Problemes {
			l.Problems = append(l.Problems, fmt.Sprintf("%s [%s]", p.Message, p.Code))
		}
		return l
	}
	switch {
	case dossier.HasError(probs):
		l.State = string(rapport.EtatBloque)
	case slices.ContainsFunc(probs, func(p dossier.Problem) bool { return p.Level == dossier.Attention }):
		l.State = string(rapport.EtatAvertissement)
	default:
		l.State = string(rapport.EtatPret)
	}
	if rap != nil {
		l.State += " (absent du dépôt)"
	}
	if d.Justificatif.Kind == dossier.VA {
		for _, s := range info.Signataires {
			l.Signers = append(l.Signers, s.Nom)
		}
	}
	for _, p := range probs {
		l.Problems = append(l.Problems, fmt.Sprintf("%s: %s [%s]", p.Field, p.Message, p.Code))
	}
	return l
}

// readRapport reads a dépôt's rapport.json; nil, nil when there is none.
func readRapport(path string) (map[string]rapport.RapportDossier, error) {
	data, err := safeio.ReadFile(path, safeio.Rapport)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s : %s", path, safeio.Reason(err))
	}
	var r rapport.Rapport
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s illisible : relancez segur pack", path)
	}
	out := map[string]rapport.RapportDossier{}
	for _, d := range r.Dossiers {
		out[d.NumeroEditeur] = d
	}
	return out, nil
}
