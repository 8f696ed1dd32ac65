package main

import (
	"os"
	"path/filepath"
	"strings"
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
