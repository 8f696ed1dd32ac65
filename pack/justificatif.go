package pack

import (
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/retours"
)

// justificatif returns the MOM or VA of d for the zip, verified, and
// records its proof (and the unsigned version handed out) in w.
func justificatif(opt Options, d *dossier.Dossier, rendered []byte, w *dossierWork, problem, warn func(field, code, format string, args ...any)) (Entry, bool) {
	ropt := retours.Options{Dir: opt.Dir, Docs: opt.docs(), Signes: opt.Signes, Trust: opt.Trust, MinLevel: opt.MinLevel, Strict: opt.Strict}
	if opt.Verified != nil {
		ropt.Memo = memo{opt.Verified, w}
	}
	hashes := opt.remises[d.Numero()]
	var (
		rp retours.Piece
		p  *retours.Preuve
		ok bool
	)
	if d.Justificatif.Kind == dossier.MOM {
		rp, p, ok = retours.SignedMOM(ropt, d, rendered, hashes, problem, warn)
		if p.Rattachement != retours.SignedBySegur {
			r := retours.NewRemise(d, dossier.MOM, rendered)
			w.remise = &r
		}
	} else {
		rp, p, ok = retours.SignedVA(ropt, d, rendered, hashes, problem, warn)
		r := retours.NewRemise(d, dossier.VA, rendered)
		w.remise = &r
	}
	w.preuve = p
	e := Entry{Name: rp.Name, Path: rp.Path, SHA256: rp.SHA256, Data: rp.Data}
	if ok && p != nil && p.SHA256 != "" {
		// rapport.json gives the SHA-256 of the bytes in the zip.
		for i := range w.files {
			if w.files[i].Nom == e.Name {
				w.files[i].SHA256 = p.SHA256
			}
		}
	}
	return e, ok
}

// memo is a VerifyMemo as retours sees it for one dossier's work: an
// error is a miss there, and stops the run here (like an output that
// cannot be written).
type memo struct {
	m VerifyMemo
	w *dossierWork
}

func (m memo) Recall(numero, key string) []byte {
	b, err := m.m.Verification(numero, key)
	if err != nil && m.w.err == nil {
		m.w.err = err
	}
	return b
}

func (m memo) Remember(numero, key string, result []byte) {
	if err := m.m.RememberVerification(numero, key, result); err != nil && m.w.err == nil {
		m.w.err = err
	}
}
