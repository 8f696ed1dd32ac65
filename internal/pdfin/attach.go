package pdfin

import (
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// maxNameTreeDepth bounds the walk of a name tree (PDF 32000-1 §7.9.6).
const maxNameTreeDepth = 32

// Attachment returns the content of the embedded file called name (its
// key in the EmbeddedFiles name tree); found is false when the PDF has no
// such file. A file larger than max bytes is an error.
func (d *Doc) Attachment(name string, max int64) (data []byte, found bool, err error) {
	defer catch(&err, "attachment")
	xt := d.ctx.XRefTable
	root, err := xt.Catalog()
	if err != nil {
		return nil, false, &Error{Cause: CauseUnreadable, Message: "catalogue illisible", cause: err}
	}
	names, err := attachDict(xt, root, "Names")
	if err != nil || names == nil {
		return nil, false, err
	}
	tree, err := attachDict(xt, names, "EmbeddedFiles")
	if err != nil || tree == nil {
		return nil, false, err
	}
	fs, err := lookupName(xt, tree, name, 0)
	if err != nil || fs == nil {
		return nil, false, err
	}
	ef, err := attachDict(xt, fs, "EF")
	if err != nil || ef == nil {
		return nil, true, fail(CauseUnreadable, "spécification de fichier sans /EF")
	}
	o, ok := ef.Find("UF")
	if !ok {
		if o, ok = ef.Find("F"); !ok {
			return nil, true, fail(CauseUnreadable, "/EF sans /F")
		}
	}
	sd, _, err := xt.DereferenceStreamDict(o)
	if err != nil || sd == nil {
		return nil, true, &Error{Cause: CauseUnreadable, Message: "flux du fichier joint illisible", cause: err}
	}
	if int64(len(sd.Raw)) > max {
		return nil, true, fail(CauseBounds, fmt.Sprintf("%s dépasse %d octets", name, max))
	}
	if err := sd.Decode(); err != nil {
		return nil, true, &Error{Cause: CauseUnreadable, Message: "fichier joint impossible à décompresser", cause: err}
	}
	if int64(len(sd.Content)) > max {
		return nil, true, fail(CauseBounds, fmt.Sprintf("%s dépasse %d octets", name, max))
	}
	return sd.Content, true, nil
}

// attachDict is the dictionary at d[key], nil when absent.
func attachDict(xt *model.XRefTable, d types.Dict, key string) (types.Dict, error) {
	o, ok := d.Find(key)
	if !ok || o == nil {
		return nil, nil
	}
	v, err := xt.DereferenceDict(o)
	if err != nil {
		return nil, &Error{Cause: CauseUnreadable, Message: fmt.Sprintf("entrée /%s illisible", key), cause: err}
	}
	return v, nil
}

// lookupName finds key in the name tree node n and returns its value as a
// dictionary, nil when absent.
func lookupName(xt *model.XRefTable, n types.Dict, key string, depth int) (types.Dict, error) {
	if depth > maxNameTreeDepth {
		return nil, fail(CauseBounds, "arbre des noms trop profond")
	}
	if o, ok := n.Find("Names"); ok {
		a, err := xt.DereferenceArray(o)
		if err != nil {
			return nil, &Error{Cause: CauseUnreadable, Message: "entrée /Names illisible", cause: err}
		}
		for i := 0; i+1 < len(a); i += 2 {
			k, err := xt.Dereference(a[i])
			if err != nil {
				continue
			}
			s, err := types.StringOrHexLiteral(k)
			if err != nil || s == nil || *s != key {
				continue
			}
			return xt.DereferenceDict(a[i+1])
		}
	}
	if o, ok := n.Find("Kids"); ok {
		kids, err := xt.DereferenceArray(o)
		if err != nil {
			return nil, &Error{Cause: CauseUnreadable, Message: "entrée /Kids illisible", cause: err}
		}
		for _, kid := range kids {
			kd, err := xt.DereferenceDict(kid)
			if err != nil || kd == nil {
				continue
			}
			if v, err := lookupName(xt, kd, key, depth+1); err != nil || v != nil {
				return v, err
			}
		}
	}
	return nil, nil
}
