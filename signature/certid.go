package signature

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// What a certificate says of its holder, read attribute by attribute from
// the subject's parsed RDN sequence — never by a pattern over the whole
// subject string, where any run of digits (in an organisation's name, an
// address) would pass for an identifier. The layouts known:
//
//   - CPS (IGC-Santé): CN = the national identifier « 8 » + RPPS (IDNPS),
//     SN, GN and title the holder's surname, given name and profession;
//   - RGS (and other ETSI EN 319 412 layouts): CN the holder's name, O the
//     organisation, OU « 0002 <SIREN> », serialNumber a holder's number;
//   - a name only: CN « Prénom Nom », maybe an e-mail address.

var (
	oidCN     = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSN     = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidSerial = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidTitle  = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidO      = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU     = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidGN     = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidEmail  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	// oidQcStatements and the QcCompliance statement mark an EU qualified
	// certificate (ETSI EN 319 412-5).
	oidQcStatements = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	oidQcCompliance = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 1}
)

// holder is what a certificate's subject says of its holder.
type holder struct {
	CN, SN, GN, Serial, Title, Email string
	O, OU                            []string
	RPPS                             string   // from CN « 8 » + RPPS, or serialNumber
	Orgs                             []string // organisation numbers: SIREN (OU « 0002 … »), FINESS or SIREN in serialNumber
}

var (
	idnpsRe  = regexp.MustCompile(`^8(\d{11})$`)
	rppsRe   = regexp.MustCompile(`^\d{11}$`)
	orgRe    = regexp.MustCompile(`^[0-9][0-9AB][0-9]{7}$`) // SIREN, FINESS (2A/2B in Corsica)
	sirenOU  = regexp.MustCompile(`^0002[ :-]?(\d{9})$`)
	semantic = regexp.MustCompile(`^(?:[A-Z]{3}[A-Z]{2}-|RPPS[ :-]?)`) // ETSI semantics identifier (PASFR-, IDCFR-…)
)

func readHolder(c *x509.Certificate) holder {
	var h holder
	for _, a := range c.Subject.Names {
		v, ok := a.Value.(string)
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch {
		case a.Type.Equal(oidCN):
			h.CN = v
		case a.Type.Equal(oidSN):
			h.SN = v
		case a.Type.Equal(oidGN):
			h.GN = v
		case a.Type.Equal(oidSerial):
			h.Serial = v
		case a.Type.Equal(oidTitle):
			h.Title = v
		case a.Type.Equal(oidEmail):
			h.Email = v
		case a.Type.Equal(oidO):
			h.O = append(h.O, v)
		case a.Type.Equal(oidOU):
			h.OU = append(h.OU, v)
			if m := sirenOU.FindStringSubmatch(v); m != nil {
				h.Orgs = append(h.Orgs, m[1])
			}
		}
	}
	if m := idnpsRe.FindStringSubmatch(h.CN); m != nil {
		h.RPPS = m[1]
	}
	if s := semantic.ReplaceAllString(h.Serial, ""); s != "" {
		switch {
		case rppsRe.MatchString(s):
			if h.RPPS == "" {
				h.RPPS = s
			}
		case idnpsRe.MatchString(s):
			if h.RPPS == "" {
				h.RPPS = s[1:]
			}
		case orgRe.MatchString(s):
			h.Orgs = append(h.Orgs, s)
		}
	}
	return h
}

// name is the holder's name: the common name, unless it is an identifier
// (a CPS), then the given name and surname.
func (h holder) name() string {
	if h.CN != "" && h.RPPS == "" || h.GN == "" && h.SN == "" {
		if idnpsRe.MatchString(h.CN) {
			return ""
		}
		return h.CN
	}
	return strings.TrimSpace(h.GN + " " + h.SN)
}

// names are the names a holder may be matched by.
func (h holder) names() []string {
	var out []string
	if h.CN != "" && !idnpsRe.MatchString(h.CN) {
		out = append(out, h.CN)
	}
	if h.GN != "" || h.SN != "" {
		out = append(out, strings.TrimSpace(h.GN+" "+h.SN))
	}
	return out
}

// match returns the index of the expected signatory a certificate's holder
// is, or -1. An identifier of the same kind as a signatory's (an RPPS for
// a médecin, a FINESS for a site) decides alone: equal, it is that
// signatory whatever the name; different, it is not, whatever the name.
// Without one, the name decides (for a mandataire, also the
// organisation).
func match(h holder, want []Signatory) int {
	for j, w := range want {
		if w.ID == "" {
			continue
		}
		if rppsRe.MatchString(w.ID) && h.RPPS == w.ID {
			return j
		}
		for _, o := range h.Orgs {
			if o == w.ID {
				return j
			}
		}
	}
	for j, w := range want {
		if w.ID != "" {
			if rppsRe.MatchString(w.ID) && h.RPPS != "" {
				continue // the certificate is another médecin's
			}
			if !rppsRe.MatchString(w.ID) && hasFINESS(h) {
				continue // another site's
			}
		}
		for _, n := range h.names() {
			if sameName(n, w.Name) {
				return j
			}
		}
		for _, o := range h.O {
			if w.Org != "" && w.Name == w.Org && sameName(o, w.Org) {
				return j
			}
		}
	}
	return -1
}

// hasFINESS reports whether the holder carries a FINESS (a number in
// serialNumber; a SIREN in OU is no site's number).
func hasFINESS(h holder) bool {
	for _, o := range h.Orgs {
		if semantic.ReplaceAllString(h.Serial, "") == o {
			return true
		}
	}
	return false
}

// Level is what a signature's certificate proves; its value is segur.yaml's
// signature.niveau_minimum and rapport.json's « niveau ».
type Level string

// Levels of a signature, from its certificate.
const (
	LevelSimple    Level = "simple"   // any certificate: the name (or identifier) is all it proves
	LevelRGS       Level = "rgs"      // chains to a root given as RGS in segur.yaml
	LevelQualified Level = "qualifie" // an EU qualified certificate chaining to a root given in segur.yaml
	LevelCPx       Level = "cpx"      // chains to an IGC-Santé root given in segur.yaml (CPS, CPE…)
)

// Trust holds the roots given in segur.yaml.
type Trust struct {
	IGCSante *x509.CertPool // IGC-Santé roots: a certificate chaining to one is a CPx
	RGS      *x509.CertPool // roots of RGS (or eIDAS) authorities
	// Fingerprint names the roots (the SHA-256 of the files they were
	// read from): a verification remembered under other roots is not
	// reused. "" : nothing verified with these roots is remembered.
	Fingerprint string
}

// levelRank orders the levels for a minimum; a qualified certificate
// meets an RGS minimum.
func levelRank(l Level) int {
	switch l {
	case LevelCPx:
		return 3
	case LevelRGS, LevelQualified:
		return 2
	case LevelSimple:
		return 1
	}
	return 0
}

// meets reports whether level l meets the minimum min ("" or simple: any).
func meets(l, min Level) bool {
	switch min {
	case "", LevelSimple:
		return true
	case LevelCPx:
		return l == LevelCPx
	}
	return levelRank(l) >= levelRank(min)
}

// level is the level of a signature by cert, with the other certificates
// of its CMS as intermediates, at the signing time at (the present when
// zero).
func level(cert *x509.Certificate, others []*x509.Certificate, at time.Time, tr *Trust) Level {
	if tr == nil || cert == nil {
		return LevelSimple
	}
	inter := x509.NewCertPool()
	for _, c := range others {
		if c != cert {
			inter.AddCert(c)
		}
	}
	chains := func(roots *x509.CertPool) bool {
		if roots == nil {
			return false
		}
		_, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		return err == nil
	}
	switch {
	case chains(tr.IGCSante):
		return LevelCPx
	case chains(tr.RGS):
		if qualified(cert) {
			return LevelQualified
		}
		return LevelRGS
	}
	return LevelSimple
}

// qualified reports whether cert states the EU QcCompliance statement.
func qualified(cert *x509.Certificate) bool {
	for _, e := range cert.Extensions {
		if !e.Id.Equal(oidQcStatements) {
			continue
		}
		var stmts []struct {
			ID   asn1.ObjectIdentifier
			Rest asn1.RawValue `asn1:"optional"`
		}
		if _, err := asn1.Unmarshal(e.Value, &stmts); err != nil {
			return false
		}
		for _, s := range stmts {
			if s.ID.Equal(oidQcCompliance) {
				return true
			}
		}
	}
	return false
}

// LevelName is a level in words, for messages and pages.
func LevelName(l Level) string {
	switch l {
	case LevelCPx:
		return "carte CPx (IGC-Santé)"
	case LevelRGS:
		return "certificat RGS"
	case LevelQualified:
		return "certificat qualifié eIDAS"
	case LevelSimple:
		return "signature électronique simple"
	}
	return fmt.Sprintf("niveau « %s »", l)
}

// Describe says who made the signature and at what level, in French, for
// the pages and `segur check`: « Anne Schmitt : carte CPx (IGC-Santé),
// le 16/02/2023, couvre le document entier ».
func (s SignerInfo) Describe() string {
	var b strings.Builder
	b.WriteString(orUnknown(s.Name))
	if s.RPPS != "" {
		b.WriteString(" (RPPS " + s.RPPS + ")")
	}
	b.WriteString(" : ")
	if s.Level == "" {
		b.WriteString("niveau non déterminé")
	} else {
		b.WriteString(LevelName(s.Level))
	}
	if !s.Time.IsZero() {
		b.WriteString(", le " + s.Time.Format("02/01/2006"))
	}
	if !s.Stamped.IsZero() {
		b.WriteString(", horodatée le " + s.Stamped.Format("02/01/2006 à 15:04:05") + " UTC")
	}
	if !s.Valid {
		b.WriteString(", NON VALIDE")
	}
	if s.Covers != "" {
		b.WriteString(", couvre le " + s.Covers)
	}
	return b.String()
}
