package main

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/segur-sons/segur/registre" // the "sqlite" driver
)

// remembered are the rows of the registre's verifications: dossier → key;
// clear forgets them, and the unsigned documents rendered (rendus).
func remembered(t *testing.T, reg string, clear bool) map[string]string {
	t.Helper()
	return registreKeys(t, reg, clear, "SELECT dossier, cle FROM verifications")
}

// renderedKeys are the rows of the registre's rendus: dossier/type → key.
func renderedKeys(t *testing.T, reg string) map[string]string {
	t.Helper()
	return registreKeys(t, reg, false, "SELECT dossier || '/' || type, cle FROM rendus")
}

func registreKeys(t *testing.T, reg string, clear bool, query string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", reg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if clear {
		if _, err := db.Exec("DELETE FROM verifications; DELETE FROM rendus"); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var d, k string
		if err := rows.Scan(&d, &k); err != nil {
			t.Fatal(err)
		}
		out[d] = k
	}
	return out
}

// A second pack of an unchanged quarter takes each returned VA's
// verification from the registre, and the unsigned VA from the dossiers/
// of the first (the registre keeps the key it was drawn under and its
// SHA-256): its rapport.json, rapport.html and dossiers/ are byte for byte
// those of the same pack drawing and verifying every VA again; a returned
// VA replaced, a VA file of dossiers/ altered, or a record changed so that
// the VA segur renders changes, is drawn or verified again (the registre
// hides no change).
func TestRememberedVerificationsChangeNoOutput(t *testing.T) {
	old := testClock
	t.Cleanup(func() { testClock = old })
	testClock = "2023-04-28T10:00:00Z"
	dir := t.TempDir()
	va := unsignedVA(t, vaTwo, "00048", name48)
	first := signAs(t, va, "schmitt", "Signature 10875011016")
	both := signAs(t, first, "muller", "Signature 10073697418")
	signes := filepath.Join(dir, "signes")
	if err := os.MkdirAll(signes, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(signes, name48), both, 0o644); err != nil {
		t.Fatal(err)
	}
	records := quarterDir(t, filepath.Join(dir, "q"), map[string][2]any{
		"00048.yaml": {"cas5-mandataire-retire.yaml", [][2]string{}},
		"00042.yaml": {"liberal-mom.yaml", [][2]string{}},
	})
	pack := func(base string) (int, string) {
		code, stdout, stderr := runIn(t, "pack", "--sans-registre=false", "--registre", filepath.Join(base, "registre.sqlite"),
			"--config", repo("fixtures/segur.yaml"), "--date-depot", "2023-04-28", "--signes", signes, "-o", filepath.Join(base, "out"), records)
		return code, stdout + stderr
	}
	warm := filepath.Join(dir, "warm")
	if code, output := pack(warm); code != exitOK {
		t.Fatalf("first pack: exit %d\n%s", code, output)
	}
	keys := remembered(t, filepath.Join(warm, "registre.sqlite"), false)
	if keys["00048"] == "" || len(keys) != 1 {
		t.Fatalf("the first pack should remember the verification of 00048's VA (and of no MOM segur signed): %v", keys)
	}
	drawn := renderedKeys(t, filepath.Join(warm, "registre.sqlite"))
	if drawn["00048/VA"] == "" || len(drawn) != 1 {
		t.Fatalf("the first pack should remember the key of 00048's unsigned VA (and of no other document): %v", drawn)
	}
	vaPath := filepath.Join(warm, "out", "dossiers", "00048", name48)
	vaBytes, err := os.ReadFile(vaPath)
	if err != nil {
		t.Fatal(err)
	}
	// The file the second pack takes must be the first's, not a new
	// render: its inode is the staged link's. So for every document the
	// registre issued (BDC, facture, MOM), given back as it is: its file
	// is kept, never replaced (whether pack read the archive for it or
	// not, which registre.TestIssuedKnown and the bench see, not this).
	st0, err := os.Stat(vaPath)
	if err != nil {
		t.Fatal(err)
	}
	firstFiles := map[string]os.FileInfo{}
	for _, n := range []string{"00042", "00048"} {
		entries, err := os.ReadDir(filepath.Join(warm, "out", "dossiers", n))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			st, err := os.Stat(filepath.Join(warm, "out", "dossiers", n, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			firstFiles[filepath.Join(n, e.Name())] = st
		}
	}
	if len(firstFiles) < 6 {
		t.Fatalf("dossiers/ of the first pack: %d files", len(firstFiles))
	}

	// The same state twice: one keeps what the registre remembers, the
	// other forgets it and verifies every VA again.
	cold := copyTree(t, warm)
	remembered(t, filepath.Join(cold, "registre.sqlite"), true)
	testClock = "2023-04-29T10:00:00Z"
	for _, base := range []string{warm, cold} {
		if code, output := pack(base); code != exitOK || !strings.Contains(output, "DOSSIER_DEJA_DEPOSE") {
			t.Fatalf("second pack (%s): exit %d\n%s", filepath.Base(base), code, output)
		}
	}
	if got := remembered(t, filepath.Join(warm, "registre.sqlite"), false); got["00048"] != keys["00048"] {
		t.Errorf("the unchanged VA was remembered under another key: %v, then %v", keys, got)
	}
	if got := renderedKeys(t, filepath.Join(warm, "registre.sqlite")); !mapsEqual(got, drawn) {
		t.Errorf("the unchanged VA was drawn under another key: %v, then %v", drawn, got)
	}
	if got := renderedKeys(t, filepath.Join(cold, "registre.sqlite")); !mapsEqual(got, drawn) {
		t.Errorf("the VA drawn again has another key: %v, then %v", drawn, got)
	}
	if st, err := os.Stat(vaPath); err != nil || !os.SameFile(st, st0) {
		t.Errorf("the second pack wrote the unsigned VA again instead of keeping the first's file (%v)", err)
	}
	for name, st0 := range firstFiles {
		if st, err := os.Stat(filepath.Join(warm, "out", "dossiers", name)); err != nil || !os.SameFile(st, st0) {
			t.Errorf("the second pack wrote %s again instead of keeping the first's file (%v)", name, err)
		}
	}
	// An issued document of dossiers/ altered behind segur's back is given
	// back again from the registre, byte for byte.
	var momPath string
	for name := range firstFiles {
		if strings.Contains(name, "-MOM-") {
			momPath = filepath.Join(warm, "out", "dossiers", name)
		}
	}
	momBytes, err := os.ReadFile(momPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(momPath, append(bytes.Clone(momBytes), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, output := pack(warm); code != exitOK {
		t.Fatalf("pack after the MOM of dossiers/ was altered: exit %d\n%s", code, output)
	}
	if got, err := os.ReadFile(momPath); err != nil || !bytes.Equal(got, momBytes) {
		t.Errorf("an altered MOM of dossiers/ must be given back from the registre as issued (%v)", err)
	}
	for _, name := range []string{"rapport.json", "rapport.html"} {
		w, err := os.ReadFile(filepath.Join(warm, "out", name))
		if err != nil {
			t.Fatal(err)
		}
		c, err := os.ReadFile(filepath.Join(cold, "out", name))
		if err != nil {
			t.Fatal(err)
		}
		w = bytes.ReplaceAll(w, []byte(warm), []byte("BASE"))
		c = bytes.ReplaceAll(c, []byte(cold), []byte("BASE"))
		if !bytes.Equal(w, c) {
			t.Errorf("%s differs between the remembered and the verified second pack", name)
		}
		if name == "rapport.json" && !bytes.Contains(w, []byte(`"signataires"`)) {
			t.Errorf("rapport.json of the second pack lost the VA's proof:\n%s", w)
		}
	}
	if hw, hc := hashes(t, filepath.Join(warm, "out")), hashes(t, filepath.Join(cold, "out")); len(hw) < 6 || !mapsEqual(hw, hc) {
		t.Errorf("dossiers/ differs: %v\n%v", hw, hc)
	}

	// The VA of dossiers/ altered behind segur's back: drawn again, the
	// same bytes as the first pack's.
	if err := os.WriteFile(vaPath, append(bytes.Clone(vaBytes), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, output := pack(warm); code != exitOK {
		t.Fatalf("pack after dossiers/ was altered: exit %d\n%s", code, output)
	}
	if got, err := os.ReadFile(vaPath); err != nil || !bytes.Equal(got, vaBytes) {
		t.Errorf("an altered VA of dossiers/ must be drawn again (%v)", err)
	}

	// The returned file replaced (signed by one of the two): verified
	// again, refused.
	if err := os.WriteFile(filepath.Join(signes, name48), first, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, output := pack(warm); code == exitOK || !strings.Contains(output, "VA_SIGNATURE_MANQUANTE") {
		t.Errorf("a replaced VA must be verified again: exit %d\n%s", code, output)
	}
	if err := os.WriteFile(filepath.Join(signes, name48), both, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, output := pack(warm); code != exitOK || strings.Contains(output, "VA_SIGNATURE_MANQUANTE") {
		t.Errorf("the VA signed by both, given back: exit %d\n%s", code, output)
	}

	// The record changed where only the VA shows it (the place of
	// signature): the VA segur renders changes, the returned one no
	// longer starts with its bytes, and is tied to the dossier by the
	// hash of the VA handed out by the first pack instead — said in
	// rapport.json, so verified again.
	rec := filepath.Join(records, "00048.yaml")
	data, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rec, bytes.Replace(data, []byte("lieu: Strasbourg"), []byte("lieu: Colmar"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, output := pack(warm); code != exitOK {
		t.Fatalf("the VA handed out by the first pack: exit %d\n%s", code, output)
	}
	rj, err := os.ReadFile(filepath.Join(warm, "out", "rapport.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(rj, []byte("empreinte SHA-256 d'une VA remise")) {
		t.Errorf("a record changed under a remembered VA must be verified again (tied by the hash handed out):\n%s", rj)
	}
	if got := remembered(t, filepath.Join(warm, "registre.sqlite"), false); got["00048"] == keys["00048"] {
		t.Error("the changed VA was remembered under the same key")
	}
	if got := renderedKeys(t, filepath.Join(warm, "registre.sqlite")); got["00048/VA"] == drawn["00048/VA"] || got["00048/VA"] == "" {
		t.Errorf("the changed VA was drawn under the same key: %v", got)
	}
	if got, err := os.ReadFile(vaPath); err != nil || bytes.Equal(got, vaBytes) {
		t.Errorf("the changed record's VA in dossiers/ is not a new render (%v)", err)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
