package dossier

import (
	"regexp"
	"strings"
)

var (
	reSiren      = regexp.MustCompile(`^[0-9]{9}$`)
	reSiret      = regexp.MustCompile(`^[0-9]{14}$`)
	reTVA        = regexp.MustCompile(`^FR([0-9]{2})([0-9]{9})$`)
	reRPPS       = regexp.MustCompile(`^[0-9]{11}$`)
	reFiness     = regexp.MustCompile(`^[0-9AB]{9}$`)
	reANS        = regexp.MustCompile(`^[0-9]{10}$`)
	reASP        = regexp.MustCompile(`^FIN[A-Z]{3}[0-9]{6}$`)
	reEditeur    = regexp.MustCompile(`^[0-9A-Za-z]{1,20}$`)
	reKind       = regexp.MustCompile(`^[A-Z]{2,20}$`)
	reMSS        = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$`)
	laPosteSIREN = "356000000"
)

// luhn reports whether the digits pass the Luhn check.
func luhn(s string) bool {
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

func digitSum(s string) int {
	n := 0
	for i := range len(s) {
		n += int(s[i] - '0')
	}
	return n
}

// ValidSiren reports whether s is a well-formed SIREN with a valid key.
func ValidSiren(s string) bool { return reSiren.MatchString(s) && (s == laPosteSIREN || luhn(s)) }

// ValidSiret reports whether s is a well-formed SIRET with a valid key (La
// Poste's establishments: digit sum multiple of 5).
func ValidSiret(s string) bool {
	if !reSiret.MatchString(s) {
		return false
	}
	if strings.HasPrefix(s, laPosteSIREN) {
		// La Poste's establishments share one SIREN; only the head office
		// passes Luhn, the others have a digit sum multiple of 5.
		return digitSum(s)%5 == 0 || luhn(s)
	}
	return luhn(s)
}

// TVAKey computes the French intra-EU VAT key of a SIREN.
func TVAKey(siren string) int {
	n := 0
	for i := range len(siren) {
		n = (n*10 + int(siren[i]-'0')) % 97
	}
	return (12 + 3*n) % 97
}

func checkSiren(c *checker, path, s string) {
	switch {
	case !reSiren.MatchString(s):
		c.errorf(path, "SIREN_FORMAT", "« %s » : un SIREN compte 9 chiffres", s)
	case !ValidSiren(s):
		c.errorf(path, "SIREN_CLE", "« %s » : la clé du SIREN est fausse (contrôle de Luhn), vérifiez le numéro", s)
	}
}

func checkSiret(c *checker, path, s string) {
	switch {
	case !reSiret.MatchString(s):
		c.errorf(path, "SIRET_FORMAT", "« %s » : un SIRET compte 14 chiffres", s)
	case !ValidSiret(s):
		c.errorf(path, "SIRET_CLE", "« %s » : la clé du SIRET est fausse, vérifiez le numéro", s)
	}
}

func checkTVA(c *checker, path, s, siren string) {
	m := reTVA.FindStringSubmatch(s)
	switch {
	case m == nil:
		c.errorf(path, "TVA_FORMAT", "« %s » : un numéro de TVA français s'écrit FR, 2 chiffres de clé puis le SIREN (ex. FR44732829320)", s)
	case m[2] != siren:
		c.errorf(path, "TVA_CLE", "« %s » ne correspond pas au SIREN %s du SIRET", s, siren)
	case int(m[1][0]-'0')*10+int(m[1][1]-'0') != TVAKey(siren):
		c.errorf(path, "TVA_CLE", "« %s » : la clé devrait être %02d pour le SIREN %s", s, TVAKey(siren), siren)
	}
}

func checkRPPS(c *checker, path, s string) {
	switch {
	case !reRPPS.MatchString(s):
		c.errorf(path, "RPPS_FORMAT", "« %s » : un RPPS compte 11 chiffres", s)
	case !luhn(s):
		c.warnf(path, "RPPS_CLE", "« %s » : la clé du RPPS ne passe pas le contrôle de Luhn, vérifiez le numéro dans l'annuaire santé", s)
	}
}

func checkFiness(c *checker, path, s string) {
	switch {
	case !reFiness.MatchString(s):
		c.errorf(path, "FINESS_FORMAT", "« %s » : un FINESS compte 9 caractères (chiffres, A ou B pour la Corse)", s)
	case reDigits.MatchString(s) && !luhn(s):
		c.warnf(path, "FINESS_CLE", "« %s » : la clé du FINESS ne passe pas le contrôle de Luhn, vérifiez le numéro", s)
	}
}

func checkNumeroANS(c *checker, path, s string) {
	if !reANS.MatchString(s) {
		c.errorf(path, "NUMERO_ANS_FORMAT", "« %s » : un numéro de référencement ANS compte 10 chiffres", s)
	}
}

func checkMSS(c *checker, path, s string) {
	s = strings.TrimSpace(s)
	if !reMSS.MatchString(s) {
		c.errorf(path, "MSS_ADRESSE", "« %s » n'est pas une adresse MSSanté complète (nom@domaine.mssante.fr) : un nom de domaine seul ne suffit pas", s)
		return
	}
	domain := strings.ToLower(s[strings.LastIndexByte(s, '@')+1:])
	switch {
	case domain == "patient.mssante.fr":
		c.warnf(path, "MSS_PATIENT", "« %s » est la boîte d'un patient (Mon espace santé) : indiquez la boîte depuis laquelle le cabinet envoie", s)
	case !strings.HasSuffix(domain, ".mssante.fr"):
		c.warnf(path, "MSS_DOMAINE", "« %s » : domaine hors mssante.fr, vérifiez que l'opérateur est bien dans l'espace de confiance MSSanté", s)
	}
}
