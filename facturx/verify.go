package facturx

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// Code lists of EN 16931 that segur's invoices may use. A value outside
// them is an error even when the official rules would accept it: segur
// writes nothing else.
var (
	// UNTDID 5305, the categories EN 16931 allows.
	vatCategories = []string{"S", "Z", "E", "AE", "K", "G", "O", "L", "M"}
	// UNTDID 2475 as restricted by EN 16931 (BT-8).
	dueDateCodes = []string{"5", "29", "72"}
	// ISO/IEC 6523 schemes segur writes: 0002 SIREN, 0009 SIRET.
	icdSchemes = []string{"0002", "0009"}
	twoDecimal = regexp.MustCompile(`^-?\d+(\.\d{1,2})?$`)
	country    = regexp.MustCompile(`^[A-Z]{2}$`)
	currency   = regexp.MustCompile(`^[A-Z]{3}$`)
)

// Verify checks s against the EN 16931 business rules that apply to the
// invoices segur writes (mandatory fields BR-01…BR-16, lines BR-21…BR-26,
// the totals BR-CO-10…BR-CO-17 and BR-CO-25/26, VAT categories S and E,
// BR-DEC two decimals) and the code lists it uses. Each failure is one
// French message naming the rule. It is the check CI runs without the
// official XSLT artefacts, and the one `segur check` runs on every
// Factur-X facture.
func Verify(s *Summary) []string {
	var out []string
	fail := func(rule, format string, args ...any) {
		out = append(out, rule+" : "+fmt.Sprintf(format, args...))
	}
	data, err := Load()
	if err != nil {
		return []string{err.Error()}
	}
	if s.Guideline != data.Profil.Guideline {
		fail("BR-01", "profil « %s », attendu « %s »", s.Guideline, data.Profil.Guideline)
	}
	if s.Numero == "" {
		fail("BR-02", "numéro de facture absent")
	}
	if s.Date.IsZero() {
		fail("BR-03", "date d'émission absente")
	}
	if s.TypeCode != data.Types.Facture && s.TypeCode != data.Types.Avoir {
		fail("BR-04", "type de document « %s », attendu %s ou %s", s.TypeCode, data.Types.Facture, data.Types.Avoir)
	}
	if !currency.MatchString(s.Currency) {
		fail("BR-05", "devise « %s » invalide", s.Currency)
	}
	if s.Seller.Name == "" {
		fail("BR-06", "nom du vendeur absent")
	}
	if s.Buyer.Name == "" {
		fail("BR-07", "nom de l'acheteur absent")
	}
	if !country.MatchString(s.Seller.Country) {
		fail("BR-09", "pays du vendeur « %s » invalide", s.Seller.Country)
	}
	if !country.MatchString(s.Buyer.Country) {
		fail("BR-11", "pays de l'acheteur « %s » invalide", s.Buyer.Country)
	}
	if len(s.Lines) == 0 {
		fail("BR-16", "aucune ligne de facture")
	}
	for _, sc := range []string{s.Seller.GlobalScheme, s.Seller.LegalScheme, s.Buyer.LegalScheme} {
		if sc != "" && !slices.Contains(icdSchemes, sc) {
			fail("BR-CL-10/11", "schéma d'identifiant « %s » hors liste ISO 6523 attendue", sc)
		}
	}
	if s.Seller.GlobalID == "" && s.Seller.LegalID == "" && s.Seller.VAT == "" {
		fail("BR-CO-26", "le vendeur n'a ni identifiant, ni SIREN, ni TVA")
	}
	for _, v := range []string{s.Seller.VAT, s.Buyer.VAT} {
		if v != "" && !country.MatchString(v[:min(2, len(v))]) {
			fail("BR-CO-09", "numéro de TVA « %s » sans préfixe pays", v)
		}
	}
	if s.TaxTotalCurrency != "" && s.TaxTotalCurrency != s.Currency {
		fail("DEVISE", "devise du total TVA « %s » différente de « %s »", s.TaxTotalCurrency, s.Currency)
	}
	for field, v := range s.raw {
		if strings.Contains(field, "Quantity") || strings.Contains(field, "Rate") {
			continue
		}
		if !twoDecimal.MatchString(v) {
			fail("BR-DEC", "%s « %s » : deux décimales au plus", field, v)
		}
	}

	// Lines.
	var sum decimal.Decimal
	type key struct{ cat, rate string }
	basis := map[key]decimal.Decimal{}
	ids := map[string]bool{}
	for i, l := range s.Lines {
		n := i + 1
		if l.ID == "" || ids[l.ID] {
			fail("BR-21", "ligne %d : identifiant absent ou en double", n)
		}
		ids[l.ID] = true
		if l.Quantity.IsZero() {
			fail("BR-22", "ligne %d : quantité absente", n)
		}
		if l.UnitCode != data.Unite {
			fail("BR-23", "ligne %d : unité « %s », attendu %s", n, l.UnitCode, data.Unite)
		}
		if l.Name == "" {
			fail("BR-25", "ligne %d : désignation absente", n)
		}
		if l.Price.IsNegative() {
			fail("BR-27", "ligne %d : prix unitaire négatif", n)
		}
		if !l.Total.Equal(l.Price.Mul(l.Quantity).Round(2)) {
			fail("BR-LINE", "ligne %d : total %s ≠ quantité × prix (%s × %s)", n, l.Total.StringFixed(2), l.Quantity, l.Price.StringFixed(2))
		}
		if !slices.Contains(vatCategories, l.Category) {
			fail("BR-CO-04", "ligne %d : catégorie de TVA « %s » invalide", n, l.Category)
		}
		sum = sum.Add(l.Total)
		k := key{l.Category, l.Rate.StringFixed(2)}
		basis[k] = basis[k].Add(l.Total)
	}
	if !sum.Equal(s.LineTotal) {
		fail("BR-CO-10", "somme des lignes %s ≠ total des lignes %s", sum.StringFixed(2), s.LineTotal.StringFixed(2))
	}
	if !s.TaxBasis.Equal(s.LineTotal) {
		fail("BR-CO-13", "base HT %s ≠ total des lignes %s (ni remise ni frais)", s.TaxBasis.StringFixed(2), s.LineTotal.StringFixed(2))
	}

	// VAT breakdown.
	if len(s.Taxes) == 0 {
		fail("BR-CO-18", "aucune ventilation de TVA")
	}
	var taxes decimal.Decimal
	for i, t := range s.Taxes {
		n := i + 1
		if t.Type != "VAT" {
			fail("TYPE-TVA", "TVA %d : type « %s », attendu VAT", n, t.Type)
		}
		if !slices.Contains(vatCategories, t.Category) {
			fail("BR-CO-18", "TVA %d : catégorie « %s » invalide", n, t.Category)
		}
		if want := t.Basis.Mul(t.Rate).Div(decimal.NewFromInt(100)).Round(2); !t.Calculated.Equal(want) {
			fail("BR-CO-17", "TVA %d : montant %s ≠ base × taux arrondi (%s)", n, t.Calculated.StringFixed(2), want.StringFixed(2))
		}
		if b, ok := basis[key{t.Category, t.Rate.StringFixed(2)}]; !ok || !b.Equal(t.Basis) {
			fail("BR-"+t.Category+"-08", "TVA %d : base %s ≠ somme des lignes de catégorie %s à %s %%", n, t.Basis.StringFixed(2), t.Category, t.Rate)
		}
		if t.DueDateCode != "" && !slices.Contains(dueDateCodes, t.DueDateCode) {
			fail("UNTDID-2475", "TVA %d : code d'exigibilité « %s » invalide", n, t.DueDateCode)
		}
		switch t.Category {
		case "E":
			if !t.Rate.IsZero() || !t.Calculated.IsZero() {
				fail("BR-E-05/09", "TVA %d : catégorie E avec un taux ou un montant non nul", n)
			}
			if t.ExemptionCode == "" && t.ExemptionText == "" {
				fail("BR-E-10", "TVA %d : exonération sans motif (code ou texte)", n)
			}
			if t.ExemptionCode != "" && !strings.HasPrefix(t.ExemptionCode, "VATEX-") {
				fail("BR-CL-22", "TVA %d : code d'exonération « %s » hors liste VATEX", n, t.ExemptionCode)
			}
			if s.Seller.VAT == "" {
				fail("BR-E-02", "catégorie E sans numéro de TVA du vendeur")
			}
		case "O":
			if !t.Rate.IsZero() || !t.Calculated.IsZero() {
				fail("BR-O-05/09", "TVA %d : catégorie O avec un taux ou un montant non nul", n)
			}
			if s.Seller.VAT != "" {
				fail("BR-O-02", "catégorie O avec un numéro de TVA du vendeur")
			}
			if t.ExemptionCode == "" && t.ExemptionText == "" {
				fail("BR-O-10", "TVA %d : hors champ sans motif (code ou texte)", n)
			}
		case "S":
			if !t.Rate.IsPositive() {
				fail("BR-S-05", "TVA %d : catégorie S avec un taux nul", n)
			}
			if t.ExemptionCode != "" || t.ExemptionText != "" {
				fail("BR-S-10", "TVA %d : catégorie S avec un motif d'exonération", n)
			}
			if s.Seller.VAT == "" {
				fail("BR-S-02", "catégorie S sans numéro de TVA du vendeur")
			}
		}
		taxes = taxes.Add(t.Calculated)
	}
	if len(basis) != len(s.Taxes) {
		fail("BR-CO-18", "%d ventilation(s) de TVA pour %d couple(s) catégorie/taux des lignes", len(s.Taxes), len(basis))
	}
	if !taxes.Equal(s.TaxTotal) {
		fail("BR-CO-14", "total TVA %s ≠ somme des ventilations %s", s.TaxTotal.StringFixed(2), taxes.StringFixed(2))
	}
	if !s.GrandTotal.Equal(s.TaxBasis.Add(s.TaxTotal)) {
		fail("BR-CO-15", "total TTC %s ≠ HT %s + TVA %s", s.GrandTotal.StringFixed(2), s.TaxBasis.StringFixed(2), s.TaxTotal.StringFixed(2))
	}
	if !s.Due.Equal(s.GrandTotal.Sub(s.Prepaid)) {
		fail("BR-CO-16", "net à payer %s ≠ TTC %s − déjà payé %s", s.Due.StringFixed(2), s.GrandTotal.StringFixed(2), s.Prepaid.StringFixed(2))
	}
	if s.Due.IsPositive() && s.DueDate.IsZero() && s.Terms == "" {
		fail("BR-CO-25", "montant dû positif sans date d'échéance ni conditions de paiement")
	}
	return out
}
