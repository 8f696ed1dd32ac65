// Command signfixtures regenerates the signed VAs of fixtures/signes/ with
// the TEST certificates of fixtures/certs: what clients would send back.
//
//	go run ./tools/signfixtures        # the VAs and the BDCs
//	go run ./tools/signfixtures -bdc   # the BDCs only
//
// It renders each VA dossier of fixtures/dossiers as segur does, then:
// signs it as its signatories would (several in turn in one file), scans
// one (pdftoppm and img2pdf, from poppler-utils and img2pdf, are needed),
// and tampers with one after its signature, for the demo to block it.
//
// It also signs the bons de commande of fixtures/avances as their clients
// would (the avance dépôt takes them from fixtures/signes/): rendered with
// the fournisseur's TEST certificate as `segur pack --phase avance` renders
// them, then signed by each client signatory in turn; one by someone else
// and one changed after its signature, for the demo to block them.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/render"
	"github.com/segur-sons/segur/templates"
	"github.com/segur-sons/segur/tools/sigtest"
)

// plan says what becomes of each VA: who signs, in turn; "scan"; or
// "tamper" after the signatures.
var plan = map[string][]string{
	"00043": {"rousseau"},
	"00048": {"schmitt", "muller"},
	"00050": {"scan"},
	"00052": {"legoff", "tamper"},
	"00061": {"lefevre"},
	"00062": {"gauthier"},
}

// planBDC says what becomes of each BDC of fixtures/avances, as plan.
var planBDC = map[string][]string{
	"00201": {"rousseau"},
	"00202": {"legoff"},
	"00203": {"schmitt", "muller"},
	"00204": {"rousseau"},
	"00205": {"intrus"},
	"00206": {"schmitt", "tamper"},
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "signfixtures:", err)
		os.Exit(1)
	}
}

func run() error {
	bdcOnly := flag.Bool("bdc", false, "sign the bons de commande of fixtures/avances only")
	flag.Parse()
	root := sigtest.Root()
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		return err
	}
	cfg, probs, err := dossier.LoadConfig(filepath.Join(root, "fixtures", dossier.ConfigName), reg, pdfops.Disk{})
	if err != nil || dossier.HasError(probs) {
		return fmt.Errorf("segur.yaml: %v %v", err, probs)
	}
	files, err := dossier.Files([]string{filepath.Join(root, "fixtures", "dossiers")})
	if err != nil {
		return err
	}
	ds := dossier.Check(cfg, reg, dossier.Read(files), dossier.Options{Phase: dossier.PhaseSolde, Files: pdfops.Disk{}, DateDepot: time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)})
	fr, _ := templates.FS.ReadFile(templates.FontRegular) // embedded in the binary: cannot fail
	fb, _ := templates.FS.ReadFile(templates.FontBold)    // embedded in the binary: cannot fail
	r := render.New(render.Assets{Fonts: render.Fonts{Regular: fr, Bold: fb}})
	out := filepath.Join(root, "fixtures", "signes")
	if *bdcOnly {
		return signBDCs(root, cfg, reg, out)
	}
	old, _ := filepath.Glob(filepath.Join(out, "*-VA-*.pdf")) // a valid pattern: cannot fail
	for _, f := range old {
		os.Remove(f) // old fixtures: a file left is overwritten or listed by git
	}
	for _, d := range ds {
		steps, ok := plan[d.Numero()]
		if !ok || d.Blocked() || d.Justificatif.Kind != dossier.VA {
			continue
		}
		data, err := r.Render(d, dossier.VA)
		if err != nil {
			return err
		}
		when := d.Realisation.DateFin.Time.AddDate(0, 0, 3)
		target := filepath.Join(out, d.FileName(dossier.VA))
		signed := 0
		for _, step := range steps {
			switch step {
			case "scan":
				if data, err = scan(data); err != nil {
					return err
				}
			case "tamper":
				// Ticks a box drawn over the page after the signature.
				if data, err = sigtest.Draw(data, 1, "q 0 0 0 rg BT /Helv 14 Tf ET 80 400 10 10 re f Q"); err != nil {
					return fmt.Errorf("%s: tamper: %w", d.Numero(), err)
				}
			default:
				s, err := sigtest.Load(root, step)
				if err != nil {
					return fmt.Errorf("%s: %w", step, err)
				}
				if data, err = sigtest.SignField(data, s, render.FieldName(d.Justificatif.Pages[signed]), when); err != nil {
					return fmt.Errorf("%s: %s: %w", d.Numero(), step, err)
				}
				if signed < len(d.Justificatif.Pages)-1 {
					signed++
				}
			}
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
		fmt.Println(target, steps)
	}
	return signBDCs(root, cfg, reg, out)
}

// signBDCs signs the bons de commande of fixtures/avances (planBDC).
func signBDCs(root string, cfg *dossier.Config, reg *dossier.Registry, out string) error {
	files, err := dossier.Files([]string{filepath.Join(root, "fixtures", "avances")})
	if err != nil {
		return err
	}
	ds := dossier.Check(cfg, reg, dossier.Read(files), dossier.Options{Phase: dossier.PhaseAvance, Files: pdfops.Disk{}})
	fr, _ := templates.FS.ReadFile(templates.FontRegular) // embedded in the binary: cannot fail
	fb, _ := templates.FS.ReadFile(templates.FontBold)    // embedded in the binary: cannot fail
	own, err := sigtest.Load(root, "fournisseur")
	if err != nil {
		return err
	}
	r := render.New(render.Assets{Fonts: render.Fonts{Regular: fr, Bold: fb}, Signer: own})
	old, _ := filepath.Glob(filepath.Join(out, "*-BDC-*.pdf")) // a valid pattern: cannot fail
	for _, f := range old {
		os.Remove(f) // old fixtures: a file left is overwritten or listed by git
	}
	for _, d := range ds {
		steps, ok := planBDC[d.Numero()]
		if !ok || d.Blocked() {
			continue
		}
		data, err := r.Render(d, dossier.BDC)
		if err != nil {
			return err
		}
		when := d.Commande.Date.Time.Add(10 * time.Hour)
		signed := 0
		for _, step := range steps {
			if step == "tamper" {
				if data, err = sigtest.Draw(data, 1, "q 0 0 0 rg BT /Helv 14 Tf ET 80 400 10 10 re f Q"); err != nil {
					return fmt.Errorf("%s: tamper: %w", d.Numero(), err)
				}
				continue
			}
			s, err := sigtest.Load(root, step)
			if err != nil {
				return fmt.Errorf("%s: %w", step, err)
			}
			page := d.Avance.Signataires[min(signed, len(d.Avance.Signataires)-1)]
			if data, err = sigtest.SignField(data, s, render.FieldName(page), when); err != nil {
				return fmt.Errorf("%s: %s: %w", d.Numero(), step, err)
			}
			signed++
		}
		target := filepath.Join(out, d.FileName(dossier.BDC))
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
		fmt.Println(target, steps)
	}
	return nil
}

// scan prints data to images and back to a PDF of images, as a scanner
// would (pdftoppm, img2pdf).
func scan(data []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "signfixtures")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir) // our own temporary files: a leftover is only space, removed again by the next run
	in := filepath.Join(dir, "va.pdf")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		return nil, err
	}
	if out, err := exec.Command("pdftoppm", "-r", "100", "-gray", "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pdftoppm: %v: %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png")) // a valid pattern: cannot fail
	args := append([]string{"--creationdate", "2023-01-25T10:00:00", "--moddate", "2023-01-25T10:00:00", "-o", filepath.Join(dir, "scan.pdf")}, pages...)
	if out, err := exec.Command("img2pdf", args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("img2pdf: %v: %s", err, out)
	}
	return os.ReadFile(filepath.Join(dir, "scan.pdf"))
}
