// Package fr formats amounts and sizes the French way, the one formatter
// of the documents, the messages and the read-back of a facture's text.
package fr

import (
	"fmt"
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

// Size writes a byte count for people: « 8 Mo », « 1,5 Go ».
func Size(n int64) string {
	switch {
	case n >= 1<<30:
		return frac(n, 1<<30) + " Go"
	case n >= 1<<20:
		return frac(n, 1<<20) + " Mo"
	case n >= 1<<10:
		return frac(n, 1<<10) + " Ko"
	}
	return fmt.Sprintf("%d octets", n)
}

func frac(n, unit int64) string {
	tenths := n * 10 / unit
	if tenths%10 == 0 {
		return fmt.Sprintf("%d", tenths/10)
	}
	return fmt.Sprintf("%d,%d", tenths/10, tenths%10)
}
