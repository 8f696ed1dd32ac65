package signature

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Signatures made by tools nobody here wrote (issue 20): a genuine one is
// accepted, one drawn over the page is blocked. The case is skipped when
// the tool is missing (.ci/run installs it).
func TestPodofosign(t *testing.T) {
	if _, err := exec.LookPath("podofosign"); err != nil {
		t.Skip("podofosign (libpodofo-utils) is not installed; .ci/run installs it")
	}
	dir := t.TempDir()
	va := shadowVA(t)
	in := filepath.Join(dir, "va.pdf")
	s := loadTest(t, "schmitt")
	key, err := x509.MarshalPKCS8PrivateKey(s.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, pkey := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for p, b := range map[string]*pem.Block{cert: {Type: "CERTIFICATE", Bytes: s.Cert.Raw}, pkey: {Type: "PRIVATE KEY", Bytes: key}} {
		if err := os.WriteFile(p, pem.EncodeToMemory(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(in, va, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code string
	}{
		// podofosign fills the field without drawing anything: the
		// signature is genuine, and invisible.
		{"in the signatory's empty field, without drawing", []string{"-field-name", shadowBoxes[0].Name, "-field-use-existing"}, ""},
		{"in a field of its own, invisible", nil, ""},
		{"in a field of its own drawn over the page", []string{"-annot-position", "1,0,0,200,290", "-annot-text", "0,10,DMP [ ] MSS [X]", "-annot-print"}, codeOutside},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, "out"+string(rune('a'+i))+".pdf")
			args := append([]string{"-in", in, "-out", out, "-cert", cert, "-pkey", pkey, "-digest", "sha256"}, c.args...)
			if b, err := exec.Command("podofosign", args...).CombinedOutput(); err != nil {
				t.Fatalf("podofosign: %v\n%s", err, b)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			res := Verify("va.pdf", data, Expect{Rendered: [][]byte{va}, Signatories: shadowWho[:1]})
			if c.code == "" {
				if !res.OK() || res.Signers[0].As == "" {
					t.Fatalf("a genuine podofosign signature must be accepted: %+v", res.Errors)
				}
				if len(res.Warnings) != 1 || res.Warnings[0].Code != "VA_SIGNATURE_INVISIBLE" {
					t.Errorf("a signature nothing shows must be reported VA_SIGNATURE_INVISIBLE: %+v", res.Warnings)
				}
				return
			}
			if !hasCode(res, c.code) {
				t.Fatalf("want %s, got %+v", c.code, res.Errors)
			}
			if !strings.Contains(string(data[len(va):]), "/ByteRange") {
				t.Fatal("not an incremental signature")
			}
		})
	}
}
