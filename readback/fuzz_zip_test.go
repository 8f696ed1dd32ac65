package readback

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCheckZip feeds mutated zips of the dépôt to the read-back: it must
// return problems, never panic nor hang, within the zip bounds.
//
//	go test -run '^$' -fuzz FuzzCheckZip -fuzztime 30s ./readback/
func FuzzCheckZip(f *testing.F) {
	valid := chkValidFiles(f)
	f.Add(valid["depot/"+chkMDV+".zip"])
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	reg := testRegistry(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "depot"), 0o755)
		os.WriteFile(filepath.Join(dir, "depot", chkMDV+".json"), valid["depot/"+chkMDV+".json"], 0o644)
		os.WriteFile(filepath.Join(dir, "depot", chkMDV+".zip"), data, 0o644)
		if _, err := Check(dir, reg); err != nil {
			t.Fatal(err)
		}
	})
}

// TestLongValuesAreEchoedShort (issue #10, case 13): a huge value in a
// solde JSON is echoed cut, with its control characters escaped.
func TestLongValuesAreEchoedShort(t *testing.T) {
	huge := strings.Repeat("9", 1<<20) + "\\u0007"
	_, ps := parseSolde("depot/x.json", []byte(`{"impId":null,"numeroAns":"`+huge+`","siret":"73282932000074","lignesImport":[]}`))
	if len(ps) == 0 {
		t.Fatal("no problem reported")
	}
	for _, p := range ps {
		if len(p.Message) > 500 || strings.ContainsRune(p.Message, 7) {
			t.Errorf("%s: message of %d bytes: %.200q", p.Code, len(p.Message), p.Message)
		}
	}
}
