package main

import (
	"fmt"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"
)

// frenchHelp puts urfave/cli's help in French: its templates, its help and
// version flags and its flag lines are in English; segur's users read
// French. urfave/cli keeps them in package variables: run sets them once,
// before its first command (tests call run from several goroutines).
var frenchHelp = sync.OnceFunc(func() {
	cli.HelpFlag = &cli.BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "affiche cette aide"}
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "affiche la version"}
	cli.FlagStringer = flagLine
	cli.AppHelpTemplate = appHelp
	cli.CommandHelpTemplate = commandHelp
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintf(c.App.Writer, "segur version %s\n", c.App.Version) }
})

const appHelp = `NOM :
   {{.Name}} — {{.Usage}}

UTILISATION :
   {{.Name}} [options générales] commande [options de la commande] CHEMIN...

VERSION :
   {{.Version}}

COMMANDES :{{range .VisibleCommands}}
   {{join .Names ", "}}{{"\t"}}{{.Usage}}{{end}}

OPTIONS GÉNÉRALES (avant ou après la commande) :{{range .VisibleFlags}}
   {{.}}{{end}}
`

const commandHelp = `NOM :
   segur {{.Name}} — {{.Usage}}

UTILISATION :
   segur {{.Name}} [options] {{.ArgsUsage}}

OPTIONS :{{range .VisibleFlags}}
   {{.}}{{end}}
`

// flagLine writes one flag of the help: « --jobs N   usage (défaut : 200) ».
func flagLine(f cli.Flag) string {
	df, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return strings.Join(f.Names(), ", ")
	}
	var names []string
	for _, n := range f.Names() {
		if len(n) == 1 {
			names = append(names, "-"+n)
		} else {
			names = append(names, "--"+n)
		}
	}
	s := strings.Join(names, ", ")
	if df.TakesValue() {
		s += " VALEUR"
	}
	s += "\t" + df.GetUsage()
	if d := strings.Trim(df.GetDefaultText(), `"`); df.TakesValue() && d != "" && d != "0" && !strings.Contains(df.GetUsage(), "défaut") {
		s += " (défaut : " + d + ")"
	}
	if env := df.GetEnvVars(); len(env) > 0 {
		s += " [$" + strings.Join(env, ", $") + "]"
	}
	return s
}

// usageError replaces urfave/cli's « Incorrect Usage » print-out: the error
// goes up to run, which says it in French.
func usageError(_ *cli.Context, err error, _ bool) error { return err }
