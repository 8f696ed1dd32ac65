package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/pack"
	"github.com/segur-sons/segur/render"
	"github.com/segur-sons/segur/templates"
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
			dateDepotFlag,
			configFlag,
			piecesFlag,
		},
		Action: func(c *cli.Context) error {
			start := time.Now()
			want, err := docKinds(c.String("doc"))
			if err != nil {
				return err
			}
			depot, err := dateDepot(c)
			if err != nil {
				return err
			}
			e, err := load(c, c.App.Writer)
			if err != nil {
				return err
			}
			assets, err := rendererAssets(e.cfg, c.App.Writer)
			if err != nil {
				return err
			}
			ds, err := e.check(dossier.Options{Phase: dossier.PhaseSolde, ByStage: true, DateDepot: depot})
			if err != nil {
				return err
			}
			r := render.New(assets)
			out := c.String("o")
			if err := pack.Guard(out); err != nil {
				return cannot("dossier de sortie « %s » inutilisable : %s", out, osMessage(err))
			}
			var all []dossier.Problem
			written, blocked, warnings, failed := 0, 0, 0, 0
			var remises []pack.Remise // the VAs (and unsigned MOMs) handed out for signature
			for _, d := range ds {
				all = append(all, d.Problems...)
				warnings += countWarnings(d.Problems)
				if d.Blocked() {
					blocked++
					continue
				}
				failedHere := false
				for _, k := range d.Documents {
					if want != nil && !slices.Contains(want, k) {
						continue
					}
					doc, prob, err := pack.WriteDocument(r, d, k, out, true)
					if err != nil {
						return cannot("écriture impossible dans %s : %s", out, osMessage(err))
					}
					if prob != nil {
						// One dossier's failure does not stop the others.
						all = append(all, *prob)
						failed++
						failedHere = true
						continue
					}
					written++
					if k == dossier.VA || (k == dossier.MOM && assets.Signer == nil) {
						remises = append(remises, pack.NewRemise(d, k, doc.Data))
					}
				}
				if failedHere {
					blocked++ // a dossier whose documents failed is blocked
				}
			}
			if err := pack.RecordRemises(out, remises); err != nil {
				return cannot("écriture impossible dans %s : %v", out, err)
			}
			dossier.SortProblems(all)
			printProblems(c.App.Writer, all)
			fmt.Fprintf(c.App.ErrWriter, "%d dossier(s) lu(s), %d document(s) écrit(s), %d dossier(s) bloqué(s), %d avertissement(s), en %s\n",
				len(ds), written, blocked, warnings, elapsed(start))
			if blocked > 0 || failed > 0 {
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

// rendererAssets reads the embedded fonts and the fournisseur's logo.
// With segur.yaml's signature block, it loads the certificate that signs
// the MOMs.
func rendererAssets(cfg *dossier.Config, stdout io.Writer) (render.Assets, error) {
	reg, err := templates.FS.ReadFile(templates.FontRegular)
	if err != nil {
		return render.Assets{}, cannot("police embarquée illisible : %v", err)
	}
	bold, err := templates.FS.ReadFile(templates.FontBold)
	if err != nil {
		return render.Assets{}, cannot("police embarquée illisible : %v", err)
	}
	a := render.Assets{Fonts: render.Fonts{Regular: reg, Bold: bold}}
	if a.Signer, err = loadSigner(cfg, stdout); err != nil {
		return a, err
	}
	if logo := cfg.Fournisseur.Logo; logo != "" {
		if a.Logo, err = safeio.ReadFile(filepath.Join(cfg.Dir, logo), safeio.Logo); err != nil {
			return a, cannot("logo « %s » illisible : %s", logo, safeio.Reason(err))
		}
	}
	return a, nil
}

func countWarnings(ps []dossier.Problem) int {
	n := 0
	for _, p := range ps {
		if p.Level == dossier.Attention {
			n++
		}
	}
	return n
}

// elapsed formats a duration the French way, « 1,2 s ».
func elapsed(start time.Time) string {
	return strings.Replace(fmt.Sprintf("%.1f s", time.Since(start).Seconds()), ".", ",", 1)
}
