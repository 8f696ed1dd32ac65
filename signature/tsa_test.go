package signature_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segur-sons/segur/signature"
	"github.com/segur-sons/segur/tools/sigtest"
)

// localTSA is an RFC 3161 time-stamping authority on 127.0.0.1: `openssl ts
// -reply` behind a Go HTTP handler, with a TSA certificate made here.
type localTSA struct {
	dir string
	mu  sync.Mutex
	n   int
}

func newLocalTSA(t *testing.T) *localTSA {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatal("openssl is needed for the local TSA (apt-get install openssl)")
	}
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// openssl ts wants the timeStamping extended key usage, critical.
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:    big.NewInt(7),
		Subject:         pkix.Name{CommonName: "TSA TEST segur", Organization: []string{"segur TEST"}},
		NotBefore:       time.Now().Add(-time.Hour),
		NotAfter:        time.Now().Add(24 * time.Hour),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("tsa.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	write("tsa.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
	write("serial", []byte("01\n"))
	write("ts.cnf", []byte(fmt.Sprintf(`[ tsa ]
default_tsa = tsa1
[ tsa1 ]
serial = %s/serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`, dir)))
	return &localTSA{dir: dir}
}

func (l *localTSA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	in, out := filepath.Join(l.dir, fmt.Sprintf("q%d.tsq", l.n)), filepath.Join(l.dir, fmt.Sprintf("r%d.tsr", l.n))
	if err := os.WriteFile(in, q, 0o600); err != nil {
		http.Error(w, "write", http.StatusInternalServerError)
		return
	}
	cmd := exec.Command("openssl", "ts", "-reply", "-config", filepath.Join(l.dir, "ts.cnf"), "-queryfile", in,
		"-inkey", filepath.Join(l.dir, "tsa.key"), "-signer", filepath.Join(l.dir, "tsa.pem"), "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		http.Error(w, string(msg), http.StatusInternalServerError)
		return
	}
	resp, err := os.ReadFile(out)
	if err != nil {
		http.Error(w, "reply", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(resp)
}

// TestTimestampedSignature (issue 20): with a TSA, the fournisseur's
// signature carries an RFC 3161 token for its signature value, which
// pdfsig and segur's verification read; the signature stays valid.
func TestTimestampedSignature(t *testing.T) {
	tsa := newLocalTSA(t)
	srv := httptest.NewServer(tsa)
	defer srv.Close()
	s, err := sigtest.Load("..", "fournisseur")
	if err != nil {
		t.Fatal(err)
	}
	s.TSA = &signature.TSA{URL: srv.URL}
	doc := samplePDF(t, "MOM 00042")
	before := time.Now().Add(-time.Minute)
	signed, err := signature.Sign(doc, s, signature.Box{Page: 1, Rect: [4]float64{50, 50, 400, 120}}, "Signé par Claire Martin", time.Date(2023, 1, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	res := signature.Verify("mom.pdf", signed, signature.Expect{Kind: "MOM", Deposited: true})
	if !res.OK() || len(res.Signers) != 1 || !res.Signers[0].Valid {
		t.Fatalf("the time-stamped signature does not verify: %+v", res)
	}
	at := res.Signers[0].Stamped
	if at.Before(before) || at.After(time.Now().Add(time.Minute)) {
		t.Errorf("time-stamp at %v, want now", at)
	}
	if !strings.Contains(res.Signers[0].Describe(), "horodatée le") {
		t.Errorf("the time-stamp is not described: %s", res.Signers[0].Describe())
	}
	out := pdfsig(t, signed)
	for _, want := range []string{"Signature is Valid", "Total document signed", "Signature Type: ETSI.CAdES.detached", "Timestamp"} {
		if !strings.Contains(out, want) {
			t.Errorf("pdfsig should say %q:\n%s", want, out)
		}
	}
}

// TestTimestampFailures (issue 20): a TSA that fails, hangs, answers too
// much, garbage or a token for another request stops the signature with a
// French message naming the TSA (HORODATAGE_IMPOSSIBLE), within the bounds.
func TestTimestampFailures(t *testing.T) {
	tsa := newLocalTSA(t)
	good := httptest.NewServer(tsa)
	defer good.Close()
	// A genuine answer recorded for another request: a replay.
	var replay []byte
	{
		s, err := sigtest.Load("..", "fournisseur")
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rw := httptest.NewRecorder()
			tsa.ServeHTTP(rw, r)
			replay = rw.Body.Bytes()
			w.WriteHeader(rw.Code)
			w.Write(replay)
		}))
		s.TSA = &signature.TSA{URL: rec.URL}
		if _, err := signature.Sign(samplePDF(t, "autre"), s, signature.Box{Page: 1, Rect: [4]float64{50, 50, 400, 120}}, "x", time.Now()); err != nil {
			t.Fatal(err)
		}
		rec.Close()
	}
	hang := make(chan struct{})
	defer close(hang)
	cases := []struct {
		name    string
		handler http.HandlerFunc
		url     string
		want    string
	}{
		{"HTTP error", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "panne", http.StatusInternalServerError) }, "", "code HTTP 500"},
		{"no answer within the bound", func(w http.ResponseWriter, r *http.Request) {
			// The request read whole: the server then sees the client
			// leave (the request's context ends).
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-hang:
			}
		}, "", "pas de réponse en 1 s"},
		{"an answer over the size bound", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 100<<10)) }, "", "réponse de plus de 64 Kio"},
		{"garbage", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>bonjour</html>")) }, "", "réponse illisible"},
		{"a token for another request", func(w http.ResponseWriter, r *http.Request) { w.Write(replay) }, "", "empreinte différente"},
		{"not an HTTP address", nil, "ftp://127.0.0.1/tsa", "adresse invalide"},
		{"nobody listening", nil, "http://127.0.0.1:1/tsa", "serveur injoignable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := sigtest.Load("..", "fournisseur")
			if err != nil {
				t.Fatal(err)
			}
			url := c.url
			if c.handler != nil {
				srv := httptest.NewServer(c.handler)
				defer srv.Close()
				url = srv.URL
			}
			// A bound of 1 s where the TSA never answers; generous
			// elsewhere (a loaded machine).
			timeout := 2 * time.Minute
			if strings.HasPrefix(c.want, "pas de réponse") {
				timeout = time.Second
			}
			s.TSA = &signature.TSA{URL: url, Timeout: timeout}
			start := time.Now()
			_, err = signature.Sign(samplePDF(t, "MOM 00042"), s, signature.Box{Page: 1, Rect: [4]float64{50, 50, 400, 120}}, "x", time.Now())
			var coded interface{ ProblemCode() string }
			if err == nil || !errors.As(err, &coded) || coded.ProblemCode() != "HORODATAGE_IMPOSSIBLE" {
				t.Fatalf("want HORODATAGE_IMPOSSIBLE, got %v", err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "horodatage de la signature par « "+url+" » impossible") {
				t.Errorf("message %q, want %q", err, c.want)
			}
			if d := time.Since(start); d > timeout+time.Minute {
				t.Errorf("took %v", d)
			}
		})
	}
}
