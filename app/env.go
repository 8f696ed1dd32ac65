package app

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/render"
	"github.com/segur-sons/segur/signature"
	"github.com/segur-sons/segur/templates"
)

// Error stops a use case before it could do its work: Problems (segur.yaml's,
// at their lines) come first, then Message, in French.
type Error struct {
	Problems []dossier.Problem
	Message  string
	err      error // a sentinel (ErrInvalidConfig), for errors.Is
}

func (e *Error) Error() string { return e.Message }

// Unwrap gives the sentinel of the error, if any.
func (e *Error) Unwrap() error { return e.err }

// ErrInvalidConfig is the sentinel of an *Error saying segur.yaml has errors.
var ErrInvalidConfig = errors.New("segur.yaml invalide")

// errSigner is the sentinel of an *Error saying the certificate of
// segur.yaml's signature block cannot be used (password, file).
var errSigner = errors.New("certificat inutilisable")

// Inputs are what every use case reading records is given.
type Inputs struct {
	// Paths are the record files or folders, as given on the command line.
	Paths []string
	// Config is segur.yaml's path; "" finds it (FindConfig).
	Config string
	// Pieces is one more folder where pièces and traités may lie.
	Pieces string
	// Registry is the dispositif data; nil reads the embedded one.
	Registry *dossier.Registry
	// Assets, when set, gives the renderer its fonts, logo and signer
	// instead of reading them from segur.yaml (Env.Assets).
	Assets func(*dossier.Config) (render.Assets, error)
	// Registre is the registre file: "" none (--sans-registre: nothing is
	// remembered), AutoRegistre the one segur.yaml names or
	// registre.sqlite beside it, else a path.
	Registre string
	// Now is the clock of the signatures and of the registre; nil is the
	// real time. Tests inject a fixed clock.
	Now func() time.Time
}

// Env is what one reading of the inputs gives: the dispositif data,
// segur.yaml, the record files and the folders their files must lie in.
type Env struct {
	Registry   *dossier.Registry
	Config     *dossier.Config
	ConfigPath string
	Files      []string
	Paths      []string
	Roots      safeio.Roots
	// Problems are segur.yaml's (warnings only: an error stops Load), sorted.
	Problems []dossier.Problem
	assets   func(*dossier.Config) (render.Assets, error)
	registre string
	now      func() time.Time
}

// fail is an *Error after segur.yaml's problems.
func (e *Env) fail(format string, args ...any) error {
	return &Error{Problems: e.Problems, Message: fmt.Sprintf(format, args...)}
}

// Load reads the dispositif data, the fournisseur file and lists the
// records of in.Paths. Errors in segur.yaml stop it (ErrInvalidConfig).
func Load(in Inputs) (*Env, error) {
	reg, err := loadRegistry(in)
	if err != nil {
		return nil, err
	}
	files, err := dossier.Files(in.Paths)
	if err != nil {
		return nil, &Error{Message: err.Error()}
	}
	if len(files) == 0 {
		return nil, &Error{Message: fmt.Sprintf("aucun fichier d'enregistrements (*.yaml, *.yml) dans %s", strings.Join(in.Paths, ", "))}
	}
	path := in.Config
	if path == "" {
		if path, err = FindConfig(in.Paths); err != nil {
			return nil, err
		}
	}
	cfg, probs, err := dossier.LoadConfig(path, reg, pdfops.Disk{})
	if err != nil {
		return nil, &Error{Message: err.Error()}
	}
	probs = append(probs, checkLogo(cfg)...)
	dossier.SortProblems(probs)
	if dossier.HasError(probs) {
		return nil, &Error{Problems: probs, Message: fmt.Sprintf("%s est invalide : corrigez-le avant de continuer", path), err: ErrInvalidConfig}
	}
	e := &Env{Registry: reg, Config: cfg, ConfigPath: path, Files: files, Paths: in.Paths, Problems: probs, assets: in.Assets, registre: in.Registre, now: in.Now}
	e.Roots = pieceRoots(in.Paths, cfg.Dir, in.Pieces)
	return e, nil
}

// loadRegistry is in.Registry, or the embedded dispositif data.
func loadRegistry(in Inputs) (*dossier.Registry, error) {
	if in.Registry != nil {
		return in.Registry, nil
	}
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		return nil, &Error{Message: err.Error()}
	}
	return reg, nil
}

// FindConfig finds segur.yaml when --config and $SEGUR_CONFIG are not
// given: ./segur.yaml, or segur.yaml in the first path's folder or its
// parents, as far as the current folder's own parent.
func FindConfig(paths []string) (string, error) {
	if _, err := os.Stat(dossier.ConfigName); err == nil {
		return dossier.ConfigName, nil
	}
	if len(paths) > 0 && paths[0] != "" {
		first := paths[0]
		dir := first
		if st, err := os.Stat(first); err == nil && !st.IsDir() {
			dir = filepath.Dir(first)
		}
		for range 3 {
			p := filepath.Join(dir, dossier.ConfigName)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", &Error{Message: "fichier fournisseur introuvable : placez segur.yaml dans le dossier courant ou indiquez --config FICHIER"}
}

// pieceRoots are the folders the files a record names must lie under,
// resolved physically: each folder given (a file's own folder),
// segur.yaml's folder, and pieces.
func pieceRoots(paths []string, configDir, pieces string) safeio.Roots {
	var dirs []string
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			p = filepath.Dir(p)
		}
		dirs = append(dirs, p)
	}
	dirs = append(dirs, configDir)
	if pieces != "" {
		dirs = append(dirs, pieces)
	}
	return safeio.NewRoots(dirs...)
}

// check reads and checks the records, one file at a time; the files they
// name are checked on disk. No record at all is an error: a forgotten path
// or an empty folder must not pass for an empty quarter.
func (e *Env) check(opt dossier.Options) ([]*dossier.Dossier, error) {
	opt.Files = pdfops.Disk{Roots: e.Roots}
	ds := dossier.CheckFiles(e.Config, e.Registry, e.Files, opt)
	if len(ds) == 0 {
		return nil, e.noRecord()
	}
	return ds, nil
}

// scan checks the records for the rules across the run and keeps a summary
// of each: pack makes each file's dossiers again in its workers, so that
// memory does not grow with the quarter. No record at all is an error, as
// for check: pack must not replace a dépôt by nothing.
func (e *Env) scan(opt dossier.Options) (*dossier.Quarter, error) {
	opt.Files = pdfops.Disk{Roots: e.Roots}
	q := dossier.Scan(e.Config, e.Registry, e.Files, opt)
	if q.Len() == 0 {
		return nil, e.noRecord()
	}
	// Records, but none readable (a records file in Latin-1, past its
	// limit, /dev/zero, a FIFO): nothing to pack, and the previous dépôt
	// must not be replaced by an empty one.
	if q.Usable() == 0 {
		return nil, &Error{Problems: append(slices.Clone(e.Problems), q.BrokenProblems()...),
			Message: fmt.Sprintf("aucun dossier lisible dans %s (problèmes ci-dessus) : rien n'est produit, le dépôt précédent est intact", strings.Join(e.Paths, ", "))}
	}
	return q, nil
}

func (e *Env) noRecord() error {
	return e.fail("aucun dossier lu dans %s : les fichiers ne contiennent que des commentaires ou des séparateurs ---", strings.Join(e.Paths, ", "))
}

// Assets reads the embedded fonts and the fournisseur's logo; with
// segur.yaml's signature block, it loads the certificate that signs the
// MOMs (its password in the environment variable the block names).
func (e *Env) Assets() (render.Assets, error) {
	if e.assets != nil {
		a, err := e.assets(e.Config)
		if a.Now == nil {
			a.Now = e.now
		}
		return a, err
	}
	a, err := e.unsignedAssets()
	if err != nil {
		return a, err
	}
	if a.Signer, err = e.signer(); err != nil {
		return a, err
	}
	return a, nil
}

// unsignedAssets are the fonts and the logo, without the certificate: for
// the documents segur does not sign (the avoir).
func (e *Env) unsignedAssets() (render.Assets, error) {
	if e.assets != nil {
		a, err := e.assets(e.Config)
		if a.Now == nil {
			a.Now = e.now
		}
		a.Signer = nil
		return a, err
	}
	reg, err := templates.FS.ReadFile(templates.FontRegular)
	if err != nil {
		return render.Assets{}, e.fail("police embarquée illisible : %v", err)
	}
	bold, err := templates.FS.ReadFile(templates.FontBold)
	if err != nil {
		return render.Assets{}, e.fail("police embarquée illisible : %v", err)
	}
	a := render.Assets{Fonts: render.Fonts{Regular: reg, Bold: bold}, Now: e.now}
	if logo := e.Config.Fournisseur.Logo; logo != "" {
		if a.Logo, err = safeio.ReadFile(filepath.Join(e.Config.Dir, logo), safeio.Logo); err != nil {
			return a, e.fail("logo « %s » illisible : %s", logo, safeio.Reason(err))
		}
	}
	return a, nil
}

// signer loads the fournisseur's certificate named by segur.yaml's
// signature block (nil when there is none). A problem is reported at
// segur.yaml's line and stops the use case before any work.
func (e *Env) signer() (*signature.Signer, error) {
	cfg := e.Config
	sc := cfg.Signature
	if sc == nil || sc.Certificat == "" {
		return nil, nil
	}
	fail := func(pos dossier.Pos, field, code, msg string) error {
		p := dossier.Problem{Pos: pos, Level: dossier.Erreur, Numero: "-", Field: field, Code: code, Message: msg}
		return &Error{Problems: append(append([]dossier.Problem{}, e.Problems...), p),
			Message: fmt.Sprintf("%s : le certificat de signature des MOM ne peut pas être utilisé", cfg.Path), err: errSigner}
	}
	pw, ok := os.LookupEnv(sc.MotDePasseEnv)
	if !ok {
		return nil, fail(sc.PasswordPos, "signature.mot_de_passe_env", "CERTIFICAT_MOT_DE_PASSE",
			fmt.Sprintf("la variable d'environnement %s, qui doit contenir le mot de passe du certificat, n'est pas définie", sc.MotDePasseEnv))
	}
	s, err := signature.Load(sc.Path, pw, time.Now())
	if err != nil {
		code := "CERTIFICAT_ILLISIBLE"
		if se, ok := err.(*signature.Error); ok {
			code = se.Code
		}
		return nil, fail(sc.Pos, "signature.certificat", code, err.Error())
	}
	if sc.Horodatage != "" {
		s.TSA = &signature.TSA{URL: sc.Horodatage}
	}
	return s, nil
}

// trust loads the roots segur.yaml gives for the level of clients'
// signatures (nil when none) and the minimum level asked.
func (e *Env) trust() (*signature.Trust, signature.Level, error) {
	sc := e.Config.Signature
	if sc == nil {
		return nil, "", nil
	}
	// fingerprint names the roots read, in order, for the verifications
	// pack remembers (signature.Trust.Fingerprint).
	fingerprint := sha256.New()
	load := func(field string, paths []string) (*x509.CertPool, error) {
		if len(paths) == 0 {
			return nil, nil
		}
		pool := x509.NewCertPool()
		fmt.Fprintf(fingerprint, "%s %d\n", field, len(paths)) // a hash.Hash's Write never fails
		for _, p := range paths {
			data, err := safeio.ReadFile(p, safeio.RootCerts)
			sum := sha256.Sum256(data)
			fingerprint.Write(sum[:])
			why := ""
			if err != nil {
				why = safeio.Reason(err)
			} else if !pool.AppendCertsFromPEM(data) {
				why = "aucun certificat PEM lisible"
			}
			if why != "" {
				pr := dossier.Problem{Pos: e.Config.At(field), Level: dossier.Erreur, Numero: "-", Field: field, Code: "CERTIFICAT_ILLISIBLE",
					Message: fmt.Sprintf("racine « %s » illisible : %s", p, why)}
				return nil, &Error{Problems: append(append([]dossier.Problem{}, e.Problems...), pr), Message: fmt.Sprintf("%s : les racines de certificats ne peuvent pas être lues", e.Config.Path)}
			}
		}
		return pool, nil
	}
	igc, err := load("signature.racines_igc_sante", sc.RootsIGCSante)
	if err != nil {
		return nil, "", err
	}
	rgs, err := load("signature.racines_rgs", sc.RootsRGS)
	if err != nil {
		return nil, "", err
	}
	if igc == nil && rgs == nil {
		return nil, signature.Level(sc.NiveauMinimum), nil
	}
	return &signature.Trust{IGCSante: igc, RGS: rgs, Fingerprint: hex.EncodeToString(fingerprint.Sum(nil))}, signature.Level(sc.NiveauMinimum), nil
}

// checkLogo reads the fournisseur's logo (bounded) and checks that it can
// be drawn: a bad logo is reported at segur.yaml's logo line by every
// use case, validate included, rather than as a failure of each document.
func checkLogo(cfg *dossier.Config) []dossier.Problem {
	if cfg == nil || cfg.Fournisseur == nil || cfg.Fournisseur.Logo == "" {
		return nil
	}
	logo := cfg.Fournisseur.Logo
	pos := cfg.At("fournisseur.logo")
	problem := func(code, format string, args ...any) []dossier.Problem {
		return []dossier.Problem{{Pos: pos, Level: dossier.Erreur, Numero: "-", Field: "fournisseur.logo", Code: code, Message: fmt.Sprintf(format, args...)}}
	}
	data, err := safeio.ReadFile(filepath.Join(cfg.Dir, logo), safeio.Logo)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // already reported by the configuration's check
		}
		return problem("FICHIER_ILLISIBLE", "le logo « %s » est illisible : %s", logo, safeio.Reason(err))
	}
	if err := render.CheckLogo(data); err != nil {
		return problem("LOGO_ILLISIBLE", "%v (« %s »)", err, logo)
	}
	return nil
}

// countWarnings counts the warnings of ps.
func countWarnings(ps []dossier.Problem) int {
	n := 0
	for _, p := range ps {
		if p.Level == dossier.Attention {
			n++
		}
	}
	return n
}
