// Command realsign signs VAs rendered by segur with signing tools nobody
// here wrote (issue 20), as clients' tools would, and writes the signed
// files to fixtures/outils/ with a README giving each tool's version. The
// tests read those committed files, so they need neither npm nor Java.
//
//	go run ./tools/realsign
//
// It needs, on PATH: pdfsig and certutil/pk12util (poppler-utils,
// libnss3-tools), podofosign (libpodofo-utils), java and javac with
// Debian's libpdfbox2-java, libbcpkix-java and libbcprov-java, and node
// with npm (it installs @signpdf and pdf-lib, at the versions of
// package.json, in a temporary folder: nothing fetched is kept).
//
// The signatures use the TEST certificates of fixtures/certs.
package main

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/pdfops"
	"github.com/segur-sons/segur/render"
	"github.com/segur-sons/segur/templates"
	"github.com/segur-sons/segur/tools/sigtest"
)

// step is one signature: who signs, with which tool, in which of the
// dossier's signature fields (by its page index).
type step struct {
	tool, who string
	field     int
}

// plan is what fixtures/outils holds: file name → dossier and signatures
// in turn.
var plan = []struct {
	file, numero string
	steps        []step
}{
	{"00045-pdfsig.pdf", "00045", []step{{"pdfsig", "lambert", 0}}},
	{"00045-signpdf.pdf", "00045", []step{{"signpdf", "lambert", 0}}},
	{"00045-pdflib.pdf", "00045", []step{{"pdflib", "lambert", 0}}},
	{"00045-pdfbox.pdf", "00045", []step{{"pdfbox", "lambert", 0}}},
	{"00045-podofosign.pdf", "00045", []step{{"podofosign", "lambert", 0}}},
	{"00048-pdfsig-pdfbox.pdf", "00048", []step{{"pdfsig", "schmitt", 0}, {"pdfbox", "muller", 1}}},
	// segur's VA rewritten whole by qpdf (object streams), then signed:
	// segur's bytes are no longer its first revision.
	{"00045-qpdf-pdfsig.pdf", "00045", []step{{"qpdf", "", 0}, {"pdfsig", "lambert", 0}}},
	{"00048-podofosign-pdfsig.pdf", "00048", []step{{"podofosign", "schmitt", 0}, {"pdfsig", "muller", 1}}},
}

const bouncy = "/usr/share/java/pdfbox2.jar:/usr/share/java/fontbox2.jar:/usr/share/java/commons-logging.jar:/usr/share/java/bcprov.jar:/usr/share/java/bcpkix.jar:/usr/share/java/bcutil.jar"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "realsign:", err)
		os.Exit(1)
	}
}

func run() error {
	root := sigtest.Root()
	here := filepath.Join(root, "tools", "realsign")
	out := filepath.Join(root, "fixtures", "outils")
	tmp, err := os.MkdirTemp("", "realsign")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // our own temporary files: a leftover is only space, removed again by the next run

	vas, err := renderVAs(root)
	if err != nil {
		return err
	}
	t := &tools{root: root, here: here, tmp: tmp}
	if err := t.prepare(); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	only := map[string]bool{}
	for _, f := range os.Args[1:] {
		only[f] = true
	}
	for _, p := range plan {
		if len(only) > 0 && !only[p.file] {
			continue // go run ./tools/realsign FILE…: only those
		}
		d := vas[p.numero]
		data := d.data
		for _, s := range p.steps {
			if s.field >= len(d.fields) {
				return fmt.Errorf("%s: %s has no signature field %d", p.file, p.numero, s.field)
			}
			if data, err = t.sign(s, d.fields[s.field], data); err != nil {
				return fmt.Errorf("%s: %s as %s: %w", p.file, s.tool, s.who, err)
			}
		}
		if err := os.WriteFile(filepath.Join(out, p.file), data, 0o644); err != nil {
			return err
		}
		fmt.Println(filepath.Join(out, p.file))
	}
	return os.WriteFile(filepath.Join(out, "README.md"), []byte(t.readme()), 0o644)
}

type va struct {
	data   []byte
	fields []string
}

// renderVAs renders the VAs of the plan's dossiers as segur does.
func renderVAs(root string) (map[string]va, error) {
	reg, err := dossier.LoadRegistry(templates.FS)
	if err != nil {
		return nil, err
	}
	cfg, probs, err := dossier.LoadConfig(filepath.Join(root, "fixtures", dossier.ConfigName), reg, pdfops.Disk{})
	if err != nil || dossier.HasError(probs) {
		return nil, fmt.Errorf("segur.yaml: %v %v", err, probs)
	}
	files, err := dossier.Files([]string{filepath.Join(root, "fixtures", "dossiers")})
	if err != nil {
		return nil, err
	}
	fr, _ := templates.FS.ReadFile(templates.FontRegular) // embedded in the binary: cannot fail
	fb, _ := templates.FS.ReadFile(templates.FontBold)    // embedded in the binary: cannot fail
	r := render.New(render.Assets{Fonts: render.Fonts{Regular: fr, Bold: fb}})
	vas := map[string]va{}
	for _, d := range dossier.Check(cfg, reg, dossier.Read(files), dossier.Options{Phase: dossier.PhaseSolde, Files: pdfops.Disk{}, DateDepot: time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)}) {
		if d.Blocked() || d.Justificatif.Kind != dossier.VA {
			continue
		}
		data, err := r.Render(d, dossier.VA)
		if err != nil {
			return nil, err
		}
		v := va{data: data}
		for _, p := range d.Justificatif.Pages {
			v.fields = append(v.fields, render.FieldName(p))
		}
		vas[d.Numero()] = v
	}
	for _, p := range plan {
		if _, ok := vas[p.numero]; !ok {
			return nil, fmt.Errorf("dossier %s: no VA rendered", p.numero)
		}
	}
	return vas, nil
}

type tools struct {
	root, here, tmp string
	nss             string
	versions        map[string]string
}

// prepare makes the NSS database of pdfsig, the PEM files of podofosign,
// installs @signpdf and pdf-lib and compiles the PDFBox signer.
func (t *tools) prepare() error {
	t.versions = map[string]string{}
	t.nss = filepath.Join(t.tmp, "nss")
	if err := os.Mkdir(t.nss, 0o700); err != nil {
		return err
	}
	if err := t.cmd("", "certutil", "-N", "-d", "sql:"+t.nss, "--empty-password"); err != nil {
		return err
	}
	who := map[string]bool{}
	for _, p := range plan {
		for _, s := range p.steps {
			if s.who == "" {
				continue // a rewrite, no signature
			}
			who[s.who] = true
		}
	}
	for w := range who {
		if err := t.cmd("", "pk12util", "-i", t.p12(w), "-d", "sql:"+t.nss, "-W", sigtest.Password, "-K", ""); err != nil {
			return err
		}
		s, err := sigtest.Load(t.root, w)
		if err != nil {
			return err
		}
		key, err := x509.MarshalPKCS8PrivateKey(s.Key)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(t.tmp, w+".crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Cert.Raw}), 0o600); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(t.tmp, w+".key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600); err != nil {
			return err
		}
	}
	node := filepath.Join(t.tmp, "node")
	if err := os.Mkdir(node, 0o755); err != nil {
		return err
	}
	for _, f := range []string{"package.json", "signpdf.mjs"} {
		b, err := os.ReadFile(filepath.Join(t.here, f))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(node, f), b, 0o644); err != nil {
			return err
		}
	}
	if err := t.cmd(node, "npm", "install", "--no-audit", "--no-fund", "--silent"); err != nil {
		return err
	}
	if err := t.cmd("", "javac", "-cp", bouncy, "-d", filepath.Join(t.tmp, "java"), filepath.Join(t.here, "PdfboxSign.java")); err != nil {
		return err
	}
	// Versions, for the README.
	t.versions["pdfsig (poppler-utils)"] = t.output("pdfsig", "-v")
	t.versions["podofosign (libpodofo-utils)"] = t.debian("libpodofo-utils")
	t.versions["qpdf"] = t.output("qpdf", "--version")
	t.versions["PDFBox (libpdfbox2-java)"] = t.debian("libpdfbox2-java")
	t.versions["Bouncy Castle (libbcpkix-java)"] = t.debian("libbcpkix-java")
	t.versions["Java"] = t.output("java", "-version")
	t.versions["Node.js"] = t.output("node", "--version")
	t.versions["NSS (libnss3-tools)"] = t.debian("libnss3-tools")
	for _, p := range []string{"@signpdf/signpdf", "@signpdf/placeholder-plain", "@signpdf/placeholder-pdf-lib", "@signpdf/signer-p12", "pdf-lib", "node-forge"} {
		t.versions[p+" (npm)"] = t.output("node", "-p", fmt.Sprintf("require(%q).version", filepath.Join(node, "node_modules", p, "package.json")))
	}
	return nil
}

func (t *tools) p12(who string) string {
	return filepath.Join(t.root, "fixtures", "certs", who+".p12")
}

// sign signs data as s says, in the field named field when the tool signs
// an existing field (@signpdf and pdf-lib add their own).
func (t *tools) sign(s step, field string, data []byte) ([]byte, error) {
	in, out := filepath.Join(t.tmp, "in.pdf"), filepath.Join(t.tmp, "out.pdf")
	os.Remove(out) // the tool writes out.pdf anew; a leftover is overwritten
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, err
	}
	if s.tool == "qpdf" {
		if err := t.cmd("", "qpdf", "--object-streams=generate", in, out); err != nil {
			return nil, err
		}
		return os.ReadFile(out)
	}
	signer, err := sigtest.Load(t.root, s.who)
	if err != nil {
		return nil, err
	}
	name := signer.Cert.Subject.CommonName
	switch s.tool {
	case "pdfsig":
		err = t.cmd("", "pdfsig", "-nssdir", "sql:"+t.nss, "-nick", t.nick(s.who), "-sign", field, "-reason", "Bon pour accord", in, out)
	case "signpdf", "pdflib":
		mode := map[string]string{"signpdf": "plain", "pdflib": "pdflib"}[s.tool]
		err = t.cmd(filepath.Join(t.tmp, "node"), "node", "signpdf.mjs", mode, in, out, t.p12(s.who), sigtest.Password, name)
	case "pdfbox":
		err = t.cmd("", "java", "-cp", bouncy+":"+filepath.Join(t.tmp, "java"), "PdfboxSign", in, out, t.p12(s.who), sigtest.Password, field)
	case "podofosign":
		err = t.cmd("", "podofosign", "-in", in, "-out", out, "-cert", filepath.Join(t.tmp, s.who+".crt"), "-pkey", filepath.Join(t.tmp, s.who+".key"),
			"-digest", "sha256", "-field-name", field, "-field-use-existing", "-reason", "Bon pour accord")
	default:
		return nil, fmt.Errorf("unknown tool %s", s.tool)
	}
	if err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}

// nick is the NSS nickname pk12util gave the certificate of who.
func (t *tools) nick(who string) string {
	s, err := sigtest.Load(t.root, who)
	if err != nil {
		return who
	}
	return s.Cert.Subject.CommonName + " (TEST)"
}

func (t *tools) cmd(dir, name string, args ...string) error {
	c := exec.Command(name, args...)
	c.Dir = dir
	if b, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, b)
	}
	return nil
}

func (t *tools) output(name string, args ...string) string {
	b, _ := exec.Command(name, args...).CombinedOutput() // a tool's version line, for the record: its error leaves it empty
	line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return line
}

func (t *tools) debian(pkg string) string {
	return t.output("dpkg-query", "-W", "-f", "${Version}", pkg)
}

func (t *tools) readme() string {
	var b strings.Builder
	b.WriteString(`# VA signées par des outils tiers (issue 20)

Fichiers écrits par ` + "`go run ./tools/realsign`" + ` : les VA que segur produit pour les dossiers
00045 (une signataire, Nathalie Lambert) et 00048 (Anne Schmitt puis François Muller) de
fixtures/dossiers, signées par des outils que personne ici n'a écrits, avec les certificats de
TEST de fixtures/certs. Les tests (pack, serve, check, pdfsig) les lisent tels quels : ni npm ni
Java ne sont nécessaires pour les exécuter. À régénérer quand la VA rendue par segur change.

| fichier | dossier | signatures, dans l'ordre |
|---|---|---|
`)
	for _, p := range plan {
		var s []string
		for _, st := range p.steps {
			if st.who == "" {
				s = append(s, st.tool+" (réécriture, sans signature)")
				continue
			}
			s = append(s, fmt.Sprintf("%s (%s)", st.tool, st.who))
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", p.file, p.numero, strings.Join(s, ", "))
	}
	b.WriteString(`
- pdfsig : ` + "`pdfsig -sign <champ>`" + ` signe le champ vide de segur (base NSS faite par certutil/pk12util).
- signpdf : @signpdf avec placeholder-plain ajoute son propre champ, invisible, en mise à jour incrémentale.
- pdflib : @signpdf avec placeholder-pdf-lib : pdf-lib réécrit le fichier entier (pas de mise à jour
  incrémentale), puis la signature ; segur le rattache par son contenu.
- pdfbox : PDFBox (` + "`PdfboxSign.java`" + `) signe le champ de segur, invisible (rectangle mis à zéro).
- podofosign : ` + "`-field-name <champ> -field-use-existing`" + `.
- qpdf : ` + "`qpdf --object-streams=generate`" + ` réécrit la VA de segur entière (flux d'objets) avant
  toute signature : les octets de segur ne sont plus sa première révision ; segur la rattache par
  son texte puis compare son dessin entier à la VA qu'il produit.

## Versions des outils

| outil | version |
|---|---|
`)
	var keys []string
	for k := range t.versions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "| %s | %s |\n", k, t.versions[k])
	}
	return b.String()
}
