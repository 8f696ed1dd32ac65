//go:build !race

package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/segur-sons/segur/registre"
)

// A dossier the ASP rejected shows « rejeté », the ASP's code and label
// and its dated history on its page, from the registre segur serve was
// started with (the ASP's answer imported as `segur asp importer` does).
func TestBrowserRegistreRejete(t *testing.T) {
	t.Parallel()
	reg := filepath.Join(t.TempDir(), "registre.sqlite")
	r, err := registre.Open(reg, registre.Options{})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := os.Open("../fixtures/asp/retour-solde.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.ImportASP(context.Background(), answer, "retour-solde.json"); err != nil {
		t.Fatal(err)
	}
	answer.Close()
	// Other states, as segur pack and segur etat record them.
	tx, err := r.Begin(context.Background(), registre.Cause{Command: "pack", File: "dossiers"})
	if err != nil {
		t.Fatal(err)
	}
	for numero, e := range map[string]registre.Etat{"00042": registre.SoldeDepose, "00045": registre.Realise, "00048": registre.Commande} {
		if err := tx.SetState(numero, "MDV-LGC-Va1", e, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.MarkPaid("00042", time.Date(2023, 6, 12, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	f := newFixtureWith(t, 0, func(c *Config) { c.Registre = reg })
	ctx := chrome(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(f.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#dossiers`))); err != nil {
		t.Fatal(err)
	}
	// The overview, drawn by the server once the reading is done, gives
	// each dossier's state in the registre in its own column.
	for numero, want := range map[string]string{
		"00046": "rejeté [ERR_MONTANT]",
		"00042": "solde payé (payé le 12/06/2023)",
		"00045": "réalisé",
		"00048": "commandé",
	} {
		if got := text(t, ctx, `#registre-`+numero); !strings.HasPrefix(got, want) || !strings.Contains(got, "depuis le ") {
			t.Errorf("%s in the overview's « Registre » column: %q, want %q", numero, got, want)
		}
	}
	shoot(t, ctx, "serve-dossiers.png")
	// The dossier page is drawn by the server from the reading the
	// overview waited for: #etat-registre is its final state.
	if err := chromedp.Do(ctx, chromedp.Navigate(f.base+"/dossier/00046"), chromedp.WaitVisible(chromedp.CSS(`#etat-registre`))); err != nil {
		t.Fatal(err)
	}
	etat := text(t, ctx, `#etat-registre`)
	for _, want := range []string{"rejeté", "ERR_MONTANT", "Le montant Ségur HT de la facture est supérieur au montant de l'avance"} {
		if !strings.Contains(etat, want) {
			t.Errorf("00046's state in the registre: %q, want %q in it", etat, want)
		}
	}
	if h := text(t, ctx, `#historique`); !strings.Contains(h, "rejeté") || !strings.Contains(h, "segur asp importer (retour-solde.json)") {
		t.Errorf("00046's history: %q, want the rejection and its cause", h)
	}
	shoot(t, ctx, "serve-registre.png")
	// A dossier the registre does not know (00043: not in the answer) has
	// no such section.
	if err := chromedp.Do(ctx, chromedp.Navigate(f.base+"/dossier/00043"), chromedp.WaitVisible(chromedp.CSS(`#etat`))); err != nil {
		t.Fatal(err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#etat-registre").length`))
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("00043, unknown to the registre, shows a registre state")
	}
}
