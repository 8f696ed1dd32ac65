package main

import (
	"fmt"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/facturx"
	"github.com/urfave/cli/v2"
)

func validateCommand(code *int) *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "lit et contrôle chaque enregistrement ; affiche tous les problèmes ; n'écrit rien",
		ArgsUsage: "CHEMIN...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "phase", Value: "solde", Usage: "commande : seulement ce qu'exige le bon de commande ; solde : tout"},
			dateDepotFlag,
			configFlag,
			piecesFlag,
		},
		Action: func(c *cli.Context) error {
			opt := dossier.Options{Phase: dossier.PhaseSolde}
			switch c.String("phase") {
			case "solde":
			case "commande":
				opt.Phase = dossier.PhaseCommande
			default:
				return cannot("--phase « %s » : commande ou solde attendu", c.String("phase"))
			}
			var err error
			if opt.DateDepot, err = dateDepot(c); err != nil {
				return err
			}
			e, err := load(c, c.App.Writer)
			if err != nil {
				return err
			}
			ds, err := e.check(opt)
			if err != nil {
				return err
			}
			all, err := facturx.Obligation(e.cfg, ds)
			if err != nil {
				return cannot("%v", err)
			}
			rejected := 0
			for _, d := range ds {
				all = append(all, d.Problems...)
				if d.Blocked() {
					rejected++
				}
			}
			warnings := countWarnings(all)
			dossier.SortProblems(all)
			printProblems(c.App.Writer, all)
			fmt.Fprintf(c.App.ErrWriter, "%d dossier(s) lu(s), %d correct(s), %d rejeté(s), %d avertissement(s) (phase %s)\n",
				len(ds), len(ds)-rejected, rejected, warnings, opt.Phase)
			if rejected > 0 {
				*code = exitRejected
			}
			return nil
		},
	}
}
