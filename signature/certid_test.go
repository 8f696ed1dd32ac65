package signature

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"
)

// attr is one subject attribute of a test certificate.
func attr(oid asn1.ObjectIdentifier, v string) pkix.AttributeTypeAndValue {
	return pkix.AttributeTypeAndValue{Type: oid, Value: v}
}

var serial int64 = 100

// issue makes a certificate for subject, signed by parent (self-signed
// when nil), a CA when ca; qc adds the EU QcCompliance statement.
func issue(t *testing.T, subject []pkix.AttributeTypeAndValue, parent *Signer, ca, qc bool) *Signer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial++
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{ExtraNames: subject},
		NotBefore: time.Now().AddDate(-5, 0, 0), NotAfter: time.Now().AddDate(5, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	if ca {
		tpl.IsCA, tpl.BasicConstraintsValid = true, true
		tpl.KeyUsage |= x509.KeyUsageCertSign
	}
	if qc {
		stmt, _ := asn1.Marshal([]struct{ ID asn1.ObjectIdentifier }{{oidQcCompliance}})
		tpl.ExtraExtensions = append(tpl.ExtraExtensions, pkix.Extension{Id: oidQcStatements, Value: stmt})
	}
	signerCert, signerKey := tpl, crypto.Signer(key)
	var chain []*x509.Certificate
	if parent != nil {
		signerCert, signerKey = parent.Cert, parent.Key
		chain = append([]*x509.Certificate{parent.Cert}, parent.Chain...)
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, signerCert, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Signer{Cert: cert, Key: key, Chain: chain}
}

// Layouts of real certificates (issue 20): CPS (IGC-Santé), RGS, a name
// with an e-mail; identifiers are read from their attribute only.
func TestCertificateHolders(t *testing.T) {
	anne := Signatory{Name: "Anne Schmitt", ID: "10875011016"}
	francois := Signatory{Name: "François Muller", ID: "10073697418"}
	site := Signatory{Name: "Marie Durand", ID: "750000001"}
	responsable := Signatory{Name: "Marie Durand", Org: "Clinique des Lilas"}
	mandataire := Signatory{Name: "Groupe Santé Plus", Org: "Groupe Santé Plus"}
	cases := []struct {
		name    string
		subject []pkix.AttributeTypeAndValue
		want    []Signatory
		match   int    // index in want, -1: none
		rpps    string // the RPPS read
		display string
	}{
		{"CPS: CN « 8 » + RPPS, SN, GN, title", []pkix.AttributeTypeAndValue{
			attr(oidO, "CABINET M. SCHMITT"), attr(oidTitle, "Médecin"), attr(oidSN, "SCHMITT"), attr(oidGN, "ANNE"), attr(oidCN, "810875011016")},
			[]Signatory{francois, anne}, 1, "10875011016", "ANNE SCHMITT"},
		{"CPS of another médecin, with her name", []pkix.AttributeTypeAndValue{
			attr(oidSN, "Schmitt"), attr(oidGN, "Anne"), attr(oidCN, "810073697418")},
			[]Signatory{anne}, -1, "10073697418", "Anne Schmitt"},
		{"serialNumber carrying the RPPS, a short name", []pkix.AttributeTypeAndValue{
			attr(oidCN, "Dr A. Schmitt"), attr(oidSerial, "10875011016")},
			[]Signatory{anne}, 0, "10875011016", "Dr A. Schmitt"},
		{"name only, with an e-mail full of digits", []pkix.AttributeTypeAndValue{
			attr(oidCN, "Anne Schmitt"), attr(oidEmail, "anne.schmitt10073697418@exemple.fr")},
			[]Signatory{anne}, 0, "", "Anne Schmitt"},
		{"« Jean Autre » whose O holds the médecin's RPPS", []pkix.AttributeTypeAndValue{
			attr(oidO, "Cabinet 10875011016"), attr(oidCN, "Jean Autre")},
			[]Signatory{anne}, -1, "", "Jean Autre"},
		{"RGS: OU « 0002 <SIREN> », a site's responsable", []pkix.AttributeTypeAndValue{
			attr(oidO, "CLINIQUE DES LILAS"), attr(oidOU, "0002 732829320"), attr(oidCN, "Marie DURAND"), attr(oidSerial, "IDCFR-4471")},
			[]Signatory{site}, 0, "", "Marie DURAND"},
		{"RGS, a structure's responsable", []pkix.AttributeTypeAndValue{
			attr(oidO, "CLINIQUE DES LILAS"), attr(oidOU, "0002 732829320"), attr(oidCN, "Marie Durand")},
			[]Signatory{responsable}, 0, "", "Marie Durand"},
		{"another site's FINESS", []pkix.AttributeTypeAndValue{
			attr(oidCN, "Marie Durand"), attr(oidSerial, "750000002")},
			[]Signatory{site}, -1, "", "Marie Durand"},
		{"a mandataire's organisation", []pkix.AttributeTypeAndValue{
			attr(oidO, "Groupe Sante Plus"), attr(oidCN, "Paul Martin")},
			[]Signatory{mandataire}, 0, "", "Paul Martin"},
		{"another name", []pkix.AttributeTypeAndValue{attr(oidCN, "Anne Schmid")}, []Signatory{anne}, -1, "", "Anne Schmid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := readHolder(issue(t, c.subject, nil, false, false).Cert)
			if got := match(h, c.want); got != c.match {
				t.Errorf("match: got %d, want %d (%+v)", got, c.match, h)
			}
			if h.RPPS != c.rpps || h.name() != c.display {
				t.Errorf("read %q, name %q; want %q, %q", h.RPPS, h.name(), c.rpps, c.display)
			}
		})
	}
}

// Each signature's level, from the roots segur.yaml gives, and the
// minimum level.
func TestSignatureLevels(t *testing.T) {
	va := shadowVA(t)
	igc := issue(t, []pkix.AttributeTypeAndValue{attr(oidCN, "TEST IGC-SANTE ROOT")}, nil, true, false)
	igcInter := issue(t, []pkix.AttributeTypeAndValue{attr(oidCN, "TEST IGC-SANTE CLASSE 1")}, igc, true, false)
	rgs := issue(t, []pkix.AttributeTypeAndValue{attr(oidCN, "TEST AC RGS")}, nil, true, false)
	cps := issue(t, []pkix.AttributeTypeAndValue{attr(oidSN, "SCHMITT"), attr(oidGN, "ANNE"), attr(oidTitle, "Médecin"), attr(oidCN, "810875011016")}, igcInter, false, false)
	rgsCert := issue(t, []pkix.AttributeTypeAndValue{attr(oidOU, "0002 732829320"), attr(oidCN, "Anne Schmitt")}, rgs, false, false)
	qualified := issue(t, []pkix.AttributeTypeAndValue{attr(oidCN, "Anne Schmitt")}, rgs, false, true)
	simple := issue(t, []pkix.AttributeTypeAndValue{attr(oidCN, "Anne Schmitt")}, nil, false, false)
	trust := &Trust{IGCSante: x509.NewCertPool(), RGS: x509.NewCertPool()}
	trust.IGCSante.AddCert(igc.Cert)
	trust.RGS.AddCert(rgs.Cert)
	cases := []struct {
		name   string
		s      *Signer
		trust  *Trust
		min    Level
		level  Level
		reject bool
	}{
		{"CPS chaining to the IGC-Santé root", cps, trust, LevelCPx, LevelCPx, false},
		{"CPS without the roots in segur.yaml", cps, nil, "", LevelSimple, false},
		{"CPS without the roots, minimum cpx", cps, nil, LevelCPx, LevelSimple, true},
		{"RGS certificate", rgsCert, trust, LevelRGS, LevelRGS, false},
		{"RGS certificate, minimum cpx", rgsCert, trust, LevelCPx, LevelRGS, true},
		{"qualified certificate meets rgs", qualified, trust, LevelRGS, LevelQualified, false},
		{"self-signed", simple, trust, "", LevelSimple, false},
		{"self-signed, minimum rgs", simple, trust, LevelRGS, LevelSimple, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			signed, err := SignField(va, c.s, shadowBoxes[0].Name, "Signe", shadowWhen)
			if err != nil {
				t.Fatal(err)
			}
			res := Verify("va.pdf", signed, Expect{Rendered: [][]byte{va}, Signatories: shadowWho[:1], Trust: c.trust, MinLevel: c.min})
			if len(res.Signers) != 1 || res.Signers[0].Level != c.level {
				t.Fatalf("level: %+v, want %s", res.Signers, c.level)
			}
			var codes []string
			for _, e := range res.Errors {
				codes = append(codes, e.Code)
			}
			if got := slices.Contains(codes, "VA_SIGNATURE_NIVEAU"); got != c.reject {
				t.Errorf("rejected for its level: %v, want %v (%v)", got, c.reject, res.Errors)
			}
			if !c.reject && !res.OK() {
				t.Errorf("want accepted: %+v", res.Errors)
			}
			if res.Signers[0].As != shadowWho[0].String() {
				t.Errorf("matched as %q", res.Signers[0].As)
			}
		})
	}
}

// A CMS with several SignerInfos (podofosign writes such files) is
// verified signer by signer: each must be valid and expected.
func TestSeveralSignerInfos(t *testing.T) {
	va := shadowVA(t)
	anne, francois := loadTest(t, "schmitt"), loadTest(t, "muller")
	other := issue(t, []pkix.AttributeTypeAndValue{attr(oidCN, "Jean Autre")}, nil, false, false)
	two := func(a, b *Signer, spoil bool) []byte {
		at := SigningTime(a, shadowWhen)
		out, err := signField(va, a, shadowBoxes[0].Name, "Signe", at, func(digest []byte) ([]byte, error) {
			x, err := buildCMS(a, digest, at)
			if err != nil {
				return nil, err
			}
			if spoil {
				digest = append([]byte{digest[0] ^ 1}, digest[1:]...)
			}
			y, err := buildCMS(b, digest, at)
			if err != nil {
				return nil, err
			}
			return joinCMS(t, x, y), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := Expect{Rendered: [][]byte{va}, Signatories: shadowWho}
	res := Verify("va.pdf", two(anne, francois, false), want)
	if !res.OK() || len(res.Signers) != 1 || !strings.Contains(res.Signers[0].As, "Anne Schmitt") || !strings.Contains(res.Signers[0].As, "Muller") || len(res.Missing) != 0 {
		t.Errorf("two expected signers in one CMS: %+v %+v", res.Signers, res.Errors)
	}
	res = Verify("va.pdf", two(anne, other, false), want)
	if res.OK() || !hasCode(res, "VA_SIGNATAIRE_INCONNU") {
		t.Errorf("a second signer nobody expects: %+v", res.Errors)
	}
	res = Verify("va.pdf", two(anne, francois, true), want)
	if res.OK() || !hasCode(res, "VA_SIGNATURE_INVALIDE") {
		t.Errorf("a second signer whose signature is wrong: %+v", res.Errors)
	}
	for _, e := range res.Errors {
		if strings.Contains(e.Message, "runtime") || strings.Contains(e.Message, "pkcs7") {
			t.Errorf("a Go error in a message: %s", e.Message)
		}
	}
}

func hasCode(res Result, code string) bool {
	for _, e := range res.Errors {
		if e.Code == code {
			return true
		}
	}
	return false
}

// joinCMS merges two CMS SignedData of the same content into one with
// both certificates and both SignerInfos.
func joinCMS(t *testing.T, a, b []byte) []byte {
	t.Helper()
	type signedData struct {
		Version     int
		DigestAlgs  asn1.RawValue
		Content     asn1.RawValue
		Certs       asn1.RawValue `asn1:"optional,tag:0"`
		SignerInfos asn1.RawValue
	}
	type contentInfo struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	parse := func(der []byte) signedData {
		var ci contentInfo
		if _, err := asn1.Unmarshal(der, &ci); err != nil {
			t.Fatal(err)
		}
		var sd signedData
		if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
			t.Fatal(err)
		}
		return sd
	}
	x, y := parse(a), parse(b)
	x.Certs = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(append([]byte{}, x.Certs.Bytes...), y.Certs.Bytes...)}
	x.SignerInfos = asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: append(append([]byte{}, x.SignerInfos.Bytes...), y.SignerInfos.Bytes...)}
	sd, err := asn1.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	out, err := asn1.Marshal(struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue
	}{oidSignedData, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sd}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
