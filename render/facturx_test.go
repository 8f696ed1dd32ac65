package render

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phpdave11/gofpdf"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/facturx"
	"github.com/segur-sons/segur/internal/golden"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/templates"
	"github.com/shopspring/decimal"
)

// facturXDossiers checks every record of fixtures/dossiers with
// fixtures/facturx/segur.yaml (the fournisseur that opted in to Factur-X),
// plus, when exempt, liberal-mom and avance-solde-deux-factures at TVA 0
// (a non-liable fournisseur). It returns the dossiers that get a facture.
func facturXDossiers(tb testing.TB) []*dossier.Dossier {
	tb.Helper()
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		tb.Fatal(err)
	}
	cfg, probs, err := dossier.LoadConfig(filepath.Join("..", "fixtures", "facturx", dossier.ConfigName), reg, pdfops.Disk{})
	if err != nil || dossier.HasError(probs) {
		tb.Fatalf("fixtures/facturx/segur.yaml: %v %v", err, probs)
	}
	if cfg.FactureFormat() != dossier.FormatFacturX {
		tb.Fatalf("fixtures/facturx/segur.yaml: format %q", cfg.FactureFormat())
	}
	paths, err := filepath.Glob(filepath.Join("..", "fixtures", "dossiers", "*.yaml"))
	if err != nil || len(paths) == 0 {
		tb.Fatal("no fixture", err)
	}
	// The non-liable variants: the same records at rate 0, checked apart
	// (they reuse the fixtures' numbers).
	dir := tb.TempDir()
	var exempt []string
	for _, name := range []string{"liberal-mom", "avance-solde-deux-factures"} {
		b, err := os.ReadFile(filepath.Join("..", "fixtures", "dossiers", name+".yaml"))
		if err != nil {
			tb.Fatal(err)
		}
		s := strings.Replace(string(b), "taux_tva: 20", "taux_tva: 0", 1)
		if s == string(b) {
			tb.Fatalf("%s: no taux_tva: 20 to replace", name)
		}
		p := filepath.Join(dir, name+"-taux-0.yaml")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			tb.Fatal(err)
		}
		exempt = append(exempt, p)
	}
	// A client in Guyane: no TVA (CGI art. 294-1), out of scope (category O).
	// Its own run: it reuses liberal-mom's numbers too.
	b, err := os.ReadFile(filepath.Join("..", "fixtures", "dossiers", "liberal-mom.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	g := strings.Replace(strings.Replace(string(b), "taux_tva: 20", "taux_tva: 0", 1), "69003 Lyon", "97300 Cayenne", 1)
	guyane := filepath.Join(dir, "liberal-mom-guyane.yaml")
	if err := os.WriteFile(guyane, []byte(g), 0o644); err != nil {
		tb.Fatal(err)
	}
	// The non-liable fournisseur declares its franchise (fournisseur.tva).
	cfgData, err := os.ReadFile(filepath.Join("..", "fixtures", "facturx", dossier.ConfigName))
	if err != nil {
		tb.Fatal(err)
	}
	franchise := strings.Replace(string(cfgData), "  # tva: {regime: franchise", "  tva: {regime: franchise", 1)
	if franchise == string(cfgData) {
		tb.Fatal("fixtures/facturx/segur.yaml: no commented fournisseur.tva line to use")
	}
	exemptCfgPath := filepath.Join(dir, dossier.ConfigName)
	if err := os.WriteFile(exemptCfgPath, []byte(franchise), 0o644); err != nil {
		tb.Fatal(err)
	}
	exemptCfg, probs, err := dossier.LoadConfig(exemptCfgPath, reg, pdfops.Disk{})
	if err != nil || dossier.HasError(probs) {
		tb.Fatalf("franchise config: %v %v", err, probs)
	}
	var out []*dossier.Dossier
	opts := dossier.Options{Phase: dossier.PhaseSolde, Files: pdfops.Disk{}}
	ds := append(dossier.Check(cfg, reg, dossier.Read(paths), opts), dossier.Check(exemptCfg, reg, dossier.Read(exempt), opts)...)
	ds = append(ds, dossier.Check(cfg, reg, dossier.Read([]string{guyane}), opts)...)
	for _, d := range ds {
		if d.Blocked() {
			if strings.Contains(d.Ref.Source.File, dir) {
				tb.Fatalf("%s is blocked: %v", d.Ref.Source.File, d.Problems)
			}
			continue
		}
		if slices.Contains(d.Documents, dossier.FACTURE) {
			out = append(out, d)
		}
	}
	return out
}

// pdfdetach extracts factur-x.xml with poppler's pdfdetach, a tool segur
// does not share any code with.
func pdfdetach(t *testing.T, pdf []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("pdfdetach"); err != nil {
		t.Skip("pdfdetach (poppler-utils, installed by .ci/run) not on PATH")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "f.pdf"), filepath.Join(dir, "x.xml")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, err := exec.CommandContext(ctx, "pdfdetach", "-list", in).CombinedOutput()
	if err != nil || !strings.Contains(string(list), "1 embedded files") || !strings.Contains(string(list), "1: factur-x.xml") {
		t.Fatalf("pdfdetach -list: %v\n%s", err, list)
	}
	if b, err := exec.CommandContext(ctx, "pdfdetach", "-save", "1", "-o", out, in).CombinedOutput(); err != nil {
		t.Fatalf("pdfdetach -save: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// qpdfAttachment extracts factur-x.xml with qpdf --show-attachment, and
// checks qpdf --check finds nothing wrong.
func qpdfAttachment(t *testing.T, pdf []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Skip("qpdf (installed by .ci/run) not on PATH")
	}
	in := filepath.Join(t.TempDir(), "f.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if b, err := exec.CommandContext(ctx, "qpdf", "--check", in).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, b)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "qpdf", "--show-attachment=factur-x.xml", in)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("qpdf --show-attachment: %v\n%s", err, stderr.String())
	}
	return out
}

// TestFacturXEveryFixture renders the facture of every fixture as Factur-X
// and checks it the ways a plateforme agréée and the ASP would read it.
func TestFacturXEveryFixture(t *testing.T) {
	requirePdftotext(t)
	r := testRenderer(t)
	ds := facturXDossiers(t)
	if len(ds) < 10 {
		t.Fatalf("only %d Factur-X factures", len(ds))
	}
	sawExempt, sawTwo, sawPaid, sawO := false, false, false, false
	for _, d := range ds {
		t.Run(filepath.Base(d.Ref.Source.File), func(t *testing.T) {
			pdf, err := r.Render(d, dossier.FACTURE)
			if err != nil {
				t.Fatal(err)
			}
			want, err := FactureXML(d)
			if err != nil {
				t.Fatal(err)
			}
			// The same bytes, read by poppler and by segur.
			if got := pdfdetach(t, pdf); !bytes.Equal(got, want) {
				t.Fatalf("pdfdetach gives %d bytes, segur embedded %d", len(got), len(want))
			}
			if got := qpdfAttachment(t, pdf); !bytes.Equal(got, want) {
				t.Fatalf("qpdf gives %d bytes, segur embedded %d", len(got), len(want))
			}
			if got, err := facturx.Extract(pdf); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("facturx.Extract: %v", err)
			}
			// EN 16931 rules and code lists.
			s, err := facturx.Parse(want)
			if err != nil {
				t.Fatal(err)
			}
			if msgs := facturx.Verify(s); len(msgs) > 0 {
				t.Errorf("EN 16931:\n%s", strings.Join(msgs, "\n"))
			}
			// PDF/A-3 and Factur-X structure, pdfcpu strict validation.
			if msgs := facturx.CheckStructure(pdf); len(msgs) > 0 {
				t.Errorf("structure:\n%s", strings.Join(msgs, "\n"))
			}
			if err := pdfin.Validate(bytes.NewReader(pdf)); err != nil {
				t.Errorf("pdfcpu strict: %v", err)
			}
			// The XML's number, date and amounts are the printed ones.
			text := spaces.ReplaceAllString(pdftotext(t, pdf), " ")
			printed := facturx.Printed{
				Has:     func(v string) bool { return strings.Contains(text, v) },
				HasDate: func(v string) bool { return strings.Contains(text, v) },
				HasAmount: func(v string) bool {
					return strings.Contains(text, Euros(mustDecimal(t, v)))
				},
			}
			if fs := facturx.CheckPDF(readDoc(t, pdf), printed, facturx.Expected{Date: Date(d.Facture.Date.Time), Montant: d.Facture.Segur.HT.StringFixed(2)}); len(fs) > 0 {
				t.Errorf("read-back: %v", fs)
			}
			// Exact amounts: the dossier's, to the cent.
			total := d.Facture.Total
			if d.Facture.Mode == dossier.ModeAvanceSolde {
				total = d.Facture.Solde
				sawTwo = true
				if s.Numero != d.Facture.Numero || !strings.Contains(string(want), "<ram:IssuerAssignedID>"+d.Facture.Avance.Numero+"<") {
					t.Errorf("two factures: the XML must be the solde's (%s) and name the avance's", s.Numero)
				}
			}
			if !s.TaxBasis.Equal(total.HT) || !s.TaxTotal.Equal(total.TVA) || !s.GrandTotal.Equal(total.TTC) {
				t.Errorf("totals %s/%s/%s, dossier %s/%s/%s", s.TaxBasis, s.TaxTotal, s.GrandTotal, total.HT, total.TVA, total.TTC)
			}
			if paid := facturx.AmountPaid(d); !s.Prepaid.Equal(paid) || !s.Due.Equal(total.TTC.Sub(paid)) {
				t.Errorf("paid %s due %s, want %s and %s", s.Prepaid, s.Due, paid, total.TTC.Sub(paid))
			} else if paid.IsPositive() {
				sawPaid = true
			}
			if d.TVA.Taux.IsZero() {
				sawExempt = true
				switch tx := s.Taxes[0]; {
				case tx.Category == "O":
					sawO = true
					if tx.ExemptionCode != "VATEX-EU-O" || !strings.Contains(tx.ExemptionText, "294") || s.Seller.VAT != "" {
						t.Errorf("out of scope (Guyane): %+v, seller VAT %q", tx, s.Seller.VAT)
					}
				case tx.Category != "E" || tx.ExemptionCode != d.TVA.CodeExoneration || tx.ExemptionText != d.TVA.Mention:
					t.Errorf("non-liable fournisseur: %+v, dossier %q %q", tx, d.TVA.CodeExoneration, d.TVA.Mention)
				}
			} else if s.Taxes[0].Category != "S" || !s.Taxes[0].Rate.Equal(d.TVA.Taux) {
				t.Errorf("VAT %+v, rate %s", s.Taxes[0], d.TVA.Taux)
			}
			for _, code := range []string{"PMT", "PMD", "AAB", "AAI"} {
				if !strings.Contains(string(want), "<ram:SubjectCode>"+code+"</ram:SubjectCode>") {
					t.Errorf("note %s missing", code)
				}
			}
			// Two goldens a reviewer can read: a single facture with an avance
			// paid, and the solde facture of mode avance-solde at TVA 0.
			if base := filepath.Base(d.Ref.Source.File); base == "liberal-mom.yaml" || base == "avance-solde-deux-factures-taux-0.yaml" {
				golden.Check(t, filepath.Join("testdata", "facturx-"+strings.TrimSuffix(base, ".yaml")+".xml"), want)
			}
			// Byte-reproducible.
			again, err := testRenderer(t).Render(d, dossier.FACTURE)
			if err != nil || !bytes.Equal(again, pdf) {
				t.Errorf("second render differs (%v)", err)
			}
		})
	}
	if !sawExempt || !sawTwo || !sawPaid || !sawO {
		t.Errorf("cases not covered: exempt %v, two factures %v, avance paid %v, out of scope %v", sawExempt, sawTwo, sawPaid, sawO)
	}
}

// TestFacturXOnlyWhenAsked: with fixtures/segur.yaml (no facture block),
// the facture stays a plain PDF without attachment.
func TestFacturXOnlyWhenAsked(t *testing.T) {
	d := fixture(t, "dossiers", "liberal-mom")[0]
	pdf, err := testRenderer(t).Render(d, dossier.FACTURE)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := facturx.Extract(pdf); err != facturx.ErrAbsent {
		t.Fatalf("plain facture: %v", err)
	}
}

var (
	printedPaid = regexp.MustCompile(`Avance déjà versée (?:\(TTC\) )?(-?[0-9][0-9 ]*,[0-9]{2} €)`)
	printedDue  = regexp.MustCompile(`Net à payer (-?[0-9][0-9 ]*,[0-9]{2} €)`)
)

// paidAndDue reads « Avance déjà versée » and « Net à payer » back from a
// facture with pdftotext.
func paidAndDue(t *testing.T, pdf []byte) (string, string) {
	t.Helper()
	text := spaces.ReplaceAllString(pdftotext(t, pdf), " ")
	p, n := printedPaid.FindStringSubmatch(text), printedDue.FindStringSubmatch(text)
	if p == nil || n == nil {
		t.Fatalf("no « Avance déjà versée » / « Net à payer » on the facture:\n%s", text)
	}
	return p[1], n[1]
}

// TestPaidAndDueTheSameOnPlainAndFacturX: the single facture of a dossier
// whose avance was paid states « Avance déjà versée » and « Net à payer »;
// the plain PDF, the Factur-X PDF and the Factur-X XML (TotalPrepaidAmount,
// DuePayableAmount) give the same amounts, read back by pdftotext and from
// the XML — also when the ASP notified the avance TTC at an amount whose
// HT, rounded, would not give it back (250,05 € TTC → 208,38 € HT →
// 250,06 €).
func TestPaidAndDueTheSameOnPlainAndFacturX(t *testing.T) {
	requirePdftotext(t)
	facturX := func(s string) string { return s + "\nfacture:\n  format: factur-x\n  categorie: PME\n" }
	for _, tt := range []struct {
		name      string
		edit      func(string) string
		paid, due string
	}{
		{"avance paid HT", same, "258,00 €", "601,99 €"},
		{"avance notified TTC", replacer(t, "montant_verse_ht: 215.00", "montant_verse_ttc: 250.05"), "250,05 €", "609,94 €"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			plain := variant(t, "dossiers", "liberal-mom", same, tt.edit)
			fx := variant(t, "dossiers", "liberal-mom", facturX, tt.edit)
			if facturx.Enabled(plain) || !facturx.Enabled(fx) {
				t.Fatal("the variants are not plain and Factur-X")
			}
			plainPDF, err := testRenderer(t).Render(plain, dossier.FACTURE)
			if err != nil {
				t.Fatal(err)
			}
			fxPDF, err := testRenderer(t).Render(fx, dossier.FACTURE)
			if err != nil {
				t.Fatal(err)
			}
			x, err := facturx.Extract(fxPDF)
			if err != nil {
				t.Fatal(err)
			}
			s, err := facturx.Parse(x)
			if err != nil {
				t.Fatal(err)
			}
			if msgs := facturx.Verify(s); len(msgs) > 0 {
				t.Errorf("EN 16931:\n%s", strings.Join(msgs, "\n"))
			}
			xmlPaid, xmlDue := Euros(s.Prepaid), Euros(s.Due)
			pp, pd := paidAndDue(t, plainPDF)
			fp, fd := paidAndDue(t, fxPDF)
			if pp != tt.paid || pd != tt.due || fp != pp || fd != pd || xmlPaid != pp || xmlDue != pd {
				t.Errorf("avance déjà versée / net à payer: plain %s / %s, Factur-X PDF %s / %s, XML %s / %s; want %s / %s", pp, pd, fp, fd, xmlPaid, xmlDue, tt.paid, tt.due)
			}
			if !s.GrandTotal.Sub(s.Prepaid).Equal(s.Due) {
				t.Errorf("XML: %s − %s ≠ %s", s.GrandTotal, s.Prepaid, s.Due)
			}
		})
	}
}

// TestFactureAvanceFacturX: with Factur-X asked, the avance facture of the
// avance dépôt (mode avance-solde) is a PDF/A-3 with its EN 16931 XML, as
// the solde's: its own number and amounts, nothing paid before it, no
// solde due date, the Ségur mentions it prints (no numéro ASP yet, no
// installed scenario).
func TestFactureAvanceFacturX(t *testing.T) {
	requirePdftotext(t)
	reg := testRegistry(t)
	cfg, probs, err := dossier.LoadConfig(filepath.Join("..", "fixtures", "facturx", dossier.ConfigName), reg, pdfops.Disk{})
	if err != nil || dossier.HasError(probs) {
		t.Fatal(err, probs)
	}
	src, err := os.ReadFile(filepath.Join("..", "fixtures", "avances", "structure-plusieurs-sites.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// A solde due date in the record is not the avance facture's.
	rec := strings.Replace(string(src), "  mode: avance-solde\n", "  mode: avance-solde\n  echeance: 2023-05-30\n", 1)
	ds := dossier.Check(cfg, reg, dossier.Decode("structure-plusieurs-sites.yaml", []byte(rec)), dossier.Options{Phase: dossier.PhaseAvance, DateDepot: time.Date(2022, 11, 15, 12, 0, 0, 0, time.UTC), Files: pdfops.Disk{}})
	if len(ds) != 1 || ds[0].Blocked() {
		t.Fatalf("%v", ds[0].Problems)
	}
	d := ds[0]
	pdf, err := testRenderer(t).FactureAvance(d)
	if err != nil {
		t.Fatal(err)
	}
	x, err := facturx.Extract(pdf)
	if err != nil {
		t.Fatalf("the avance facture is not Factur-X: %v", err)
	}
	if got := qpdfAttachment(t, pdf); !bytes.Equal(got, x) {
		t.Fatal("qpdf reads another XML")
	}
	if msgs := facturx.CheckStructure(pdf); len(msgs) > 0 {
		t.Errorf("structure:\n%s", strings.Join(msgs, "\n"))
	}
	s, err := facturx.Parse(x)
	if err != nil {
		t.Fatal(err)
	}
	if msgs := facturx.Verify(s); len(msgs) > 0 {
		t.Errorf("EN 16931:\n%s", strings.Join(msgs, "\n"))
	}
	total := d.Facture.Avance.Montants
	if s.Numero != "F2022-00202-A" || !s.GrandTotal.Equal(total.TTC) || !s.TaxBasis.Equal(total.HT) || !s.Prepaid.IsZero() || !s.Due.Equal(total.TTC) || !total.HT.Equal(d.Avance.MontantHT) {
		t.Errorf("XML %s: %s HT, %s TTC, paid %s, due %s; want %s HT, %s TTC", s.Numero, s.TaxBasis, s.GrandTotal, s.Prepaid, s.Due, total.HT, total.TTC)
	}
	if strings.Contains(string(x), "DueDateDateTime") || strings.Contains(string(x), "N° de dossier ASP") || strings.Contains(string(x), "Envoi au DMP") {
		t.Errorf("the avance facture's XML states what belongs to the solde:\n%s", x)
	}
	for _, want := range []string{"N° éditeur : 00202", "Bénéficiaire n° 3 : ", "Montant pris en charge par l'Etat"} {
		if !strings.Contains(string(x), want) {
			t.Errorf("the XML lacks %q", want)
		}
	}
	text := spaces.ReplaceAllString(pdftotext(t, pdf), " ")
	if !strings.Contains(text, "FACTURE D'AVANCE n° F2022-00202-A") || !strings.Contains(text, Euros(total.TTC)) || strings.Contains(text, "Net à payer") {
		t.Errorf("printed avance facture:\n%s", text)
	}
}

func mustDecimal(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestFacturXRefusesANonPDFATraite: a traité whose font is not embedded
// (a gofpdf core font) would break PDF/A-3; the facture is refused with a
// French reason instead of being shipped as Factur-X.
func TestFacturXRefusesANonPDFATraite(t *testing.T) {
	dir := t.TempDir()
	p := gofpdf.New("P", "mm", "A4", "")
	p.AddPage()
	p.SetFont("Helvetica", "", 12)
	p.Cell(40, 10, "Traite de fusion")
	var traite bytes.Buffer
	if err := p.Output(&traite); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "traite.pdf"), traite.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rec, err := os.ReadFile(filepath.Join("..", "fixtures", "dossiers", "cas4-finess-remplace-avec-traite.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := strings.Replace(string(rec), "traite: ../annexes/traite-fusion-msp-du-lac.pdf", "traite: traite.pdf", 1)
	if err := os.WriteFile(filepath.Join(dir, "cas4.yaml"), []byte(r), 0o644); err != nil {
		t.Fatal(err)
	}
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := dossier.LoadConfig(filepath.Join("..", "fixtures", "facturx", dossier.ConfigName), reg, pdfops.Disk{})
	if err != nil {
		t.Fatal(err)
	}
	ds := dossier.Check(cfg, reg, dossier.Read([]string{filepath.Join(dir, "cas4.yaml")}), dossier.Options{Phase: dossier.PhaseSolde, Files: pdfops.Disk{}})
	if len(ds) != 1 || ds[0].Blocked() {
		t.Fatalf("record: %v", ds[0].Problems)
	}
	_, err = testRenderer(t).Render(ds[0], dossier.FACTURE)
	if err == nil || !strings.Contains(err.Error(), "n'est pas conforme PDF/A-3") || !strings.Contains(err.Error(), "Helvetica") {
		t.Fatalf("got %v", err)
	}
}

// BenchmarkFactureFacturX: the cost of Factur-X on one facture (CII XML,
// PDF/A-3 rewrite, structure check), beside BenchmarkRender/FACTURE.
func BenchmarkFactureFacturX(b *testing.B) {
	var d *dossier.Dossier
	for _, x := range facturXDossiers(b) {
		if x.Numero() == "00042" {
			d = x
		}
	}
	r := testRenderer(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(d, dossier.FACTURE); err != nil {
			b.Fatal(err)
		}
	}
}

// readDoc is pdf as pdfin reads it.
func readDoc(t *testing.T, pdf []byte) *pdfin.Doc {
	t.Helper()
	d, err := pdfin.Read(pdf)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
