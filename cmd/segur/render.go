package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/segur-sons/segur/app"
	"github.com/segur-sons/segur/dossier"
	"github.com/urfave/cli/v2"
)

var outFlag = &cli.StringFlag{Name: "o", Aliases: []string{"out"}, Usage: "dossier de sortie", Required: true}

func renderCommand(code *int) *cli.Command {
	return &cli.Command{
		Name:      "render",
		Usage:     "écrit les PDF de chaque dossier sous DIR/dossiers/<numero_editeur>/",
		ArgsUsage: "CHEMIN...",
		Flags: []cli.Flag{
			outFlag,
			&cli.StringFlag{Name: "doc", Usage: "documents à produire parmi bdc,mom,va,facture (défaut : tous ceux que l'étape du dossier permet)"},
			&cli.StringFlag{Name: "phase", Value: "solde", Usage: "commande : contrôle seulement ce qu'exige le bon de commande et n'écrit que lui ; solde : tous les documents que l'étape du dossier permet"},
			&cli.BoolFlag{Name: "apercu", Usage: "aperçu : chaque page porte « APERÇU », rien n'est signé, émis ni mémorisé (aucun numéro consommé)"},
			dateDepotFlag,
			configFlag,
			piecesFlag,
			registreFlag,
			sansRegistreFlag,
		},
		Action: func(c *cli.Context) error {
			start := time.Now()
			want, err := docKinds(c.String("doc"))
			if err != nil {
				return err
			}
			commande := false
			switch c.String("phase") {
			case "solde":
			case "commande":
				commande = true
				for _, k := range want {
					if k != dossier.BDC {
						return cannot("--doc « %s » : seul le bon de commande (bdc) est produit en phase commande", strings.ToLower(string(k)))
					}
				}
			default:
				return cannot("--phase « %s » : commande ou solde attendu", c.String("phase"))
			}
			depot, err := dateDepot(c)
			if err != nil {
				return err
			}
			in, err := inputs(c)
			if err != nil {
				return err
			}
			apercu := c.Bool("apercu")
			if apercu {
				in.Registre = "" // a preview never touches the registre
			}
			res, err := app.Render(c.Context, app.RenderOptions{Inputs: in, Out: c.String("o"), Kinds: want, DateDepot: depot, Commande: commande, Apercu: apercu})
			if err != nil {
				return failed(c, err)
			}
			printProblems(c.App.Writer, res.Config)
			printProblems(c.App.Writer, res.Problems)
			switch {
			case apercu:
				fmt.Fprintln(c.App.ErrWriter, "aperçu : documents marqués « APERÇU », rien n'a été signé, émis ni mémorisé")
			case res.Registre == "":
				fmt.Fprintln(c.App.ErrWriter, "attention: sans registre : aucun bon de commande n'est émis ni mémorisé, chaque document est produit à nouveau (signé à l'heure actuelle)")
			default:
				fmt.Fprintf(c.App.ErrWriter, "registre « %s » : %d bon(s) de commande émis, %d document(s) déjà émis repris à l'identique\n", res.Registre, res.Issued, res.Reused)
			}
			fmt.Fprintf(c.App.ErrWriter, "%d dossier(s) lu(s), %d document(s) écrit(s), %d dossier(s) bloqué(s), %d avertissement(s), en %s\n",
				res.Dossiers, res.Written, res.Blocked, res.Warnings, elapsed(start))
			if res.Blocked > 0 || res.Failed > 0 {
				*code = exitRejected
			}
			return nil
		},
	}
}

func docKinds(s string) ([]dossier.Kind, error) {
	if s == "" {
		return nil, nil
	}
	var out []dossier.Kind
	for _, part := range strings.Split(s, ",") {
		k := dossier.Kind(strings.ToUpper(strings.TrimSpace(part)))
		switch k {
		case dossier.BDC, dossier.MOM, dossier.VA, dossier.FACTURE:
			out = append(out, k)
		default:
			return nil, cannot("--doc « %s » : bdc, mom, va ou facture attendus", part)
		}
	}
	return out, nil
}

// elapsed formats a duration the French way, « 1,2 s ».
func elapsed(start time.Time) string {
	return strings.Replace(fmt.Sprintf("%.1f s", time.Since(start).Seconds()), ".", ",", 1)
}
