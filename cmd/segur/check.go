package main

import (
	"fmt"
	"time"

	"github.com/segur-sons/segur/app"
	"github.com/urfave/cli/v2"
)

func checkCommand(code *int) *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "relit un dépôt produit par pack comme l'ASP : noms, format JSON, pièces des zip, PDF, cohérence facture/JSON",
		ArgsUsage: "DIR",
		Flags:     []cli.Flag{configFlag, registreFlag, sansRegistreFlag},
		Action: func(c *cli.Context) error {
			start := time.Now()
			if c.NArg() != 1 {
				return cannot("indiquez le dossier produit par « segur pack » (ex. segur check out)")
			}
			res, err := app.Check(c.Context, app.CheckOptions{Dir: c.Args().First(), Registre: registreValue(c), Config: configFlagValue(c)})
			if err != nil {
				return failed(c, err)
			}
			printProblems(c.App.Writer, res.Problems)
			for _, sg := range res.Signed {
				for _, si := range sg.Signers {
					fmt.Fprintf(c.App.ErrWriter, "signature : %s · %s : %s\n", sg.Zip, sg.Piece, si.Describe())
				}
			}
			if res.Registre != "" {
				fmt.Fprintf(c.App.ErrWriter, "dépôt comparé au registre « %s »\n", res.Registre)
			}
			fmt.Fprintf(c.App.ErrWriter, "dépôt relu : %d erreur(s), %d avertissement(s), en %s\n", res.Errors, res.Warnings, elapsed(start))
			if res.Errors > 0 {
				*code = exitRejected
			}
			return nil
		},
	}
}
