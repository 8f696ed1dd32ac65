package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/phpdave11/gofpdf"
	"github.com/segur-sons/segur/pack"
	"github.com/segur-sons/segur/rapport"
	"github.com/segur-sons/segur/retours"
	"github.com/segur-sons/segur/signature"
	"github.com/segur-sons/segur/tools/sigtest"
)

// Returned VAs, as a new user would try them: each case puts files in a
// --signes folder, packs one fixture dossier, and checks what pack says
// about its VA. Every case but the valid ones was packed « prêt » before
// VAs were verified.

const (
	vaLiberal  = "fixtures/dossiers/liberal-va.yaml"             // 00043, one signatory (RPPS 10766476625)
	vaTwo      = "fixtures/dossiers/cas5-mandataire-retire.yaml" // 00048, two signatories
	name43     = "MDV-LGC-Va1-VA-00043.pdf"
	name48     = "MDV-LGC-Va1-VA-00048.pdf"
	signedDate = "2023-01-25"
)

// unsignedVA renders the unsigned VA of a fixture dossier with segur.
func unsignedVA(t *testing.T, record, numero, name string) []byte {
	t.Helper()
	out := t.TempDir()
	if code, stdout, stderr := runIn(t, "render", "--doc", "va", "-o", out, repo(record)); code != exitOK {
		t.Fatalf("render: exit %d\n%s%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, "dossiers", numero, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// signAs signs data in its field for the signatory whose TEST certificate
// is fixtures/certs/<who>.p12.
func signAs(t *testing.T, data []byte, who, field string) []byte {
	t.Helper()
	s, err := sigtest.Load("../..", who)
	if err != nil {
		t.Fatal(err)
	}
	when, _ := time.Parse(time.DateOnly, signedDate)
	out, err := sigtest.SignField(data, s, field, when)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// packOne packs one record with the given --signes files and returns the
// exit code, pack's output and the rapport entry of the dossier.
func packOne(t *testing.T, record, numero string, files map[string][]byte, remises ...retours.Remise) (int, string, rapport.RapportDossier, string) {
	t.Helper()
	signes, out := t.TempDir(), t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(signes, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := retours.RecordRemises(out, remises); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runIn(t, "pack", "--date-depot", "2023-03-01", "--signes", signes, "-o", out, repo(record))
	data, err := os.ReadFile(filepath.Join(out, "rapport.json"))
	if err != nil {
		t.Fatalf("no rapport.json: %v\n%s%s", err, stdout, stderr)
	}
	var rap rapport.Rapport
	if err := json.Unmarshal(data, &rap); err != nil {
		t.Fatal(err)
	}
	for _, d := range rap.Dossiers {
		if d.NumeroEditeur == numero {
			return code, stdout + stderr, d, out
		}
	}
	t.Fatalf("dossier %s not in rapport.json", numero)
	return 0, "", rapport.RapportDossier{}, ""
}

func codes(d rapport.RapportDossier) []string {
	var out []string
	for _, p := range d.Problemes {
		if p.Niveau == "erreur" || strings.HasPrefix(p.Code, "VA_") {
			out = append(out, p.Code)
		}
	}
	return out
}

// readZips returns the entries of each zip of the dépôt out.
func readZips(t *testing.T, out string) map[string][]pack.Entry {
	t.Helper()
	zips, _ := filepath.Glob(filepath.Join(out, "depot", "*.zip"))
	all := map[string][]pack.Entry{}
	for _, z := range zips {
		zr, err := zip.OpenReader(z)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			d, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			all[z] = append(all[z], pack.Entry{Name: f.Name, Data: d, Modified: f.Modified})
		}
		zr.Close()
	}
	return all
}

// fromZip returns an entry of the dépôt's zips.
func fromZip(t *testing.T, out, name string) []byte {
	t.Helper()
	for _, entries := range readZips(t, out) {
		for _, e := range entries {
			if e.Name == name {
				return e.Data
			}
		}
	}
	t.Fatalf("%s is in no zip of %s", name, out)
	return nil
}

func pdfsig(t *testing.T, data []byte) string { return sigtest.Pdfsig(t, data) }

func TestReturnedVAs(t *testing.T) {
	va43 := unsignedVA(t, vaLiberal, "00043", name43)
	field43 := "Signature 10766476625"
	signed43 := signAs(t, va43, "rousseau", field43)
	va62, err := os.ReadFile("../../fixtures/signes/BIO-LOINC-Va1-VA-00062.pdf")
	if err != nil {
		t.Fatal(err)
	}
	facture := func() []byte {
		out := t.TempDir()
		runIn(t, "render", "--doc", "facture", "-o", out, repo(vaLiberal))
		data, err := os.ReadFile(filepath.Join(out, "dossiers", "00043", "MDV-LGC-Va1-FACTURE-00043.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	other := unsignedVA(t, "fixtures/dossiers/bio-loinc.yaml", "00062", "BIO-LOINC-Va1-VA-00062.pdf")
	tampered := bytes.Clone(signed43)
	// A byte of the page content, inside the signed range.
	if i := bytes.Index(tampered, []byte("stream\n")); i > 0 {
		tampered[i+40] ^= 0x01
	}
	boxes, err := sigtest.Draw(signed43, 1, "q 0 0 0 rg 80 400 10 10 re f Q")
	if err != nil {
		t.Fatal(err)
	}
	intrus := signAs(t, va43, "intrus", field43)

	type returned struct {
		name   string
		file   []byte
		want   string // the code pack gives, "" when the VA is accepted
		pdfsig string // what pdfsig says of the file, "" when not run
	}
	cases := []returned{
		{"the unsigned VA plus one byte", append(bytes.Clone(va43), 'x'), "PIECE_ILLISIBLE", ""},
		{"the unsigned VA plus a newline", append(bytes.Clone(va43), '\n'), "VA_NON_SIGNEE", ""},
		{"another dossier's signed VA, renamed", va62, "VA_AUTRE_DOSSIER", ""},
		{"another dossier's unsigned VA, renamed", other, "VA_NON_SIGNEE", ""},
		{"the dossier's facture renamed as its VA", facture(), "VA_NON_SIGNEE", ""},
		{"a signed VA tampered inside its signed range", tampered, "VA_SIGNATURE_INVALIDE", "Digest Mismatch"},
		{"a signed VA with a later change over its boxes", boxes, "VA_MODIFIEE_APRES_SIGNATURE", "Not total document signed"},
		{"a VA signed by someone who is not a signatory", intrus, "VA_SIGNATAIRE_INCONNU", "Signature is Valid"},
		{"the VA signed by its signatory", signed43, "", "Signature is Valid"},
	}
	if _, err := exec.LookPath("qpdf"); err == nil {
		in, out := filepath.Join(t.TempDir(), "in.pdf"), filepath.Join(t.TempDir(), "out.pdf")
		os.WriteFile(in, va43, 0o644)
		if msg, err := exec.Command("qpdf", "--linearize", in, out).CombinedOutput(); err != nil {
			t.Fatalf("qpdf: %v %s", err, msg)
		}
		lin, _ := os.ReadFile(out)
		cases = append(cases, returned{name: "the unsigned VA re-saved by qpdf --linearize", file: lin, want: "VA_NON_SIGNEE"})
		// A signed VA re-saved whole, its signature in an object stream:
		// the signed byte ranges no longer mean anything.
		os.WriteFile(in, signed43, 0o644)
		if msg, err := exec.Command("qpdf", "--object-streams=generate", in, out).CombinedOutput(); err != nil {
			t.Fatalf("qpdf: %v %s", err, msg)
		}
		resaved, _ := os.ReadFile(out)
		cases = append(cases, returned{name: "a signed VA re-saved whole (qpdf, object streams)", file: resaved, want: "VA_SIGNATURE_INVALIDE"})
	} else {
		t.Log("qpdf not installed: the linearized case is not run (.ci/run installs it)")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, output, d, out := packOne(t, vaLiberal, "00043", map[string][]byte{name43: c.file})
			got := codes(d)
			if c.want == "" {
				if len(got) > 0 || d.Statut != rapport.StatutPret || code != exitOK {
					t.Fatalf("want the VA accepted, got %v (exit %d)\n%s", got, code, output)
				}
				inZip := fromZip(t, out, name43)
				if !bytes.Equal(inZip, c.file) {
					t.Error("the VA in the zip is not the signed file byte for byte")
				}
				if d.Preuve == nil || d.Preuve.Type != signature.Electronic || d.Preuve.SHA256 != sum(inZip) || len(d.Preuve.Signataires) != 1 || !d.Preuve.Signataires[0].Valid {
					t.Errorf("rapport.json proof: got %+v, want one valid electronic signature and the zip's SHA-256", d.Preuve)
				}
				for _, f := range d.Fichiers {
					if f.Nom == name43 && f.SHA256 != sum(inZip) {
						t.Errorf("rapport.json gives %s for %s, want the SHA-256 of the file in the zip %s", f.SHA256, name43, sum(inZip))
					}
				}
			} else {
				if !slices.Contains(got, c.want) || d.Statut != rapport.StatutBloque || code != exitRejected {
					t.Fatalf("want %s and the dossier blocked, got %v, statut %s, exit %d\n%s", c.want, got, d.Statut, code, output)
				}
				for _, p := range d.Problemes {
					if p.Code == c.want && (p.Message == "" || !strings.Contains(p.Message, name43)) {
						t.Errorf("the message should name the file: %q", p.Message)
					}
				}
			}
			if c.pdfsig != "" {
				if got := pdfsig(t, c.file); !strings.Contains(got, c.pdfsig) {
					t.Errorf("pdfsig should say %q:\n%s", c.pdfsig, got)
				}
			}
		})
	}
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestVASignedInTurn(t *testing.T) {
	va := unsignedVA(t, vaTwo, "00048", name48)
	f1, f2 := "Signature 10875011016", "Signature 10073697418"
	first := signAs(t, va, "schmitt", f1)
	both := signAs(t, first, "muller", f2)
	changed, err := sigtest.Draw(first, 1, "q 0 0 0 rg 80 400 10 10 re f Q")
	if err != nil {
		t.Fatal(err)
	}
	changedThenSigned := signAs(t, changed, "muller", f2)
	part1 := signAs(t, va, "schmitt", f1)
	part2 := signAs(t, va, "muller", f2)
	scan, err := os.ReadFile("../../fixtures/signes/MDV-LGC-Va1-VA-00050.pdf") // one page; 00048's VA has two
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSuffix(name48, ".pdf")
	cases := []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"signed by both signatories in turn", map[string][]byte{name48: both}, ""},
		{"signed by one of the two", map[string][]byte{name48: first}, "VA_SIGNATURE_MANQUANTE"},
		{"changed between the two signatures", map[string][]byte{name48: changedThenSigned}, "VA_MODIFIEE_CONTENU"},
		{"one electronically signed file per beneficiary", map[string][]byte{base + "-10875011016.pdf": part1, base + "-10073697418.pdf": part2}, "VA_PARTIE_SIGNEE"},
		{"a scan with the wrong page count", map[string][]byte{name48: scan}, "VA_PAGES"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, output, d, out := packOne(t, vaTwo, "00048", c.files)
			got := codes(d)
			if c.want != "" {
				if !slices.Contains(got, c.want) || code != exitRejected {
					t.Fatalf("want %s, got %v (exit %d)\n%s", c.want, got, code, output)
				}
				if c.want == "VA_SIGNATURE_MANQUANTE" && (d.Preuve == nil || !slices.Equal(d.Preuve.Attendus, []string{"François Muller (10073697418)"})) {
					t.Errorf("rapport.json should say who is still expected to sign: %+v", d.Preuve)
				}
				return
			}
			if len(got) > 0 || code != exitOK {
				t.Fatalf("want the VA accepted, got %v (exit %d)\n%s", got, code, output)
			}
			inZip := fromZip(t, out, name48)
			if !bytes.Equal(inZip, both) {
				t.Fatal("the VA signed in turn must go into the zip untouched")
			}
			if d.Preuve == nil || len(d.Preuve.Signataires) != 2 || len(d.Preuve.Attendus) != 0 {
				t.Errorf("rapport.json proof: %+v", d.Preuve)
			}
			if got := pdfsig(t, inZip); strings.Count(got, "Signature is Valid") != 2 || !strings.Contains(got, "Total document signed") {
				t.Errorf("pdfsig on the VA in the zip: want two valid signatures, the last one covering the document:\n%s", got)
			}
			if code, stdout, stderr := runIn(t, "check", out); code != exitOK {
				t.Errorf("check disagrees with pack: exit %d\n%s%s", code, stdout, stderr)
			}
		})
	}
}

// A VA handed out by an earlier version of segur (whose rendering differs
// from today's) is tied to its dossier by the SHA-256 recorded when it was
// handed out.
func TestVAHandedOutEarlier(t *testing.T) {
	va := unsignedVA(t, vaLiberal, "00043", name43)
	// An earlier rendering: the same text, other bytes (another producer).
	older := bytes.Replace(va, []byte("/Creator"), []byte("/Creatox"), 1)
	if bytes.Equal(older, va) {
		t.Fatal("could not make an older rendering")
	}
	signed := signAs(t, older, "rousseau", "Signature 10766476625")
	_, output, d, _ := packOne(t, vaLiberal, "00043", map[string][]byte{name43: signed},
		retours.Remise{SHA256: sum(older), Numero: "00043", Fichier: name43})
	if len(codes(d)) > 0 || d.Preuve == nil || !strings.Contains(d.Preuve.Rattachement, "empreinte") {
		t.Fatalf("want the VA tied by its recorded SHA-256, got %v %+v\n%s", codes(d), d.Preuve, output)
	}
	_, output, d, _ = packOne(t, vaLiberal, "00043", map[string][]byte{name43: signed})
	if len(codes(d)) > 0 || d.Preuve == nil || !strings.Contains(d.Preuve.Rattachement, "texte") {
		t.Fatalf("without the record, want the VA tied by its text, got %v %+v\n%s", codes(d), d.Preuve, output)
	}
}

// A certificate that cannot be used stops render and pack before any work,
// with a French message at segur.yaml's line (exit 2).
func TestCertificateProblemsStopBeforeAnyWork(t *testing.T) {
	cfg, err := os.ReadFile("../../fixtures/segur.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lineOf := func(s string) string {
		for i, l := range strings.Split(string(cfg), "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), s) {
				return ":" + strconv.Itoa(i+1) + ":"
			}
		}
		t.Fatalf("%s not in fixtures/segur.yaml", s)
		return ""
	}
	setup := func(t *testing.T, cert string) string {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "certs"), 0o755); err != nil {
			t.Fatal(err)
		}
		if cert != "" {
			data, err := os.ReadFile("../../fixtures/certs/" + cert)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "certs", "fournisseur.p12"), data, 0o600)
		}
		p, _ := filepath.Abs(filepath.Join(dir, "segur.yaml"))
		os.WriteFile(p, cfg, 0o644)
		return p
	}
	cases := []struct {
		name, cert, password, code, line string
		unset                            bool
	}{
		{"the password variable is not set", "fournisseur.p12", "", "CERTIFICAT_MOT_DE_PASSE", lineOf("mot_de_passe_env:"), true},
		{"a wrong password", "fournisseur.p12", "mauvais", "CERTIFICAT_MOT_DE_PASSE", lineOf("certificat:"), false},
		{"the certificate file is missing", "", "segur-test", "CERTIFICAT_ILLISIBLE", lineOf("certificat:"), false},
		{"a legacy PKCS#12 (3DES, RC2)", "fournisseur-legacy.p12", "segur-test", "", "", false},
	}
	for _, c := range cases {
		for _, command := range []string{"pack", "render"} {
			t.Run(c.name+" ("+command+")", func(t *testing.T) {
				config := setup(t, c.cert)
				if c.unset {
					old, had := os.LookupEnv("SEGUR_CERTIFICAT_MDP")
					os.Unsetenv("SEGUR_CERTIFICAT_MDP")
					t.Cleanup(func() {
						if had {
							os.Setenv("SEGUR_CERTIFICAT_MDP", old)
						}
					})
				} else {
					t.Setenv("SEGUR_CERTIFICAT_MDP", c.password)
				}
				out := filepath.Join(t.TempDir(), "sortie")
				code, stdout, stderr := runIn(t, command, "--config", config, "--date-depot", "2023-03-01", "-o", out, repo("fixtures/dossiers/liberal-mom.yaml"))
				if c.code == "" {
					if code != exitOK {
						t.Fatalf("exit %d, want 0\n%s%s", code, stdout, stderr)
					}
					mom, err := os.ReadFile(filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-MOM-00042.pdf"))
					if err != nil {
						t.Fatal(err)
					}
					if got := pdfsig(t, mom); !strings.Contains(got, "Signature is Valid") || !strings.Contains(got, "Total document signed") {
						t.Errorf("the MOM signed with a legacy PKCS#12: pdfsig says\n%s", got)
					}
					return
				}
				if code != exitCannot {
					t.Fatalf("exit %d, want %d\n%s%s", code, exitCannot, stdout, stderr)
				}
				if !strings.Contains(stdout, "segur.yaml"+c.line) || !strings.Contains(stdout, "["+c.code+"]") {
					t.Errorf("want segur.yaml%s… [%s], got\n%s%s", c.line, c.code, stdout, stderr)
				}
				if _, err := os.Stat(out); err == nil {
					t.Error("nothing may be written when the certificate cannot be used")
				}
			})
		}
	}
}

// Without a certificate, a MOM must be signed by hand (or with another
// tool) and given in --signes; with neither, the dossier is blocked.
func TestMOMWithoutCertificate(t *testing.T) {
	cfg, err := os.ReadFile("../../fixtures/segur.yaml")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(cfg, []byte("\nsignature:"))
	if i < 0 {
		t.Fatal("no signature block in fixtures/segur.yaml")
	}
	config, _ := filepath.Abs(filepath.Join(t.TempDir(), "segur.yaml"))
	if err := os.WriteFile(config, cfg[:i+1], 0o644); err != nil {
		t.Fatal(err)
	}
	rendered := t.TempDir()
	if code, stdout, stderr := runIn(t, "render", "--config", config, "--doc", "mom", "-o", rendered, repo("fixtures/dossiers/liberal-mom.yaml")); code != exitOK {
		t.Fatalf("render: %d %s%s", code, stdout, stderr)
	}
	mom, err := os.ReadFile(filepath.Join(rendered, "dossiers", "00042", "MDV-LGC-Va1-MOM-00042.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(pdfsig(t, mom), "Signature #1") {
		t.Fatal("without a certificate the MOM must not be signed")
	}
	s, err := sigtest.Load("../..", "fournisseur")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := signature.Sign(mom, s, signature.Box{Page: 1, Rect: [4]float64{60, 100, 500, 160}}, "Signe par Claire Martin", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	run := func(files map[string][]byte) (int, string, string) {
		signes, out := t.TempDir(), t.TempDir()
		for n, d := range files {
			os.WriteFile(filepath.Join(signes, n), d, 0o644)
		}
		code, stdout, _ := runIn(t, "pack", "--config", config, "--date-depot", "2023-03-01", "--signes", signes, "-o", out, repo("fixtures/dossiers/liberal-mom.yaml"))
		return code, stdout, out
	}
	if code, stdout, _ := run(nil); code != exitRejected || !strings.Contains(stdout, "[MOM_NON_SIGNEE]") {
		t.Errorf("no certificate, no signed MOM: want MOM_NON_SIGNEE, got exit %d\n%s", code, stdout)
	}
	code, stdout, out := run(map[string][]byte{"MDV-LGC-Va1-MOM-00042.pdf": signed})
	if code != exitOK {
		t.Fatalf("a MOM signed with another tool: want it accepted, got exit %d\n%s", code, stdout)
	}
	if !bytes.Equal(fromZip(t, out, "MDV-LGC-Va1-MOM-00042.pdf"), signed) {
		t.Error("the signed MOM must go into the zip untouched")
	}
}

// replaceInZip rewrites the zip holding name with data in its place.
func replaceInZip(t *testing.T, out, name string, data []byte) {
	t.Helper()
	for z, entries := range readZips(t, out) {
		i := slices.IndexFunc(entries, func(e pack.Entry) bool { return e.Name == name })
		if i < 0 {
			continue
		}
		entries[i].Data = data
		var b bytes.Buffer
		if err := pack.WriteZip(&b, entries); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(z, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("%s in no zip", name)
}

// check verifies the MOM and VA signatures in the zips as pack does, and
// the VA's boxes against its JSON line.
func TestCheckVerifiesSignaturesInTheZip(t *testing.T) {
	p := packedFixtures(t)
	out := p.dir // read-only: each case changes a copy
	if p.code == exitCannot {
		t.Fatalf("pack: %s%s", p.stdout, p.stderr)
	}
	mom := fromZip(t, out, "MDV-LGC-Va1-MOM-00042.pdf")
	va := fromZip(t, out, name43)
	tampered := bytes.Clone(va)
	if i := bytes.Index(tampered, []byte("stream\n")); i > 0 {
		tampered[i+40] ^= 0x01
	}
	later, err := sigtest.Draw(mom, 1, "q 0 0 0 rg 80 400 10 10 re f Q")
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := os.ReadFile(filepath.Join(out, "dossiers", "00043", name43))
	if err != nil {
		t.Fatal(err)
	}
	// 00048's VA ticks other boxes than 00043's line says.
	otherBoxes := fromZip(t, out, name48)
	cases := []struct {
		name, entry string
		data        []byte
		want        string
	}{
		{"a VA tampered inside its signed range", name43, tampered, "VA_SIGNATURE_INVALIDE"},
		{"a MOM changed after its signature", "MDV-LGC-Va1-MOM-00042.pdf", later, "MOM_MODIFIEE_APRES_SIGNATURE"},
		{"an unsigned VA", name43, unsigned, "VA_NON_SIGNEE"},
		{"a VA whose boxes differ from the JSON", name43, otherBoxes, "VA_CASES"},
		// Validly signed, but not the file pack put there (issue 20).
		{"a validly signed VA swapped in after pack", name43, signAs(t, unsigned, "rousseau", "Signature 10766476625"), "PIECE_REMPLACEE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyTree(t, out)
			replaceInZip(t, dir, c.entry, c.data)
			code, stdout, stderr := runIn(t, "check", dir)
			if code != exitRejected || !strings.Contains(stdout, "["+c.want+"]") {
				t.Errorf("want %s (exit %d), got exit %d\n%s%s", c.want, exitRejected, code, stdout, stderr)
			}
		})
	}
}

// ocrScan is a one-page scan (a full-page image) with an invisible OCR
// text layer saying text, as OCR tools write them.
func ocrScan(t *testing.T, text string) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 210, 297))
	for i := range img.Pix {
		img.Pix[i] = 0xf0
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	pdf := gofpdf.New("P", "mm", "A4", "")
	fixed := time.Date(2023, 1, 25, 0, 0, 0, 0, time.UTC)
	pdf.SetCreationDate(fixed)
	pdf.SetModificationDate(fixed)
	pdf.AddPage()
	pdf.RegisterImageOptionsReader("scan", gofpdf.ImageOptions{ImageType: "PNG"}, &buf)
	pdf.ImageOptions("scan", 0, 0, 210, 297, false, gofpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.SetTextRenderingMode(3)
	pdf.Text(20, 40, text)
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Per-beneficiary scans are merged in page order; one whose OCR text names
// another beneficiary (files swapped) is refused.
func TestScannedParts(t *testing.T) {
	base := strings.TrimSuffix(name48, ".pdf")
	first, second := base+"-10875011016.pdf", base+"-10073697418.pdf"
	unsigned := unsignedVA(t, vaTwo, "00048", name48)
	cases := []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"each beneficiary's scan under their name", map[string][]byte{
			first: ocrScan(t, "VA 00048 Anne Schmitt RPPS 10875011016"), second: ocrScan(t, "VA 00048 François Muller RPPS 10073697418")}, ""},
		{"the two scans swapped", map[string][]byte{
			first: ocrScan(t, "VA 00048 François Muller RPPS 10073697418"), second: ocrScan(t, "VA 00048 Anne Schmitt RPPS 10875011016")}, "VA_AUTRE_BENEFICIAIRE"},
		{"one scan missing", map[string][]byte{first: ocrScan(t, "VA 00048 Anne Schmitt RPPS 10875011016")}, "VA_NON_SIGNEE"},
		{"unsigned parts (the VA as rendered)", map[string][]byte{first: unsigned, second: unsigned}, "VA_NON_SIGNEE"},
	}
	// Who still has to sign, in rapport.json, and whom rapport.html links
	// to a prepared e-mail: only the beneficiary whose scan is missing.
	const schmitt, muller = "anne.schmitt@medecins-strasbourg.example", "francois.muller@medecins-strasbourg.example"
	awaiting := map[string]struct{ attendus, mails []string }{
		"one scan missing":                    {[]string{"François Muller (10073697418)"}, []string{muller}},
		"unsigned parts (the VA as rendered)": {[]string{"Anne Schmitt (10875011016)", "François Muller (10073697418)"}, []string{schmitt, muller}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, output, d, out := packOne(t, vaTwo, "00048", c.files)
			if want, ok := awaiting[c.name]; ok {
				if d.Preuve == nil || !slices.Equal(d.Preuve.Attendus, want.attendus) {
					t.Errorf("signatures_attendues %+v, want %q", d.Preuve, want.attendus)
				}
				html, err := os.ReadFile(filepath.Join(out, "rapport.html"))
				if err != nil {
					t.Fatal(err)
				}
				for _, mail := range []string{schmitt, muller} {
					has := strings.Contains(string(html), `href="mailto:`+mail+`?subject=`)
					if has != slices.Contains(want.mails, mail) {
						t.Errorf("rapport.html links %s to a prepared e-mail: %v, want %v", mail, has, !has)
					}
				}
			}
			got := codes(d)
			if c.want == "" {
				if d.Statut != rapport.StatutPret || !slices.Contains(got, "VA_NUMERISEE") || d.Preuve == nil || d.Preuve.Type != signature.Scan {
					t.Fatalf("want the scans merged with a VA_NUMERISEE warning, got %v (exit %d) %+v\n%s", got, code, d.Preuve, output)
				}
				return
			}
			if !slices.Contains(got, c.want) || code != exitRejected {
				t.Fatalf("want %s, got %v (exit %d)\n%s", c.want, got, code, output)
			}
		})
	}
}

// Every MOM of the fixtures' dépôt is signed by the fournisseur, and pdfsig
// says so of the file in the zip.
func TestMOMsInTheZipAreSigned(t *testing.T) {
	p := packedFixtures(t)
	out := p.dir // read-only
	if p.code == exitCannot {
		t.Fatalf("pack: %s%s", p.stdout, p.stderr)
	}
	n := 0
	for _, entries := range readZips(t, out) {
		for _, e := range entries {
			if !strings.Contains(e.Name, "-MOM-") {
				continue
			}
			n++
			got := pdfsig(t, e.Data)
			if !strings.Contains(got, "Signature is Valid") || !strings.Contains(got, "Total document signed") || !strings.Contains(got, "Claire Martin") {
				t.Errorf("%s: pdfsig says\n%s", e.Name, got)
			}
		}
	}
	if n < 5 {
		t.Errorf("got %d MOMs in the zips, want the fixtures' MOMs", n)
	}
}

// check refuses a VA signed with the CPS card of a médecin who is not a
// beneficiary of its JSON line.
func TestCheckSignerAgainstTheJSON(t *testing.T) {
	p := packedFixtures(t)
	if p.code == exitCannot {
		t.Fatalf("pack: %s%s", p.stdout, p.stderr)
	}
	out := copyTree(t, p.dir) // a VA replaced in its zip below
	unsigned, err := os.ReadFile(filepath.Join(out, "dossiers", "00043", name43))
	if err != nil {
		t.Fatal(err)
	}
	replaceInZip(t, out, name43, signAs(t, unsigned, "intrus", "Signature 10766476625"))
	code, stdout, stderr := runIn(t, "check", out)
	if code != exitRejected || !strings.Contains(stdout, "RPPS 10000000009") || !strings.Contains(stdout, "[VA_SIGNATAIRE_INCONNU]") {
		t.Errorf("want VA_SIGNATAIRE_INCONNU naming the RPPS, got exit %d\n%s%s", code, stdout, stderr)
	}
}

// A whole-VA scan whose text layer (OCR) names another dossier's numbers
// is blocked, as a per-beneficiary part is (issue 20).
func TestWholeScanOfAnotherVA(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"the dossier's scan", "VA 00043 Hélène Rousseau RPPS 10766476625", ""},
		{"a scan without a readable number", "VALIDATION", ""},
		{"another dossier's scan", "VA 00048 Anne Schmitt RPPS 10875011016", "VA_AUTRE_DOSSIER"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, output, d, _ := packOne(t, vaLiberal, "00043", map[string][]byte{name43: ocrScan(t, c.text)})
			got := codes(d)
			if c.want == "" {
				if !slices.Contains(got, "VA_NUMERISEE") || slices.Contains(got, "VA_AUTRE_DOSSIER") {
					t.Fatalf("want the scan accepted with VA_NUMERISEE, got %v (exit %d)\n%s", got, code, output)
				}
				return
			}
			if !slices.Contains(got, c.want) || code != exitRejected {
				t.Fatalf("want %s, got %v (exit %d)\n%s", c.want, got, code, output)
			}
		})
	}
}

// TestSignesMessagesNameTheFile: a missing signed VA is reported at the
// VA's file, not at « - ».
func TestSignesMessagesNameTheFile(t *testing.T) {
	code, out, errOut := runIn(t, "pack", "--date-depot", "2023-04-28", "-o", t.TempDir(), "--signes", t.TempDir(), repo("fixtures/dossiers/mandataire-va.yaml"))
	if code == 0 {
		t.Fatalf("pack without the signed VA: exit 0\n%s%s", out, errOut)
	}
	if want := "00050: MDV-LGC-Va1-VA-00050.pdf: VA non signée : MDV-LGC-Va1-VA-00050.pdf introuvable dans "; !strings.Contains(out, want) {
		t.Errorf("got no %q in:\n%s", want, out)
	}
	if strings.Contains(out, ": -: ") {
		t.Errorf("a message has « - » as its field:\n%s", out)
	}
}
