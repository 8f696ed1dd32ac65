package main

import (
	"fmt"

	"github.com/segur-sons/segur/app"
	"github.com/segur-sons/segur/web"
	"github.com/urfave/cli/v2"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "une page locale (http://127.0.0.1) : les dossiers du trimestre, les VA signées à déposer, la préparation du dépôt",
		ArgsUsage: "CHEMIN...",
		Flags: []cli.Flag{
			outFlag,
			&cli.StringFlag{Name: "signes", Usage: "dossier des VA signées : les VA déposées sur la page y sont enregistrées"},
			&cli.IntFlag{Name: "port", Value: 8765, Usage: "port local (0 : un port libre)"},
			piecesFlag,
			dateDepotFlag,
			configFlag,
			registreFlag,
			sansRegistreFlag,
		},
		Action: func(c *cli.Context) error {
			depot, err := dateDepot(c)
			if err != nil {
				return err
			}
			if err := app.CheckSignes(c.String("signes")); err != nil {
				return failed(c, err)
			}
			in, err := inputs(c)
			if err != nil {
				return err
			}
			// segur.yaml is read once here: its errors stop the command,
			// as for pack; the page reads it again when it changes.
			e, err := app.Load(in)
			if err != nil {
				return failed(c, err)
			}
			printProblems(c.App.Writer, e.Problems)
			fmt.Fprintln(c.App.ErrWriter, "segur : lecture des dossiers et préparation de l'aperçu…")
			srv, err := web.New(web.Config{
				Paths:      in.Paths,
				ConfigPath: e.ConfigPath,
				Registry:   e.Registry,
				Pieces:     in.Pieces,
				Signes:     c.String("signes"),
				Out:        c.String("o"),
				DateDepot:  depot,
				Version:    Version,
				Registre:   in.Registre,
			})
			if err != nil {
				return cannot("%v", err)
			}
			defer srv.Close() // removes the page's private folders; the serve's own outcome is what is reported
			ln, err := web.Listen(c.Int("port"))
			if err != nil {
				return cannot("port %d indisponible (%v) : choisissez-en un autre avec --port", c.Int("port"), err)
			}
			// Ctrl-C or SIGTERM stops the page and removes its private
			// folders.
			ctx, stop := web.StopContext()
			defer stop()
			fmt.Fprintf(c.App.ErrWriter, "segur : page ouverte sur http://%s/ — ouvrez cette adresse dans votre navigateur (Ctrl+C pour arrêter)\n", ln.Addr())
			if err := srv.Serve(ctx, ln); err != nil {
				return cannot("la page s'est arrêtée sur une erreur du réseau local : relancez segur serve")
			}
			return nil
		},
	}
}
