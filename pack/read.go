package pack

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/internal/safeio"
)

// openPiece opens a pièce once, by handle, confined to opt.Roots (no link
// out of them followed, even one swapped in while pack runs), checks that
// handle (a regular file within the pièce limit), reads it and checks its
// bytes: never a key, a certificate or a SQLite database, and what kind
// (templates/contenus.yaml, by its extension) says. It records the coded
// problem and returns false when the pièce cannot be packed; otherwise the
// handle, left open and at its start, is what the zip copies (its hash is
// checked again as it is copied), and its bytes.
func openPiece(opt Options, p, libelle, field, kind string, problem func(field, code, format string, args ...any)) (*os.File, []byte, bool) {
	f, real, err := opt.Roots.Open(p, safeio.Piece)
	var tl *safeio.TooLargeError
	switch {
	case errors.Is(err, safeio.ErrOutside):
		problem(field, "PIECE_HORS_DOSSIER", "la pièce « %s » (%s) est hors du dossier des enregistrements et de celui de segur.yaml (chemin ou lien qui en sort) : copiez-la dans le dossier du client, ou indiquez son dossier par --pieces", p, libelle)
		return nil, nil, false
	case errors.Is(err, fs.ErrNotExist):
		problem(field, "PIECE_MANQUANTE", "la pièce « %s » est introuvable", libelle)
		return nil, nil, false
	case errors.As(err, &tl):
		problem(field, "PIECE_TROP_GRANDE", "la pièce « %s » (%s) : %s", p, libelle, safeio.Reason(err))
		return nil, nil, false
	case errors.Is(err, safeio.ErrNotRegular):
		problem(field, "PIECE_NON_FICHIER", "la pièce « %s » (%s) : ce n'est pas un fichier ordinaire (dossier, tube ou périphérique) : indiquez le fichier de la pièce", p, libelle)
		return nil, nil, false
	case err != nil:
		problem(field, "PIECE_ILLISIBLE", "la pièce « %s » (%s) : %s", p, libelle, safeio.Reason(err))
		return nil, nil, false
	}
	data, err := io.ReadAll(io.LimitReader(f, safeio.Piece.Max+1))
	if err == nil && int64(len(data)) > safeio.Piece.Max {
		err = &safeio.TooLargeError{Path: real, Kind: safeio.Piece, Size: int64(len(data))}
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close() // on the way out of a failure: that failure is what is reported
		code := "PIECE_ILLISIBLE"
		if errors.As(err, &tl) {
			code = "PIECE_TROP_GRANDE"
		}
		problem(field, code, "la pièce « %s » (%s) : %s", p, libelle, safeio.Reason(err))
		return nil, nil, false
	}
	if code, why := pdfops.ContentProblem(data, kind); code != "" {
		f.Close() // on the way out of a failure: that failure is what is reported
		if code == "PIECE_INTERDITE" {
			problem(field, code, "la pièce « %s » (%s) est %s : ce fichier ne doit jamais partir à l'ASP comme pièce, quel que soit son nom ; indiquez le vrai fichier de la pièce", filepath.Base(p), libelle, why)
		} else {
			problem(field, code, "la pièce « %s » (%s) : %s", filepath.Base(p), libelle, why)
		}
		return nil, nil, false
	}
	return f, data, true
}

// MaxHeldPieces bounds the pièce handles a run keeps open from their check
// to their zip (all the pièces of a quarter's ready dossiers otherwise: the
// open files would grow with the quarter). A pièce beyond it is closed
// once checked and opened again when its zip is written, the same way —
// by handle, confined to the roots, no link out of them followed — and
// its bytes' hash is checked as they are copied: the zip still holds
// exactly the bytes checked, or the run stops (ErrChanged).
const MaxHeldPieces = 64

// handleBudget counts the pièce handles held open.
type handleBudget struct {
	mu              sync.Mutex
	held, max, peak int
}

func (b *handleBudget) take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.held >= b.max {
		return false
	}
	b.held++
	b.peak = max(b.peak, b.held)
	return true
}

func (b *handleBudget) give() {
	b.mu.Lock()
	b.held--
	b.mu.Unlock()
}

// pieceEntry is the zip entry of a pièce opened and checked by openPiece
// (f, its bytes data): that very handle while the budget allows, else the
// handle is closed and the zip opens the pièce again as openPiece did.
func (opt Options) pieceEntry(name, path string, f *os.File, data []byte, mod time.Time) Entry {
	e := Entry{Name: name, Path: f.Name(), SHA256: sum(data), Modified: mod}
	if opt.handles == nil || opt.handles.take() {
		// The zip gets this very handle, already checked: its bytes' hash
		// is checked again as they are copied (a file changed meanwhile
		// stops the run). It is closed once the zip is written, or with
		// the run.
		e.File, e.budget = f, opt.handles
		return e
	}
	f.Close() // only read, and reopened for the zip: closing loses nothing
	roots := opt.Roots
	e.reopen = func() (*os.File, error) {
		f, _, err := roots.Open(path, safeio.Piece)
		return f, err
	}
	return e
}
