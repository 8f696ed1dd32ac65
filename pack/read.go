package pack

import (
	"errors"
	"io/fs"

	"github.com/segur-sons/segur/internal/safeio"
)

// readPiece reads a pièce once, bounded, after resolving it physically
// inside opt.Roots; it records the coded problem and returns false when it
// cannot be packed. path is the resolved file, which the zip copies (and
// whose hash it checks again).
func readPiece(opt Options, p, libelle, field string, problem func(field, code, format string, args ...any)) ([]byte, string, bool) {
	real, err := opt.Roots.Resolve(p)
	switch {
	case errors.Is(err, safeio.ErrOutside):
		problem(field, "PIECE_HORS_DOSSIER", "la pièce « %s » (%s) est hors du dossier des enregistrements et de celui de segur.yaml (chemin ou lien qui en sort) : copiez-la dans le dossier du client, ou indiquez son dossier par --pieces", p, libelle)
		return nil, "", false
	case errors.Is(err, fs.ErrNotExist):
		problem(field, "PIECE_MANQUANTE", "la pièce « %s » est introuvable", libelle)
		return nil, "", false
	case err != nil:
		problem(field, "PIECE_ILLISIBLE", "la pièce « %s » (%s) : %s", p, libelle, safeio.Reason(err))
		return nil, "", false
	}
	data, err := safeio.ReadFile(real, safeio.Piece)
	if err != nil {
		var tl *safeio.TooLargeError
		code := "PIECE_ILLISIBLE"
		if errors.As(err, &tl) {
			code = "PIECE_TROP_GRANDE"
		}
		problem(field, code, "la pièce « %s » (%s) : %s", p, libelle, safeio.Reason(err))
		return nil, "", false
	}
	return data, real, true
}
