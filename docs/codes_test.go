package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	// A code is an upper-case literal with an underscore, or one given
	// as Code: or right before a message format.
	reUnderscore = regexp.MustCompile(`"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"`)
	reCodeField  = regexp.MustCompile(`Code:\s*"([A-Z][A-Z0-9_]+)"`)
	reBeforeMsg  = regexp.MustCompile(`"([A-Z][A-Z0-9_]{3,})",\s*"`)
	// a message literal that starts with its code in brackets: "[CODE] …"
	reBracketed  = regexp.MustCompile(`"\[([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\] `)
	reDocumented = regexp.MustCompile("^\\| `([A-Z][A-Z0-9_]+)` \\|")
)

// notCodes are upper-case literals of the code that are not message codes.
var notCodes = []string{"SEGUR_CONFIG", "SEGUR_LOOK", "SEGUR_REGISTRE", "SEGUR_SANS_REGISTRE", "XDG_CONFIG_HOME", "MAJ_V2", "SEGUR_CERTIFICAT_MDP", "LIBERAL", "STRUCTURE", "FACTURE",
	"BON_COMMANDE", // the avance JSON's typeFichier of the signed BDC
	"GTS_PDFA1",    // a PDF/A OutputIntent name
	"DEVISE",       // an EN 16931 rule label inside FACTURX_INVALIDE
}

// codesInGo returns every message code the Go code uses (tests and
// third-party code aside).
func codesInGo(t *testing.T) map[string]string {
	codes := map[string]string{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "third_party" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range []*regexp.Regexp{reUnderscore, reCodeField, reBeforeMsg, reBracketed} {
			for _, m := range re.FindAllStringSubmatch(string(data), -1) {
				if !slices.Contains(notCodes, m[1]) {
					codes[m[1]] = path
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return codes
}

func documented(t *testing.T) map[string]bool {
	data, err := FS.ReadFile("codes.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if m := reDocumented.FindStringSubmatch(line); m != nil {
			if out[m[1]] {
				t.Errorf("codes.md: %s documented twice", m[1])
			}
			out[m[1]] = true
		}
	}
	// The signature codes are explained in signatures.md.
	sig, err := os.ReadFile("signatures.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile("`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`").FindAllStringSubmatch(string(sig), -1) {
		out[m[1]] = true
	}
	return out
}

// Every code the program can print is explained in docs/codes.md, and
// codes.md explains no code the program no longer prints.
func TestEveryCodeIsDocumented(t *testing.T) {
	used, doc := codesInGo(t), documented(t)
	if len(used) < 50 {
		t.Fatalf("only %d codes found in the Go code: the scan is broken", len(used))
	}
	for code, file := range used {
		if !doc[code] {
			t.Errorf("%s (used in %s) is missing from docs/codes.md", code, file)
		}
	}
	for code := range doc {
		if _, ok := used[code]; !ok && !strings.HasPrefix(code, "VATEX") && !strings.HasPrefix(code, "SEGUR_") {
			t.Errorf("docs/codes.md explains %s, which no Go code uses", code)
		}
	}
}

// Every key a record or segur.yaml may hold appears in docs/format.md.
func TestFormatNamesEveryFixtureKey(t *testing.T) {
	data, err := FS.ReadFile("format.md")
	if err != nil {
		t.Fatal(err)
	}
	format := string(data)
	reKey := regexp.MustCompile(`(?m)^\s*(?:- )?([a-z_]+):`)
	files, _ := filepath.Glob("../fixtures/dossiers/*.yaml")
	avances, _ := filepath.Glob("../fixtures/avances/*.yaml")
	files = append(files, avances...)
	files = append(files, "../fixtures/segur.yaml")
	if len(files) < 5 {
		t.Fatal("fixtures not found")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range reKey.FindAllStringSubmatch(string(src), -1) {
			if !strings.Contains(format, "`"+m[1]) && !strings.Contains(format, "."+m[1]) && !strings.Contains(format, "{"+m[1]) && !strings.Contains(format, ", "+m[1]) {
				t.Errorf("%s: key %s is not in docs/format.md", f, m[1])
			}
		}
	}
}
