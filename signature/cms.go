package signature

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The CMS (PKCS #7) detached signature of a PDF, written here rather than
// by the library so that its signing-time attribute is the stated date,
// not the clock: with an RSA key, the same document, date and certificate
// give the same bytes.

var (
	oidData             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSigningCertV2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidSHA256           = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidRSAEncryption    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECDSAWithSHA256  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	errSignatureTooLong = errors.New("signature plus longue que la place réservée")
)

// SigningTime is the signing time stated for a signature made at when
// (the real time in the product, a fixed clock in tests), to the second,
// kept within the certificate's validity so that the signature verifies
// (a CMS verifier checks the certificate at the stated signing time;
// signature.Load refuses a certificate not valid now).
func SigningTime(s *Signer, when time.Time) time.Time {
	from, to := s.Cert.NotBefore, s.Cert.NotAfter
	if when.Before(from) {
		return from.UTC().Truncate(time.Second)
	}
	if when.After(to) {
		return to.UTC().Truncate(time.Second)
	}
	return when.UTC().Truncate(time.Second)
}

// buildCMS returns the DER CMS SignedData, detached, of a content whose
// SHA-256 is digest, signed by s at t.
func buildCMS(s *Signer, digest []byte, t time.Time) ([]byte, error) {
	certHash := sha256.Sum256(s.Cert.Raw)
	var attrs [][]byte
	attr := func(oid asn1.ObjectIdentifier, value func(b *cryptobyte.Builder)) {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddASN1(cbasn1.SET, value)
		})
		attrs = append(attrs, b.BytesOrPanic())
	}
	attr(oidContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) })
	attr(oidSigningTime, func(b *cryptobyte.Builder) {
		if t.Year() >= 1950 && t.Year() < 2050 {
			b.AddASN1UTCTime(t)
		} else {
			b.AddASN1GeneralizedTime(t)
		}
	})
	attr(oidMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) })
	attr(oidSigningCertV2, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2, SHA-256 by default
					b.AddASN1OctetString(certHash[:])
				})
			})
		})
	})
	slices.SortFunc(attrs, bytes.Compare) // DER: a SET OF is sorted
	set := func(tag cbasn1.Tag) []byte {
		var b cryptobyte.Builder
		b.AddASN1(tag, func(b *cryptobyte.Builder) {
			for _, a := range attrs {
				b.AddBytes(a)
			}
		})
		return b.BytesOrPanic()
	}
	h := sha256.Sum256(set(cbasn1.SET))
	var sigAlg asn1.ObjectIdentifier
	switch s.Key.Public().(type) {
	case *rsa.PublicKey:
		sigAlg = oidRSAEncryption
	case *ecdsa.PublicKey:
		sigAlg = oidECDSAWithSHA256
	default:
		return nil, fmt.Errorf("type de clé non pris en charge pour signer")
	}
	sig, err := s.Key.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	var token []byte
	if s.TSA != nil {
		if token, err = s.TSA.Stamp(sig); err != nil {
			return nil, err
		}
	}
	var serial cryptobyte.Builder
	serial.AddASN1BigInt(s.Cert.SerialNumber)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidSHA256) })
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) })
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					b.AddBytes(s.Cert.Raw)
					for _, c := range s.Chain {
						b.AddBytes(c.Raw)
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignerInfo
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddBytes(s.Cert.RawIssuer)
							b.AddBytes(serial.BytesOrPanic())
						})
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidSHA256) })
						b.AddBytes(set(cbasn1.Tag(0).ContextSpecific().Constructed()))
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(sigAlg)
							if sigAlg.Equal(oidRSAEncryption) {
								b.AddASN1NULL()
							}
						})
						b.AddASN1OctetString(sig)
						if token != nil {
							// unsignedAttrs [1] IMPLICIT: the time-stamp token.
							b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
								b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
									b.AddASN1ObjectIdentifier(oidTimeStampToken)
									b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(token) })
								})
							})
						}
					})
				})
			})
		})
	})
	return b.Bytes()
}

var byteRangeRe = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)

// sha256Sum is the SHA-256 of the concatenation of parts.
func sha256Sum(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}
