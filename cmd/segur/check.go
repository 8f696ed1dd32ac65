package main

import (
	"fmt"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/readback"
	"github.com/segur-sons/segur/templates"
	"github.com/urfave/cli/v2"
)

func checkCommand(code *int) *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "relit un dépôt produit par pack comme l'ASP : noms, format JSON, pièces des zip, PDF, cohérence facture/JSON",
		ArgsUsage: "DIR",
		Action: func(c *cli.Context) error {
			start := time.Now()
			if c.NArg() != 1 {
				return cannot("indiquez le dossier produit par « segur pack » (ex. segur check out)")
			}
			reg, err := dossier.LoadRegistry(templates.FS)
			if err != nil {
				return cannot("%v", err)
			}
			probs, err := readback.Check(c.Args().First(), reg)
			if err != nil {
				return cannot("%v", err)
			}
			printProblems(c.App.Writer, probs)
			errs := 0
			for _, p := range probs {
				if p.Level == dossier.Erreur {
					errs++
				}
			}
			fmt.Fprintf(c.App.ErrWriter, "dépôt relu : %d erreur(s), %d avertissement(s), en %s\n", errs, len(probs)-errs, elapsed(start))
			if errs > 0 {
				*code = exitRejected
			}
			return nil
		},
	}
}
