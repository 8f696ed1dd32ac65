package signature

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/segur-sons/segur/internal/pdfin"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// An RFC 3161 time-stamp of the fournisseur's signatures (MOM, BDC): the
// SHA-256 of the CMS signature value is sent to a time-stamping authority
// (TSA) whose token goes into the SignerInfo's unsigned attributes
// (id-aa-timeStampToken), as PAdES B-T asks.

var oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// TSA is a time-stamping authority asked over HTTP (RFC 3161 § 3.4).
type TSA struct {
	URL string
	// Timeout bounds one request, answer included (DefaultTSATimeout
	// when zero); MaxSize the answer read (DefaultTSAMaxSize when zero).
	Timeout time.Duration
	MaxSize int64
	// Client is the HTTP client (http.DefaultClient's transport when nil).
	Client *http.Client
}

// Bounds of a time-stamp request.
const (
	DefaultTSATimeout = 20 * time.Second
	DefaultTSAMaxSize = 64 << 10 // a token with its TSA's chain is a few Kio
)

// stampedContentsSize is the room, in hex digits, of a signature carrying
// a time-stamp token (the token and the TSA's certificates).
const stampedContentsSize = 3 * contentsSize

// tsaError is a failed time-stamp, reported as a dossier's problem.
type tsaError struct{ msg string }

func (e *tsaError) Error() string          { return e.msg }
func (e *tsaError) ProblemCode() string    { return "HORODATAGE_IMPOSSIBLE" }
func (e *tsaError) ProblemMessage() string { return e.msg }

func (t *TSA) fail(format string, args ...any) error {
	return &tsaError{msg: fmt.Sprintf("horodatage de la signature par « %s » impossible : ", t.URL) + fmt.Sprintf(format, args...) +
		" ; vérifiez signature.horodatage dans segur.yaml, ou retirez-le pour signer sans horodatage"}
}

// Stamp asks the TSA to time-stamp value (a signature value) and returns
// the time-stamp token (a DER ContentInfo), checked: granted, signed by
// the TSA (its CMS verifies), for value's SHA-256 and the nonce sent.
func (t *TSA) Stamp(value []byte) ([]byte, error) {
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, t.fail("adresse invalide (attendu http://… ou https://…)")
	}
	digest := sha256.Sum256(value)
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, t.fail("aléa indisponible")
	}
	var q cryptobyte.Builder
	q.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // TimeStampReq
		b.AddASN1Int64(1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // MessageImprint
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidSHA256)
				b.AddASN1NULL()
			})
			b.AddASN1OctetString(digest[:])
		})
		b.AddASN1BigInt(nonce)
		b.AddASN1Boolean(true) // certReq: the TSA's certificate in the token
	})
	body, err := q.Bytes()
	if err != nil {
		return nil, t.fail("requête impossible à écrire")
	}
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = DefaultTSATimeout
	}
	max := t.MaxSize
	if max <= 0 {
		max = DefaultTSAMaxSize
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return nil, t.fail("adresse invalide")
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	client := t.Client
	if client == nil {
		client = &http.Client{}
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return nil, t.fail("pas de réponse en %s", fmtSeconds(timeout))
		}
		return nil, t.fail("serveur injoignable")
	}
	defer resp.Body.Close() // the answer is read whole before: closing loses nothing
	if resp.StatusCode != http.StatusOK {
		return nil, t.fail("le serveur répond le code HTTP %d", resp.StatusCode)
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	switch {
	case ctx.Err() != nil:
		return nil, t.fail("pas de réponse complète en %s", fmtSeconds(timeout))
	case err != nil:
		return nil, t.fail("réponse interrompue")
	case int64(len(answer)) > max:
		return nil, t.fail("réponse de plus de %d Kio", max>>10)
	}
	return t.check(answer, digest[:], nonce)
}

func fmtSeconds(d time.Duration) string {
	return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
}

// check reads a TimeStampResp and returns its token, verified.
func (t *TSA) check(answer, digest []byte, nonce *big.Int) ([]byte, error) {
	var resp struct {
		Status struct {
			Status int
			Rest   asn1.RawValue `asn1:"optional"`
			More   asn1.RawValue `asn1:"optional"`
		}
		Token asn1.RawValue `asn1:"optional"`
	}
	if rest, err := asn1.Unmarshal(answer, &resp); err != nil || len(rest) != 0 {
		return nil, t.fail("réponse illisible (ce n'est pas une réponse d'horodatage RFC 3161)")
	}
	if resp.Status.Status != 0 && resp.Status.Status != 1 {
		return nil, t.fail("horodatage refusé par le serveur (statut %d)", resp.Status.Status)
	}
	if len(resp.Token.FullBytes) == 0 {
		return nil, t.fail("réponse sans jeton d'horodatage")
	}
	token := resp.Token.FullBytes
	p7, err := pdfin.ParseToken(token)
	if err != nil || len(p7.Signers) != 1 {
		return nil, t.fail("jeton d'horodatage illisible")
	}
	if err := p7.Verify(); err != nil {
		return nil, t.fail("jeton d'horodatage dont la signature n'est pas valide")
	}
	info, ok := readTSTInfo(p7.Content)
	if !ok {
		return nil, t.fail("contenu du jeton d'horodatage illisible")
	}
	if !info.alg.Equal(oidSHA256) || !bytes.Equal(info.digest, digest) {
		return nil, t.fail("le jeton n'horodate pas cette signature (empreinte différente)")
	}
	if info.nonce == nil || info.nonce.Cmp(nonce) != 0 {
		return nil, t.fail("le jeton ne répond pas à cette demande (nonce différent)")
	}
	return token, nil
}

// stampTime reads the time of the RFC 3161 token in the unsigned
// attributes of the CMS signature p7 (zero when there is none or it does
// not verify): the TSA's genTime.
func stampTime(p7 *pkcs7.PKCS7) time.Time {
	if len(p7.Signers) == 0 {
		return time.Time{}
	}
	for _, a := range p7.Signers[0].UnauthenticatedAttributes {
		if !a.Type.Equal(oidTimeStampToken) {
			continue
		}
		tok, err := pdfin.ParseToken(a.Value.Bytes)
		if err != nil || tok.Verify() != nil {
			return time.Time{}
		}
		info, ok := readTSTInfo(tok.Content)
		if !ok {
			return time.Time{}
		}
		return info.genTime.UTC()
	}
	return time.Time{}
}

// tstInfo is what segur reads of an RFC 3161 TSTInfo.
type tstInfo struct {
	alg     asn1.ObjectIdentifier
	digest  []byte
	genTime time.Time
	nonce   *big.Int // nil when absent
}

// readTSTInfo reads der, a TSTInfo: version, policy, messageImprint,
// serialNumber, genTime, then the optional accuracy, ordering, nonce…
func readTSTInfo(der []byte) (tstInfo, bool) {
	var info tstInfo
	in := cryptobyte.String(der)
	var seq, imprint, alg cryptobyte.String
	var version int64
	var policy asn1.ObjectIdentifier
	serial := new(big.Int)
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(&version) || !seq.ReadASN1ObjectIdentifier(&policy) ||
		!seq.ReadASN1(&imprint, cbasn1.SEQUENCE) || !imprint.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&info.alg) ||
		!imprint.ReadASN1Bytes(&info.digest, cbasn1.OCTET_STRING) || !seq.ReadASN1Integer(serial) ||
		!seq.ReadASN1GeneralizedTime(&info.genTime) {
		return info, false
	}
	for !seq.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1Element(&el, &tag) {
			return info, false
		}
		if tag == cbasn1.INTEGER {
			n := new(big.Int)
			if !el.ReadASN1Integer(n) {
				return info, false
			}
			info.nonce = n
		}
	}
	return info, true
}
