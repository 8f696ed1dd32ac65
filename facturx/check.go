package facturx

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/segur-sons/segur/internal/pdfin"
)

// Finding is one problem found in a Factur-X facture read back, with a
// stable code.
type Finding struct {
	Code    string
	Message string
}

// Expected is what the facture's JSON line says, as written there
// ("" when unknown): the facture date dd/mm/yyyy.
type Expected struct {
	Date    string
	Montant string // montantSegurHTFacture, e.g. 716.66
}

// Printed answers questions about the facture's printed text, the way the
// read-back of the dépôt reads it.
type Printed struct {
	Has       func(s string) bool      // s is printed (spaces ignored)
	HasDate   func(date string) bool   // dd/mm/yyyy is printed
	HasAmount func(amount string) bool // 1075.00 is printed as « 1 075,00 € »
}

// CheckPDF reads the factur-x.xml of a facture PDF back and compares it
// with the printed text and the JSON line: a PDF
// without the XML gives nothing (plain PDF is the default format). The XML
// must pass Verify, the PDF CheckStructure; its number, issue date and amounts (total HT, TVA, TTC,
// already paid, due) must be printed on the facture, and its date must be
// the JSON's dateFacture; the JSON's montantSegurHTFacture must be the
// Ségur total the XML's notes state.
func CheckPDF(pdf *pdfin.Doc, printed Printed, want Expected) []Finding {
	xmlData, err := extract(pdf)
	if errors.Is(err, ErrAbsent) {
		return nil
	}
	if err != nil {
		return []Finding{{"FACTURX_ILLISIBLE", err.Error()}}
	}
	s, err := Parse(xmlData)
	if err != nil {
		return []Finding{{"FACTURX_ILLISIBLE", "factur-x.xml : " + err.Error()}}
	}
	var out []Finding
	for _, m := range checkStructure(pdf) {
		out = append(out, Finding{"FACTURX_STRUCTURE", "structure PDF/A-3 ou Factur-X : " + m})
	}
	for _, m := range Verify(s) {
		out = append(out, Finding{"FACTURX_INVALIDE", "factur-x.xml ne respecte pas la norme EN 16931 : " + m})
	}
	if s.Numero != "" && !printed.Has(s.Numero) {
		out = append(out, Finding{"FACTURX_INCOHERENT", fmt.Sprintf("le numéro de facture %s du XML ne figure pas sur la facture", s.Numero)})
	}
	if !s.Date.IsZero() {
		d := s.Date.Format("02/01/2006")
		if !printed.HasDate(d) {
			out = append(out, Finding{"FACTURX_INCOHERENT", fmt.Sprintf("la date %s du XML ne figure pas sur la facture", d)})
		}
		if want.Date != "" && want.Date != d {
			out = append(out, Finding{"FACTURX_INCOHERENT", fmt.Sprintf("la date %s du XML diffère de la date de facture %s du JSON (dateFacture)", d, want.Date)})
		}
	}
	if want.Montant != "" && !notesHaveAmount(s.Notes, want.Montant) {
		out = append(out, Finding{"FACTURX_INCOHERENT", fmt.Sprintf("le montant %s du JSON (montantSegurHTFacture) ne figure pas dans les mentions du XML", want.Montant)})
	}
	for _, a := range []struct {
		what string
		v    string
		skip bool
	}{
		{"total HT", s.TaxBasis.StringFixed(2), false},
		{"total TVA", s.TaxTotal.StringFixed(2), s.TaxTotal.IsZero()},
		{"total TTC", s.GrandTotal.StringFixed(2), false},
		{"montant déjà payé", s.Prepaid.StringFixed(2), s.Prepaid.IsZero()},
		{"net à payer", s.Due.StringFixed(2), s.Due.Equal(s.GrandTotal)},
	} {
		if a.skip {
			continue
		}
		if !printed.HasAmount(a.v) {
			out = append(out, Finding{"FACTURX_INCOHERENT", fmt.Sprintf("le %s du XML (%s) ne figure pas sur la facture", a.what, a.v)})
		}
	}
	return out
}

// notesHaveAmount reports whether a note states amount (1075.00) as
// « 1 075,00 € », whatever the spaces.
func notesHaveAmount(notes []Note, amount string) bool {
	want := strings.Replace(amount, ".", ",", 1) + "€"
	for _, n := range notes {
		flat := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) {
				return -1
			}
			return r
		}, n.Content)
		for i := 0; ; {
			j := strings.Index(flat[i:], want)
			if j < 0 {
				break
			}
			j += i
			if j == 0 || flat[j-1] < '0' || flat[j-1] > '9' {
				return true
			}
			i = j + 1
		}
	}
	return false
}
