package registre

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/segur-sons/segur/internal/golden"
)

// clock is a test clock: each call returns the current time; tests move
// it with advance.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)} }
func ctx() context.Context               { return context.Background() }
func openTest(t *testing.T, path string, c *clock) *Registre {
	t.Helper()
	r, err := Open(path, Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func codeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func begin(t *testing.T, r *Registre) *Tx {
	t.Helper()
	tx, err := r.Begin(ctx(), Cause{Command: "pack", File: "q1.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx
}

func TestOpenCreatesThenReopens(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, DefaultName)
	c := newClock()
	r := openTest(t, path, c)
	tx := begin(t, r)
	if err := tx.Issue(&Document{Dossier: "00042", Kind: BDC, Numero: "BDC-1", Date: "2022-07-04", Octets: []byte("%PDF-bdc")}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	// Nothing but the registre (and SQLite's WAL files) beside it: no
	// temporary file left by the creation.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), DefaultName) {
			t.Errorf("file left beside the registre: %s", e.Name())
		}
	}
	r2 := openTest(t, path, c)
	d, err := r2.Issued("00042", BDC, "")
	if err != nil || d == nil || string(d.Octets) != "%PDF-bdc" || !d.EmisLe.Equal(c.t) {
		t.Fatalf("reopened: %+v, %v", d, err)
	}
	var mode string
	r2.db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode %q, want wal", mode)
	}
	// Every connection of the pool has the settings of dsn: two held at
	// once (a transaction and a read beside it), as in a pack.
	tx2, err := r2.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx2.Rollback()
	for _, q := range []interface {
		QueryRow(string, ...any) *sql.Row
	}{tx2, r2.db} {
		for pragma, want := range map[string]int{"cache_size": -256, "synchronous": 2, "foreign_keys": 1, "busy_timeout": 10000} {
			var got int
			if err := q.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || got != want {
				t.Errorf("PRAGMA %s = %d (%v), want %d", pragma, got, err, want)
			}
		}
	}
}

func TestOpenCreatesItsFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sortie", "neuf", DefaultName)
	r := openTest(t, path, newClock())
	if r.Path() != path {
		t.Errorf("path %s", r.Path())
	}
	blocked := filepath.Join(t.TempDir(), "fichier")
	os.WriteFile(blocked, []byte("x"), 0o644)
	_, err := Open(filepath.Join(blocked, DefaultName), Options{})
	if codeOf(err) != CodeIllisible || strings.Contains(err.Error(), "unable") || strings.Contains(err.Error(), "not a directory") || strings.Contains(err.Error(), "lstat") {
		t.Errorf("a folder that cannot be made: %v", err)
	}
}

func TestOpenRefusesWhatIsNotARegistre(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "autre.sqlite")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	good := filepath.Join(dir, "bon.sqlite")
	r, err := Open(good, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	data, _ := os.ReadFile(good)
	damaged := filepath.Join(dir, "abime.sqlite")
	bad := bytes.Clone(data)
	copy(bad[100:], bytes.Repeat([]byte{0xff}, 400)) // the first page's b-tree header
	os.WriteFile(damaged, bad, 0o644)
	tooNew := filepath.Join(dir, "recent.sqlite")
	r, _ = Open(tooNew, Options{})
	r.db.Exec("PRAGMA user_version = 99")
	r.Close()

	for _, tc := range []struct {
		name, path, code string
		setup            func(p string)
	}{
		{"text", filepath.Join(dir, "texte.sqlite"), CodeEtranger, func(p string) { os.WriteFile(p, []byte("numero,etat\n00042,payé\n"), 0o644) }},
		{"empty", filepath.Join(dir, "vide.sqlite"), CodeEndommage, func(p string) { os.WriteFile(p, nil, 0o644) }},
		{"other sqlite", other, CodeEtranger, nil},
		{"folder", filepath.Join(dir, "dossier"), CodeEtranger, func(p string) { os.Mkdir(p, 0o755) }},
		{"damaged", damaged, CodeEndommage, nil},
		{"too recent", tooNew, CodeTropRecent, nil},
		{"question mark", filepath.Join(dir, "a?b"), CodeIllisible, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup(tc.path)
			}
			before, _ := os.ReadFile(tc.path)
			r, err := Open(tc.path, Options{})
			if err == nil {
				r.Close()
				t.Fatal("opened")
			}
			if codeOf(err) != tc.code || !Fatal(err) {
				t.Errorf("%v: code %q, want %s", err, codeOf(err), tc.code)
			}
			if strings.Contains(err.Error(), "sqlite") && !strings.Contains(err.Error(), ".sqlite") {
				t.Errorf("message shows the driver: %v", err)
			}
			after, _ := os.ReadFile(tc.path)
			if !bytes.Equal(before, after) {
				t.Error("the refused file was changed")
			}
		})
	}
}

func TestMigrationCopiesTheFileFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), DefaultName)
	c := newClock()
	r := openTest(t, path, c)
	tx := begin(t, r)
	tx.SetState("00042", "MDV-LGC-Va1", Commande, "", "")
	tx.Commit()
	r.Close()

	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = append(append([]string{}, saved...), "ALTER TABLE dossiers ADD COLUMN note TEXT NOT NULL DEFAULT ''")
	r2 := openTest(t, path, c)
	var v int
	r2.db.QueryRow("PRAGMA user_version").Scan(&v)
	if v != len(migrations) {
		t.Errorf("user_version %d, want %d", v, len(migrations))
	}
	if _, err := r2.db.Exec("UPDATE dossiers SET note = 'x'"); err != nil {
		t.Errorf("migration not applied: %v", err)
	}
	backup := fmt.Sprintf("%s.avant-v%d", path, len(migrations))
	h, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal("no copy before the migration:", err)
	}
	if len(h) < 100 || string(h[:15]) != "SQLite format 3" {
		t.Fatal("the copy is not a database")
	}
}

func TestMigrationCopyKeepsOldVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), DefaultName)
	c := newClock()
	r := openTest(t, path, c)
	r.Close()
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = append(append([]string{}, saved...), "CREATE TABLE essai (x INTEGER) STRICT")
	r2 := openTest(t, path, c)
	r2.Close()
	h, err := os.ReadFile(fmt.Sprintf("%s.avant-v%d", path, len(migrations)))
	if err != nil {
		t.Fatal(err)
	}
	// user_version is at offset 60 of the header.
	if v := int(h[60])<<24 | int(h[61])<<16 | int(h[62])<<8 | int(h[63]); v != len(saved) {
		t.Errorf("copy at version %d, want %d", v, len(saved))
	}
}

func TestIssueOnceAndFactureNumbers(t *testing.T) {
	c := newClock()
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), c)
	tx := begin(t, r)
	f1 := &Document{Dossier: "00042", Kind: Facture, Numero: "F2023-00042", Date: "2023-03-15", Fournisseur: "747849081", Signataire: "Claire Dubois", Entrees: []byte(`{"montant":"716.67"}`), Octets: []byte("%PDF-f1")}
	if err := tx.Issue(f1); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	c.advance(90 * 24 * time.Hour)

	tx = begin(t, r)
	for _, tc := range []struct {
		name string
		doc  Document
		code string
		want []string
	}{
		{"same dossier again", Document{Dossier: "00042", Kind: Facture, Numero: "F2023-00099", Date: "2023-06-15", Fournisseur: "747849081", Octets: []byte("x")}, CodeDocumentDejaEmis, []string{"00042", "F2023-00042"}},
		{"number reused next quarter", Document{Dossier: "00077", Kind: Facture, Numero: "F2023-00042", Date: "2023-06-15", Fournisseur: "747849081", Octets: []byte("x")}, CodeFactureDoublon, []string{"00042", "15/03/2023"}},
		{"no fournisseur", Document{Dossier: "00077", Kind: Facture, Numero: "F1", Date: "2023-06-15", Octets: []byte("x")}, CodeRegistreValeur, nil},
		{"unknown kind", Document{Dossier: "00077", Kind: "VA", Numero: "F1", Date: "2023-06-15", Octets: []byte("x")}, CodeRegistreValeur, nil},
		{"empty bytes", Document{Dossier: "00077", Kind: MOM, Numero: "M1", Date: "2023-06-15"}, CodeRegistreValeur, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.doc
			err := tx.Issue(&d)
			if codeOf(err) != tc.code {
				t.Fatalf("%v, want %s", err, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not name %q", err, w)
				}
			}
		})
	}
	// Another fournisseur may use the same number.
	if err := tx.Issue(&Document{Dossier: "00078", Kind: Facture, Numero: "F2023-00042", Date: "2023-06-15", Fournisseur: "552100554", Octets: []byte("%PDF-other")}); err != nil {
		t.Errorf("other fournisseur: %v", err)
	}
	tx.Rollback()
	if err := r.CheckFactureNumber("747849081", "F2023-00042", "00077"); codeOf(err) != CodeFactureDoublon {
		t.Errorf("CheckFactureNumber: %v", err)
	}
	if err := r.CheckFactureNumber("747849081", "F2023-00042", "00042"); err != nil {
		t.Errorf("its own dossier: %v", err)
	}
	if d, _ := r.Issued("00078", Facture, ""); d != nil {
		t.Error("a rolled-back issue is remembered")
	}
	got, err := r.Issued("00042", Facture, "")
	if err != nil || got.SHA256 != Hash([]byte("%PDF-f1")) || got.Signataire != "Claire Dubois" || string(got.Entrees) != `{"montant":"716.67"}` {
		t.Errorf("issued: %+v %v", got, err)
	}
}

func TestAvoirThenNewFacture(t *testing.T) {
	c := newClock()
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), c)
	tx := begin(t, r)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(tx.Issue(&Document{Dossier: "00053", Kind: Facture, Role: "avance", Numero: "F2022-00053-A", Date: "2022-07-04", Fournisseur: "747849081", Octets: []byte("a")}))
	must(tx.Commit())
	tx = begin(t, r)
	err := tx.Issue(&Document{Dossier: "00053", Kind: Avoir, Role: "avance", Numero: "AV2022-00001", Date: "2022-09-01", Fournisseur: "747849081", Cancels: "F2022-00053-B", Octets: []byte("b")})
	if codeOf(err) != CodeRegistreValeur {
		t.Errorf("avoir of an unknown facture: %v", err)
	}
	tx.Rollback()
	tx = begin(t, r)
	must(tx.Issue(&Document{Dossier: "00053", Kind: Avoir, Role: "avance", Numero: "AV2022-00001", Date: "2022-09-01", Fournisseur: "747849081", Cancels: "F2022-00053-A", Octets: []byte("b")}))
	must(tx.Issue(&Document{Dossier: "00053", Kind: Facture, Role: "avance", Numero: "F2022-00053-A2", Date: "2022-09-01", Fournisseur: "747849081", Octets: []byte("c")}))
	// The cancelled number stays taken.
	if err := tx.Issue(&Document{Dossier: "00060", Kind: Facture, Numero: "F2022-00053-A", Date: "2022-09-01", Fournisseur: "747849081", Octets: []byte("d")}); codeOf(err) != CodeFactureDoublon {
		t.Errorf("cancelled number reused: %v", err)
	}
	must(tx.Commit())
	d, _ := r.Issued("00053", Facture, "avance")
	if d == nil || d.Numero != "F2022-00053-A2" {
		t.Fatalf("live facture: %+v", d)
	}
	av, _ := r.Issued("00053", Avoir, "avance")
	if av == nil || av.Numero != "AV2022-00001" {
		t.Fatalf("avoir: %+v", av)
	}
	docs, _ := r.Documents("00053")
	if len(docs) != 3 {
		t.Errorf("%d documents, want 3", len(docs))
	}
}

func TestFactureSequence(t *testing.T) {
	c := newClock()
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), c)
	const f = "747849081"
	issue := func(tx *Tx, date string) string {
		t.Helper()
		n, err := tx.NextFactureNumber(f, "F{AAAA}-{N:05}", date)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Issue(&Document{Dossier: "D" + strings.NewReplacer("-", "").Replace(n), Kind: Facture, Numero: n, Date: date, Fournisseur: f, Octets: []byte(n)}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tx := begin(t, r)
	got := []string{issue(tx, "2022-12-30"), issue(tx, "2022-12-31"), issue(tx, "2023-01-02"), issue(tx, "2023-01-02")}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	want := []string{"F2022-00001", "F2022-00002", "F2023-00001", "F2023-00002"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("numbers %v, want %v", got, want)
	}
	// A rolled-back run consumes nothing.
	tx = begin(t, r)
	issue(tx, "2023-02-01")
	tx.Rollback()
	tx = begin(t, r)
	if n := issue(tx, "2023-02-01"); n != "F2023-00003" {
		t.Errorf("after a rollback: %s, want F2023-00003", n)
	}
	// Chronological: not before the series' last date.
	if _, err := tx.NextFactureNumber(f, "F{AAAA}-{N:05}", "2023-01-15"); codeOf(err) != CodeFactureAnterieure {
		t.Errorf("earlier date: %v", err)
	}
	// A number taken and not issued is a hole: Commit refuses.
	if _, err := tx.NextFactureNumber(f, "F{AAAA}-{N:05}", "2023-02-02"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); codeOf(err) != CodeFactureNumerotation {
		t.Errorf("commit with a hole: %v", err)
	}
	tx.Rollback()
	for _, bad := range []string{"F{AAAA}", "F{N:05"} {
		tx = begin(t, r)
		if _, err := tx.NextFactureNumber(f, bad, "2023-03-01"); codeOf(err) != CodeFactureNumerotation {
			t.Errorf("format %q: %v", bad, err)
		}
		tx.Rollback()
	}
	tx = begin(t, r)
	if n, err := tx.NextFactureNumber(f, "FAC-{N}", "2023-03-01"); err != nil || n != "FAC-1" {
		t.Errorf("unpadded: %q %v", n, err)
	}
	if _, err := tx.NextFactureNumber(f, "F{N}", "2023/03/01"); codeOf(err) != CodeRegistreValeur {
		t.Errorf("bad date: %v", err)
	}
}

func TestPairsAndStates(t *testing.T) {
	c := newClock()
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), c)
	tx := begin(t, r)
	if n, _ := tx.NextPairNumber("MDV-LGC-Va1", "2201140317", PhaseSolde); n != 1 {
		t.Errorf("first pair %d", n)
	}
	tx.SetState("00042", "MDV-LGC-Va1", Commande, "", "")
	if err := tx.RecordPair(Pair{Name: "MDV-LGC-Va1-SOLDE-2201140317-01", Dispositif: "MDV-LGC-Va1", Solution: "2201140317", Phase: PhaseSolde, Number: 1, JSONSHA256: "j", ZipSHA256: "z", Dossiers: []string{"00042", "00045"}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	c.advance(24 * time.Hour)
	tx = begin(t, r)
	if n, _ := tx.NextPairNumber("MDV-LGC-Va1", "2201140317", PhaseSolde); n != 2 {
		t.Errorf("second pair %d, want 2", n)
	}
	if n, _ := tx.NextPairNumber("MDV-LGC-Va2", "2201140317", PhaseSolde); n != 1 {
		t.Errorf("other dispositif %d, want 1", n)
	}
	if p, _ := tx.DepositedIn("00045", PhaseSolde); p != "MDV-LGC-Va1-SOLDE-2201140317-01" {
		t.Errorf("deposited in %q", p)
	}
	if p, _ := tx.DepositedIn("00045", PhaseAvance); p != "" {
		t.Errorf("avance deposited in %q", p)
	}
	// The same pair name twice is refused.
	if err := tx.RecordPair(Pair{Name: "MDV-LGC-Va1-SOLDE-2201140317-01", Dispositif: "MDV-LGC-Va1", Solution: "2201140317", Phase: PhaseSolde, Number: 1}); err == nil {
		t.Error("pair recorded twice")
	}
	tx.Rollback()
	st, _ := r.States()
	if len(st) != 2 || st[0].Dossier != "00042" || st[0].Etat != SoldeDepose || st[0].Command != "pack" || st[0].File != "q1.yaml" {
		t.Errorf("states %+v", st)
	}
	h, _ := r.History("00042")
	if len(h) != 2 || h[0].Etat != Commande || h[1].Etat != SoldeDepose {
		t.Errorf("history %+v", h)
	}
	pairs, _ := r.Pairs()
	if len(pairs) != 1 || strings.Join(pairs[0].Dossiers, ",") != "00042,00045" || pairs[0].ZipSHA256 != "z" {
		t.Errorf("pairs %+v", pairs)
	}
}

func TestBeneficiairesAcrossQuarters(t *testing.T) {
	c := newClock()
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), c)
	tx := begin(t, r)
	for _, id := range []string{"690943600", "690102488"} {
		if err := tx.Finance("MDV-LGC-Va1", id, "00046"); err != nil {
			t.Fatal(err)
		}
	}
	// Recording again for the same dossier is fine (a second run).
	if err := tx.Finance("MDV-LGC-Va1", "690943600", "00046"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Retire("MDV-LGC-Va1", "690102488", "00046"); err != nil {
		t.Fatal(err)
	}
	tx.Commit()
	tx = begin(t, r)
	for _, tc := range []struct {
		dispositif, id, dossier, code string
		names                         []string
	}{
		{"MDV-LGC-Va1", "690102488", "00090", CodeBeneficiaireRetire, []string{"690102488", "00046", "00090"}},
		{"MDV-LGC-Va1", "690943600", "00090", CodeBeneficiaireFinance, []string{"690943600", "00046", "00090"}},
		{"MDV-LGC-Va1", "690102488", "00046", CodeBeneficiaireRetire, nil},
		{"MDV-LGC-Va2", "690943600", "00090", "", nil},
	} {
		err := tx.Finance(tc.dispositif, tc.id, tc.dossier)
		if codeOf(err) != tc.code {
			t.Errorf("%s %s %s: %v, want %q", tc.dispositif, tc.id, tc.dossier, err, tc.code)
		}
		for _, n := range tc.names {
			if !strings.Contains(err.Error(), n) {
				t.Errorf("%v does not name %s", err, n)
			}
		}
		if err := r.CheckBeneficiaire(tc.dispositif, tc.id, tc.dossier); codeOf(err) != tc.code {
			t.Errorf("CheckBeneficiaire %s: %v, want %q", tc.id, err, tc.code)
		}
	}
}

func TestNumeroASP(t *testing.T) {
	c := newClock()
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), c)
	tx := begin(t, r)
	if err := tx.SetNumeroASP("00042", "FINMDV000042"); err != nil {
		t.Fatal(err)
	}
	if err := tx.SetNumeroASP("00042", "FINMDV000042"); err != nil {
		t.Errorf("the same again: %v", err)
	}
	if err := tx.SetNumeroASP("00042", "FINMDV000043"); codeOf(err) != CodeNumeroASPDifferent {
		t.Errorf("a different one: %v", err)
	}
	tx.Commit()
	if n, _ := r.NumeroASP("00042"); n != "FINMDV000042" {
		t.Errorf("NumeroASP %q", n)
	}
	if n, err := r.NumeroASP("99999"); n != "" || err != nil {
		t.Errorf("unknown dossier: %q %v", n, err)
	}
	if err := r.CheckNumeroASP("00042", "FINMDV000099"); codeOf(err) != CodeNumeroASPDifferent || !strings.Contains(err.Error(), "FINMDV000042") {
		t.Errorf("CheckNumeroASP: %v", err)
	}
	for _, n := range []string{"", "FINMDV000042"} {
		if err := r.CheckNumeroASP("00042", n); err != nil {
			t.Errorf("CheckNumeroASP(%q): %v", n, err)
		}
	}
}

func TestVerifyAndBackup(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	path := filepath.Join(dir, DefaultName)
	r := openTest(t, path, c)
	tx := begin(t, r)
	tx.Issue(&Document{Dossier: "00042", Kind: MOM, Numero: "MOM-00042", Date: "2023-03-15", Octets: []byte("%PDF-mom")})
	tx.Issue(&Document{Dossier: "00045", Kind: MOM, Numero: "MOM-00045", Date: "2023-03-15", Octets: []byte("%PDF-mom2")})
	tx.Commit()
	res, err := r.Verify(ctx())
	if err != nil || len(res.Problems) != 0 || res.Documents != 2 {
		t.Fatalf("clean registre: %+v %v", res, err)
	}
	copyPath := filepath.Join(dir, "copie.sqlite")
	if err := r.Backup(copyPath); err != nil {
		t.Fatal(err)
	}
	if err := r.Backup(copyPath); codeOf(err) != CodeIllisible {
		t.Errorf("backup over an existing file: %v", err)
	}
	cp := openTest(t, copyPath, c)
	if d, _ := cp.Issued("00045", MOM, ""); d == nil || string(d.Octets) != "%PDF-mom2" {
		t.Errorf("backup lacks a document: %+v", d)
	}
	// An archived document changed behind segur's back.
	r.db.Exec("UPDATE contenus SET octets = ? WHERE sha256 = ?", []byte("%PDF-autre"), Hash([]byte("%PDF-mom")))
	res, err = r.Verify(ctx())
	if err != nil || len(res.Problems) != 1 || res.Problems[0].Code != CodeAltere || !strings.Contains(res.Problems[0].String(), "00042") {
		t.Errorf("altered: %+v %v", res, err)
	}
}

func TestDiffNamesTheField(t *testing.T) {
	type in struct {
		Facture struct {
			Montant string `json:"montant_ht"`
			Date    string `json:"date"`
		} `json:"facture"`
		Beneficiaires []map[string]string `json:"beneficiaires"`
	}
	var a in
	a.Facture.Montant, a.Facture.Date = "716.67", "2023-03-15"
	a.Beneficiaires = []map[string]string{{"rpps": "10100000036"}}
	ca, _ := Canonical(a)
	same, _ := Canonical(a)
	if d, err := Diff(ca, same); d != nil || err != nil {
		t.Errorf("equal inputs: %+v %v", d, err)
	}
	for _, tc := range []struct {
		change func(*in)
		field  string
	}{
		{func(v *in) { v.Facture.Montant = "800.00" }, "facture.montant_ht"},
		{func(v *in) { v.Beneficiaires[0]["rpps"] = "10100000044" }, "beneficiaires[1].rpps"},
		{func(v *in) { v.Beneficiaires = append(v.Beneficiaires, map[string]string{"rpps": "1"}) }, "beneficiaires[2]"},
	} {
		b := a
		b.Beneficiaires = []map[string]string{{"rpps": "10100000036"}}
		tc.change(&b)
		cb, _ := Canonical(b)
		d, err := Diff(ca, cb)
		if err != nil || d == nil || d.Field != tc.field {
			t.Errorf("want %s: %+v %v", tc.field, d, err)
			continue
		}
		msg := Modified(&Document{Dossier: "00042", Kind: Facture, Numero: "F2023-00042"}, d).Error()
		if !strings.Contains(msg, tc.field) || !strings.Contains(msg, "avoir") || !strings.Contains(msg, "[DOCUMENT_EMIS_MODIFIE]") {
			t.Errorf("message: %s", msg)
		}
	}
}

func TestRecordReview(t *testing.T) {
	c := newClock()
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), c)
	if err := r.RecordReview("00042", "MDV-LGC-Va1-VA-00042.pdf", Refuse, "Marc", time.Time{}); err != nil {
		t.Fatal(err)
	}
	c.advance(time.Hour)
	if err := r.RecordReview("00042", "MDV-LGC-Va1-VA-00042.pdf", Verifie, "Julie", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := r.RecordReview("00042", "x.pdf", "ok", "Julie", time.Time{}); codeOf(err) != CodeRegistreValeur {
		t.Errorf("bad verdict: %v", err)
	}
	v, err := r.Reviews("00042")
	if err != nil || len(v) != 2 || v[1].Verdict != Verifie || v[1].Who != "Julie" || !v[1].When.Equal(c.t) {
		t.Errorf("reviews %+v %v", v, err)
	}
}

func TestFinishedTransaction(t *testing.T) {
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), newClock())
	tx := begin(t, r)
	id := tx.ID()
	if ok, _ := r.Committed(id); ok {
		t.Error("committed before Commit")
	}
	tx.Commit()
	if ok, _ := r.Committed(id); !ok {
		t.Error("not committed after Commit")
	}
	if err := tx.SetState("1", "", Commande, "", ""); codeOf(err) != CodeTransactionTerminee {
		t.Errorf("use after commit: %v", err)
	}
	if err := tx.Commit(); codeOf(err) != CodeTransactionTerminee {
		t.Errorf("second commit: %v", err)
	}
}

// TestTakeFactureNumberUndo: a number given back when its facture could
// not be issued is taken again by the next facture (its date too): the
// series keeps no hole and commits.
func TestTakeFactureNumberUndo(t *testing.T) {
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), newClock())
	const f, format = "747849081", "F{AAAA}-{N:05}"
	for _, tc := range []struct {
		name  string
		first bool // the series is new
	}{{"new series", true}, {"series going on", false}} {
		t.Run(tc.name, func(t *testing.T) {
			tx := begin(t, r)
			want := "F2023-00001"
			if !tc.first {
				want = "F2023-00002"
			}
			n, undo, err := tx.TakeFactureNumber(f, format, "2023-03-10")
			if err != nil || n != want {
				t.Fatalf("take: %q %v, want %s", n, err, want)
			}
			if err := undo(); err != nil {
				t.Fatal(err)
			}
			// Given back with its date: an earlier facture may take it.
			n, _, err = tx.TakeFactureNumber(f, format, "2023-03-01")
			if err != nil || n != want {
				t.Fatalf("after undo: %q %v, want %s", n, err, want)
			}
			if err := tx.Issue(&Document{Dossier: "D" + want, Kind: Facture, Numero: n, Date: "2023-03-01", Fournisseur: f, Octets: []byte("%PDF-" + n)}); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatalf("commit: %v", err)
			}
		})
	}
}

// TestAvanceDeclared: an avance pair records what each of its lines
// declared; the registre gives it back in the line's order, paid once the
// ASP's answer accepted the avance; a dossier deposited again declares
// anew; a declaration of a dossier outside the pair is refused.
func TestAvanceDeclared(t *testing.T) {
	c := newClock()
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), c)
	if a, err := r.AvanceDeclaree("00201"); a != nil || err != nil {
		t.Fatalf("nothing recorded yet: %+v, %v", a, err)
	}
	tx := begin(t, r)
	pair := Pair{Name: "MDV-LGC-Va1-AVANCE-2201140317-01", Dispositif: "MDV-LGC-Va1", Solution: "2201140317", Phase: PhaseAvance, Number: 1,
		Dossiers: []string{"00201", "00202"},
		Declarations: []Declaration{
			{Dossier: "00201", Beneficiaires: []string{"10766476625", "10003461034"}, MontantHT: "716.66"},
			{Dossier: "00202", Beneficiaires: []string{"690000047"}, MontantHT: "286.67", Mandataire: true},
		}}
	if err := tx.RecordPair(pair); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	a, err := r.AvanceDeclaree("00201")
	if err != nil || a == nil {
		t.Fatal(a, err)
	}
	if strings.Join(a.Beneficiaires, ",") != "10766476625,10003461034" || a.MontantHT != "716.66" || a.Mandataire || a.Payee || a.Depot != pair.Name {
		t.Errorf("00201: %+v", a)
	}
	if a, _ := r.AvanceDeclaree("00202"); a == nil || !a.Mandataire || a.Beneficiaires[0] != "690000047" {
		t.Errorf("00202: %+v", a)
	}
	// The ASP's answer accepts 00201's avance.
	if _, err := r.ImportASP(ctx(), strings.NewReader(`{"impId": 1, "numeroAns": "2201140317", "siret": "74784908100019", "lignesImport": [
  {"numLigne": 1, "typeAction": "C", "numeroASP": "FINMDV000201", "numeroEditeur": "00201", "codeTraitement": null, "libelleTraitement": null}]}`), "retour.json"); err != nil {
		t.Fatal(err)
	}
	if a, _ := r.AvanceDeclaree("00201"); a == nil || !a.Payee {
		t.Errorf("after the ASP's answer: %+v", a)
	}
	if a, _ := r.AvanceDeclaree("00202"); a == nil || a.Payee {
		t.Errorf("00202 has no answer: %+v", a)
	}
	// Deposited again with one beneficiary fewer.
	c.advance(time.Hour)
	tx = begin(t, r)
	again := Pair{Name: "MDV-LGC-Va1-AVANCE-2201140317-02", Dispositif: "MDV-LGC-Va1", Solution: "2201140317", Phase: PhaseAvance, Number: 2,
		Dossiers: []string{"00201"}, Declarations: []Declaration{{Dossier: "00201", Beneficiaires: []string{"10003461034"}, MontantHT: "358.33"}}}
	if err := tx.RecordPair(again); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if a, _ := r.AvanceDeclaree("00201"); a == nil || strings.Join(a.Beneficiaires, ",") != "10003461034" || a.MontantHT != "358.33" || a.Depot != again.Name {
		t.Errorf("deposited again: %+v", a)
	}
	tx = begin(t, r)
	stray := Pair{Name: "MDV-LGC-Va1-AVANCE-2201140317-03", Dispositif: "MDV-LGC-Va1", Solution: "2201140317", Phase: PhaseAvance, Number: 3,
		Dossiers: []string{"00203"}, Declarations: []Declaration{{Dossier: "00299", MontantHT: "1.00"}}}
	if err := tx.RecordPair(stray); codeOf(err) != CodeRegistreValeur {
		t.Errorf("a declaration outside its pair: %v", err)
	}
}

// TestMigrationToTheAvancesKeepsTheRegistre: a registre of the format
// before the avances' declarations (migration 3) is copied, then brought
// to the current one, its content kept; its avances have no declaration.
func TestMigrationToTheAvancesKeepsTheRegistre(t *testing.T) {
	path := filepath.Join(t.TempDir(), DefaultName)
	c := newClock()
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = saved[:2]
	r := openTest(t, path, c)
	tx := begin(t, r)
	if err := tx.RecordPair(Pair{Name: "MDV-LGC-Va1-AVANCE-2201140317-01", Dispositif: "MDV-LGC-Va1", Solution: "2201140317", Phase: PhaseAvance, Number: 1, Dossiers: []string{"00201"}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	migrations = saved
	r = openTest(t, path, c)
	var v int
	r.db.QueryRow("PRAGMA user_version").Scan(&v)
	if v != len(migrations) || len(migrations) < 3 {
		t.Errorf("user_version %d, %d migrations", v, len(migrations))
	}
	if _, err := os.Stat(fmt.Sprintf("%s.avant-v%d", path, len(migrations))); err != nil {
		t.Error("no copy before the migration:", err)
	}
	if p, _ := r.DepositedIn("00201", PhaseAvance); p != "MDV-LGC-Va1-AVANCE-2201140317-01" {
		t.Errorf("the pair is lost: %q", p)
	}
	if a, err := r.AvanceDeclaree("00201"); a != nil || err != nil {
		t.Errorf("an avance deposited before v2 declares nothing: %+v, %v", a, err)
	}
}
