package main

import (
	"fmt"
	"time"

	"github.com/segur-sons/segur/app"
	"github.com/urfave/cli/v2"
)

func avoirCommand() *cli.Command {
	return &cli.Command{
		Name:      "avoir",
		Usage:     "émet l'avoir (type 381) qui annule la facture en vigueur d'un dossier : son PDF dans -o, enregistré dans le registre ; le pack suivant émet la nouvelle facture",
		ArgsUsage: "NUMERO",
		Flags: []cli.Flag{
			configFlag, registreFlag, outFlag,
			&cli.StringFlag{Name: "motif", Usage: "pourquoi la facture est annulée (imprimé sur l'avoir)", Required: true},
			&cli.StringFlag{Name: "numero", Usage: "numéro de l'avoir, dans la série de vos factures (sans objet si segur.yaml a facture.numerotation)"},
			&cli.StringFlag{Name: "date", Usage: "date de l'avoir AAAA-MM-JJ (défaut : aujourd'hui)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cannot("segur avoir NUMERO --motif \"…\" -o DOSSIER : le numéro éditeur du dossier dont la facture est annulée")
			}
			var day time.Time
			if s := c.String("date"); s != "" {
				var err error
				if day, err = time.Parse("2006-01-02", s); err != nil {
					return cannot("--date « %s » : date AAAA-MM-JJ attendue", s)
				}
			}
			res, err := app.Avoir(c.Context, app.AvoirOptions{Inputs: registreInputs(c), Dossier: c.Args().First(),
				Motif: c.String("motif"), Numero: c.String("numero"), Date: day, Out: c.String("o")})
			if err != nil {
				return failed(c, err)
			}
			fmt.Fprintf(c.App.Writer, "%s\n", res.File)
			fmt.Fprintf(c.App.ErrWriter, "avoir n° %s du %s émis : il annule la facture n° %s du dossier %s (registre « %s ») ; donnez une nouvelle facture au dossier (nouveau numéro%s) puis relancez pack, avec --redeposer %s si le dossier était déjà déposé\n",
				res.Numero, res.Date.Format("02/01/2006"), res.Facture, c.Args().First(), res.Registre, numerotationHint(res), c.Args().First())
			return nil
		},
	}
}

func numerotationHint(res *app.AvoirResult) string {
	if res.Numerotee {
		return " : segur le donne"
	}
	return " dans facture.numero"
}
