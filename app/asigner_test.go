package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestASignerDeletesOnlyWhatSegurWrote (issue #22, item 2): a later run
// removes from a-signer/ only the VAs segur wrote there and that are still
// as it wrote them. A VA signed by the client put there (under its own
// name, or over segur's file) survives, with a warning (A_SIGNER_CONSERVE)
// that says where it is.
func TestASignerDeletesOnlyWhatSegurWrote(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	recs := fixtureRecords(t, "liberal-va.yaml", "mandataire-va.yaml")
	out := t.TempDir()
	opt := fixturePack(recs, out)
	if _, err := Pack(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	vas, _ := filepath.Glob(filepath.Join(out, "a-signer", "*-VA-*.pdf"))
	if len(vas) != 2 {
		t.Fatalf("a-signer/ holds %v, want the two VAs", vas)
	}
	// The first VA comes back signed beside it; the second is replaced by
	// its signed copy under the same name.
	signedBeside := strings.TrimSuffix(vas[0], ".pdf") + "-signee-par-client.pdf"
	os.WriteFile(signedBeside, []byte("%PDF-1.7 signée par le client"), 0o644)
	os.WriteFile(vas[1], []byte("%PDF-1.7 signée par le client, même nom"), 0o644)
	// Both dossiers leave the run: their VAs are no longer waiting.
	os.Remove(filepath.Join(recs, "liberal-va.yaml"))
	os.Remove(filepath.Join(recs, "mandataire-va.yaml"))
	data, _ := os.ReadFile("../fixtures/dossiers/bio-sgl.yaml")
	os.WriteFile(filepath.Join(recs, "bio-sgl.yaml"), data, 0o644)
	res, err := Pack(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(vas[0]); err == nil {
		t.Errorf("segur's own VA no longer waiting is still there: %s", vas[0])
	}
	if got, err := os.ReadFile(signedBeside); err != nil || !strings.Contains(string(got), "signée") {
		t.Errorf("the client-signed VA beside it is gone: %v", err)
	}
	if got, err := os.ReadFile(vas[1]); err != nil || !strings.Contains(string(got), "même nom") {
		t.Errorf("the client-signed VA under segur's name was deleted or overwritten: %q %v", got, err)
	}
	warned := map[string]bool{}
	for _, p := range res.Problems {
		if p.Code == "A_SIGNER_CONSERVE" {
			for _, f := range []string{signedBeside, vas[1]} {
				if strings.Contains(p.Message, f) {
					warned[f] = true
				}
			}
		}
	}
	if len(warned) != 2 {
		t.Errorf("want an A_SIGNER_CONSERVE warning for each file kept, got %v in %v", warned, res.Problems)
	}
}
