package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/pack"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/render"
	"github.com/segur-sons/segur/retours"
	"github.com/segur-sons/segur/signature"
)

// PreviewOptions steer Preview: the same inputs as Pack, and a private
// output folder.
type PreviewOptions struct {
	Inputs
	Dir string // private output folder (nothing is written to the user's)
	// Out is the user's output folder: the reviews of returned files kept
	// there (no registre) are shown.
	Out       string
	Signes    string // folder of the signed VAs ("" when none)
	Jobs      int
	DateDepot time.Time
	Version   string
}

// Preview is one reading of the records, checked and packed into a
// private folder: what the page shows, and what an uploaded VA is checked
// against.
type Preview struct {
	Config   []dossier.Problem           // segur.yaml's warnings
	Dossiers map[string]*dossier.Dossier // by numéro éditeur (the first of duplicates)
	Result   *pack.Result
	Dir      string // where it was packed
	// The roots and minimum level of segur.yaml, for the VAs uploaded.
	trust    *signature.Trust
	minLevel signature.Level
}

// Read reads segur.yaml and the records and packs them into opt.Dir, as
// Pack would, keeping every dossier.
func Read(ctx context.Context, opt PreviewOptions) (*Preview, error) {
	e, err := Load(opt.Inputs)
	if err != nil {
		return nil, err
	}
	assets, err := e.Assets()
	if err != nil {
		return nil, err
	}
	trust, minLevel, err := e.trust()
	if err != nil {
		return nil, err
	}
	ds := dossier.CheckFiles(e.Config, e.Registry, e.Files, dossier.Options{Phase: dossier.PhaseSolde, DateDepot: opt.DateDepot, Files: pdfops.Disk{Roots: e.Roots}})
	reviews, reviewsDone := Reviews(opt.Inputs, opt.Out)
	defer reviewsDone()
	reg, err := e.existingRegistre()
	if err != nil {
		return nil, err
	}
	if reg != nil {
		defer reg.Close() // read-only use of the registre, or its transaction already ended
	}
	var etats func(string) (*rapport.EtatRegistre, error)
	if reg != nil {
		// What the registre holds, as committed: a reading records nothing.
		etats = func(numero string) (*rapport.EtatRegistre, error) {
			h, err := reg.History(numero)
			return etatOf(h), err
		}
	}
	apercu := assets
	apercu.Apercu = true
	newRenderer := func() pack.Renderer {
		return &previewing{plain: render.New(assets), apercu: render.New(apercu), r: reg}
	}
	res, err := pack.Run(pack.Options{
		Verifications: reviews,
		Dir:           opt.Dir,
		Signes:        opt.Signes,
		Roots:         e.Roots,
		Trust:         trust,
		MinLevel:      minLevel,
		Jobs:          opt.Jobs,
		Version:       opt.Version,
		DateDepot:     opt.DateDepot.Format("2006-01-02"),
		NewRenderer:   newRenderer,
		Etats:         etats,
		Context:       ctx,
	}, ds)
	if err != nil {
		return nil, &Error{Problems: e.Problems, Message: "les documents n'ont pas pu être produits : " + err.Error()}
	}
	p := &Preview{Config: e.Problems, Dossiers: map[string]*dossier.Dossier{}, Result: res, Dir: opt.Dir, trust: trust, minLevel: minLevel}
	for _, d := range ds {
		if n := d.Numero(); n != "" {
			if _, dup := p.Dossiers[n]; !dup {
				p.Dossiers[n] = d
			}
		}
	}
	return p, nil
}

// Outcome is how an upload ended.
type Outcome int

// Outcomes of AcceptVA.
const (
	Saved       Outcome = iota // verified and saved
	Refused                    // not the signed VA of the dossier: nothing saved
	Conflict                   // another signed VA is there: saved only when confirmed
	Unavailable                // nothing can be checked or saved (no unsigned VA, a file in the way)
	Failed                     // the system failed (a folder, a rename)
)

// UploadOptions steer AcceptVA.
type UploadOptions struct {
	Preview *Preview // the reading the dossier is checked against
	Numero  string   // the dossier
	VA      string   // the VA's file name (rapport's Info.VA)
	Signes  string   // where the signed VA is saved
	Work    string   // private folder where the upload is verified
	Data    []byte
	Confirm bool // replace a different signed VA already there (kept aside)
	Now     time.Time
}

// UploadResult says what became of an upload, in French.
type UploadResult struct {
	Outcome   Outcome
	Message   string
	Problemes []string // why it was refused, each with its code
	Saved     string   // the path saved
}

// AcceptVA checks an uploaded signed VA with pack's rule against the
// dossier as last read, and saves it under its canonical name in Signes. A
// different file already there is replaced only when confirmed (then kept
// aside, renamed, never lost). The caller serialises uploads.
func AcceptVA(ctx context.Context, opt UploadOptions) UploadResult {
	d := opt.Preview.Dossiers[opt.Numero]
	unsigned, err := os.ReadFile(filepath.Join(opt.Preview.Dir, "dossiers", opt.Numero, opt.VA))
	if d == nil || err != nil {
		return UploadResult{Outcome: Unavailable, Message: "la VA non signée de ce dossier n'a pas pu être produite : voyez ses problèmes"}
	}
	tmp, err := os.MkdirTemp(opt.Work, "va-")
	if err != nil {
		return UploadResult{Outcome: Failed, Message: "dossier de travail inutilisable : " + err.Error()}
	}
	defer os.RemoveAll(tmp) // our own temporary files: a leftover is only space, removed again by the next run
	if err := os.WriteFile(filepath.Join(tmp, opt.VA), opt.Data, 0o600); err != nil {
		return UploadResult{Outcome: Failed, Message: "dossier de travail inutilisable : " + err.Error()}
	}
	probs, warnings := retours.VerifySignedVA(retours.Options{Dir: opt.Preview.Dir, Signes: tmp, Trust: opt.Preview.trust, MinLevel: opt.Preview.minLevel}, d, unsigned)
	local := func(p dossier.Problem) string {
		return strings.ReplaceAll(p.Message, tmp+string(filepath.Separator), "") + " [" + p.Code + "]"
	}
	if len(probs) > 0 {
		res := UploadResult{Outcome: Refused, Message: "VA refusée, rien n'a été enregistré :"}
		for _, p := range probs {
			res.Problemes = append(res.Problemes, local(p))
			if p.Code == "VA_AUTRE_DOSSIER" {
				if n, va := vaOwner(opt.Preview, opt.Numero, opt.Data); n != "" {
					res.Message = fmt.Sprintf("VA refusée, rien n'a été enregistré : c'est la VA du dossier %s (%s), pas celle du dossier %s ; déposez-la sur la page du dossier %s.", n, va, opt.Numero, n)
				}
			}
		}
		return res
	}
	dest := filepath.Join(opt.Signes, opt.VA)
	if st, err := os.Lstat(dest); err == nil {
		if !st.Mode().IsRegular() {
			return UploadResult{Outcome: Unavailable, Message: dest + " existe et n'est pas un fichier ordinaire : rien n'a été enregistré"}
		}
		old, err := os.ReadFile(dest)
		if err != nil {
			return UploadResult{Outcome: Unavailable, Message: dest + " existe et est illisible : rien n'a été enregistré"}
		}
		if !bytes.Equal(old, opt.Data) {
			if !opt.Confirm {
				return UploadResult{Outcome: Conflict,
					Message: fmt.Sprintf("Une autre VA signée est déjà enregistrée sous %s. La remplacer ? (l'ancienne sera gardée à côté, renommée)", dest)}
			}
			aside := strings.TrimSuffix(dest, ".pdf") + ".remplacee-" + opt.Now.Format("20060102-150405") + ".pdf.old"
			if err := os.Rename(dest, aside); err != nil {
				return UploadResult{Outcome: Failed, Message: "l'ancienne VA n'a pas pu être mise de côté : " + err.Error()}
			}
		}
	}
	if err := depot.WriteFile(dest, opt.Data); err != nil {
		return UploadResult{Outcome: Failed, Message: "enregistrement impossible : " + err.Error()}
	}
	res := UploadResult{Outcome: Saved, Saved: dest, Message: "VA signée acceptée et enregistrée sous " + dest}
	for _, p := range warnings {
		res.Message += " — attention : " + local(p)
	}
	return res
}

// vaOwner is the dossier of the preview whose VA data is, when it is not
// numero's (VA_AUTRE_DOSSIER): the one whose VA file name (printed on each
// page of the VA) or numéro ASP its text holds; "" when its text names no
// other dossier (a scan without text layer). In numéro éditeur order, the
// first found.
func vaOwner(p *Preview, numero string, data []byte) (string, string) {
	pages, err := pdfin.Text(data)
	if err != nil {
		return "", ""
	}
	text := strings.Join(pages, "\n")
	numeros := make([]string, 0, len(p.Dossiers))
	for n := range p.Dossiers {
		numeros = append(numeros, n)
	}
	slices.Sort(numeros)
	for _, n := range numeros {
		d := p.Dossiers[n]
		if n == numero || d.Justificatif.Kind != dossier.VA {
			continue
		}
		va := d.FileName(dossier.VA)
		if strings.Contains(text, va) || (d.Ref.NumeroASP != "" && strings.Contains(text, d.Ref.NumeroASP)) {
			return n, va
		}
	}
	return "", ""
}
