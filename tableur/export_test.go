package tableur

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var exportLines = []Line{
	{Numero: "00042", Dispositif: "MDV-LGC-Va1", Client: "Cabinet des Lilas", State: "prêt", Justificatif: "MOM", HT: dec("716.66"), TVA: dec("143.33"), TTC: dec("859.99")},
	{Numero: "00043", Dispositif: "MDV-LGC-Va1", Client: "=HYPERLINK(\"http://x\")", State: "bloqué", Justificatif: "VA", HT: dec("358.33"), TVA: dec("71.67"), TTC: dec("430.00"), Signers: []string{"Hélène Rousseau"}, Problems: []string{"VA non signée [VA_NON_SIGNEE]"}},
	{Numero: "00044", Dispositif: "MDV-LGC-Va1", Client: "@SUM(A1)", State: "prêt", Justificatif: "MOM", HT: dec("0.01"), TVA: dec("0.00"), TTC: dec("0.01")},
	{Numero: "00051", Dispositif: "MDV-LGC-Va2", Client: "+33 1 23", State: "prêt", Justificatif: "MOM", HT: dec("376.25"), TVA: dec("75.25"), TTC: dec("451.50")},
}

func TestTotalsPerStateAndDispositif(t *testing.T) {
	got := Totals(exportLines)
	want := []Total{
		{State: "bloqué", Dispositif: "MDV-LGC-Va1", Count: 1, HT: dec("358.33"), TVA: dec("71.67"), TTC: dec("430.00")},
		{State: "prêt", Dispositif: "MDV-LGC-Va1", Count: 2, HT: dec("716.67"), TVA: dec("143.33"), TTC: dec("860.00")},
		{State: "prêt", Dispositif: "MDV-LGC-Va2", Count: 1, HT: dec("376.25"), TVA: dec("75.25"), TTC: dec("451.50")},
		{Count: 4, HT: dec("1451.25"), TVA: dec("290.25"), TTC: dec("1741.50")},
	}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.State != w.State || g.Dispositif != w.Dispositif || g.Count != w.Count || !g.HT.Equal(w.HT) || !g.TVA.Equal(w.TVA) || !g.TTC.Equal(w.TTC) {
			t.Errorf("total %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestExportXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := ExportXLSX(&buf, exportLines); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := spec(t)
	rows, err := f.GetRows(s.Export.Sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][0] != "Numéro éditeur" || rows[2][5] != "358.33" || rows[2][8] != "Hélène Rousseau" || !strings.Contains(rows[2][9], "VA_NON_SIGNEE") {
		t.Fatalf("dossiers sheet: %q", rows)
	}
	if typ, _ := f.GetCellType(s.Export.Sheet, "F3"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("amount written as text")
	}
	tot, err := f.GetRows(s.Export.TotalsSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(tot) != 5 || tot[4][0] != "Total" || tot[4][2] != "4" || tot[4][5] != "1741.50" || tot[2][0] != "prêt" || tot[2][3] != "716.67" {
		t.Fatalf("totals sheet: %q", tot)
	}
}

func TestExportCSVNeutralisesFormulas(t *testing.T) {
	var buf bytes.Buffer
	if err := ExportCSV(&buf, exportLines); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\ufeffNuméro éditeur;") {
		t.Fatalf("no BOM or header: %q", out[:40])
	}
	for _, want := range []string{`"'=HYPERLINK(""http://x"")"`, ";'@SUM(A1);", ";'+33 1 23;", ";358,33;71,67;430,00;"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
	// Read back, the CSV gives the same dossiers, cut at nothing.
	res := strings.Count(out, "\r\n")
	if res != len(exportLines)+1 {
		t.Errorf("%d lines", res)
	}
}
