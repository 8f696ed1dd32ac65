package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A pack whose MOMs and BDCs all come from the registre signs nothing and
// needs no certificate password; a MOM to sign for the first time is
// refused with the certificate's problem, its dossier only.
func TestPackWithoutPasswordWhenNothingToSign(t *testing.T) {
	old := testClock
	t.Cleanup(func() { testClock = old })
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	dir := t.TempDir()
	reg := filepath.Join(dir, "registre.sqlite")
	out := filepath.Join(dir, "out")
	pack := func(records string, extra ...string) (int, string, string) {
		args := append([]string{"pack", "--sans-registre=false", "--registre", reg, "--config", repo("fixtures/segur.yaml"), "--date-depot", "2023-04-28", "-o", out}, extra...)
		return runIn(t, append(args, records)...)
	}
	testClock = "2023-04-28T10:00:00Z"
	q1 := quarterDir(t, filepath.Join(dir, "q1"), map[string][2]any{"00042.yaml": {"liberal-mom.yaml", [][2]string{}}})
	if code, stdout, stderr := pack(q1); code != exitOK {
		t.Fatalf("first pack: %d\n%s%s", code, stdout, stderr)
	}
	mom := filepath.Join(out, "dossiers", "00042", "MDV-LGC-Va1-MOM-00042.pdf")
	signed, _ := os.ReadFile(mom)

	os.Unsetenv("SEGUR_CERTIFICAT_MDP")
	testClock = "2023-04-29T10:00:00Z"
	code, stdout, stderr := pack(q1, "--redeposer", "00042")
	if code != exitOK || strings.Contains(stdout+stderr, "CERTIFICAT") {
		t.Fatalf("pack with every MOM from the registre, no password: %d\n%s%s", code, stdout, stderr)
	}
	if again, _ := os.ReadFile(mom); string(again) != string(signed) {
		t.Error("the MOM given back differs from the one issued")
	}

	// A new dossier: its MOM must be signed — said at the dossier, the
	// dossier given back still packed.
	q2 := quarterDir(t, filepath.Join(dir, "q2"), map[string][2]any{
		"00042.yaml": {"liberal-mom.yaml", [][2]string{}},
		"00142.yaml": {"liberal-mom.yaml", [][2]string{{`"00042"`, `"00142"`}, {"FINMDV000042", "FINMDV000142"}, {"BDC-2022-00042", "BDC-2023-00142"}, {"F2023-00042", "F2023-00142"}, {"10660451559", "10373261667"}, {"10839956009", "10477739659"}}},
	})
	code, stdout, stderr = pack(q2, "--redeposer", "00042")
	if code != exitRejected || !strings.Contains(stdout, "00142") || !strings.Contains(stdout, "[CERTIFICAT_MOT_DE_PASSE]") ||
		!strings.Contains(stdout, "SEGUR_CERTIFICAT_MDP") || !strings.Contains(stdout, "doit le signer") && !strings.Contains(stdout, "doit la signer") {
		t.Errorf("a MOM to sign without the password: %d\n%s%s", code, stdout, stderr)
	}
	if got := depotFiles(t, out); len(got) != 2 || !strings.HasSuffix(got[0], "-03.json") {
		t.Errorf("the dossier given back must still be packed: %v\n%s%s", got, stdout, stderr)
	}
	// Without the registre the password is asked up front, as before.
	code, _, stderr = runIn(t, "pack", "--sans-registre", "--config", repo("fixtures/segur.yaml"), "--date-depot", "2023-04-28", "-o", filepath.Join(dir, "essai"), q1)
	if code != exitCannot || !strings.Contains(stderr, "certificat") {
		t.Errorf("--sans-registre without the password: %d %s", code, stderr)
	}
}
