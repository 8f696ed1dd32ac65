package main

import (
	"errors"

	"github.com/segur-sons/segur/app"
	"github.com/urfave/cli/v2"
)

// referenceHelp is shown by segur --help: where the format reference is.
const referenceHelp = `Référence du format (chaque clé de segur.yaml et d'un enregistrement) : segur aide format
(docs/format.md dans le dépôt) ; les codes des messages et que faire : segur aide codes
(docs/codes.md). Pour commencer un enregistrement : segur nouveau --dispositif … --client ….`

func aideCommand() *cli.Command {
	return &cli.Command{
		Name:      "aide",
		Usage:     "affiche la référence du format (segur aide format) ou la liste des codes (segur aide codes)",
		ArgsUsage: "format|codes",
		Action: func(c *cli.Context) error {
			data, err := app.Reference(c.Args().First())
			if errors.Is(err, app.ErrNoReference) || c.NArg() > 1 {
				return cannot("segur aide format, ou segur aide codes")
			}
			if err != nil {
				return cannot("%v", err)
			}
			_, err = c.App.Writer.Write(data)
			return err
		},
	}
}
