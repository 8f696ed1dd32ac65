package dossier

import (
	"strings"

	"github.com/segur-sons/segur/asp"
)

// The identifier formats and keys are the ASP format's (package asp).
var (
	reSiren   = asp.Siren
	reSiret   = asp.Siret
	reTVA     = asp.TVA
	reRPPS    = asp.RPPS
	reFiness  = asp.Finess
	reANS     = asp.NumeroANS
	reASP     = asp.NumeroASP
	reEditeur = asp.NumeroEditeur
	reKind    = asp.PieceType
	reMSS     = asp.MSS
	luhn      = asp.Luhn
)

// ValidSiren reports whether s is a well-formed SIREN with a valid key.
func ValidSiren(s string) bool { return asp.ValidSiren(s) }

// ValidSiret reports whether s is a well-formed SIRET with a valid key (La
// Poste's establishments: digit sum multiple of 5).
func ValidSiret(s string) bool { return asp.ValidSiret(s) }

// TVAKey computes the French intra-EU VAT key of a SIREN.
func TVAKey(siren string) int { return asp.TVAKey(siren) }

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
