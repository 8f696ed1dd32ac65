package facturx

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfin"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/templates"
)

// sample returns the checked liberal-mom fixture under the Factur-X
// fournisseur, and its single facture as a Part.
func sample(t testing.TB) (*dossier.Dossier, Part, Texts) {
	t.Helper()
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg, probs, err := dossier.LoadConfig(filepath.Join("..", "fixtures", "facturx", dossier.ConfigName), reg, pdfops.Disk{})
	if err != nil || dossier.HasError(probs) {
		t.Fatal(err, probs)
	}
	ds := dossier.Check(cfg, reg, dossier.Read([]string{filepath.Join("..", "fixtures", "dossiers", "liberal-mom.yaml")}), dossier.Options{Phase: dossier.PhaseSolde, Files: pdfops.Disk{}})
	if len(ds) != 1 || ds[0].Blocked() {
		t.Fatalf("fixture: %v", ds)
	}
	d := ds[0]
	p := Part{
		Numero: d.Facture.Numero, Date: d.Facture.Date.Time, Total: d.Facture.Total, Paid: AmountPaid(d), Echeance: d.Facture.Echeance.Time,
		Lines: []Line{{Label: "Prestation Ségur", HT: d.Facture.Segur.HT}},
	}
	tx := Texts{Terms: "Date d'échéance : 12/03/2023", Penalites: "Pénalités : 3 × taux légal", Indemnite: "Indemnité : 40 €", Escompte: "Escompte : néant",
		General: []string{"Montant pris en charge par l'Etat <Ségur> & co", "Total HT de la Prestation Ségur (avance + solde) : 716,66\u00a0€"}}
	return d, p, tx
}

func sampleXML(t testing.TB) []byte {
	t.Helper()
	d, p, tx := sample(t)
	x, err := CII(d, p, tx)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestCIIValidAndDeterministic(t *testing.T) {
	x := sampleXML(t)
	if !bytes.Equal(x, sampleXML(t)) {
		t.Fatal("two builds differ")
	}
	s, err := Parse(x)
	if err != nil {
		t.Fatal(err)
	}
	if msgs := Verify(s); len(msgs) > 0 {
		t.Fatalf("sample fails EN 16931: %v", msgs)
	}
	// Escaping: the text comes back as given.
	if !slices.Contains(s.Notes, Note{"Montant pris en charge par l'Etat <Ségur> & co", "AAI"}) {
		t.Fatalf("notes %v", s.Notes)
	}
	// 716.66 HT at 20 %, avance 215.00 HT = 258.00 TTC paid.
	for got, want := range map[string]string{
		s.TaxBasis.StringFixed(2): "716.66", s.TaxTotal.StringFixed(2): "143.33", s.GrandTotal.StringFixed(2): "859.99",
		s.Prepaid.StringFixed(2): "258.00", s.Due.StringFixed(2): "601.99",
	} {
		if got != want {
			t.Errorf("amount %s, want %s", got, want)
		}
	}
	if s.Seller.LegalID != "747849081" || s.Seller.LegalScheme != "0002" || s.Seller.GlobalID != "74784908100019" || s.Seller.GlobalScheme != "0009" || s.Seller.VAT != "FR14747849081" {
		t.Errorf("seller ids %+v", s.Seller)
	}
}

// TestVerifyCatchesBrokenRules breaks one rule at a time in a valid XML.
func TestVerifyCatchesBrokenRules(t *testing.T) {
	x := string(sampleXML(t))
	cases := []struct{ name, old, new, rule string }{
		{"grand total", "<ram:GrandTotalAmount>859.99<", "<ram:GrandTotalAmount>859.98<", "BR-CO-15"},
		{"amount due", "<ram:DuePayableAmount>601.99<", "<ram:DuePayableAmount>859.99<", "BR-CO-16"},
		{"tax total", `currencyID="EUR">143.33<`, `currencyID="EUR">143.34<`, "BR-CO-14"},
		{"tax rounding", "<ram:CalculatedAmount>143.33<", "<ram:CalculatedAmount>143.34<", "BR-CO-17"},
		{"sum of lines", "<ram:LineTotalAmount>716.66</ram:LineTotalAmount>\n        <ram:TaxBasisTotalAmount>", "<ram:LineTotalAmount>716.67</ram:LineTotalAmount>\n        <ram:TaxBasisTotalAmount>", "BR-CO-10"},
		{"profile", "urn:cen.eu:en16931:2017", "urn:factur-x.eu:1p0:minimum", "BR-01"},
		{"type code", "<ram:TypeCode>380<", "<ram:TypeCode>999<", "BR-04"},
		{"seller name", "<ram:Name>Médisoft Santé SAS</ram:Name>", "<ram:Name></ram:Name>", "BR-06"},
		{"country", "<ram:CountryID>FR</ram:CountryID>\n        </ram:PostalTradeAddress>\n        <ram:URIUniversalCommunication>\n          <ram:URIID schemeID=\"EM\">facturation", "<ram:CountryID>France</ram:CountryID>\n        </ram:PostalTradeAddress>\n        <ram:URIUniversalCommunication>\n          <ram:URIID schemeID=\"EM\">facturation", "BR-09"},
		{"three decimals", "<ram:DuePayableAmount>601.99<", "<ram:DuePayableAmount>601.990<", "BR-DEC"},
		{"unit", `unitCode="C62"`, `unitCode="XXX"`, "BR-23"},
		{"category", "<ram:CategoryCode>S</ram:CategoryCode>\n          <ram:RateApplicablePercent>", "<ram:CategoryCode>Q</ram:CategoryCode>\n          <ram:RateApplicablePercent>", "BR-CO-04"},
		{"scheme", `schemeID="0002">747849081`, `schemeID="9999">747849081`, "BR-CL-10/11"},
		{"exempt without reason", "<ram:CategoryCode>S</ram:CategoryCode>\n        <ram:DueDateTypeCode>72</ram:DueDateTypeCode>", "<ram:CategoryCode>E</ram:CategoryCode>", "BR-E-10"},
		{"VAT point code", "<ram:DueDateTypeCode>72<", "<ram:DueDateTypeCode>3<", "UNTDID-2475"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(x, c.old) {
				t.Fatalf("sample has no %q", c.old)
			}
			s, err := Parse([]byte(strings.Replace(x, c.old, c.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			msgs := Verify(s)
			if !slices.ContainsFunc(msgs, func(m string) bool { return strings.HasPrefix(m, c.rule+" ") }) {
				t.Fatalf("want %s, got %v", c.rule, msgs)
			}
		})
	}
	t.Run("no due date nor terms", func(t *testing.T) {
		d, p, tx := sample(t)
		tx.Terms = ""
		p.Echeance = time.Time{}
		b, err := CII(d, p, tx)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		if msgs := Verify(s); !slices.ContainsFunc(msgs, func(m string) bool { return strings.HasPrefix(m, "BR-CO-25 ") }) {
			t.Fatalf("want BR-CO-25, got %v", msgs)
		}
	})
}

func TestParseRejects(t *testing.T) {
	x := string(sampleXML(t))
	for name, in := range map[string]string{
		"not xml":     "PDF",
		"bad amount":  strings.Replace(x, "<ram:GrandTotalAmount>859.99<", "<ram:GrandTotalAmount>8,59<", 1),
		"bad date":    strings.Replace(x, `format="102">20230210<`, `format="102">2023-02-10<`, 1),
		"date format": strings.Replace(x, `format="102">20230210<`, `format="203">20230210<`, 1),
		"too large":   strings.Repeat(" ", MaxXML+1),
	} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSplitAddress(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want address
	}{
		{[]string{"24 quai Perrache", "69002 Lyon"}, address{lines: []string{"24 quai Perrache"}, postcode: "69002", city: "Lyon"}},
		{[]string{"Bât. A", "3 rue X", "BP 4", "Cedex 9", "97200 Fort-de-France"}, address{lines: []string{"Bât. A", "3 rue X", "BP 4, Cedex 9"}, postcode: "97200", city: "Fort-de-France"}},
		{[]string{"Lyon"}, address{lines: []string{"Lyon"}}},
		{nil, address{}},
	} {
		got := splitAddress(c.in)
		if !slices.Equal(got.lines, c.want.lines) || got.postcode != c.want.postcode || got.city != c.want.city {
			t.Errorf("%q: %+v, want %+v", c.in, got, c.want)
		}
	}
}

// facturXPDF embeds the sample XML in a fixture PDF.
func facturXPDF(t *testing.T) ([]byte, []byte) {
	t.Helper()
	base, err := os.ReadFile(filepath.Join("..", "fixtures", "annexes", "traite-fusion-msp-du-lac.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	x := sampleXML(t)
	pdf, err := PDFA3(base, x, time.Date(2023, 2, 10, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return base, pdf
}

func TestPDFA3StructureAndMutations(t *testing.T) {
	base, pdf := facturXPDF(t)
	if msgs := CheckStructure(pdf); len(msgs) > 0 {
		t.Fatalf("structure: %v", msgs)
	}
	if _, again := facturXPDF(t); !bytes.Equal(again, pdf) {
		t.Fatal("not reproducible")
	}
	if got, err := Extract(pdf); err != nil || !bytes.Equal(got, sampleXML(t)) {
		t.Fatalf("extract: %v", err)
	}
	if _, err := Extract(base); err != ErrAbsent {
		t.Fatalf("plain PDF: %v", err)
	}
	if msgs := CheckStructure(base); len(msgs) < 5 {
		t.Fatalf("a plain PDF passes the structure check: %v", msgs)
	}
	// Same-length edits keep the cross-reference table right.
	for _, c := range []struct{ old, new, want string }{
		{"<pdfaid:part>3<", "<pdfaid:part>2<", "pdfaid:part>3"},
		{"<pdfaid:conformance>B<", "<pdfaid:conformance>U<", "conformance>B"},
		{"/AFRelationship/Alternative", "/AFRelationship/Unspecified", "AFRelationship"},
		{"/S/GTS_PDFA1", "/S/GTS_PDFX1", "GTS_PDFA1"},
		{"<fx:DocumentType>INVOICE<", "<fx:DocumentType>ORDERXX<", "fx:DocumentType"},
		{"/Subtype/text#2fxml", "/Subtype/text#2fcsv", "MIME"},
		{"/UF(factur-x.xml)", "/UF(factur-y.xml)", "/UF"},
	} {
		if !bytes.Contains(pdf, []byte(c.old)) {
			t.Errorf("no %q in the PDF", c.old)
			continue
		}
		msgs := CheckStructure(bytes.Replace(pdf, []byte(c.old), []byte(c.new), 1))
		if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, c.want) }) {
			t.Errorf("%s → %s: want a message about %s, got %v", c.old, c.new, c.want, msgs)
		}
	}
}

func TestCheckPDF(t *testing.T) {
	base, pdf := facturXPDF(t)
	all := Printed{Has: func(string) bool { return true }, HasDate: func(string) bool { return true }, HasAmount: func(string) bool { return true }}
	if fs := CheckPDF(readDoc(t, base), all, Expected{}); fs != nil {
		t.Fatalf("plain PDF: %v", fs)
	}
	if fs := CheckPDF(readDoc(t, pdf), all, Expected{Date: "10/02/2023", Montant: "716.66"}); len(fs) > 0 {
		t.Fatalf("clean: %v", fs)
	}
	codes := func(fs []Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Code+" "+f.Message)
		}
		return out
	}
	notTTC := all
	notTTC.HasAmount = func(a string) bool { return a != "859.99" }
	if fs := codes(CheckPDF(readDoc(t, pdf), notTTC, Expected{})); len(fs) != 1 || !strings.Contains(fs[0], "FACTURX_INCOHERENT") || !strings.Contains(fs[0], "total TTC") {
		t.Errorf("TTC not printed: %v", fs)
	}
	if fs := codes(CheckPDF(readDoc(t, pdf), all, Expected{Date: "11/02/2023"})); len(fs) != 1 || !strings.Contains(fs[0], "dateFacture") {
		t.Errorf("JSON date differs: %v", fs)
	}
	if fs := codes(CheckPDF(readDoc(t, pdf), all, Expected{Montant: "16.66"})); len(fs) != 1 || !strings.Contains(fs[0], "montantSegurHTFacture") {
		t.Errorf("JSON amount not in the XML: %v", fs)
	}
	noNumber := all
	noNumber.Has = func(string) bool { return false }
	if fs := codes(CheckPDF(readDoc(t, pdf), noNumber, Expected{})); len(fs) != 1 || !strings.Contains(fs[0], "numéro de facture") {
		t.Errorf("number not printed: %v", fs)
	}
}

func TestReadFileRefusesSpecialFiles(t *testing.T) {
	if _, err := ReadFile(t.TempDir()); err == nil || !strings.Contains(err.Error(), "fichier ordinaire") {
		t.Errorf("directory: %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "absent.pdf")); err == nil || !strings.Contains(err.Error(), "introuvable") {
		t.Errorf("missing: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sampleXML(f))
	f.Add([]byte(`<rsm:CrossIndustryInvoice xmlns:rsm="x"/>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err == nil {
			_ = Verify(s)
		}
	})
}

func TestObligation(t *testing.T) {
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := os.ReadFile(filepath.Join("..", "fixtures", "dossiers", "va2-maj-va2.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(filepath.Join("..", "fixtures", dossier.ConfigName))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name, facture, date string
		warn                bool
	}{
		{"an ETI after 1 September 2026", "facture:\n  categorie: ETI\n", "2026-10-05", true},
		{"an ETI before", "facture:\n  categorie: ETI\n", "2026-08-31", false},
		{"a PME in 2026", "facture:\n  categorie: PME\n", "2026-10-05", false},
		{"a PME in 2027", "facture:\n  categorie: PME\n", "2027-09-01", true},
		{"unknown size in 2026", "", "2026-10-05", false},
		{"unknown size in 2027", "", "2027-09-01", true},
		{"an ETI already on Factur-X", "facture:\n  categorie: ETI\n  format: factur-x\n", "2026-10-05", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfgPath := filepath.Join(dir, "segur.yaml")
			cfgData := strings.Replace(string(base), "\nsolutions:", "\n"+c.facture+"\nsolutions:", 1)
			if err := os.WriteFile(cfgPath, []byte(cfgData), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, probs, err := dossier.LoadConfig(cfgPath, reg, pdfops.Disk{})
			if err != nil || dossier.HasError(probs) {
				t.Fatal(err, probs)
			}
			r := strings.Replace(string(rec), "date: 2026-03-02", "date: "+c.date, 1)
			recPath := filepath.Join(dir, "r.yaml")
			if err := os.WriteFile(recPath, []byte(r), 0o644); err != nil {
				t.Fatal(err)
			}
			ds := dossier.Check(cfg, reg, dossier.Read([]string{recPath}), dossier.Options{Phase: dossier.PhaseSolde, Files: pdfops.Disk{}})
			got, err := Obligation(cfg, ds)
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) == 1) != c.warn || len(got) > 1 {
				t.Fatalf("warnings %v, want one: %v", got, c.warn)
			}
			if c.warn && (got[0].Code != "FACTURX_OBLIGATOIRE" || got[0].Level != dossier.Attention || !strings.Contains(got[0].Message, "format: factur-x")) {
				t.Errorf("warning %v", got[0])
			}
			if c.warn && (got[0].Pos.File != recPath || got[0].Pos.Line <= 1) {
				t.Errorf("warning at %v, want the line of facture.date in %s", got[0].Pos, recPath)
			}
		})
	}
}

// FuzzExtract feeds damaged Factur-X files to the read-back: errors, never
// a panic.
func FuzzExtract(f *testing.F) {
	base, err := os.ReadFile(filepath.Join("..", "fixtures", "annexes", "traite-fusion-msp-du-lac.pdf"))
	if err != nil {
		f.Fatal(err)
	}
	pdf, err := PDFA3(base, []byte("<x/>"), time.Date(2023, 2, 10, 0, 0, 0, 0, time.UTC))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pdf)
	f.Add(base)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Extract(b)
		_ = CheckStructure(b)
	})
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
