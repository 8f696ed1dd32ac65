//go:build unix

package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// depotFiles is every file under out/depot and out/rapport.json, with its
// bytes.
func depotFiles(t *testing.T, out string, also ...string) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, p := range append([]string{"depot", "rapport.json", "a-signer"}, also...) {
		filepath.Walk(filepath.Join(out, p), func(path string, fi os.FileInfo, err error) error {
			if err == nil && fi.Mode().IsRegular() {
				data, _ := os.ReadFile(path)
				files[path] = string(data)
			}
			return nil
		})
	}
	return files
}

func sameFiles(a, b map[string]string) bool {
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

// TestPackNeverReplacesADepotWithLess (issue #22, item 1): after a good
// dépôt, a run that reads no usable record — a records file in Latin-1,
// past 16 Mo, /dev/zero, a FIFO, truncated to 0 bytes, a folder emptied —
// stops with an error and leaves depot/, rapport.json, dossiers/ and
// a-signer/ as they were; a run that would drop dossiers of the previous
// dépôt names them and needs Retirer.
func TestPackNeverReplacesADepotWithLess(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	recs := fixtureRecords(t, "liberal-mom.yaml", "facture-taux-8-5.yaml")
	out := t.TempDir()
	opt := fixturePack(recs, out)
	res, err := Pack(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ready != 2 || len(res.Pairs) == 0 {
		t.Fatalf("the good dépôt: %d ready, pairs %v, %v", res.Ready, res.Pairs, res.Problems)
	}
	good := depotFiles(t, out)
	goodAll := depotFiles(t, out, "dossiers")

	one := filepath.Join(recs, "liberal-mom.yaml")
	keep, _ := os.ReadFile(one)
	other := filepath.Join(recs, "facture-taux-8-5.yaml")
	otherData, _ := os.ReadFile(other)
	cases := []struct {
		name  string
		setup func() // with other removed: one is the only records file
		want  string
	}{
		{"Latin-1", func() { os.WriteFile(one, append([]byte("# caf\xe9\n"), keep...), 0o644) }, "ENCODAGE_INVALIDE"},
		{"past 16 Mo", func() { os.WriteFile(one, append(keep, make([]byte, 16500<<10)...), 0o644) }, "FICHIER_TROP_GRAND"},
		{"/dev/zero", func() { os.Remove(one); os.Symlink("/dev/zero", one) }, "FICHIER_ILLISIBLE"},
		{"a FIFO", func() { os.Remove(one); syscall.Mkfifo(one, 0o644) }, "FICHIER_ILLISIBLE"},
		{"truncated to 0 bytes", func() { os.WriteFile(one, nil, 0o644) }, "aucun dossier"},
		{"emptied folder", func() { os.Remove(one) }, "aucun fichier"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(other)
			tc.setup()
			defer func() {
				os.Remove(one)
				os.WriteFile(one, keep, 0o644)
				os.WriteFile(other, otherData, 0o644)
			}()
			_, err := Pack(context.Background(), opt)
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("got %v, want an *Error", err)
			}
			text := ae.Message
			for _, p := range ae.Problems {
				text += "\n" + p.String()
			}
			if !strings.Contains(text, tc.want) {
				t.Errorf("the error does not say %s:\n%s", tc.want, text)
			}
			if !sameFiles(goodAll, depotFiles(t, out, "dossiers")) {
				t.Errorf("the previous dépôt or dossiers/ changed")
			}
		})
	}

	// One dossier dropped: named, the dépôt kept — and dossiers/ too,
	// whose documents are written into the next dossiers/, switched with
	// the dépôt (issue 22 item 6: the refused run re-signed the MOM in
	// dossiers/); with Retirer, dropped.
	os.Remove(other)
	_, err = Pack(context.Background(), opt)
	var de *DropError
	if !errors.As(err, &de) || len(de.Numeros) != 1 || !strings.Contains(err.Error(), de.Numeros[0]) || !strings.Contains(err.Error(), "--retirer") {
		t.Fatalf("a dossier dropped: got %v", err)
	}
	if now := depotFiles(t, out); !sameFiles(good, now) {
		for k := range now {
			if good[k] != now[k] {
				t.Logf("changed: %s", k)
			}
		}
		for k := range good {
			if _, ok := now[k]; !ok {
				t.Logf("gone: %s", k)
			}
		}
		t.Errorf("the previous dépôt changed though a dossier would be dropped")
	}
	if !sameFiles(goodAll, depotFiles(t, out, "dossiers")) {
		t.Errorf("dossiers/ changed though the run was refused")
	}
	opt.Retirer = de.Numeros
	if _, err := Pack(context.Background(), opt); err != nil {
		t.Fatalf("with Retirer %v: %v", opt.Retirer, err)
	}
	if sameFiles(good, depotFiles(t, out)) {
		t.Errorf("with Retirer, the dépôt did not change")
	}
}

// TestPackOutIsAFile (issue #22, item 6): -o naming a file says so, not
// a permissions problem.
func TestPackOutIsAFile(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	file := filepath.Join(t.TempDir(), "sortie")
	os.WriteFile(file, []byte("x"), 0o644)
	_, err := Pack(context.Background(), PackOptions{Inputs: Inputs{Paths: []string{"../fixtures/dossiers/liberal-mom.yaml"}, Config: "../fixtures/segur.yaml"}, Out: file})
	if err == nil || !strings.Contains(err.Error(), "est un fichier, pas un dossier") {
		t.Errorf("got %v", err)
	}
}
