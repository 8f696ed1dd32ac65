package main

import (
	"github.com/segur-sons/segur/app"
	"github.com/urfave/cli/v2"
)

func nouveauCommand() *cli.Command {
	return &cli.Command{
		Name:  "nouveau",
		Usage: "affiche le squelette commenté d'un nouvel enregistrement, prêt à remplir (segur nouveau --dispositif MDV-LGC-Va1 --client liberal > dossier.yaml)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dispositif", Required: true, Usage: "MDV-LGC-Va1, MDV-LGC-Va2, BIO-SGL-Va1 ou BIO-LOINC-Va1"},
			&cli.StringFlag{Name: "client", Required: true, Usage: "liberal ou structure"},
			&cli.IntFlag{Name: "beneficiaires", Value: 1, Usage: "nombre de bénéficiaires (médecins ou sites)"},
		},
		Action: func(c *cli.Context) error {
			out, err := app.Nouveau(app.NouveauOptions{Dispositif: c.String("dispositif"), Client: c.String("client"), Beneficiaires: c.Int("beneficiaires")})
			if err != nil {
				return cannot("%v", err)
			}
			_, err = c.App.Writer.Write(out)
			return err
		},
	}
}
