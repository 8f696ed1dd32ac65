package pack

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/safeio"
)

// Document is one document of a dossier, rendered and written.
type Document struct {
	Name string // d.FileName(kind)
	Path string // where it was written
	Data []byte
	// SHA256 is Data's, hex, when the one who made the Document computed
	// it ("" otherwise: see sha).
	SHA256 string
}

// sha is the SHA-256 of d's bytes, hex: computed once per document.
func (d Document) sha() string {
	if d.SHA256 != "" {
		return d.SHA256
	}
	return sum(d.Data)
}

// WriteDocument renders the document kind of d with r and writes it under
// out/dossiers/<numéro éditeur>/: the one render-and-write path of
// `segur render` and `segur pack`. A document that cannot be rendered comes
// back as a RENDU_IMPOSSIBLE problem, and the others can still be made; the
// error is for a file that cannot be written, which stops the command.
// durable syncs the file to disk before its rename (see WriteFile).
func WriteDocument(r Renderer, d *dossier.Dossier, kind dossier.Kind, out string, durable bool) (Document, *dossier.Problem, error) {
	return writeDocumentWith(r, d, kind, out, func(path string, data []byte) error {
		return depot.WriteFileDurable(path, data, durable)
	})
}

// writeDocumentWith is WriteDocument, the file written by write.
func writeDocumentWith(r Renderer, d *dossier.Dossier, kind dossier.Kind, out string, write func(path string, data []byte) error) (Document, *dossier.Problem, error) {
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
	if err := write(doc.Path, data); err != nil {
		return doc, nil, err
	}
	return doc, nil, nil
}

// writeDocument is WriteDocument into the run's dossiers/, except that a
// document the renderer keys (Keyer) and opt.Rendered recorded under the
// same key is taken from the staged dossiers/ — the previous run's file,
// linked there — when that file still has the recorded SHA-256 and size:
// it is neither drawn nor written again. A document drawn under a key is
// recorded with its SHA-256 and size.
//
// A document the renderer knows without making it (Knower: one the
// registre issued, given back as it is) is likewise taken from the staged
// dossiers/ when the file there has its SHA-256 and size.
func (o Options) writeDocument(r Renderer, d *dossier.Dossier, kind dossier.Kind) (Document, *dossier.Problem, error) {
	if kr, ok := r.(Knower); ok {
		if sha, size := kr.Known(d, kind); sha != "" {
			if doc, ok := o.staged(d, kind, sha, size); ok {
				return doc, nil, nil
			}
		}
	}
	key := ""
	if o.Rendered != nil {
		if kr, ok := r.(Keyer); ok {
			key = kr.Key(d, kind)
		}
	}
	if key != "" {
		sha, size, err := o.Rendered.Rendered(d.Numero(), string(kind), key)
		if err != nil {
			return Document{}, nil, err
		}
		if sha != "" {
			if doc, ok := o.staged(d, kind, sha, size); ok {
				return doc, nil, nil
			}
		}
	}
	doc, prob, err := writeDocumentWith(r, d, kind, o.docs(), o.write)
	if err != nil || prob != nil {
		return doc, prob, err
	}
	doc.SHA256 = sum(doc.Data) // pack lists it, zips it, remembers it: hashed once here
	if key == "" {
		return doc, nil, nil
	}
	if err := o.Rendered.RememberRendered(d.Numero(), string(kind), key, doc.SHA256, int64(len(doc.Data))); err != nil {
		return doc, nil, err
	}
	return doc, nil, nil
}

// write writes a file of the run's dossiers/: in place when it is the
// staged one (depot.WriteStaged), else by a temporary file renamed, not
// synced (a re-run makes the same documents again).
func (o Options) write(path string, data []byte) error {
	if o.stage != "" {
		return depot.WriteStaged(path, data)
	}
	return depot.WriteFileDurable(path, data, false)
}

// staged is the document kind of d as the run's dossiers/ already holds it
// (staged from the previous run), if that file has the SHA-256 sha and the
// size given; a file missing, changed or replaced is not (ok false: the
// document is made and written again).
func (o Options) staged(d *dossier.Dossier, kind dossier.Kind, sha string, size int64) (Document, bool) {
	doc := Document{Name: d.FileName(kind)}
	doc.Path = filepath.Join(o.docs(), "dossiers", d.Numero(), doc.Name)
	data, err := safeio.ReadFile(doc.Path, safeio.PDF)
	if err != nil || int64(len(data)) != size || sum(data) != sha {
		return Document{}, false
	}
	doc.Data, doc.SHA256 = data, sha
	return doc, true
}
