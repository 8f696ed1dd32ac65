package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/templates"
	"github.com/urfave/cli/v2"
)

// Version is printed by --version and written in rapport.json.
const Version = "0.1.0"

// Exit codes (spec README « Exit codes »).
const (
	exitOK       = 0
	exitRejected = 1
	exitCannot   = 2
)

// exitError carries an exit code and a French message up to run.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func cannot(format string, args ...any) error {
	return &exitError{code: exitCannot, msg: fmt.Sprintf(format, args...)}
}

// run is the whole program: it parses args, runs the command and returns the
// exit code. Tests call it in-process.
func run(args []string, stdout, stderr io.Writer) int {
	pdfops.Init() // pdfcpu must never write into the user's home
	code := exitOK
	app := &cli.App{
		Name:            "segur",
		Usage:           "dossiers Ségur numérique : bons de commande, MOM, VA, factures et dépôts de solde pour l'ASP",
		Version:         Version,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		ExitErrHandler:  func(*cli.Context, error) {},
		Flags:           []cli.Flag{configFlag},
		Commands: []*cli.Command{
			validateCommand(&code),
			renderCommand(&code),
			packCommand(&code),
			checkCommand(&code),
			facturxCommand(&code),
		},
	}
	err := app.Run(flagsFirst(app, args))
	var ee *exitError
	switch {
	case err == nil:
		return code
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintf(stderr, "segur : %s\n", ee.msg)
		}
		return ee.code
	default:
		// urfave/cli's own errors (an unknown flag, a missing -o) are in
		// English; say in French what kind of mistake it is.
		fmt.Fprintf(stderr, "segur : commande ou option invalide (%v) : voir segur --help\n", err)
		return exitCannot
	}
}

// env is what every command needs: the dispositif data, segur.yaml, the
// records.
type env struct {
	reg   *dossier.Registry
	cfg   *dossier.Config
	files []string
}

// check reads and checks the records, one file at a time; the files they
// name are checked on disk.
func (e *env) check(opt dossier.Options) []*dossier.Dossier {
	opt.Files = pdfops.Disk{}
	return dossier.CheckFiles(e.cfg, e.reg, e.files, opt)
}

// scan checks the records for the rules across the run and keeps a summary
// of each: pack makes each file's dossiers again in its workers, so that
// memory does not grow with the quarter.
func (e *env) scan(opt dossier.Options) *dossier.Quarter {
	opt.Files = pdfops.Disk{}
	return dossier.Scan(e.cfg, e.reg, e.files, opt)
}

// load reads the dispositif data, the fournisseur file and the records named
// by the command's arguments. Problems in segur.yaml stop the command (exit 2).
func load(c *cli.Context, stdout io.Writer) (*env, error) {
	if c.NArg() == 0 {
		return nil, cannot("indiquez au moins un fichier ou dossier d'enregistrements (ex. segur %s commandes/)", c.Command.Name)
	}
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		return nil, cannot("%v", err)
	}
	files, err := dossier.Files(c.Args().Slice())
	if err != nil {
		return nil, cannot("%v", err)
	}
	path, err := configPath(c)
	if err != nil {
		return nil, err
	}
	cfg, probs, err := dossier.LoadConfig(path, reg, pdfops.Disk{})
	if err != nil {
		return nil, cannot("%v", err)
	}
	if len(probs) > 0 {
		dossier.SortProblems(probs)
		printProblems(stdout, probs)
		if dossier.HasError(probs) {
			return nil, cannot("%s est invalide : corrigez-le avant de continuer", path)
		}
	}
	return &env{reg: reg, cfg: cfg, files: files}, nil
}

// configPath finds segur.yaml: --config or $SEGUR_CONFIG, ./segur.yaml, or
// segur.yaml at the top of the first directory argument.
func configPath(c *cli.Context) (string, error) {
	if p := c.String("config"); p != "" {
		return p, nil
	}
	if _, err := os.Stat(dossier.ConfigName); err == nil {
		return dossier.ConfigName, nil
	}
	if first := c.Args().First(); first != "" {
		dir := first
		if st, err := os.Stat(first); err == nil && !st.IsDir() {
			dir = filepath.Dir(first)
		}
		// The first path's folder, then its parents, as far as the
		// current folder's own parent.
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
	return "", cannot("fichier fournisseur introuvable : placez segur.yaml dans le dossier courant ou indiquez --config FICHIER")
}

func printProblems(w io.Writer, ps []dossier.Problem) {
	for _, p := range ps {
		fmt.Fprintln(w, p.String())
	}
}

// dateFlag parses --date-depot (default: today).
func dateDepot(c *cli.Context) (time.Time, error) {
	s := c.String("date-depot")
	// The guichets close at 14h00, Paris time, whatever the machine's zone
	// (the zone database is embedded: time/tzdata).
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.Time{}, cannot("fuseau horaire Europe/Paris introuvable : %v", err)
	}
	if s == "" {
		// Now, to the minute: not the day alone.
		return time.Now().In(paris), nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", strings.Replace(s, " ", "T", 1), paris); err == nil {
		return t, nil
	}
	d, err := dossier.ParseDate(s)
	if err != nil {
		return time.Time{}, cannot("--date-depot « %s » : date AAAA-MM-JJ ou date et heure AAAA-MM-JJTHH:MM (heure de Paris) attendue", s)
	}
	// A day alone is taken at noon, Paris time, against the 14h deadlines.
	return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, paris), nil
}

// configFlag is accepted before and after the command name.
var configFlag = &cli.StringFlag{Name: "config", Usage: "fichier fournisseur (défaut : $SEGUR_CONFIG, ./segur.yaml, ou segur.yaml du dossier du premier chemin ou de ses parents)", EnvVars: []string{"SEGUR_CONFIG"}}

var dateDepotFlag = &cli.StringFlag{Name: "date-depot", Usage: "jour (AAAA-MM-JJ, pris à midi) ou moment (AAAA-MM-JJTHH:MM, heure de Paris) du dépôt du solde, pour le délai de clôture du guichet à 14h00 (défaut : maintenant)"}

// strictFlag makes a solde filed after the guichet closed block its dossier.
var strictFlag = &cli.BoolFlag{Name: "strict", Usage: "bloque les dossiers déposés après la clôture du guichet (DELAI_DEPASSE devient une erreur)"}

// flagsFirst moves a command's flags before its paths, so that
// `segur render commandes/ -o sortie` works as the manual writes it
// (urfave/cli stops reading flags at the first path). Whether a flag takes
// a value is read from its definition (global flags, then the command's):
// a bool flag never takes the next argument, and an unknown flag neither,
// so that urfave/cli reports it instead of a path going missing. "--" ends
// the flags.
func flagsFirst(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	i := 1
	// Global flags and the command name stay in place.
	global := valueFlags(app.Flags)
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "-" {
		if args[i] == "--" {
			return append(out, args[i:]...)
		}
		out = append(out, args[i])
		if takesValue(global, args[i]) && i+1 < len(args) {
			out = append(out, args[i+1])
			i++
		}
		i++
	}
	if i >= len(args) {
		return out
	}
	out = append(out, args[i]) // the command
	local := global
	if cmd := app.Command(args[i]); cmd != nil {
		local = valueFlags(append(slices.Clone(app.Flags), cmd.Flags...))
	}
	var flags, paths []string
	for i++; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			paths = append(paths, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
			if takesValue(local, a) && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			paths = append(paths, a)
		}
	}
	out = append(out, flags...)
	if len(paths) > 0 {
		out = append(out, "--")
		out = append(out, paths...)
	}
	return out
}

// valueFlags maps the names (and aliases) of flags to whether they take a
// value.
func valueFlags(flags []cli.Flag) map[string]bool {
	m := map[string]bool{}
	for _, f := range flags {
		v := true
		if d, ok := f.(cli.DocGenerationFlag); ok {
			v = d.TakesValue()
		}
		for _, n := range f.Names() {
			m[n] = v
		}
	}
	return m
}

// takesValue reports whether arg, a flag, is followed by its value: not when
// written --name=value, nor for a bool or unknown flag (--help, --version
// included).
func takesValue(known map[string]bool, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if strings.Contains(name, "=") {
		return false
	}
	return known[name]
}
