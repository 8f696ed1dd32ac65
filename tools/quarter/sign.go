package quarter

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/render"
	"github.com/segur-sons/segur/signature"
	"github.com/segur-sons/segur/templates"
)

// Password is the password of the quarter's TEST fournisseur certificate
// (a copy of fixtures/certs/fournisseur.p12), to set in
// SEGUR_CERTIFICAT_MDP when packing the quarter.
const Password = "segur-test"

// ConfigSignature is the signature block the quarter's segur.yaml ends with.
const ConfigSignature = "signature: {certificat: certs/fournisseur.p12, mot_de_passe_env: SEGUR_CERTIFICAT_MDP}\n"

// copyCertificate copies the TEST fournisseur certificate of the
// repository (found from the working directory) into dir/certs.
func copyCertificate(dir string) error {
	src := ""
	wd, _ := os.Getwd() // none: the search below finds nothing and says so
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "fixtures", "certs", "fournisseur.p12")); err == nil {
			src = filepath.Join(d, "fixtures", "certs", "fournisseur.p12")
			break
		}
		if filepath.Dir(d) == d {
			return fmt.Errorf("quarter: fixtures/certs/fournisseur.p12 introuvable depuis %s", wd)
		}
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "certs"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "certs", "fournisseur.p12"), data, 0o644)
}

// signer makes TEST certificates for the quarter's client signatories, in
// memory, with ECDSA keys (fast to generate), under a TEST authority.
type signer struct {
	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
	certs map[string]*signature.Signer
	n     int64
}

func newSigner() (*signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "AC TEST trimestre synthetique segur"},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &signer{ca: ca, caKey: key, certs: map[string]*signature.Signer{}, n: 1}, nil
}

// of returns the certificate of a signatory.
func (s *signer) of(who signature.Signatory) (*signature.Signer, error) {
	k := who.Name + "/" + who.ID
	if c, ok := s.certs[k]; ok {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	s.n++
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(s.n),
		Subject:      pkix.Name{CommonName: who.Name, SerialNumber: who.ID, OrganizationalUnit: []string{"TEST"}},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, s.ca, &key.PublicKey, s.caKey)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	c := &signature.Signer{Cert: cert, Chain: []*x509.Certificate{s.ca}, Key: key}
	s.certs[k] = c
	return c, nil
}

// signVAs renders the VA of every VA dossier of the quarter and has it
// signed, in turn, by each of its signatories, into dir/signes.
func signVAs(dir string) error {
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		return err
	}
	cfg, probs, err := dossier.LoadConfig(filepath.Join(dir, "segur.yaml"), reg, pdfops.Disk{})
	if err != nil || dossier.HasError(probs) {
		return fmt.Errorf("quarter: segur.yaml: %v %v", err, probs)
	}
	files, err := dossier.Files([]string{filepath.Join(dir, "dossiers")})
	if err != nil {
		return err
	}
	fr, _ := templates.FS.ReadFile(templates.FontRegular) // embedded in the binary: cannot fail
	fb, _ := templates.FS.ReadFile(templates.FontBold)    // embedded in the binary: cannot fail
	r := render.New(render.Assets{Fonts: render.Fonts{Regular: fr, Bold: fb}})
	s, err := newSigner()
	if err != nil {
		return err
	}
	for _, f := range files {
		ds := dossier.CheckFiles(cfg, reg, []string{f}, dossier.Options{Phase: dossier.PhaseSolde, Files: pdfops.Disk{}, DateDepot: time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)})
		for _, d := range ds {
			if d.Blocked() || d.Justificatif.Kind != dossier.VA {
				continue
			}
			data, err := r.Render(d, dossier.VA)
			if err != nil {
				return err
			}
			for _, p := range d.Justificatif.Pages {
				who := signature.Signatory{Name: p.Signataire.FullName()}
				if p.Signataire.Role == dossier.RoleBeneficiaire {
					who.ID = p.ID
				}
				c, err := s.of(who)
				if err != nil {
					return err
				}
				if data, err = signature.SignField(data, c, render.FieldName(p), "Signe par "+who.Name, d.Realisation.DateFin.Time); err != nil {
					return err
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "signes", d.FileName(dossier.VA)), data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
