package render

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/shopspring/decimal"
)

func TestMain(m *testing.M) {
	api.DisableConfigDir() // pdfcpu must never write to $HOME
	os.Exit(m.Run())
}

func loadFonts(tb testing.TB) Fonts {
	tb.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile("../templates/fonts/" + name)
		if err != nil {
			tb.Fatalf("read font: %v", err)
		}
		return b
	}
	return Fonts{Regular: read("DejaVuSans-segur.ttf"), Bold: read("DejaVuSans-Bold-segur.ttf")}
}

// testLogo is a small PNG, built in memory so that it is the same every run.
func testLogo(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 40))
	for y := 0; y < 40; y++ {
		for x := 0; x < 120; x++ {
			c := color.RGBA{R: 20, G: 60, B: 120, A: 255}
			if (x/10+y/10)%2 == 0 {
				c = color.RGBA{R: 200, G: 210, B: 230, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatalf("encode logo: %v", err)
	}
	return buf.Bytes()
}

var (
	sampleDate = time.Date(2023, 2, 10, 0, 0, 0, 0, time.UTC)

	sampleMeta = Meta{
		Title:    "Attestation de vérification d’aptitude – FINMDV000042",
		Author:   "Éditions Médicales Lœwy SARL",
		Subject:  "Médecine de ville – Logiciel de gestion de cabinet (Va1)",
		Keywords: "FINMDV000042 00042 VA",
		Date:     sampleDate,
		FileName: "MDV-LGC-Va1-VA-00042.pdf",
	}

	longParagraph = "Je soussigné, représentant légal de la structure bénéficiaire, atteste sur l’honneur " +
		"que la Prestation Ségur a été réalisée conformément au bon de commande, que le logiciel référencé " +
		"est installé, paramétré et utilisé en conditions réelles, et que les données transmises à " +
		"l’Agence de services et de paiement sont exactes. Cette attestation est établie « pour servir " +
		"et valoir ce que de droit » ; elle engage son signataire œuvrant à Besançon, Noël, Ça et Là."

	// longWord is wider than a value column at the body size.
	longWord = "secretariat.du.centre.de.sante.pluriprofessionnel.des.lilas@patient.mssante.fr"

	frenchLine = "Caractères : é è ê à ç œ Œ « guillemets » l’apostrophe, 1 075,00 € – fin…"
)

// sampleDoc builds a two-page document that uses every helper.
func sampleDoc(tb testing.TB, fonts Fonts, meta Meta) []byte {
	tb.Helper()
	d, err := NewDoc(fonts, meta, Header{
		Name:  "Éditions Médicales Lœwy SARL",
		Lines: []string{"12 rue de l’Église, 75011 Paris", "SIRET 732 829 320 00074 – contact@loewy.example"},
		Logo:  testLogo(tb),
	})
	if err != nil {
		tb.Fatalf("NewDoc: %v", err)
	}
	d.Title("Attestation de vérification d’aptitude (VA)")
	d.Section("Références du dossier")
	d.KeyValue("Dispositif", "Médecine de ville – Logiciel de gestion de cabinet (MDV-LGC-Va1)")
	d.KeyValue("N° de dossier ASP", "FINMDV000042")
	d.KeyValue("N° éditeur", "00042")
	d.KeyValue("Adresse MSS", "cabinet.lilas@medecin.mssante.fr")
	d.KeyValue("Adresse MSS patients", longWord)
	d.Section("Attestation")
	d.Paragraph(longParagraph)
	d.Lines([]string{frenchLine, "Seconde ligne, séparée de la première."})
	d.Check(true, "Flux DMP assurés par le logiciel objet de la Prestation Ségur, seuil atteint")
	d.Check(false, "Flux DMP assurés par un logiciel distinct de celui objet de la Prestation Ségur")
	d.Section("Montants")
	d.Table(
		[]string{"Désignation", "Quantité", "Prix unitaire HT", "TVA", "Montant HT"},
		[][]string{
			{"Prestation Ségur – Logiciel Lœwy Cabinet version 4.2, installation et paramétrage complets", "1", Euros(decimal.RequireFromString("1075")), Percent(decimal.NewFromInt(20)), Euros(decimal.RequireFromString("1075"))},
			{"Accompagnement renforcé", "2", Euros(decimal.RequireFromString("150.5")), Percent(decimal.RequireFromString("8.5")), Euros(decimal.RequireFromString("301"))},
		},
		[]int{40, 12, 18, 12, 18},
	)
	d.Paragraph("Montant pris en charge par l’Etat au titre du Ségur de la santé.")
	d.SignatureBlock([]string{"Fait à Besançon, le " + Date(sampleDate), "Nom, qualité : Dr Zoé Lœwy, médecin", "Signature précédée de « Bon pour accord »"})
	d.PageBreak()
	d.Title("Bénéficiaire n° 2")
	d.KeyValue("RPPS", "10100000008")
	b, err := d.Bytes()
	if err != nil {
		tb.Fatalf("Bytes: %v", err)
	}
	return b
}

func TestSameInputSameBytes(t *testing.T) {
	t.Parallel()
	fonts := loadFonts(t)
	want := sampleDoc(t, fonts, sampleMeta)
	// Map order is random in Go: several runs make an order-dependent
	// output very likely to show.
	for i := 0; i < 10; i++ {
		if got := sampleDoc(t, fonts, sampleMeta); !bytes.Equal(got, want) {
			t.Fatalf("run %d: got %d bytes differing from the first run's %d bytes", i+2, len(got), len(want))
		}
	}
	// Concurrent documents with other dates must not leak their date into
	// this one (gofpdf's defaults are package-level).
	var wg sync.WaitGroup
	results := make([][]byte, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := sampleMeta
			if i%2 == 1 {
				m.Date = sampleDate.AddDate(0, 0, i)
			}
			results[i] = sampleDoc(t, fonts, m)
		}()
	}
	wg.Wait()
	for i := 0; i < len(results); i += 2 {
		if !bytes.Equal(results[i], want) {
			t.Errorf("concurrent run %d: bytes differ from the sequential run", i)
		}
	}
	for _, s := range []string{"/CreationDate", "/ModDate"} {
		if !bytes.Contains(want, []byte(s+" (D:20230210000000)")) {
			t.Errorf("got no %s (D:20230210000000) in the PDF, want the meta date", s)
		}
	}
}

func TestValidStrictWithMetadata(t *testing.T) {
	t.Parallel()
	b := sampleDoc(t, loadFonts(t), sampleMeta)
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationStrict
	if err := api.Validate(bytes.NewReader(b), conf); err != nil {
		t.Fatalf("strict validation: %v", err)
	}
	ctx, err := api.ReadContext(bytes.NewReader(b), conf)
	if err != nil {
		t.Fatalf("read context: %v", err)
	}
	if err := api.ValidateContext(ctx); err != nil {
		t.Fatalf("validate context: %v", err)
	}
	if got := ctx.PageCount; got != 2 {
		t.Errorf("pages: got %d, want 2", got)
	}
	for _, tc := range []struct{ field, got, want string }{
		{"Title", ctx.Title, sampleMeta.Title},
		{"Author", ctx.Author, sampleMeta.Author},
		{"Subject", ctx.Subject, sampleMeta.Subject},
		{"Keywords", ctx.Keywords, sampleMeta.Keywords},
		{"Creator", ctx.Creator, "segur"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.field, tc.got, tc.want)
		}
	}
}

func requirePdftotext(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not on PATH")
	}
}

func pdftotext(t *testing.T, pdf []byte, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "pdftotext", append(args, "-", "-")...)
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext %v: %v: %s", args, err, stderr.String())
	}
	return string(out)
}

var spaces = regexp.MustCompile(`\s+`)

func TestTextExtraction(t *testing.T) {
	t.Parallel()
	requirePdftotext(t)
	b := sampleDoc(t, loadFonts(t), sampleMeta)
	raw := pdftotext(t, b, "-layout")
	got := spaces.ReplaceAllString(raw, " ")
	for _, want := range []string{
		"Éditions Médicales Lœwy SARL",
		"12 rue de l’Église, 75011 Paris",
		"Attestation de vérification d’aptitude (VA)",
		frenchLine,
		longParagraph, // wrapped on several lines, read back in order
		BoxTicked + " Flux DMP assurés par le logiciel objet de la Prestation Ségur, seuil atteint",
		BoxEmpty + " Flux DMP assurés par un logiciel distinct",
		"1 075,00 €",
		"150,50 €",
		"8,5 %",
		"cabinet.lilas@medecin.mssante.fr",
		longWord,
		"Signature précédée de « Bon pour accord »",
		"MDV-LGC-Va1-VA-00042.pdf",
		"Page 1/2",
		"Page 2/2",
		"Bénéficiaire n° 2",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("extracted text: got no %q in:\n%s", want, raw)
		}
	}
}

// word is a word's box, in points, as given by pdftotext -bbox.
type word struct {
	text                   string
	page                   int
	xMin, yMin, xMax, yMax float64
}

var (
	pageTag = regexp.MustCompile(`<page width="([0-9.]+)" height="([0-9.]+)">`)
	wordTag = regexp.MustCompile(`<word xMin="([0-9.-]+)" yMin="([0-9.-]+)" xMax="([0-9.-]+)" yMax="([0-9.-]+)">([^<]*)</word>`)
)

func TestNoTextOutsideThePageNorOverlapping(t *testing.T) {
	t.Parallel()
	requirePdftotext(t)
	checkLayout(t, sampleDoc(t, loadFonts(t), sampleMeta), 100)
}

// checkLayout checks, on the words pdftotext finds, that the PDF has at least
// minWords words, none outside the text area (left and right margins, page
// top and bottom) and no two overlapping.
func checkLayout(t *testing.T, pdf []byte, minWords int) {
	t.Helper()
	out := pdftotext(t, pdf, "-bbox")
	var words []word
	var width, height float64
	for n, p := range strings.Split(out, "<page ")[1:] {
		m := pageTag.FindStringSubmatch("<page " + p)
		if m == nil {
			t.Fatalf("page %d: no size in pdftotext -bbox output", n+1)
		}
		width, _ = strconv.ParseFloat(m[1], 64)
		height, _ = strconv.ParseFloat(m[2], 64)
		for _, w := range wordTag.FindAllStringSubmatch(p, -1) {
			f := func(i int) float64 { v, _ := strconv.ParseFloat(w[i], 64); return v }
			words = append(words, word{text: w[5], page: n + 1, xMin: f(1), yMin: f(2), xMax: f(3), yMax: f(4)})
		}
	}
	if len(words) < minWords {
		t.Fatalf("got %d words, want at least %d", len(words), minWords)
	}
	const mm = 72 / 25.4
	for _, w := range words {
		if w.xMin < margin*mm-0.5 || w.xMax > width-margin*mm+0.5 || w.yMin < 0 || w.yMax > height {
			t.Errorf("page %d: word %q at x %.1f–%.1f y %.1f–%.1f is outside the text area (%.0f×%.0f pt)",
				w.page, w.text, w.xMin, w.xMax, w.yMin, w.yMax, width, height)
		}
	}
	// Word boxes include the font's ascent and descent: allow a small
	// vertical overlap between consecutive lines.
	const slack = 1.0
	for i, a := range words {
		for _, b := range words[i+1:] {
			if a.page == b.page && a.xMin < b.xMax-slack && b.xMin < a.xMax-slack &&
				a.yMin < b.yMax-slack && b.yMin < a.yMax-slack {
				t.Errorf("page %d: %q and %q overlap", a.page, a.text, b.text)
			}
		}
	}
}

func TestNewDocRejects(t *testing.T) {
	t.Parallel()
	fonts := loadFonts(t)
	noBox := fonts
	noBox.Bold = nil
	logo := testLogo(t)
	for _, tc := range []struct {
		name   string
		fonts  Fonts
		meta   func(Meta) Meta
		header Header
		want   string
	}{
		{"a meta without date", fonts, func(m Meta) Meta { m.Date = time.Time{}; return m }, Header{Name: "X"}, "no date"},
		{"a meta without file name", fonts, func(m Meta) Meta { m.FileName = ""; return m }, Header{Name: "X"}, "no file name"},
		{"a header without name", fonts, func(m Meta) Meta { return m }, Header{}, "no name"},
		{"a missing bold font", noBox, func(m Meta) Meta { return m }, Header{Name: "X"}, "bold font: empty"},
		{"a font that is not TrueType", Fonts{Regular: []byte("not a font at all"), Bold: fonts.Bold}, func(m Meta) Meta { return m }, Header{Name: "X"}, "regular font: parse"},
		{"a logo that is neither PNG nor JPEG", fonts, func(m Meta) Meta { return m }, Header{Name: "X", Logo: []byte("GIF89a")}, "ni une image PNG ni une image JPEG"},
		{"a truncated PNG logo", fonts, func(m Meta) Meta { return m }, Header{Name: "X", Logo: logo[:40]}, "illisible"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewDoc(tc.fonts, tc.meta(sampleMeta), tc.header)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got doc %v, error %v; want an error containing %q", d != nil, err, tc.want)
			}
		})
	}
}

func TestTableRejectsBadShapes(t *testing.T) {
	t.Parallel()
	fonts := loadFonts(t)
	for _, tc := range []struct {
		name   string
		header []string
		rows   [][]string
		widths []int
		want   string
	}{
		{"no columns", nil, nil, nil, "no columns"},
		{"fewer widths than columns", []string{"a", "b"}, nil, []int{100}, "got 1 widths for 2 columns"},
		{"widths not adding up to 100", []string{"a", "b"}, nil, []int{50, 40}, "add up to 90"},
		{"a zero width", []string{"a", "b"}, nil, []int{100, 0}, "not positive"},
		{"a short row", []string{"a", "b"}, [][]string{{"x", "y"}, {"z"}}, []int{50, 50}, "row 2: got 1 cells"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewDoc(fonts, sampleMeta, Header{Name: "X"})
			if err != nil {
				t.Fatalf("NewDoc: %v", err)
			}
			d.Table(tc.header, tc.rows, tc.widths)
			_, err = d.Bytes()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestBytesTwice(t *testing.T) {
	t.Parallel()
	d, err := NewDoc(loadFonts(t), sampleMeta, Header{Name: "X"})
	if err != nil {
		t.Fatalf("NewDoc: %v", err)
	}
	d.Paragraph("Un.")
	if _, err := d.Bytes(); err != nil {
		t.Fatalf("first Bytes: %v", err)
	}
	if _, err := d.Bytes(); err == nil {
		t.Fatalf("second Bytes: got no error, want one")
	}
}

func TestPageBreakOnEmptyPageAddsNoPage(t *testing.T) {
	t.Parallel()
	d, err := NewDoc(loadFonts(t), sampleMeta, Header{Name: "X"})
	if err != nil {
		t.Fatalf("NewDoc: %v", err)
	}
	d.PageBreak()
	d.Paragraph("Un.")
	d.PageBreak()
	d.PageBreak()
	d.Paragraph("Deux.")
	b, err := d.Bytes()
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	n, err := api.PageCount(bytes.NewReader(b), nil)
	if err != nil {
		t.Fatalf("page count: %v", err)
	}
	if n != 2 {
		t.Errorf("pages: got %d, want 2", n)
	}
}

func TestLongDocumentFlowsOnPages(t *testing.T) {
	t.Parallel()
	d, err := NewDoc(loadFonts(t), sampleMeta, Header{Name: "X", Logo: testLogo(t)})
	if err != nil {
		t.Fatalf("NewDoc: %v", err)
	}
	for i := 0; i < 20; i++ {
		d.Paragraph(longParagraph)
	}
	// One paragraph longer than a page.
	d.Paragraph(strings.Repeat(longParagraph+" ", 20))
	b, err := d.Bytes()
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationStrict
	if err := api.Validate(bytes.NewReader(b), conf); err != nil {
		t.Fatalf("strict validation: %v", err)
	}
	n, err := api.PageCount(bytes.NewReader(b), conf)
	if err != nil {
		t.Fatalf("page count: %v", err)
	}
	if n < 3 || n > 6 {
		t.Errorf("pages: got %d, want 3 to 6 for 40 paragraphs' worth", n)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		checkLayout(t, b, 2900)
		if got, want := strings.Count(spaces.ReplaceAllString(pdftotext(t, b), " "), "Noël, Ça et Là."), 40; got != want {
			t.Errorf("paragraph ends read back: got %d, want %d", got, want)
		}
	}
}

func TestPercent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"20", "20 %"},
		{"8.5", "8,5 %"},
		{"8.50", "8,5 %"},
		{"0", "0 %"},
		{"33.33", "33,33 %"},
	} {
		if got := Percent(decimal.RequireFromString(tc.in)); got != tc.want {
			t.Errorf("Percent(%s): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	if got, want := Date(time.Date(2023, 2, 10, 23, 59, 0, 0, time.UTC)), "10/02/2023"; got != want {
		t.Errorf("Date: got %q, want %q", got, want)
	}
}

func TestNumericColumns(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cell string
		want bool
	}{
		{"1 075,00 €", true},
		{"-12,50 €", true},
		{"2", true},
		{"20 %", true},
		{"8,5 %", true},
		{"10/02/2023", false},
		{"Prestation Ségur", false},
		{"10003461034 (RPPS)", false},
	} {
		if got := numeric.MatchString(tc.cell); got != tc.want {
			t.Errorf("numeric %q: got %v, want %v", tc.cell, got, tc.want)
		}
	}
}

// onePage renders a typical one-page document.
func onePage(fonts Fonts, logo []byte) error {
	d, err := NewDoc(fonts, sampleMeta, Header{Name: "Éditions Médicales Lœwy SARL", Lines: []string{"12 rue de l’Église, 75011 Paris"}, Logo: logo})
	if err != nil {
		return err
	}
	d.Title("Déclaration de mise en ordre de marche (MOM)")
	d.Section("Références")
	d.KeyValue("N° de dossier ASP", "FINMDV000042")
	d.KeyValue("N° éditeur", "00042")
	d.Paragraph(longParagraph)
	d.Check(true, "Flux DMP assurés par le logiciel objet de la Prestation Ségur")
	d.Check(false, "Flux MSS patients assurés par un logiciel distinct")
	d.SignatureBlock([]string{"Fait à Paris, le 10/02/2023"})
	_, err = d.Bytes()
	return err
}

func BenchmarkOnePageDocument(b *testing.B) {
	fonts, logo := loadFonts(b), testLogo(b)
	for b.Loop() {
		if err := onePage(fonts, logo); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOnePageDocumentParallel(b *testing.B) {
	fonts, logo := loadFonts(b), testLogo(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := onePage(fonts, logo); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// TestKeepTogether: a statement and its signature box that do not both fit
// at the foot of a page move to the next one together; without
// KeepTogether the box alone would.
func TestKeepTogether(t *testing.T) {
	requirePoppler(t)
	// together renders n filler lines then the statement and its box, and
	// reports whether they share their last page.
	together := func(n int, keep bool) bool {
		d, err := NewDoc(loadFonts(t), sampleMeta, Header{Name: "X"})
		if err != nil {
			t.Fatalf("NewDoc: %v", err)
		}
		for i := 0; i < n; i++ {
			d.Paragraph(fmt.Sprintf("Ligne de remplissage %d.", i))
		}
		block := func() {
			d.Paragraph("Déclaration signée ci-dessous.")
			d.SignatureBlock([]string{"Signataire", "Signature :"})
		}
		if keep {
			d.KeepTogether(block)
		} else {
			block()
		}
		b, err := d.Bytes()
		if err != nil {
			t.Fatalf("Bytes: %v", err)
		}
		pages := strings.Split(strings.TrimSuffix(pdftotext(t, b), "\f"), "\f")
		last := pages[len(pages)-1]
		return strings.Contains(last, "Déclaration signée") && strings.Contains(last, "Signature :")
	}
	split := 0
	for n := 30; n < 60 && split == 0; n++ {
		if !together(n, false) {
			split = n
		}
	}
	if split == 0 {
		t.Fatal("no filler length separates the statement from its box: the test lost its point")
	}
	if !together(split, true) {
		t.Errorf("with %d filler lines KeepTogether left the box alone on the last page", split)
	}
}
