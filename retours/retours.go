// Package retours takes in the documents that come back signed: the VAs
// (signed electronically by every signatory in turn, or scanned, whole or
// one file per beneficiary) and the MOMs signed by hand, found in the
// folder of signed documents (--signes) or uploaded on the segur serve page.
// It ties each to its dossier (by the hashes of the versions handed out,
// recorded in remises-a-signer.sha256, or by its text), verifies its
// signatures, and says what proof it brings (Preuve, as rapport.json writes
// it).
package retours

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/segur-sons/segur/signature"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/safeio"
)

// Options say where the returned documents are.
type Options struct {
	Dir string // output folder: dossiers/<numero>/, remises-a-signer.sha256
	// Docs, when set, is the folder whose dossiers/<numero>/ holds the
	// documents of this run (pack writes them into the next dossiers/,
	// switched with the dépôt); Dir when empty.
	Docs   string
	Signes string // folder of the signed documents ("" when none)
	// Remises are the hashes of the documents handed out for signature,
	// by numéro éditeur (LoadRemises of Dir).
	Remises map[string][]string
	// Trust and MinLevel are the roots and the minimum level of the
	// signatures (segur.yaml's signature block; nil and "": level simple).
	Trust    *signature.Trust
	MinLevel signature.Level
	// Strict makes an invisible signature an error (--strict).
	Strict bool
	// Memo, when set, remembers from one run to the next what verifying
	// a returned VA gave (the registre): an unchanged file checked against
	// an unchanged expectation is not parsed and verified again.
	Memo Memo
}

// Piece is a verified document for the zip: read again from Path when the
// zip is written (refused then if its SHA256 changed), or Data when it was
// assembled in memory (scans merged).
type Piece struct {
	Name, Path, SHA256 string
	Data               []byte
}

// Modified is the time stamped on a dossier's zip entries and on merged
// scans: the facture's date, at midnight UTC.
func Modified(d *dossier.Dossier) time.Time {
	if !d.Facture.Date.IsZero() {
		return d.Facture.Date.Time
	}
	return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// VerifySignedVA applies pack's acceptance rule for a signed VA to what
// the folder opt.Signes holds for d (the whole VA, or one file per signing
// beneficiary), against the VA as rendered unsigned and the VAs handed out
// earlier from opt.Dir (its remises-a-signer.sha256); opt is otherwise as
// for Run. It returns the problems that refuse it (none means pack would
// take it), then its warnings (a scan to look at, for instance).
func VerifySignedVA(opt Options, d *dossier.Dossier, unsigned []byte) (refus, warnings []dossier.Problem) {
	add := func(list *[]dossier.Problem, level dossier.Level) func(field, code, format string, args ...any) {
		return func(field, code, format string, args ...any) {
			*list = append(*list, dossier.Problem{
				Pos: d.Ref.Source, Level: level, Numero: d.Numero(), Field: field, Code: code,
				Message: fmt.Sprintf(format, args...),
			})
		}
	}
	SignedVA(opt, d, unsigned, LoadRemises(opt.Dir)[d.Numero()], add(&refus, dossier.Erreur), add(&warnings, dossier.Attention))
	return refus, warnings
}

// readSigned reads a signed VA of opt.Signes, bounded, once and by
// handle, refusing a link that leads out of that folder (also one swapped
// in while it is read).
func readSigned(opt Options, p string) ([]byte, error) {
	data, _, err := safeio.NewRoots(opt.Signes).ReadFile(p, safeio.PDF)
	return data, err
}
