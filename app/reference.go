package app

import (
	"errors"

	"github.com/segur-sons/segur/asp"
	"github.com/segur-sons/segur/docs"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/facturx"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/nouveau"
	"github.com/segur-sons/segur/render"
	"github.com/segur-sons/segur/templates"
)

// Message says err in French for the staff, its file and the system's
// reason (« disque plein »…): for a command's output it could not write.
func Message(err error) string { return safeio.Message(err) }

// Init prepares the libraries before any use case runs: pdfcpu never
// writes a configuration folder into the user's home.
func Init() { pdfops.Init() }

// MaxLines is the most lines the ASP accepts in one JSON of a pair, the
// upper bound of PackOptions.Lines.
const MaxLines = asp.MaxLines

// AssetsFunc gives the renderer its fonts, logo and signer for segur.yaml
// (Inputs.Assets): tests sign with their own certificate through it.
type AssetsFunc = func(*dossier.Config) (render.Assets, error)

// ErrNoReference is Reference's answer to a topic it does not know.
var ErrNoReference = errors.New("no such reference")

// Reference is the staff's reference of segur aide: "format" (or "") the
// format of segur.yaml and a record (docs/format.md), "codes" the message
// codes and what to do (docs/codes.md).
func Reference(topic string) ([]byte, error) {
	name := map[string]string{"format": "format.md", "codes": "codes.md", "": "format.md"}[topic]
	if name == "" {
		return nil, ErrNoReference
	}
	return docs.FS.ReadFile(name)
}

// NouveauOptions steer Nouveau: the dispositif, the client (liberal or
// structure) and the number of beneficiaries (default 1).
type NouveauOptions = nouveau.Options

// Nouveau is the commented skeleton of a new record (segur nouveau), or
// a French error when the options do not fit the dispositif.
func Nouveau(opt NouveauOptions) ([]byte, error) {
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		return nil, err
	}
	return nouveau.Skeleton(reg, opt)
}

// FacturXResult is what segur facturx found in a facture PDF.
type FacturXResult struct {
	// XML is the embedded factur-x.xml as the PDF holds it.
	XML []byte
	// Unreadable, when set, says why the XML could not be parsed; the
	// EN 16931 rules were then not checked.
	Unreadable error
	// Problems are the EN 16931 rules the XML breaks, in French.
	Problems []string
}

// FacturX reads the Factur-X XML a facture PDF carries, as the approved
// platform will, and checks it against EN 16931. The error is a French
// message when the file holds no readable Factur-X attachment.
func FacturX(path string) (*FacturXResult, error) {
	x, err := facturx.ReadFile(path)
	if err != nil {
		return nil, err
	}
	res := &FacturXResult{XML: x}
	s, err := facturx.Parse(x)
	if err != nil {
		res.Unreadable = err
		return res, nil
	}
	res.Problems = facturx.Verify(s)
	return res, nil
}
