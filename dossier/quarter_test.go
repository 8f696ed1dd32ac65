package dossier

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/segur-sons/segur/templates"
)

// quarterEnv is the registry and the test segur.yaml.
func quarterEnv(t *testing.T) (*Config, *Registry) {
	t.Helper()
	reg, err := LoadRegistry(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg, probs := ParseConfig("segur.yaml", []byte(testConfig), reg, testFiles)
	if len(probs) > 0 {
		t.Fatalf("test config: %v", probs)
	}
	return cfg, reg
}

// loadAll makes every dossier of a quarter again, in file order.
func loadAll(q *Quarter) []*Dossier {
	var out []*Dossier
	for i := range q.Groups() {
		out = append(out, q.Load(i)...)
	}
	return out
}

// TestQuarterGivesWhatCheckFilesGives: scanning then making each file's
// dossiers again gives the problems of checking everything at once, the
// rules across records included, on every fixture (good and broken).
func TestQuarterGivesWhatCheckFilesGives(t *testing.T) {
	t.Parallel()
	cfg, reg := quarterEnv(t)
	files, err := Files([]string{"../fixtures/dossiers", "../fixtures/erreurs", "../fixtures/commandes"})
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{Phase: PhaseSolde, DateDepot: depot, Files: testFiles}
	want := CheckFiles(cfg, reg, files, opt)
	q := Scan(cfg, reg, files, opt)
	if q.Len() != len(want) {
		t.Fatalf("Scan: %d records, CheckFiles: %d", q.Len(), len(want))
	}
	got := loadAll(q)
	dups := 0
	for i := range want {
		if !reflect.DeepEqual(got[i].Problems, want[i].Problems) {
			t.Errorf("dossier %d (%s): problems\n got %v\nwant %v", i, want[i].Ref.Source, got[i].Problems, want[i].Problems)
		} else if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("dossier %d (%s): made again by Load, it differs from the one CheckFiles made:\n got %+v\nwant %+v", i, want[i].Ref.Source, got[i], want[i])
		}
		for _, p := range want[i].Problems {
			if strings.HasSuffix(p.Code, "_DOUBLON") {
				dups++
			}
		}
	}
	if dups == 0 {
		t.Error("the fixtures hold no duplicate across records: the run-wide rules were not exercised")
	}
}

// TestQuarterRunRulesAcrossFiles: a duplicate in another file is found by
// Scan and given to the dossier when its file is made again; a file changed
// between Scan and Load blocks its dossiers instead of packing other bytes.
func TestQuarterRunRulesAcrossFiles(t *testing.T) {
	t.Parallel()
	cfg, reg := quarterEnv(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	second := strings.Replace(record(map[string]string{"numero_asp": "numero_asp: FINMDV000043"}), "F2023-0042", "F2023-0043", 1)
	second = strings.Replace(second, "10100000008", "10000000017", -1)
	second = strings.Replace(second, "10003461034", "10000000025", -1)
	for path, text := range map[string]string{a: record(nil), b: second} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	q := Scan(cfg, reg, []string{a, b}, Options{Phase: PhaseSolde, DateDepot: depot, Files: testFiles})
	if got := codes(q.Load(0)); len(got) != 0 {
		t.Errorf("first file: got %v, want no problem", got)
	}
	if got, want := codes(q.Load(1)), []string{"NUMERO_EDITEUR_DOUBLON"}; !reflect.DeepEqual(got, want) {
		t.Errorf("second file: got %v, want %v", got, want)
	}
	if err := os.WriteFile(a, []byte(strings.Replace(record(nil), "F2023-0042", "F2023-9999", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := codes(q.Load(0)), []string{"FICHIER_MODIFIE"}; !reflect.DeepEqual(got, want) {
		t.Errorf("changed file: got %v, want %v", got, want)
	}
}

// TestQuarterGroupsOneLargeFile: a records file holding more than GroupSize
// records is split into groups, so that every worker takes part and only a
// group is held at once; each group, made again by Load, gives the dossiers
// checking the whole file gives (a comment-only document, a broken record
// and a duplicate across groups included); a change to the file blocks
// every group of it.
func TestQuarterGroupsOneLargeFile(t *testing.T) {
	t.Parallel()
	cfg, reg := quarterEnv(t)
	base, err := os.ReadFile(filepath.Join("..", "fixtures", "dossiers", "liberal-mom.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	const n = 2*GroupSize + 20
	for i := range n {
		if i > 0 {
			b.WriteString("---\n")
		}
		switch i {
		case 7:
			b.WriteString("# only a comment\n---\n")
		case 60:
			b.WriteString("dispositif: [unclosed\n")
			continue
		}
		numero := fmt.Sprintf("%05d", 100+i)
		if i == GroupSize+5 {
			numero = fmt.Sprintf("%05d", 100+3) // the same as a record of the first group
		}
		rec := strings.ReplaceAll(string(base), "00042", numero)
		b.WriteString(rec)
	}
	path := filepath.Join(t.TempDir(), "tout.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	opt := Options{Phase: PhaseSolde, DateDepot: depot, Files: testFiles}
	want := CheckFiles(cfg, reg, []string{path}, opt)
	q := Scan(cfg, reg, []string{path}, opt)
	if q.Len() != n || len(want) != n {
		t.Fatalf("Scan: %d records, CheckFiles: %d, want %d", q.Len(), len(want), n)
	}
	if q.Groups() != 3 {
		t.Fatalf("%d records in one file: %d groups, want 3 of at most %d", n, q.Groups(), GroupSize)
	}
	got := loadAll(q)
	dup, broken := false, false
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("dossier %d (%s): made again by Load, it differs from the one CheckFiles made:\n got %+v\nwant %+v", i, want[i].Ref.Source, got[i], want[i])
		}
		for _, c := range codes([]*Dossier{want[i]}) {
			dup = dup || c == "NUMERO_EDITEUR_DOUBLON"
			broken = broken || c == "YAML_SYNTAXE"
		}
	}
	if !dup || !broken {
		t.Errorf("the file must hold a duplicate across groups (%v) and a broken record (%v)", dup, broken)
	}
	if err := os.WriteFile(path, []byte(b.String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for g := range q.Groups() {
		for _, d := range q.Load(g) {
			if c := codes([]*Dossier{d}); !reflect.DeepEqual(c, []string{"FICHIER_MODIFIE"}) {
				t.Fatalf("group %d after a change: got %v, want FICHIER_MODIFIE", g, c)
			}
		}
	}
}

// TestQuarterBrokenProblemsAcrossFiles: the files are read at once, yet
// the problems kept of the broken records are the first ones in file order,
// up to MaxProblemsPerRecord, as when the files were read one after the
// other.
func TestQuarterBrokenProblemsAcrossFiles(t *testing.T) {
	t.Parallel()
	cfg, reg := quarterEnv(t)
	dir := t.TempDir()
	var files []string
	for i := range 40 {
		var b strings.Builder
		for j := range 1 + i%6 {
			fmt.Fprintf(&b, "numero_editeur: \"%d-%d\"\nclient: [\n---\n", i, j)
		}
		f := filepath.Join(dir, fmt.Sprintf("%02d.yaml", i))
		if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	opt := Options{Phase: PhaseSolde, DateDepot: depot, Files: testFiles}
	var want []Problem
	records, all := 0, 0
	for _, d := range CheckFiles(cfg, reg, files, opt) {
		records++
		all += len(d.Problems)
		if len(want) < MaxProblemsPerRecord {
			want = append(want, d.Problems...)
		}
	}
	SortProblems(want)
	if all <= len(want) || len(want) < MaxProblemsPerRecord {
		t.Fatalf("%d records, %d problems, %d kept: the cap is not reached", records, all, len(want))
	}
	q := Scan(cfg, reg, files, opt)
	if q.Usable() != 0 || q.Len() != records {
		t.Fatalf("Scan: %d records, %d usable; want %d, none usable", q.Len(), q.Usable(), records)
	}
	if got := q.BrokenProblems(); !reflect.DeepEqual(got, want) {
		t.Errorf("broken problems:\n got %v\nwant %v", got, want)
	}
}
