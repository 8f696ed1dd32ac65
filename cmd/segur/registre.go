package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/segur-sons/segur/app"
	"github.com/segur-sons/segur/registre"
	"github.com/urfave/cli/v2"
)

// testClock, set at link time by the tests (-ldflags -X main.testClock=…,
// RFC 3339) or by in-process tests, is the clock of the signatures and the
// registre instead of the real time. The product never sets it.
var testClock string

// now is the clock given to the use cases: nil (the real time) unless a
// test set testClock.
func now() func() time.Time {
	if testClock == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, testClock)
	if err != nil {
		panic("testClock: " + err.Error())
	}
	return func() time.Time { return t }
}

var registreFlag = &cli.StringFlag{Name: "registre", Usage: "fichier du registre (défaut : clé registre: de segur.yaml, ou registre.sqlite à côté de segur.yaml)", EnvVars: []string{"SEGUR_REGISTRE"}}

var sansRegistreFlag = &cli.BoolFlag{Name: "sans-registre", Usage: "n'utilise pas le registre : rien n'est mémorisé (essai)", EnvVars: []string{"SEGUR_SANS_REGISTRE"}}

// registreValue is the registre the inputs name: --sans-registre gives
// none, --registre a file, else segur.yaml's (app.AutoRegistre).
func registreValue(c *cli.Context) string {
	for _, x := range c.Lineage() {
		if x == nil {
			continue
		}
		if x.Bool("sans-registre") {
			return ""
		}
		if x.IsSet("registre") && x.String("registre") != "" {
			return x.String("registre")
		}
	}
	return app.AutoRegistre
}

// registreInputs are the inputs of the commands working on the registre
// alone: segur.yaml (--config or found), no record.
func registreInputs(c *cli.Context) app.Inputs {
	return app.Inputs{Config: configFlagValue(c), Registre: registreValue(c), Now: now()}
}

func registreCommand() *cli.Command {
	return &cli.Command{
		Name:      "registre",
		Usage:     "le registre de ce que segur a émis, déposé et reçu : « verifier » (intégrité et empreinte de chaque document archivé), « sauvegarder FICHIER » (copie cohérente, même pendant un traitement), « extraire NUMERO -o FICHIER » (le PDF émis sous ce numéro, octet pour octet)",
		ArgsUsage: "verifier | sauvegarder FICHIER | extraire NUMERO -o FICHIER",
		Flags: []cli.Flag{configFlag, registreFlag,
			&cli.StringFlag{Name: "o", Usage: "extraire : le fichier où écrire le document (jamais remplacé)"},
			&cli.StringFlag{Name: "dossier", Usage: "extraire : le numéro éditeur du dossier, quand plusieurs documents portent le même numéro"}},
		Action: func(c *cli.Context) error {
			args := c.Args().Slice()
			switch {
			case len(args) == 1 && args[0] == "verifier":
				res, path, err := app.RegistreVerify(c.Context, registreInputs(c))
				if err != nil {
					return failed(c, err)
				}
				for _, p := range res.Problems {
					fmt.Fprintf(c.App.Writer, "%s: %s\n", path, p)
				}
				if len(res.Problems) > 0 {
					return &exitError{code: exitRejected, msg: fmt.Sprintf("registre « %s » : %d problème(s) ; remettez la dernière sauvegarde", path, len(res.Problems))}
				}
				fmt.Fprintf(c.App.ErrWriter, "registre « %s » intact : contrôle d'intégrité SQLite correct, %d document(s) archivé(s) conformes à leur empreinte SHA-256\n", path, res.Documents)
				return nil
			case len(args) == 2 && args[0] == "sauvegarder":
				path, err := app.RegistreBackup(registreInputs(c), args[1])
				if err != nil {
					return failed(c, err)
				}
				fmt.Fprintf(c.App.ErrWriter, "registre « %s » copié dans « %s »\n", path, args[1])
				return nil
			case len(args) == 2 && args[0] == "extraire":
				if c.String("o") == "" {
					return cannot("segur registre extraire NUMERO -o FICHIER : -o est obligatoire (le fichier où écrire le document)")
				}
				doc, path, err := app.RegistreExtract(registreInputs(c), args[1], c.String("dossier"), c.String("o"))
				if err != nil {
					return failed(c, err)
				}
				fmt.Fprintln(c.App.Writer, c.String("o"))
				fmt.Fprintf(c.App.ErrWriter, "%s %s du dossier %s, émis le %s, extrait du registre « %s » : SHA-256 %s, conforme au registre\n",
					strings.TrimSpace(doc.Kind+" "+doc.Role), doc.Numero, doc.Dossier, doc.EmisLe.Format("02/01/2006 15:04"), path, doc.SHA256)
				return nil
			}
			return cannot("segur registre verifier, segur registre sauvegarder FICHIER, ou segur registre extraire NUMERO -o FICHIER")
		},
	}
}

func etatCommand() *cli.Command {
	return &cli.Command{
		Name:      "etat",
		Usage:     "l'état de chaque dossier d'après le registre (commandé, avance déposée, … rejeté), ou l'historique d'un dossier",
		ArgsUsage: "[NUMERO]",
		Flags: []cli.Flag{configFlag, registreFlag, &cli.BoolFlag{Name: "csv", Usage: "écrit un tableau CSV (séparateur ;) pour un tableur"},
			&cli.StringFlag{Name: "paye", Usage: "avec NUMERO : enregistre le solde payé à cette date (AAAA-MM-JJ), après « solde déposé »"},
			&cli.StringFlag{Name: "annule", Usage: "avec NUMERO : enregistre le dossier annulé, avec ce motif ; il n'est plus jamais déposé"}},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return cannot("segur etat [NUMERO] : un seul numéro éditeur")
			}
			numero := c.Args().First()
			if c.IsSet("paye") || c.IsSet("annule") {
				var ch app.EtatChange
				switch {
				case numero == "":
					return cannot("--paye et --annule demandent le numéro éditeur du dossier : segur etat NUMERO --paye AAAA-MM-JJ")
				case c.IsSet("paye") && c.IsSet("annule"):
					return cannot("--paye ou --annule, pas les deux")
				case c.IsSet("annule"):
					if ch.Annule = strings.TrimSpace(c.String("annule")); ch.Annule == "" {
						return cannot("--annule demande un motif : segur etat NUMERO --annule \"motif\"")
					}
				default:
					day, err := time.Parse("2006-01-02", c.String("paye"))
					if err != nil {
						return cannot("--paye « %s » : date AAAA-MM-JJ attendue", c.String("paye"))
					}
					ch.Paye = day
				}
				if err := app.ChangeEtat(c.Context, registreInputs(c), numero, ch); err != nil {
					return failed(c, err)
				}
			}
			ds, err := app.Etat(registreInputs(c), numero)
			if err != nil {
				return failed(c, err)
			}
			if c.Bool("csv") {
				return etatCSV(c.App.Writer, ds, numero != "")
			}
			if numero == "" {
				for _, d := range ds {
					fmt.Fprintf(c.App.Writer, "%s\t%s\n", d.Status.Dossier, etatLine(d.Status))
				}
				fmt.Fprintf(c.App.ErrWriter, "%d dossier(s) dans le registre\n", len(ds))
				return nil
			}
			d := ds[0]
			fmt.Fprintf(c.App.Writer, "dossier %s (%s) : %s\n", d.Status.Dossier, orDash(d.Status.Dispositif), etatLine(d.Status))
			for _, e := range d.History {
				fmt.Fprintf(c.App.Writer, "  %s  %s%s — %s\n", e.At.In(paris).Format("02/01/2006 15:04"), e.Etat, rejet(e.Code, e.Label), cause(e))
			}
			for _, doc := range d.Documents {
				link := ""
				switch {
				case doc.Cancels != "":
					link = ", annule la facture " + doc.Cancels
				case doc.CancelledBy != "":
					link = ", annulé par l'avoir " + doc.CancelledBy
				}
				fmt.Fprintf(c.App.Writer, "  document %s %s du %s, émis le %s%s, SHA-256 %s\n", doc.Kind, doc.Numero, doc.Date, doc.EmisLe.In(paris).Format("02/01/2006 15:04:05"), link, doc.SHA256)
			}
			return nil
		},
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func rejet(code, label string) string {
	if code == "" {
		if label != "" {
			return " (" + label + ")"
		}
		return ""
	}
	return fmt.Sprintf(" [%s] %s", code, label)
}

func cause(e registre.Event) string {
	if e.File != "" {
		return e.Command + " " + e.File
	}
	return e.Command
}

func etatLine(s registre.Status) string {
	etat := string(s.Etat)
	if etat == "" {
		etat = "(aucun état)"
	}
	out := etat + rejet(s.Code, s.Label)
	if s.NumeroASP != "" {
		out += " — numéro ASP " + s.NumeroASP
	}
	if !s.At.IsZero() {
		out += " — le " + s.At.In(paris).Format("02/01/2006 15:04")
	}
	return out
}

func etatCSV(w io.Writer, ds []EtatDossierAlias, history bool) error {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	if history {
		cw.Write([]string{"numero_editeur", "etat", "code_asp", "libelle_asp", "le", "commande", "fichier"}) // csv.Writer keeps its first error: Error() after Flush returns it
		for _, e := range ds[0].History {
			cw.Write([]string{ds[0].Status.Dossier, string(e.Etat), e.Code, e.Label, e.At.In(paris).Format("2006-01-02 15:04:05"), e.Command, e.File}) // csv.Writer keeps its first error: Error() after Flush returns it
		}
	} else {
		cw.Write([]string{"numero_editeur", "dispositif", "numero_asp", "etat", "code_asp", "libelle_asp", "depuis"}) // csv.Writer keeps its first error: Error() after Flush returns it
		for _, d := range ds {
			s := d.Status
			at := ""
			if !s.At.IsZero() {
				at = s.At.In(paris).Format("2006-01-02 15:04:05")
			}
			cw.Write([]string{s.Dossier, s.Dispositif, s.NumeroASP, string(s.Etat), s.Code, s.Label, at}) // csv.Writer keeps its first error: Error() after Flush returns it
		}
	}
	cw.Flush()
	return cw.Error()
}

// EtatDossierAlias keeps etatCSV's signature short.
type EtatDossierAlias = app.EtatDossier

func aspCommand() *cli.Command {
	return &cli.Command{
		Name:      "asp",
		Usage:     "« importer FICHIER » : lit le JSON de sortie de l'ASP et enregistre dans le registre le numéro ASP de chaque dossier et chaque ligne rejetée",
		ArgsUsage: "importer FICHIER",
		Flags:     []cli.Flag{configFlag, registreFlag},
		Action: func(c *cli.Context) error {
			args := c.Args().Slice()
			if len(args) != 2 || args[0] != "importer" {
				return cannot("segur asp importer FICHIER")
			}
			res, err := app.ImportASP(c.Context, registreInputs(c), args[1])
			if err != nil {
				return failed(c, err)
			}
			for _, l := range res.Retour.Lines {
				if l.Rejected() {
					fmt.Fprintf(c.App.Writer, "%s:%d: %s: rejeté par l'ASP : %s [%s]\n", args[1], l.Line, l.NumeroEditeur, orDash(l.Label), l.Code)
				}
			}
			fmt.Fprintf(c.App.ErrWriter, "%d ligne(s) lue(s) : %d acceptée(s), %d rejetée(s), %d numéro(s) ASP enregistré(s)\n", len(res.Retour.Lines), res.Accepted, res.Rejected, res.Numeros)
			return nil
		},
	}
}

// paris is the time zone the dates of the registre are shown in (UTC
// when the system has no zone data).
var paris = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}()
