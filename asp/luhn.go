package asp

import "strings"

// Luhn reports whether the digits of s pass the Luhn check (RPPS, FINESS,
// SIREN, SIRET); false when s holds anything but digits.
func Luhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// LuhnDigit completes the digits of prefix with their Luhn check digit.
func LuhnDigit(prefix string) string {
	for d := byte('0'); d <= '9'; d++ {
		if s := prefix + string(d); Luhn(s) {
			return s
		}
	}
	return prefix + "0" // prefix holds something other than digits
}

func digitSum(s string) int {
	n := 0
	for i := range len(s) {
		n += int(s[i] - '0')
	}
	return n
}

// ValidSiren reports whether s is a well-formed SIREN with a valid key.
func ValidSiren(s string) bool { return Siren.MatchString(s) && (s == LaPosteSIREN || Luhn(s)) }

// ValidSiret reports whether s is a well-formed SIRET with a valid key.
func ValidSiret(s string) bool {
	if !Siret.MatchString(s) {
		return false
	}
	if strings.HasPrefix(s, LaPosteSIREN) {
		// La Poste's establishments share one SIREN; only the head office
		// passes Luhn, the others have a digit sum multiple of 5.
		return digitSum(s)%5 == 0 || Luhn(s)
	}
	return Luhn(s)
}

// TVAKey computes the French intra-EU VAT key of a SIREN.
func TVAKey(siren string) int {
	n := 0
	for i := range len(siren) {
		n = (n*10 + int(siren[i]-'0')) % 97
	}
	return (12 + 3*n) % 97
}
