package registre

import (
	"path/filepath"
	"testing"
)

// One verification per dossier, given back under its key only, replaced
// by the next; kept when the transaction commits, forgotten when it does
// not.
func TestVerifications(t *testing.T) {
	r := openTest(t, filepath.Join(t.TempDir(), DefaultName), newClock())
	tx := begin(t, r)
	get := func(tx *Tx, dossier, key string) string {
		t.Helper()
		b, err := tx.Verification(dossier, key)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := get(tx, "00048", "k1"); got != "" {
		t.Errorf("nothing remembered yet: %q", got)
	}
	for _, v := range [][3]string{{"00048", "k1", "r1"}, {"00049", "k1", "r9"}, {"00048", "k2", "r2"}} {
		if err := tx.RememberVerification(v[0], v[1], []byte(v[2])); err != nil {
			t.Fatal(err)
		}
	}
	if got := get(tx, "00048", "k1"); got != "" {
		t.Errorf("a replaced key still answers: %q", got)
	}
	if got := get(tx, "00048", "k2"); got != "r2" {
		t.Errorf("00048 under k2: %q", got)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx = begin(t, r)
	if got := get(tx, "00049", "k1"); got != "r9" {
		t.Errorf("after commit: %q", got)
	}
	if err := tx.RememberVerification("00049", "k3", []byte("r3")); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	tx = begin(t, r)
	if got := get(tx, "00049", "k1"); got != "r9" {
		t.Errorf("after a rollback: %q", got)
	}
}
