package main

import (
	"bytes"
	"fmt"

	"github.com/segur-sons/segur/app"
	"github.com/segur-sons/segur/internal/fr"
	"github.com/segur-sons/segur/tableur"
	"github.com/urfave/cli/v2"
)

func importerCommand(code *int) *cli.Command {
	return &cli.Command{
		Name:      "importer",
		Usage:     "lit un tableur de commandes (XLSX ou CSV) et écrit un enregistrement par dossier dans -o ; tous les problèmes, à leur cellule",
		ArgsUsage: "FICHIER",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "o", Aliases: []string{"out"}, Usage: "dossier où écrire les enregistrements", Required: true},
			&cli.BoolFlag{Name: "remplacer", Usage: "remplace un enregistrement déjà présent dont le contenu diffère (sinon il est gardé, et signalé)"},
			&cli.BoolFlag{Name: "apercu", Usage: "n'écrit rien : dit ce qui serait écrit et les problèmes"},
			configFlag,
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cannot("indiquez un fichier tableur (ex. segur importer commandes.xlsx -o commandes/)")
			}
			res, err := app.Import(c.Context, app.ImportOptions{File: c.Args().First(), Out: c.String("o"), Replace: c.Bool("remplacer"), Preview: c.Bool("apercu"), Config: configFlagValue(c)})
			if err != nil {
				return failed(c, err)
			}
			for _, p := range res.Problems {
				fmt.Fprintln(c.App.Writer, p.String())
			}
			written := map[tableur.Outcome]int{}
			for _, w := range res.Written {
				written[w.Outcome]++
			}
			fmt.Fprintf(c.App.ErrWriter, "lu : %s\n", res.Source())
			switch {
			case res.Blocked:
				fmt.Fprintf(c.App.ErrWriter, "aucun enregistrement écrit : corrigez l'en-tête du tableur\n")
			case c.Bool("apercu"):
				fmt.Fprintf(c.App.ErrWriter, "%d dossier(s) lu(s), %d prêt(s) à écrire dans %s (aperçu : rien n'est écrit)\n", len(res.Records), res.Ready(), c.String("o"))
			default:
				fmt.Fprintf(c.App.ErrWriter, "%d dossier(s) lu(s) : %d écrit(s), %d inchangé(s), %d remplacé(s), %d gardé(s) tel(s) quel(s), %d non écrit(s) à cause d'une cellule\n",
					len(res.Records), written[tableur.Written], written[tableur.Unchanged], written[tableur.Replaced], written[tableur.Kept], written[tableur.Skipped]+written[tableur.Failed])
			}
			if !res.Checked {
				fmt.Fprintf(c.App.ErrWriter, "segur.yaml introuvable : les enregistrements ne sont pas contrôlés ; lancez segur validate %s\n", c.String("o"))
			}
			for _, p := range res.Problems {
				if !p.Warning {
					*code = exitRejected
					break
				}
			}
			return nil
		},
	}
}

func modeleTableurCommand() *cli.Command {
	return &cli.Command{
		Name:  "modele-tableur",
		Usage: "écrit le modèle de tableur de commandes (XLSX : en-têtes commentés, listes déroulantes, un exemple par situation) : segur modele-tableur > commandes.xlsx",
		Action: func(c *cli.Context) error {
			var buf bytes.Buffer
			if err := app.ModeleTableur(&buf); err != nil {
				return cannot("%v", err)
			}
			_, err := c.App.Writer.Write(buf.Bytes())
			return err
		},
	}
}

func exporterCommand() *cli.Command {
	return &cli.Command{
		Name:      "exporter",
		Usage:     "écrit le bilan du trimestre en tableur (XLSX ou CSV selon -o) : une ligne par dossier, les totaux par état et dispositif",
		ArgsUsage: "CHEMIN...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "o", Aliases: []string{"out"}, Usage: "fichier écrit : trimestre.xlsx ou trimestre.csv", Required: true},
			&cli.StringFlag{Name: "depot", Usage: "dossier de sortie de segur pack : son rapport.json donne l'état de chaque dossier et qui doit encore signer"},
			dateDepotFlag,
			configFlag,
			piecesFlag,
		},
		Action: func(c *cli.Context) error {
			in, err := inputs(c)
			if err != nil {
				return err
			}
			opt := app.ExportOptions{Inputs: in, Out: c.String("o"), Depot: c.String("depot")}
			if opt.DateDepot, err = dateDepot(c); err != nil {
				return err
			}
			res, err := app.Export(c.Context, opt)
			if err != nil {
				return failed(c, err)
			}
			for _, t := range res.Totals {
				label := t.State + ", " + t.Dispositif
				if t.State == "" {
					label = "total"
				}
				fmt.Fprintf(c.App.ErrWriter, "%-40s %4d dossier(s)  %s HT  %s TTC\n", label, t.Count, fr.Euros(t.HT), fr.Euros(t.TTC))
			}
			fmt.Fprintf(c.App.ErrWriter, "écrit : %s\n", opt.Out)
			return nil
		},
	}
}
