package main

import (
	"fmt"

	"github.com/segur-sons/segur/app"
	"github.com/segur-sons/segur/dossier"
	"github.com/urfave/cli/v2"
)

func validateCommand(code *int) *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "lit et contrôle chaque enregistrement ; affiche tous les problèmes ; n'écrit rien",
		ArgsUsage: "CHEMIN...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "phase", Value: "solde", Usage: "commande : seulement ce qu'exige le bon de commande ; avance : le bon de commande et la demande d'avance ; solde : tout"},
			dateDepotFlag,
			configFlag,
			piecesFlag,
			registreFlag,
			sansRegistreFlag,
		},
		Action: func(c *cli.Context) error {
			opt := app.ValidateOptions{Phase: dossier.PhaseSolde}
			switch c.String("phase") {
			case "solde":
			case "commande":
				opt.Phase = dossier.PhaseCommande
			case "avance":
				opt.Phase = dossier.PhaseAvance
			default:
				return cannot("--phase « %s » : commande, avance ou solde attendu", c.String("phase"))
			}
			var err error
			if opt.DateDepot, err = dateDepot(c); err != nil {
				return err
			}
			if opt.Inputs, err = inputs(c); err != nil {
				return err
			}
			res, err := app.Validate(c.Context, opt)
			if err != nil {
				return failed(c, err)
			}
			printProblems(c.App.Writer, res.Config)
			printProblems(c.App.Writer, res.Problems)
			fmt.Fprintf(c.App.ErrWriter, "%d dossier(s) lu(s), %d correct(s), %d rejeté(s), %d avertissement(s) (phase %s)\n",
				res.Dossiers, res.Dossiers-res.Rejected, res.Rejected, res.Warnings, opt.Phase)
			if res.Rejected > 0 {
				*code = exitRejected
			}
			return nil
		},
	}
}
