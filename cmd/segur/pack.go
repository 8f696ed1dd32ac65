package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/segur-sons/segur/app"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func packCommand(code *int) *cli.Command {
	return &cli.Command{
		Name:      "pack",
		Usage:     "le dépôt de solde (ou d'avance, --phase avance) : paires JSON + zip prêtes à téléverser sous DIR/depot/, DIR/rapport.html et .json, les VA à faire signer sous DIR/a-signer/",
		ArgsUsage: "CHEMIN...",
		Flags: []cli.Flag{
			outFlag,
			&cli.StringFlag{Name: "signes", Usage: "dossier des VA signées (<dispositif>-VA-<numero_editeur>.pdf, ou une par bénéficiaire …-<RPPS ou FINESS géo>.pdf) et des bons de commande signés par le client (<dispositif>-BDC-<numero_editeur>.pdf, pour --phase avance)"},
			&cli.StringFlag{Name: "phase", Value: "solde", Usage: "dépôt produit : solde, ou avance (les bons de commande signés par le client, à la commande)"},
			&cli.IntFlag{Name: "jobs", Usage: "nombre de documents produits en parallèle (défaut : nombre de processeurs)"},
			&cli.IntFlag{Name: "lignes", Value: app.MaxLines, Usage: "nombre maximal de lignes par paire JSON + zip"},
			&cli.StringSliceFlag{Name: "retirer", Usage: "numéros éditeur (00042,00043) que ce dépôt peut retirer du dépôt précédent : sans lui, pack refuse de remplacer un dépôt par un dépôt qui en perd"},
			dateDepotFlag,
			strictFlag,
			configFlag,
			piecesFlag,
			registreFlag,
			sansRegistreFlag,
			&cli.StringSliceFlag{Name: "redeposer", Usage: "dépose à nouveau ce dossier (numéro éditeur) dans une nouvelle paire, bien qu'une paire déjà déposée le contienne (après un rejet) ; répétable"},
			&cli.StringFlag{Name: "cpuprofile", Hidden: true, Usage: "write a CPU profile (for make bench)"},
			&cli.StringFlag{Name: "memprofile", Hidden: true, Usage: "write a heap profile at the end (for make bench)"},
		},
		Action: func(c *cli.Context) error {
			start := time.Now()
			defer lessHeadroom()()
			if err := profile(c.String("cpuprofile"), func(f *os.File) error {
				return pprof.StartCPUProfile(f)
			}); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
			depot, err := dateDepot(c)
			if err != nil {
				return err
			}
			if n := c.Int("lignes"); n < 1 || n > app.MaxLines {
				return cannot("--lignes doit valoir de 1 à %d (l'ASP n'accepte pas plus de %d lignes par fichier)", app.MaxLines, app.MaxLines)
			}
			if n := c.Int("jobs"); c.IsSet("jobs") && (n < 1 || n > maxJobs) {
				return cannot("--jobs doit valoir de 1 à %d", maxJobs)
			}
			phase := app.DepotSolde
			switch c.String("phase") {
			case "solde":
			case "avance":
				phase = app.DepotAvance
			default:
				return cannot("--phase « %s » : solde ou avance attendu", c.String("phase"))
			}
			in, err := inputs(c)
			if err != nil {
				return err
			}
			// Ctrl-C (or a TERM) stops the run between two dossiers; the
			// dépôt switch itself is never cut in the middle.
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			res, err := app.Pack(ctx, app.PackOptions{
				Inputs:    in,
				Out:       c.String("o"),
				Signes:    c.String("signes"),
				MaxLines:  c.Int("lignes"),
				Jobs:      c.Int("jobs"),
				Version:   Version,
				DateDepot: depot,
				Strict:    c.Bool("strict"),
				Retirer:   c.StringSlice("retirer"),
				Phase:     phase,
				Progress:  progress(c.App.ErrWriter),
				Redeposer: c.StringSlice("redeposer"),
				Streamed:  true,
			})
			if err != nil {
				return failed(c, err)
			}
			if err := profile(c.String("memprofile"), func(f *os.File) error { return pprof.WriteHeapProfile(f) }); err != nil {
				return err
			}
			printProblems(c.App.Writer, res.Config)
			printProblems(c.App.Writer, res.Problems)
			if res.Registre == "" {
				fmt.Fprintf(c.App.ErrWriter, "attention: %s\n", app.SansRegistre)
			}
			if res.Deposited > 0 {
				fmt.Fprintf(c.App.ErrWriter, "%d dossier(s) déjà déposé(s) (registre « %s ») laissé(s) hors des paires (--redeposer NUMERO pour en déposer un à nouveau)\n", res.Deposited, res.Registre)
			}
			fmt.Fprintf(c.App.ErrWriter, "%d dossier(s) lu(s), %d prêt(s) dans %d paire(s), %d bloqué(s), %d avertissement(s), en %s\n",
				res.Ready+res.Blocked+res.Deposited, res.Ready, len(res.Pairs), res.Blocked, res.Warnings, elapsed(start))
			if len(res.Provisoires) > 0 {
				fmt.Fprintf(c.App.ErrWriter, "attention [%s] : %d clé(s) du JSON d'avance ne sont confirmées par aucune source officielle (forme reprise du seul fichier d'avance public connu ; voir templates/json/) : %s. Vérifiez-les avec le simulateur de dépôt JSON de l'ASP avant de téléverser.\n", "AVANCE_CLES_PROVISOIRES", len(res.Provisoires), strings.Join(res.Provisoires, ", "))
			}
			if res.Awaiting > 0 {
				fmt.Fprintf(c.App.ErrWriter, "%d VA en attente de signature(s) (voir « preuve » dans rapport.json)\n", res.Awaiting)
			}
			late := res.Late
			out := c.String("o")
			switch {
			case late > 0 && c.Bool("strict"):
				fmt.Fprintf(c.App.ErrWriter, "dont %d dossier(s) hors délai, bloqué(s) par --strict : déposé(s) après la clôture du guichet\n", late)
			case late > 0:
				fmt.Fprintf(c.App.ErrWriter, "dont %d dossier(s) hors délai : déposé(s) après la clôture du guichet, irrecevable(s) sauf report de l'ASP (--strict pour les bloquer)\n", late)
			}
			if len(res.HorsDepot) > 0 {
				fmt.Fprintf(c.App.ErrWriter, "%d fichier(s) trouvé(s) dans depot/ sans avoir été produits par segur, déplacés (jamais supprimés) dans %s : %s\n",
					len(res.HorsDepot), filepath.Join(out, "hors-depot"), strings.Join(res.HorsDepot, ", "))
			}
			if res.Blocked > 0 {
				*code = exitRejected
			}
			return nil
		},
	}
}

// lessHeadroom bounds the memory of a run while collecting garbage as
// rarely as that bound allows (unless $GOGC or $GOMEMLIMIT is set): the
// heap may grow to heapLimit whatever its live size — a quarter of 1,000
// dossiers then collects a few times instead of every few documents, for
// about 15 % less CPU — and once the live heap passes liveSwitch (a large
// quarter), to 1.5 times its live size instead of Go's default 2, which
// bounds a quarter whose live heap keeps growing. heapLimit is 56 MiB:
// the program's own pages (about 23 MiB of code and data) and SQLite's
// (about 10 MiB since its page cache is 256 KiB per connection, see
// registre's dsn) come on top, and a pack of 10,000 dossiers, whose live
// heap no longer grows with the quarter (its rapport waits in the spool),
// stays under 100 MiB resident (first pack 83–85 MiB measured, second
// pack 80–84 MiB; 95–102 MiB with SQLite's default cache; 112 MiB at
// 70 MiB; see README « Speed and memory »: the 104–105 MiB second packs
// once measured were the bench's own memory, which Linux gave the
// process it started).
//
// The watch ends with the run: stop ends it and waits for it (no ticker
// nor goroutine outlives the command, which tests run in-process).
func lessHeadroom() (stop func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	const (
		heapLimit  = 56 << 20
		liveSwitch = 36 << 20
	)
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(heapLimit)
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(live)
			if live[0].Value.Kind() == metrics.KindUint64 && live[0].Value.Uint64() > liveSwitch {
				debug.SetGCPercent(50)
				debug.SetMemoryLimit(math.MaxInt64)
				return
			}
		}
	}()
	return func() {
		close(done)
		<-ended
	}
}

// progress returns a progress callback drawing a bar on w when w is a
// terminal, and nil (no bar) on a pipe, a file or in CI. The bar is made at
// the first call, which gives the number of dossiers read.
func progress(w io.Writer) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || os.Getenv("CI") != "" {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			if total == 0 {
				return
			}
			bar = newBar(f, total)
		}
		bar.Set(done) // progress on stderr: if that fails, nowhere is left to say so
	}
}

func newBar(f *os.File, total int) *progressbar.ProgressBar {
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription("dossiers"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("dossiers"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// profile creates path (when set) and hands it to write: the hidden
// profiling flags that `make bench` investigations use. The file stays open
// until the process ends, as the CPU profile writes to it until then.
func profile(path string, write func(*os.File) error) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return cannot("%v", err)
	}
	if err := write(f); err != nil {
		return cannot("%v", err)
	}
	return nil
}
