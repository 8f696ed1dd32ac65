package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/registre"
)

// Verdicts of a review, as the registre writes them.
const (
	Verifie = registre.Verifie
	Refuse  = registre.Refuse
)

// ReviewsFile holds the reviews in the output folder when no registre is
// used.
const ReviewsFile = ".segur/verifications.json"

// ReviewOptions steer Review.
type ReviewOptions struct {
	Inputs
	Out     string // the output folder (its side file when no registre)
	Numero  string
	File    string // the returned file reviewed (its name)
	Verdict string // Verifie or Refuse
	Who     string
	When    time.Time // zero: now
}

var reviewsMu sync.Mutex

// Review records that a person looked at a returned file of a dossier (a
// scanned VA) and found it right or wrong: in the registre when one is
// used, else in the output folder's .segur/verifications.json.
func Review(ctx context.Context, opt ReviewOptions) error {
	who := strings.TrimSpace(opt.Who)
	if who == "" || len([]rune(who)) > 100 {
		return &Error{Message: "indiquez qui a vérifié le fichier (votre nom, 100 caractères au plus)"}
	}
	if opt.Verdict != Verifie && opt.Verdict != Refuse {
		return &Error{Message: fmt.Sprintf("verdict « %s » : « %s » ou « %s » attendu", opt.Verdict, Verifie, Refuse)}
	}
	if opt.Numero == "" || opt.File == "" || filepath.Base(opt.File) != opt.File {
		return &Error{Message: "vérification sans dossier ou sans fichier : rien n'est enregistré"}
	}
	when := opt.When
	if when.IsZero() {
		when = time.Now()
	}
	if opt.Registre != "" {
		r, err := OpenRegistre(opt.Inputs)
		if err != nil {
			return err
		}
		defer r.Close() // read-only use of the registre, or its transaction already ended
		if err := r.RecordReview(opt.Numero, opt.File, opt.Verdict, who, when); err != nil {
			return &Error{Message: err.Error()}
		}
		return nil
	}
	if opt.Out == "" {
		return &Error{Message: "ni registre ni dossier de sortie : la vérification ne peut pas être gardée"}
	}
	reviewsMu.Lock()
	defer reviewsMu.Unlock()
	all, err := readReviews(opt.Out)
	if err != nil {
		return &Error{Message: err.Error()}
	}
	all[opt.Numero] = append(all[opt.Numero], rapport.Verification{Fichier: opt.File, Verdict: opt.Verdict, Qui: who, Le: when.Format(time.RFC3339)})
	data, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return &Error{Message: err.Error()}
	}
	path := filepath.Join(opt.Out, filepath.FromSlash(ReviewsFile))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return &Error{Message: fmt.Sprintf("%s : %s", path, safeio.Message(err))}
	}
	if err := depot.WriteFile(path, append(data, '\n')); err != nil {
		return &Error{Message: fmt.Sprintf("%s : %s", path, safeio.Message(err))}
	}
	return nil
}

// readReviews reads the side file of out (empty when there is none).
func readReviews(out string) (map[string][]rapport.Verification, error) {
	path := filepath.Join(out, filepath.FromSlash(ReviewsFile))
	all := map[string][]rapport.Verification{}
	data, err := safeio.ReadFile(path, safeio.Rapport)
	if errors.Is(err, fs.ErrNotExist) {
		return all, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s : %s", path, safeio.Reason(err))
	}
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("%s est illisible : retirez-le (les vérifications qu'il gardait seront à refaire)", path)
	}
	return all, nil
}

// Reviews gives the reviews of each dossier, from the registre when in
// names one, else from out's side file; nil when there are none to read.
// done closes what it opened.
func Reviews(in Inputs, out string) (get func(numero string) []rapport.Verification, done func()) {
	done = func() {}
	if in.Registre != "" {
		r, err := OpenRegistre(in)
		if err != nil {
			return nil, done
		}
		cache := map[string][]rapport.Verification{}
		return func(numero string) []rapport.Verification {
			if v, ok := cache[numero]; ok {
				return v
			}
			rs, err := r.Reviews(numero)
			var out []rapport.Verification
			if err == nil {
				for _, x := range rs {
					out = append(out, rapport.Verification{Fichier: x.File, Verdict: x.Verdict, Qui: x.Who, Le: x.When.Format(time.RFC3339)})
				}
			}
			cache[numero] = out
			return out
		}, func() { r.Close() } // read-only use of the registre, or its transaction already ended
	}
	if out == "" {
		return nil, done
	}
	all, err := readReviews(out)
	if err != nil || len(all) == 0 {
		return nil, done
	}
	return func(numero string) []rapport.Verification { return all[numero] }, done
}
