package render

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/deephash"
	"github.com/segur-sons/segur/internal/progsum"
)

// keyFormat names the layout of Key: a change to it is a new name, so that
// nothing kept under an older layout is taken for this one.
const keyFormat = "segur-rendu-2"

// Key names everything the document kind of d is drawn from: the checked
// dossier (every field but its record's positions and its problems,
// followed through its pointers: the dispositif's wording and barèmes, the
// solution, the facture number the registre settled; dossier.Unplaced),
// the fonts, the logo, whether it is a preview, and the
// running program (its code, its embedded templates and mentions). Two
// renders under one key give the same bytes, so that a run may take the
// bytes an earlier one kept instead of drawing them again.
//
// Only the VA has a key: it reads nothing but d and the assets, and segur
// never signs it. A signed document states the time of its signature, and
// a facture merges the traités read from disk. "" too when the program
// cannot be read or d holds something that cannot be digested: then the
// document is drawn.
func (r *Renderer) Key(d *dossier.Dossier, kind dossier.Kind) string {
	if kind != dossier.VA {
		return ""
	}
	prog := progsum.Sum()
	if prog == "" {
		return ""
	}
	assets := r.assetsKey()
	if assets == "" {
		return ""
	}
	// Where the record stands, and what the rules said of it, are not
	// drawn: left out, the same record read through another path (a run
	// from another folder) keys the same VA instead of drawing every VA
	// once again.
	keyed := d.Unplaced()
	dk, err := deephash.Sum(&keyed)
	if err != nil {
		return ""
	}
	h := sha256.New()
	for _, s := range []string{keyFormat, prog, assets, string(kind), dk} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// assetsKey is the digest of what the renderer draws with besides the
// dossier, taken once per renderer.
func (r *Renderer) assetsKey() string {
	r.keyOnce.Do(func() {
		k, err := deephash.Sum(struct {
			Regular, Bold, Logo []byte
			Apercu, Signs       bool
		}{r.assets.Fonts.Regular, r.assets.Fonts.Bold, r.assets.Logo, r.assets.Apercu, r.assets.Signer != nil})
		if err == nil {
			r.key = k
		}
	})
	return r.key
}
