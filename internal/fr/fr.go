// Package fr formats amounts the French way, the one formatter of the
// documents, the messages and the read-back of a facture's text.
package fr

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Amount formats a decimal number written with a dot (1075.00, as
// StringFixed and the solde JSON write it) the French way: a comma, and a
// space between thousands, 1 075,00. The spaces are plain U+0020 so that
// text extracted from a PDF matches.
func Amount(s string) string {
	neg := strings.HasPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString("," + frac)
	}
	return b.String()
}

// Euros formats an amount rounded (half up) to the cent, with its unit:
// 1 075,00 €.
func Euros(d decimal.Decimal) string { return Amount(d.StringFixed(2)) + " €" }
