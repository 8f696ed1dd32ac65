package pack

import (
	"errors"
	"fmt"
	"github.com/segur-sons/segur/depot"
	"path/filepath"

	"github.com/segur-sons/segur/dossier"
)

// Document is one document of a dossier, rendered and written.
type Document struct {
	Name string // d.FileName(kind)
	Path string // where it was written
	Data []byte
}

// WriteDocument renders the document kind of d with r and writes it under
// out/dossiers/<numéro éditeur>/: the one render-and-write path of
// `segur render` and `segur pack`. A document that cannot be rendered comes
// back as a RENDU_IMPOSSIBLE problem, and the others can still be made; the
// error is for a file that cannot be written, which stops the command.
// durable syncs the file to disk before its rename (see WriteFile).
func WriteDocument(r Renderer, d *dossier.Dossier, kind dossier.Kind, out string, durable bool) (Document, *dossier.Problem, error) {
	data, err := r.Render(d, kind)
	var coded interface {
		ProblemCode() string
		ProblemMessage() string
	}
	if errors.As(err, &coded) {
		// A rule of the registre (DOCUMENT_EMIS_MODIFIE, FACTURE_DOUBLON…).
		pos, field := d.Ref.Source, "-"
		var placed interface{ ProblemPlace() (dossier.Pos, string) }
		if errors.As(err, &placed) {
			pos, field = placed.ProblemPlace()
		}
		return Document{}, &dossier.Problem{Pos: pos, Level: dossier.Erreur, Numero: d.Numero(), Field: field, Code: coded.ProblemCode(), Message: coded.ProblemMessage()}, nil
	}
	if err != nil {
		return Document{}, &dossier.Problem{
			Pos: d.Ref.Source, Level: dossier.Erreur, Numero: d.Numero(), Field: "-", Code: "RENDU_IMPOSSIBLE",
			Message: fmt.Sprintf("le document %s n'a pas pu être produit : %v", kind, err),
		}, nil
	}
	doc := Document{Name: d.FileName(kind), Data: data}
	doc.Path = filepath.Join(out, "dossiers", d.Numero(), doc.Name)
	if err := depot.WriteFileDurable(doc.Path, data, durable); err != nil {
		return doc, nil, err
	}
	return doc, nil, nil
}
