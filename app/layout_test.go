package app

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// printable are the packages below app that cmd/segur and web may import:
// those of the values they pass in or print (problems, kinds and phases,
// the report and its states, the registre's states and events, the
// spreadsheet's outcomes and lines, French amounts and sizes). Every use
// case, every reading or writing of a file, goes through app (README,
// Layout).
var printable = []string{
	"dossier",
	"internal/fr",
	"rapport",
	"registre",
	"tableur",
}

// TestCallersStayAboveApp asks the go command what cmd/segur and web
// import: of segur's packages, only app, the printable ones, and web for
// the command line; and that nothing else imports app, web or cmd/segur
// (nothing upward).
func TestCallersStayAboveApp(t *testing.T) {
	t.Parallel()
	const mod = "github.com/segur-sons/segur/"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string][]string{
		"cmd/segur": append([]string{"app", "web"}, printable...),
		"web":       append([]string{"app"}, printable...),
	}
	above := map[string]bool{"app": true, "web": true, "cmd/segur": true}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, ok := strings.CutPrefix(fields[0], mod)
		if !ok {
			continue
		}
		for _, imp := range fields[1:] {
			dep, ours := strings.CutPrefix(imp, mod)
			if !ours {
				continue
			}
			if ok, caller := allowed[pkg]; caller && !slices.Contains(ok, dep) {
				t.Errorf("%s imports %s: it calls app for that (or prints one of %v)", pkg, dep, printable)
			}
			if above[dep] && !slices.Contains(allowed[pkg], dep) {
				t.Errorf("%s imports %s, a package above it", pkg, dep)
			}
		}
		if allowed[pkg] != nil {
			seen++
		}
	}
	if seen != len(allowed) {
		t.Fatalf("go list showed %d of cmd/segur and web: the listing is wrong", seen)
	}
}
