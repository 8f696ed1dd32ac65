package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/registre"
	"github.com/segur-sons/segur/render"
)

// Codes of the avoir.
const (
	CodeAvoirSansFacture = "AVOIR_SANS_FACTURE"
	CodeAvoirNumero      = "AVOIR_NUMERO"
	// CodeFactureNumeroDonne: segur numbers the factures, the record gives
	// a number anyway.
	CodeFactureNumeroDonne = "FACTURE_NUMERO_DONNE"
	// CodeFactureANumeroter: segur numbers the factures, and this run
	// cannot give the number (no registre, render).
	CodeFactureANumeroter = "FACTURE_A_NUMEROTER"
)

// AvoirOptions steer Avoir.
type AvoirOptions struct {
	Inputs
	Dossier string // numéro éditeur of the dossier whose facture is cancelled
	Motif   string // why: printed on the avoir
	// Numero is the avoir's number when segur.yaml sets no numérotation
	// (the editor keeps its numbers); with a numérotation it must be "".
	Numero string
	// Date is the avoir's date; zero is today (the registre's clock).
	Date time.Time
	Out  string // folder the avoir's PDF is written in
}

// AvoirResult is the avoir issued.
type AvoirResult struct {
	Numero   string // the avoir's number
	Facture  string // the facture it cancels
	Date     time.Time
	File     string // the PDF written
	SHA256   string
	Registre string
	// Numerotee: segur.yaml numbers the factures (the new facture's
	// number comes from the sequence too).
	Numerotee bool
}

// Avoir issues, once, the avoir (type 381) that cancels the facture in
// force of a dossier: rendered from what the facture was rendered from (the
// registre keeps it), numbered from the same sequence as the factures
// (segur.yaml facture.numerotation) or by the editor, recorded in the
// registre with its bytes — the facture is then cancelled (its number stays
// taken) and the next pack issues a new facture, and a new MOM citing it.
func Avoir(ctx context.Context, opt AvoirOptions) (*AvoirResult, error) {
	if strings.TrimSpace(opt.Motif) == "" {
		return nil, &Error{Message: "--motif est obligatoire : il est imprimé sur l'avoir (ex. « montant de la Prestation Ségur erroné »)"}
	}
	if opt.Out == "" {
		return nil, &Error{Message: "-o DOSSIER est obligatoire : le dossier où écrire le PDF de l'avoir"}
	}
	e, err := loadConfigOnly(opt.Inputs)
	if err != nil {
		return nil, err
	}
	if e.RegistrePath() == "" {
		return nil, &Error{Message: "un avoir s'émet dans le registre : retirez --sans-registre"}
	}
	format := e.Config.Numerotation()
	switch {
	case format != "" && opt.Numero != "":
		return nil, &Error{Message: fmt.Sprintf("[%s] segur.yaml numérote les factures (facture.numerotation « %s ») : l'avoir prend le numéro suivant de la série, retirez --numero", CodeAvoirNumero, format)}
	case format == "" && opt.Numero == "":
		return nil, &Error{Message: fmt.Sprintf("[%s] donnez le numéro de l'avoir (--numero), pris dans la même série que vos factures, ou faites numéroter segur (facture.numerotation dans segur.yaml)", CodeAvoirNumero)}
	}
	assets, err := e.unsignedAssets()
	if err != nil {
		return nil, err
	}
	reg, err := e.openRegistre()
	if err != nil {
		return nil, err
	}
	defer reg.Close() // read-only use of the registre, or its transaction already ended
	fail := func(err error) error { return &Error{Problems: e.Problems, Message: err.Error(), err: err} }
	tx, err := reg.Begin(ctx, registre.Cause{Command: "avoir", File: opt.Dossier})
	if err != nil {
		return nil, fail(err)
	}
	defer tx.Rollback() // a no-op once committed; after a failure, that failure is reported
	prev, err := tx.Issued(opt.Dossier, registre.Facture, "")
	if err != nil {
		return nil, fail(err)
	}
	if prev == nil {
		return nil, &Error{Message: fmt.Sprintf("[%s] le registre « %s » n'a aucune facture en vigueur pour le dossier %s : rien à annuler (segur etat %s montre ses documents)", CodeAvoirSansFacture, reg.Path(), opt.Dossier, opt.Dossier)}
	}
	d, err := issuedDossier(e, prev)
	if err != nil {
		return nil, fail(err)
	}
	day := opt.Date
	if day.IsZero() {
		now := time.Now
		if e.now != nil {
			now = e.now
		}
		t := now()
		day = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	numero := opt.Numero
	if format != "" {
		if numero, err = tx.NextFactureNumber(prev.Fournisseur, format, day.Format("2006-01-02")); err != nil {
			return nil, fail(err)
		}
	}
	a := render.Avoir{Numero: numero, Date: day, Motif: strings.TrimSpace(opt.Motif)}
	data, err := render.New(assets).Avoir(d, a)
	if err != nil {
		return nil, &Error{Problems: e.Problems, Message: fmt.Sprintf("avoir du dossier %s impossible : %v", opt.Dossier, err)}
	}
	inputs, err := registre.Canonical(map[string]any{"Annule": prev.Numero, "AnnuleSHA256": prev.SHA256, "Motif": a.Motif})
	if err != nil {
		return nil, fail(err)
	}
	doc := &registre.Document{Dossier: opt.Dossier, Kind: registre.Avoir, Numero: numero, Date: day.Format("2006-01-02"),
		Fournisseur: prev.Fournisseur, Entrees: inputs, Octets: data, Cancels: prev.Numero}
	if err := tx.Issue(doc); err != nil {
		return nil, fail(err)
	}
	// The file first, then the commit: an avoir is never recorded without
	// its PDF handed out; a failed commit takes the file back.
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return nil, e.fail("dossier de sortie « %s » inutilisable : %s", opt.Out, safeio.Reason(err))
	}
	file := filepath.Join(opt.Out, render.AvoirFileName(d, a))
	if _, err := os.Lstat(file); err == nil {
		return nil, e.fail("« %s » existe déjà : rien n'est remplacé ; choisissez un autre dossier de sortie", file)
	}
	if err := depot.WriteFile(file, data); err != nil {
		return nil, e.fail("« %s » impossible à écrire : %s", file, safeio.Reason(err))
	}
	if err := tx.Commit(); err != nil {
		os.Remove(file) // the commit's failure is reported; the PDF, never recorded, is withdrawn as well as can be
		return nil, fail(err)
	}
	return &AvoirResult{Numero: numero, Facture: prev.Numero, Date: day, File: file, SHA256: doc.SHA256, Registre: reg.Path(), Numerotee: format != ""}, nil
}

// issuedDossier rebuilds, from the inputs the registre recorded with an
// issued facture (inputsOf), the dossier it was rendered from: what its
// avoir repeats.
func issuedDossier(e *Env, doc *registre.Document) (*dossier.Dossier, error) {
	var in struct {
		Ref struct {
			NumeroEditeur, Dispositif, NumeroASP string
		}
		Fournisseur    dossier.Fournisseur
		Client         dossier.Client
		TVA            dossier.TVA
		Solution       *dossier.Solution
		Facture        dossier.Factures
		CommandeNumero string
		Beneficiaires  []dossier.Beneficiaire
		DateFin        dossier.Date
	}
	if err := json.Unmarshal(doc.Entrees, &in); err != nil {
		return nil, fmt.Errorf("facture %s du dossier %s : ce que le registre a gardé de son émission est illisible (%v)", doc.Numero, doc.Dossier, err)
	}
	d := &dossier.Dossier{
		Ref:        dossier.Ref{NumeroEditeur: in.Ref.NumeroEditeur, Dispositif: in.Ref.Dispositif, NumeroASP: in.Ref.NumeroASP},
		Stage:      dossier.PhaseSolde,
		Dispositif: e.Registry.Get(in.Ref.Dispositif),
		Solution:   in.Solution,
		Parties:    dossier.Parties{Fournisseur: in.Fournisseur, Client: in.Client, Beneficiaires: in.Beneficiaires},
		TVA:        in.TVA,
		Facture:    in.Facture,
	}
	d.Commande.Numero = in.CommandeNumero
	d.Realisation.DateFin = in.DateFin
	if d.Dispositif == nil {
		return nil, fmt.Errorf("facture %s du dossier %s : dispositif « %s » inconnu de cette version de segur", doc.Numero, doc.Dossier, in.Ref.Dispositif)
	}
	return d, nil
}
