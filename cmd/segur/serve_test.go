package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestServeNouveauAideCommandLines(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		code    int
		out     string // in stdout
		errText string // in stderr
	}{
		{"serve without a readable --signes", []string{"serve", "--signes", filepath.Join(dir, "absent"), "-o", dir, repo("fixtures/dossiers")}, exitCannot, "", "n'est pas un dossier lisible"},
		{"serve without records", []string{"serve", "-o", dir}, exitCannot, "", "indiquez au moins un fichier"},
		{"nouveau", []string{"nouveau", "--dispositif", "BIO-SGL-Va1", "--client", "structure"}, exitOK, "dispositif: BIO-SGL-Va1", ""},
		{"nouveau refuses a client type", []string{"nouveau", "--dispositif", "BIO-SGL-Va1", "--client", "liberal"}, exitCannot, "", "n'accepte que"},
		{"aide format", []string{"aide", "format"}, exitOK, "# Format des fichiers de segur", ""},
		{"aide codes", []string{"aide", "codes"}, exitOK, "`VA_NON_SIGNEE`", ""},
		{"aide of nothing known", []string{"aide", "tout"}, exitCannot, "", "segur aide format"},
		{"--help names the reference", []string{"--help"}, exitOK, "segur aide format", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runIn(t, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errs, tt.errText) {
				t.Errorf("exit %d, stdout %.200q, stderr %q", code, out, errs)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "depot")); err == nil {
		t.Error("a refused serve wrote into the output folder")
	}
}

// fullDisk is a stdout that takes limit bytes, then fails as a full disk.
type fullDisk struct {
	limit int
	got   []byte
}

func (f *fullDisk) Write(p []byte) (int, error) {
	n := min(len(p), f.limit-len(f.got))
	f.got = append(f.got, p[:n]...)
	if n < len(p) {
		return n, &os.PathError{Op: "write", Path: "dossier.yaml", Err: syscall.ENOSPC}
	}
	return n, nil
}

// TestOutputThatCannotBeWrittenFails: a command whose stdout fails midway
// (segur nouveau > dossier.yaml on a full disk) says so and exits 2, rather
// than 0 with half a file; a stdout that takes it all exits 0.
func TestOutputThatCannotBeWrittenFails(t *testing.T) {
	nouveau := []string{"segur", "nouveau", "--dispositif", "BIO-SGL-Va1", "--client", "structure"}
	version := []string{"segur", "version"} // prints with fmt.Fprintf, unchecked
	for _, tc := range []struct {
		name  string
		args  []string
		limit int
		code  int
		err   string
	}{
		{"nouveau, full disk", nouveau, 100, exitCannot, "segur : la sortie n'a pas pu être écrite en entier : « dossier.yaml » : disque plein"},
		{"nouveau, room enough", nouveau, 1 << 20, exitOK, ""},
		{"version, full disk", version, 10, exitCannot, "segur : la sortie n'a pas pu être écrite en entier : « dossier.yaml » : disque plein"},
		{"version, room enough", version, 1 << 20, exitOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs := &fullDisk{limit: tc.limit}, &strings.Builder{}
			code := run(tc.args, out, errs)
			if code != tc.code || !strings.Contains(errs.String(), tc.err) || (tc.err == "" && errs.Len() > 0) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errs, tc.code, tc.err)
			}
			if len(out.got) == 0 {
				t.Error("nothing written")
			}
		})
	}
}
