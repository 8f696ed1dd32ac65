package readback

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/retours"
	"github.com/segur-sons/segur/signature"
)

var rppsRe = regexp.MustCompile(`\b\d{11}\b`)

// flowIndex maps the flows of the dispositif wording to soldeLigne.direct.
var flowIndex = map[string]int{"dmp": 0, "mss_pro": 1, "mss_citoyen": 2}

// acceptSigned applies the acceptance rule of every PDF to the MOM or VA
// of a line as found in a zip, then verifies it as pack did, from one
// reading of the file: valid electronic signatures, the last covering the
// whole file, or a scan (warning); for a VA, its ☒ boxes against the
// line's flags. The error is the acceptance rule's, when the file is not an
// accepted PDF.
func (c *depotCheck) acceptSigned(rel, name, kind string, data []byte, l *soldeLigne) error {
	want := signature.Expect{
		Kind:      kind,
		Deposited: true,
	}
	want.Trust, want.MinLevel = c.opt.Trust, c.opt.MinLevel
	if kind == string(dossier.VA) {
		want.Boxes = c.expectedBoxes(name, l)
		want.Hashes = c.remises[l.numero]
		if own := c.ownVA(l.numero, name); own != nil {
			want.Rendered = [][]byte{own}
		}
	}
	res, err := signature.AcceptAndVerify(name, data, want)
	if err != nil {
		return err
	}
	if res.Proof == signature.Electronic {
		c.signed = append(c.signed, Signed{Zip: rel, Numero: l.numero, Piece: name, Signers: res.Signers})
		if kind == string(dossier.VA) && res.Tie == "" {
			c.warn(rel, l.numero, name, "VA_NON_COMPAREE", "%s n'a pas pu être comparée à la VA produite par segur : dossiers/%s/%s est absente, ou n'est plus celle inscrite dans %s ; seules ses signatures et ses cases ont été vérifiées", name, l.numero, name, retours.RemisesName)
		}
	}
	// A signer whose certificate carries an RPPS (CPS card) must be one of
	// the line's médecins (a libéral line lists RPPS, 11 digits).
	var rpps []string
	for _, id := range l.ids {
		if rppsRe.MatchString(id) && len(id) == 11 {
			rpps = append(rpps, id)
		}
	}
	if kind == string(dossier.VA) && len(rpps) > 0 {
		for _, s := range res.Signers {
			if id := s.RPPS; id != "" && !slices.Contains(rpps, id) {
				c.error(rel, l.numero, name, "VA_SIGNATAIRE_INCONNU", "%s est signée par %s (RPPS %s), qui n'est pas un bénéficiaire de la ligne %d du JSON (%s)", name, s.Name, id, l.index+1, strings.Join(rpps, ", "))
			}
		}
	}
	for _, e := range res.Errors {
		c.error(rel, l.numero, name, e.Code, "%s", composed(e.Message))
	}
	for _, e := range res.Warnings {
		c.warn(rel, l.numero, name, e.Code, "%s", composed(e.Message))
	}
	return nil
}

// expectedBoxes is the sequence of boxes a VA shows for the line's flags,
// in the dispositif's order of flows ("" when a flag is unknown).
func (c *depotCheck) expectedBoxes(name string, l *soldeLigne) string {
	dispositif, _, ok := strings.Cut(name, "-VA-")
	if !ok || c.reg == nil {
		return ""
	}
	d := c.reg.Get(dispositif)
	if d == nil {
		return ""
	}
	var b strings.Builder
	for _, f := range d.Textes.Flux {
		i, ok := flowIndex[f.ID]
		if !ok || l.direct[i] == 0 {
			return ""
		}
		if l.direct[i] > 0 {
			b.WriteString("☒☐")
		} else {
			b.WriteString("☐☒")
		}
	}
	return b.String()
}

// ownVA is segur's unsigned VA of dossier numero as pack wrote it in the
// output folder (dossiers/<numero>/<name>), when its SHA-256 is one the
// ledger of documents handed out records for the dossier; nil otherwise.
func (c *depotCheck) ownVA(numero, name string) []byte {
	if numero == "-" || strings.ContainsAny(numero, `/\.`) || len(c.remises[numero]) == 0 || name != filepath.Base(name) {
		return nil
	}
	data, err := safeio.ReadFile(filepath.Join(c.dir, "dossiers", numero, name), safeio.PDF)
	if err != nil {
		return nil
	}
	h := sha256.Sum256(data)
	if !slices.Contains(c.remises[numero], hex.EncodeToString(h[:])) {
		return nil
	}
	return data
}
