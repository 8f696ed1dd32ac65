package main

import (
	"fmt"

	"github.com/segur-sons/segur/app"
	"github.com/urfave/cli/v2"
)

func facturxCommand(code *int) *cli.Command {
	return &cli.Command{
		Name:      "facturx",
		Usage:     "affiche le XML Factur-X (factur-x.xml) joint à une facture PDF, tel que la plateforme agréée le lira, et le vérifie (norme EN 16931)",
		ArgsUsage: "FICHIER.pdf",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cannot("indiquez une facture PDF (ex. segur facturx out/dossiers/00042/MDV-LGC-Va1-FACTURE-00042.pdf)")
			}
			path := c.Args().First()
			res, err := app.FacturX(path)
			if err != nil {
				return cannot("%v", err)
			}
			if _, err := c.App.Writer.Write(res.XML); err != nil {
				return cannot("écriture impossible : %v", err)
			}
			if res.Unreadable != nil {
				fmt.Fprintf(c.App.ErrWriter, "%s: factur-x.xml : %v [FACTURX_ILLISIBLE]\n", path, res.Unreadable)
				*code = exitRejected
				return nil
			}
			probs := res.Problems
			for _, m := range probs {
				fmt.Fprintf(c.App.ErrWriter, "%s: factur-x.xml ne respecte pas la norme EN 16931 : %s [FACTURX_INVALIDE]\n", path, m)
			}
			if len(probs) > 0 {
				*code = exitRejected
			}
			return nil
		},
	}
}
