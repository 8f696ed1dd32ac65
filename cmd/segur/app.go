package main

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segur-sons/segur/app"
	"github.com/segur-sons/segur/dossier"
	"github.com/urfave/cli/v2"
)

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

// outWriter is the commands' stdout: it keeps the first write error, and
// writes nothing after it, so that the commands print with fmt.Fprintf
// unchecked and run ends the program on a failed output (a full disk
// under segur nouveau > dossier.yaml) instead of exiting 0 with half a
// file. stderr is not wrapped: it is where failures are said, and if it
// cannot be written nowhere is left to say so.
type outWriter struct {
	w   io.Writer
	err error
}

func (o *outWriter) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	o.err = err
	return n, err
}

// run is the whole program: it parses args, runs the command and returns the
// exit code. Tests call it in-process.
func run(args []string, stdout, stderr io.Writer) int {
	out := &outWriter{w: stdout}
	code := runCommand(args, out, stderr)
	if out.err != nil {
		fmt.Fprintf(stderr, "segur : la sortie n'a pas pu être écrite en entier : %s\n", app.Message(out.err)) // stderr: if that fails, nowhere is left to say so
		if code == exitOK {
			code = exitCannot
		}
	}
	return code
}

// runCommand parses args and runs the command, printing to stdout and
// stderr; it returns the exit code.
func runCommand(args []string, stdout, stderr io.Writer) int {
	app.Init() // pdfcpu must never write into the user's home
	frenchHelp()
	code := exitOK
	app := &cli.App{
		Name:            "segur",
		Usage:           "dossiers Ségur numérique : bons de commande, MOM, VA, factures et dépôts de solde pour l'ASP",
		Version:         Version,
		Writer:          stdout,
		ErrWriter:       stderr,
		Description:     referenceHelp,
		HideHelpCommand: true,
		ExitErrHandler:  func(*cli.Context, error) {},
		OnUsageError:    usageError,
		Flags:           []cli.Flag{configFlag},
		Commands: []*cli.Command{
			validateCommand(&code),
			renderCommand(&code),
			packCommand(&code),
			checkCommand(&code),
			facturxCommand(&code),
			serveCommand(),
			etatCommand(),
			avoirCommand(),
			registreCommand(),
			aspCommand(),
			nouveauCommand(),
			aideCommand(),
			importerCommand(&code),
			modeleTableurCommand(),
			exporterCommand(),
			versionCommand(),
		},
	}
	for _, c := range app.Commands {
		c.OnUsageError = usageError
		c.HideHelpCommand = true
		c.CustomHelpTemplate = commandHelp
	}
	args, err := flagsFirst(app, args)
	if err == nil {
		err = app.Run(args)
	}
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
		// English: they are said again in French.
		fmt.Fprintf(stderr, "segur : %s : voir segur --help\n", cliMessage(err))
		return exitCannot
	}
}

// inputs translates the arguments and --config, --pieces into the inputs
// of a use case.
func inputs(c *cli.Context) (app.Inputs, error) {
	if c.NArg() == 0 {
		return app.Inputs{}, cannot("indiquez au moins un fichier ou dossier d'enregistrements (ex. segur %s commandes/)", c.Command.Name)
	}
	return app.Inputs{Paths: c.Args().Slice(), Config: configFlagValue(c), Pieces: c.String("pieces"), Registre: registreValue(c), Now: now()}, nil
}

// failed says why a use case could not run: the problems it gives first
// (segur.yaml's, at their lines, on stdout), then its message (exit 2).
func failed(c *cli.Context, err error) error {
	var ae *app.Error
	if errors.As(err, &ae) {
		printProblems(c.App.Writer, ae.Problems)
		return cannot("%s", ae.Message)
	}
	return cannot("%v", err)
}

// configFlagValue is --config (or $SEGUR_CONFIG), accepted before the
// command (segur --config F validate) and after it; the command's own wins.
// "" lets app.Load find segur.yaml.
func configFlagValue(c *cli.Context) string {
	for _, x := range c.Lineage() {
		if x != nil && x.IsSet("config") {
			if p := x.String("config"); p != "" {
				return p
			}
		}
	}
	return ""
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
var strictFlag = &cli.BoolFlag{Name: "strict", Usage: "bloque les dossiers déposés après la clôture du guichet (DELAI_DEPASSE devient une erreur) et ceux dont une signature est invisible (VA_SIGNATURE_INVISIBLE)"}

// flagsFirst moves a command's flags before its paths, so that
// `segur render commandes/ -o sortie` works as the manual writes it
// (urfave/cli stops reading flags at the first path). Whether a flag takes
// a value is read from its definition (global flags, then the command's):
// a bool flag never takes the next argument, and an unknown flag neither,
// so that urfave/cli reports it instead of a path going missing. A flag that
// takes a value but is followed by nothing, by "--" or by another flag is an
// error: `-o` forgotten must not write into a folder named "--". "--" ends
// the flags.
func flagsFirst(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	out := []string{args[0]}
	i := 1
	// value returns the value of the flag at i, which must be there.
	value := func(i int) (string, error) {
		if i+1 >= len(args) || args[i+1] == "--" || (strings.HasPrefix(args[i+1], "-") && len(args[i+1]) > 1 && !isNumber(args[i+1])) {
			return "", cannot("l'option %s attend une valeur (ex. %s sortie)", args[i], args[i])
		}
		return args[i+1], nil
	}
	// Global flags and the command name stay in place.
	global := valueFlags(app.Flags)
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "-" {
		if args[i] == "--" {
			return append(out, args[i:]...), nil
		}
		out = append(out, args[i])
		if takesValue(global, args[i]) {
			v, err := value(i)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			i++
		}
		i++
	}
	if i >= len(args) {
		return out, nil
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
			if takesValue(local, a) {
				v, err := value(i)
				if err != nil {
					return nil, err
				}
				flags = append(flags, v)
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
	return out, nil
}

// isNumber reports whether s is a (negative) number, a value rather than a
// flag: --jobs -5 is refused by its own check, not taken as a flag.
func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
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

// maxJobs bounds --jobs: each worker holds a renderer and a dossier's
// documents in memory.
const maxJobs = 64

// cliMessages says urfave/cli's own errors in French.
var cliMessages = []struct {
	re *regexp.Regexp
	fr string
}{
	{regexp.MustCompile(`^flag provided but not defined: -+(.*)$`), "option inconnue : --$1"},
	{regexp.MustCompile(`^flag needs an argument: -+(.*)$`), "l'option --$1 attend une valeur"},
	{regexp.MustCompile(`^Required flags? "(.*)" not set$`), "option obligatoire manquante : $1"},
	{regexp.MustCompile(`^invalid value "(.*)" for flag -+([^:]*):.*$`), "valeur « $1 » invalide pour l'option --$2"},
	{regexp.MustCompile(`^No help topic for '(.*)'$`), "commande inconnue : $1"},
}

func cliMessage(err error) string {
	msg := strings.TrimSpace(err.Error())
	for _, m := range cliMessages {
		if m.re.MatchString(msg) {
			return m.re.ReplaceAllString(msg, m.fr)
		}
	}
	return "commande ou option invalide"
}

// piecesFlag names one more folder where pièces and traités may lie.
var piecesFlag = &cli.StringFlag{Name: "pieces", Usage: "dossier où peuvent aussi se trouver les pièces et traités (par défaut : sous les dossiers donnés en argument ou sous celui de segur.yaml)"}
