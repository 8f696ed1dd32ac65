// Package signature signs PDFs with a PKCS#12 certificate, adds the empty
// signature fields that clients sign in, and verifies returned PDFs: their
// electronic signatures (digest, CMS, coverage, what changed after the
// document segur rendered, who signed) or, failing that, whether they are
// scans. It is the one place of segur that knows about PDF signatures;
// render and pack (and the read-back check) call it, and it imports neither.
package signature

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Error is a problem a user can act on: a stable code and a French message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Signer is a certificate with its private key and issuer chain, loaded
// from a PKCS#12 file.
type Signer struct {
	Cert  *x509.Certificate
	Chain []*x509.Certificate // issuers of Cert, Cert excluded
	Key   crypto.Signer
	// TSA, when set, time-stamps each signature (RFC 3161; segur.yaml's
	// signature.horodatage).
	TSA *TSA
}

// maxPKCS12 bounds the size of a PKCS#12 file: real ones are a few KiB.
const maxPKCS12 = 1 << 20

// Load reads the PKCS#12 file at path (OpenSSL 3's default AES-256/PBKDF2
// as well as legacy 3DES/RC2 encryption) with password, and checks that it
// holds a private key and a certificate valid at now. Errors are *Error.
func Load(path, password string, now time.Time) (*Signer, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, errorf("CERTIFICAT_ILLISIBLE", "le certificat « %s » est introuvable", path)
	case err != nil:
		return nil, errorf("CERTIFICAT_ILLISIBLE", "le certificat « %s » est illisible (droits d'accès ?)", path)
	case !fi.Mode().IsRegular():
		return nil, errorf("CERTIFICAT_ILLISIBLE", "« %s » n'est pas un fichier ordinaire", path)
	case fi.Size() > maxPKCS12:
		return nil, errorf("CERTIFICAT_ILLISIBLE", "« %s » est trop gros pour un certificat PKCS#12 (%d octets, au plus %d)", path, fi.Size(), maxPKCS12)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, errorf("CERTIFICAT_ILLISIBLE", "le certificat « %s » est illisible (droits d'accès ?)", path)
	}
	defer f.Close() // read-only: closing it loses nothing
	data, err := io.ReadAll(io.LimitReader(f, maxPKCS12+1))
	if err != nil {
		return nil, errorf("CERTIFICAT_ILLISIBLE", "le certificat « %s » est illisible", path)
	}
	return Parse(path, data, password, now)
}

// Parse is Load on the bytes of the file named name.
func Parse(name string, data []byte, password string, now time.Time) (*Signer, error) {
	key, cert, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return nil, errorf("CERTIFICAT_MOT_DE_PASSE", "mot de passe incorrect pour le certificat « %s »", name)
		}
		// A file with certificates only (a trust store) is a PKCS#12
		// without the key.
		if certs, terr := pkcs12.DecodeTrustStore(data, password); terr == nil && len(certs) > 0 {
			return nil, errorf("CERTIFICAT_SANS_CLE", "le certificat « %s » ne contient pas de clé privée : exportez-le avec sa clé (fichier .p12 ou .pfx « avec la clé privée »)", name)
		}
		if errors.Is(err, pkcs12.ErrDecryption) {
			return nil, errorf("CERTIFICAT_MOT_DE_PASSE", "mot de passe incorrect pour le certificat « %s »", name)
		}
		return nil, errorf("CERTIFICAT_ILLISIBLE", "« %s » n'est pas un certificat PKCS#12 (.p12, .pfx) lisible avec sa clé privée", name)
	}
	signer, ok := key.(crypto.Signer)
	if !ok || key == nil {
		return nil, errorf("CERTIFICAT_SANS_CLE", "le certificat « %s » ne contient pas de clé privée utilisable pour signer", name)
	}
	if now.After(cert.NotAfter) {
		return nil, errorf("CERTIFICAT_EXPIRE", "le certificat « %s » (%s) a expiré le %s : renouvelez-le", name, cert.Subject.CommonName, cert.NotAfter.Format("02/01/2006"))
	}
	if now.Before(cert.NotBefore) {
		return nil, errorf("CERTIFICAT_EXPIRE", "le certificat « %s » (%s) n'est valide qu'à partir du %s", name, cert.Subject.CommonName, cert.NotBefore.Format("02/01/2006"))
	}
	return &Signer{Cert: cert, Chain: chain, Key: signer}, nil
}
