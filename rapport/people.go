package rapport

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/segur-sons/segur/depot"
	"github.com/segur-sons/segur/dossier"
	"github.com/segur-sons/segur/internal/fr"
	"github.com/segur-sons/segur/internal/safeio"
	"github.com/segur-sons/segur/retours"
)

// Info is what people need to know of a dossier beyond rapport.json: who
// the client is, the amount, who signs the VA. rapport.html, a-signer/ and
// segur serve show it; rapport.json does not carry it.
type Info struct {
	Client    string
	MontantHT string // « 358,33 € », "" when the dossier could not be computed
	// Montants are the facture's amounts (the BDC's before the facture),
	// for the totals of the page and of segur exporter.
	Montants      dossier.Montants
	FinPrestation string // AAAA-MM-JJ, "" when unknown
	VA            string // the VA's file name, when the justificatif is a VA
	Signataires   []Signataire
}

// Signataire is who signs the MOM or the VA, with the e-mail the VA is
// sent to and, for a VA signed beneficiary by beneficiary, the identifier
// in the name of their signed file.
type Signataire struct {
	Nom, Qualite, Email, ID string
	Pour                    string // the beneficiaries of the page signed
	// Attendu is how Preuve.Attendus names them while they have not
	// signed (retours.SignatoryOf).
	Attendu string
}

// InfoOf is what people need of d.
func InfoOf(d *dossier.Dossier) Info {
	var in Info
	in.Client = d.Parties.Client.Nom
	if !d.Facture.Total.HT.IsZero() {
		in.MontantHT = fr.Euros(d.Facture.Total.HT)
	}
	in.Montants = d.Facture.Total
	if in.Montants.HT.IsZero() {
		in.Montants = d.Commande.Montant
	}
	if !d.Realisation.DateFin.IsZero() {
		in.FinPrestation = d.Realisation.DateFin.Format("2006-01-02")
	}
	if d.Justificatif.Kind == dossier.VA {
		in.VA = d.FileName(dossier.VA)
	}
	for _, p := range d.Justificatif.Pages {
		s := p.Signataire
		name := s.FullName()
		if name == "" {
			name = s.Organisation
		}
		q := s.Qualite
		if s.Organisation != "" && name != s.Organisation {
			q = strings.TrimPrefix(q+", "+s.Organisation, ", ")
		}
		sig := Signataire{Nom: name, Qualite: q, ID: p.ID, Attendu: retours.SignatoryOf(p).String()}
		var pour []string
		for _, b := range p.Beneficiaires {
			pour = append(pour, b.Name())
		}
		sig.Pour = strings.Join(pour, ", ")
		switch s.Role {
		case dossier.RoleBeneficiaire:
			if len(p.Beneficiaires) > 0 {
				sig.Email = p.Beneficiaires[0].Email
			}
		case dossier.RoleMandataire:
			if m := d.Parties.Mandataire; m != nil {
				sig.Email = m.Email
			}
		}
		if sig.Email == "" {
			sig.Email = d.Parties.Client.Email
		}
		in.Signataires = append(in.Signataires, sig)
	}
	return in
}

// Etat is a dossier's status as people see it, finer than rapport.json's
// pret/bloque (Statut); its value is the French label shown.
type Etat string

// États: the status people see, finer than rapport.json's pret/bloque.
const (
	EtatPret          Etat = "prêt"
	EtatAvertissement Etat = "avertissement"
	EtatASigner       Etat = "à signer"
	EtatBloque        Etat = "bloqué"
	EtatDepose        Etat = "déjà déposé"
)

// Etat is the dossier's status for people: « prêt » (in an upload pair,
// no warning), « avertissement » (in an upload pair, with warnings),
// « à signer » (blocked only because its VA is not signed yet), « bloqué ».
func (d RapportDossier) Etat() Etat {
	warn, onlyVA, errs := false, true, 0
	for _, p := range d.Problemes {
		if p.Niveau == NiveauAttention {
			warn = true
			continue
		}
		errs++
		if p.Code != "VA_NON_SIGNEE" {
			onlyVA = false
		}
	}
	switch {
	case d.Statut == StatutDepose:
		return EtatDepose
	case d.Statut == StatutPret && warn:
		return EtatAvertissement
	case d.Statut == StatutPret:
		return EtatPret
	case errs > 0 && onlyVA && d.Info.VA != "":
		return EtatASigner
	}
	return EtatBloque
}

// CSS is the style sheet of rapport.html and of the segur serve page.
//
//go:embed people.css
var CSS string

//go:embed rapport.html.tmpl
var rapportHTML string

var rapportTmpl = template.Must(template.New("rapport").Funcs(template.FuncMap{
	"css":   func() template.CSS { return template.CSS(CSS) },
	"etat":  func(d RapportDossier) Etat { return d.Etat() },
	"class": EtatClass,
	// court is a document's kind in its name: BDC, MOM, VA, FACTURE, CR…
	"court": func(d RapportDossier, nom string) string {
		return strings.TrimSuffix(strings.TrimPrefix(nom, d.Dispositif+"-"), "-"+d.NumeroEditeur+".pdf")
	},
}).Parse(rapportHTML))

// peoplePage is what rapport.html is written from.
type peoplePage struct {
	*Rapport
	err error // the first entry that could not be read (Dossiers)
}

// Dossiers gives the rapport's entries one at a time (Rapport.Each) to the
// template's range; the first error ends the range and is kept in err.
func (p *peoplePage) Dossiers() iter.Seq[RapportDossier] {
	return func(yield func(RapportDossier) bool) {
		stop := errors.New("stop")
		err := p.Each(func(d *RapportDossier) error {
			if !yield(*d) {
				return stop
			}
			return nil
		})
		if err != nil && err != stop && p.err == nil {
			p.err = err
		}
	}
}

// recu is a link of rapport.html to a file as it came back (in --signes).
type recu struct {
	Href           template.URL
	Libelle, Titre string
}

// Recus are the links to d's returned files as received (the signed or
// scanned VA, the MOM signed by hand; each per-beneficiary scan merged into
// the VA), apart from the unsigned document of dossiers/: nothing when
// segur signed the document itself or nothing came back.
func (p *peoplePage) Recus(d RapportDossier) []recu {
	pr := d.Preuve
	if pr == nil || pr.Source == "" {
		return nil
	}
	kind := strings.TrimSuffix(strings.TrimPrefix(pr.Document, d.Dispositif+"-"), "-"+d.NumeroEditeur+".pdf")
	libelle := kind + " signée reçue"
	if pr.Scanned() {
		libelle = kind + " numérisée reçue"
	}
	paths := pr.Parts
	if len(paths) == 0 {
		if strings.Contains(pr.Source, ", ") && filepath.Base(pr.Source) == pr.Source {
			return nil // names alone: nowhere to link
		}
		paths = []string{pr.Source}
	}
	var out []recu
	for i, path := range paths {
		r := recu{Href: fileURL(path), Libelle: libelle, Titre: path}
		if len(paths) > 1 {
			r.Libelle = fmt.Sprintf("%s (%d/%d)", libelle, i+1, len(paths))
		}
		out = append(out, r)
	}
	return out
}

// fileURL is the file: URL of path, absolute: rapport.html then depends on
// where --signes is, as rapport.json's « source » does, and not on where
// the output folder is (a re-run elsewhere writes the same bytes).
func fileURL(path string) template.URL {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	slash := filepath.ToSlash(abs)
	if !strings.HasPrefix(slash, "/") {
		slash = "/" + slash // C:/… → /C:/…
	}
	return template.URL((&url.URL{Scheme: "file", Path: slash}).String())
}

// EtatClass is the CSS class of a status.
func EtatClass(etat Etat) string {
	switch etat {
	case EtatPret:
		return "pret"
	case EtatAvertissement:
		return "avertissement"
	case EtatASigner:
		return "a-signer"
	}
	return "bloque"
}

// cells neutralises the values of a row of liste.csv: a cell beginning
// with =, +, -, @, a tab or a carriage return is a formula to a spreadsheet
// (=HYPERLINK(…) as a client's name would run when the file is opened), so
// it gets a ' before it, which Excel and LibreOffice show as text.
func cells(vs ...string) []string {
	for i, v := range vs {
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			vs[i] = "'" + v
		}
	}
	return vs
}

// ASignerManifest is where segur lists the files it wrote in a-signer/
// with their SHA-256: the only files a later run may replace or delete
// there (package depot reads and switches it).
const ASignerManifest = depot.ASignerManifest

// fileSum is the SHA-256 of the regular file at path, "" when it cannot
// be read as one.
func fileSum(path string) string {
	data, err := safeio.ReadFile(path, safeio.PDF)
	if err != nil {
		return ""
	}
	return sumOf(data)
}

func sumOf(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// WriteHTML writes rapport.html at path (pack writes it beside the next
// depot/, and switches it with it).
func WriteHTML(path string, rap *Rapport) error {
	// Streamed into its file: the page of a quarter of tens of thousands of
	// dossiers is never held whole in memory.
	return depot.WriteWith(path, true, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		page := peoplePage{Rapport: rap}
		if err := rapportTmpl.Execute(bw, &page); err != nil {
			return fmt.Errorf("rapport.html: %w", err)
		}
		if page.err != nil {
			return fmt.Errorf("rapport.html: %w", page.err)
		}
		return bw.Flush()
	})
}

// WriteForPeople writes a-signer/ (rapport.html is WriteHTML's): the unsigned VA of
// every dossier waiting only for its signatures, named as --signes expects
// it back, with liste.csv for Excel (UTF-8 BOM, « ; »). VAs no longer
// waiting are removed from a-signer/ — only those segur wrote there and
// that are still as it wrote them (ASignerManifest): a file someone put
// or changed there (a VA signed by the client) is never deleted nor
// overwritten, and each one left is returned as a warning to print.
//
// stage is where the run writes (depot.BeginNextWithDossiers): the VAs are
// read from its dossiers/, a-signer/ and the manifest written in its
// staged copies, switched with the dépôt; "" writes in out itself.
func WriteForPeople(out, stage string, rap *Rapport) ([]string, error) {
	manifest := filepath.Join(out, ASignerManifest)
	written := depot.ReadASignerManifest(manifest)
	if stage == "" {
		stage = out
	} else {
		manifest = depot.StagedASignerManifest(stage)
	}
	dir := filepath.Join(stage, "a-signer")
	// shown is the file's name as people see it, once switched.
	shown := func(name string) string { return filepath.Join(out, "a-signer", name) }
	var warnings []string
	// mine reports whether name in a-signer/ is absent, or what segur
	// wrote there: the only files it may replace or delete.
	mine := func(name string) bool {
		if _, err := os.Lstat(filepath.Join(dir, name)); errors.Is(err, fs.ErrNotExist) {
			return true
		}
		sum := fileSum(filepath.Join(dir, name))
		return sum != "" && written[name] == sum
	}
	next := map[string]string{}
	put := func(name string, data []byte) error {
		// liste.csv is segur's own; a VA is replaced only when segur
		// wrote it (or it already holds these bytes).
		if name != "liste.csv" && !mine(name) && fileSum(filepath.Join(dir, name)) != sumOf(data) {
			warnings = append(warnings, fmt.Sprintf("« %s » n'a pas été écrit par segur (ou a été modifié depuis) : il est laissé tel quel dans a-signer/ ; s'il s'agit d'une VA signée, déplacez-la dans le dossier --signes", shown(name)))
			return nil
		}
		if err := depot.WriteFile(filepath.Join(dir, name), data); err != nil {
			return err
		}
		next[name] = sumOf(data)
		return nil
	}
	var list bytes.Buffer
	list.WriteString("\ufeff")
	w := csv.NewWriter(&list)
	w.Comma = ';'
	w.UseCRLF = true
	w.Write([]string{"numéro éditeur", "client", "fichier à faire signer", "signataires", "e-mail", "en attente depuis (fin de la prestation)"}) // csv.Writer keeps its first error: Error() after Flush returns it
	keep := map[string]bool{"liste.csv": true}
	aSigner := func(e Etat) bool { return e == EtatASigner }
	err := rap.EachWhere(aSigner, func(d *RapportDossier) error {
		if d.Etat() != EtatASigner {
			return nil
		}
		data, err := os.ReadFile(filepath.Join(stage, "dossiers", d.NumeroEditeur, d.Info.VA))
		if err != nil {
			return fmt.Errorf("pack: a-signer: %w", err)
		}
		if err := put(d.Info.VA, data); err != nil {
			return err
		}
		keep[d.Info.VA] = true
		var names, mails []string
		for _, s := range d.Info.Signataires {
			if n := strings.TrimSuffix(s.Nom+" ("+s.Qualite+")", " ()"); !slices.Contains(names, n) {
				names = append(names, n)
			}
			if s.Email != "" && !slices.Contains(mails, s.Email) {
				mails = append(mails, s.Email)
			}
		}
		w.Write(cells(d.NumeroEditeur, d.Info.Client, d.Info.VA, strings.Join(names, ", "), strings.Join(mails, ", "), d.Info.FinPrestation)) // csv.Writer keeps its first error: Error() after Flush returns it
		return nil
	})
	if err != nil {
		return warnings, err
	}
	// csv.Writer keeps its first error (a value it cannot write) for
	// Error, after Flush: the list is refused rather than cut.
	w.Flush()
	if err := w.Error(); err != nil {
		return warnings, fmt.Errorf("a-signer/liste.csv : %w", err)
	}
	if err := put("liste.csv", list.Bytes()); err != nil {
		return warnings, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return warnings, fmt.Errorf("pack: a-signer: %w", err)
	}
	for _, e := range entries {
		n := e.Name()
		if keep[n] {
			continue
		}
		if written[n] == "" || !e.Type().IsRegular() {
			if strings.Contains(n, "-VA-") && strings.HasSuffix(n, ".pdf") {
				warnings = append(warnings, fmt.Sprintf("« %s » n'a pas été écrit par segur : il est laissé dans a-signer/ ; s'il s'agit d'une VA signée, déplacez-la dans le dossier --signes", shown(n)))
			}
			continue
		}
		if !mine(n) {
			warnings = append(warnings, fmt.Sprintf("« %s » a été modifié depuis que segur l'a écrit : il est laissé dans a-signer/ ; s'il s'agit d'une VA signée, déplacez-la dans le dossier --signes", shown(n)))
			continue
		}
		if err := os.Remove(filepath.Join(dir, n)); err != nil {
			return warnings, fmt.Errorf("pack: a-signer: %w", err)
		}
	}
	// The manifest: what segur wrote and keeps (a file it left alone is
	// not segur's).
	if err := depot.WriteASignerManifest(manifest, next); err != nil {
		return warnings, err
	}
	slices.Sort(warnings)
	return warnings, nil
}
