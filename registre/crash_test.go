package registre

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The child side of the crash tests: run by the test binary itself with
// REGISTRE_CRASH_CHILD set. It runs transactions of one pack each (a
// facture numbered from the series, a MOM, a pair, their states) and
// prints each committed transaction's id and number; in mode « hold » it
// stops mid-transaction, says so and waits to be killed.
func TestMain(m *testing.M) {
	if path := os.Getenv("REGISTRE_CRASH_CHILD"); path != "" {
		os.Exit(crashChild(path, os.Getenv("REGISTRE_CRASH_MODE")))
	}
	os.Exit(m.Run())
}

func crashChild(path, mode string) int {
	r, err := Open(path, Options{})
	if err != nil {
		fmt.Println("erreur", err)
		return 2
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 1; ; i++ {
		tx, err := r.Begin(ctx(), Cause{Command: "pack"})
		if err != nil {
			fmt.Println("erreur", err)
			return 2
		}
		n, err := tx.NextFactureNumber("747849081", "F{AAAA}-{N:05}", "2026-03-02")
		dossier := strings.ReplaceAll(n, "-", "")
		if err == nil {
			err = tx.Issue(&Document{Dossier: dossier, Kind: Facture, Numero: n, Date: "2026-03-02", Fournisseur: "747849081", Octets: []byte(strings.Repeat("facture "+n, 2000))})
		}
		if err == nil {
			err = tx.Issue(&Document{Dossier: dossier, Kind: MOM, Numero: "MOM-" + dossier, Date: "2026-03-02", Octets: []byte(strings.Repeat("mom "+dossier, 3000))})
		}
		var pair int
		if err == nil {
			pair, err = tx.NextPairNumber("MDV-LGC-Va1", "2201140317", PhaseSolde)
		}
		if err == nil {
			err = tx.RecordPair(Pair{Name: fmt.Sprintf("MDV-LGC-Va1-SOLDE-2201140317-%02d", pair), Dispositif: "MDV-LGC-Va1", Solution: "2201140317", Phase: PhaseSolde, Number: pair, Dossiers: []string{dossier}})
		}
		if err != nil {
			fmt.Println("erreur", err)
			return 2
		}
		if mode == "hold" {
			fmt.Println("tenu", tx.ID())
			select {} // killed here, mid-transaction
		}
		if err := tx.Commit(); err != nil {
			fmt.Println("erreur", err)
			return 2
		}
		fmt.Fprintln(out, "valide", tx.ID(), i)
		out.Flush()
	}
}

func startChild(t *testing.T, path, mode string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "REGISTRE_CRASH_CHILD="+path, "REGISTRE_CRASH_MODE="+mode)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(stdout)
}

// checkConsistent asserts what any committed state must hold: every pack
// whole (a facture, its MOM and its pair together), the facture series
// gapless, the pairs numbered 1..n, and SQLite's own integrity.
func checkConsistent(t *testing.T, r *Registre) int {
	t.Helper()
	res, err := r.Verify(ctx())
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("verify: %+v %v", res, err)
	}
	var factures, moms, pairs, maxPair, seq int
	r.db.QueryRow("SELECT count(*) FROM documents WHERE type = 'FACTURE'").Scan(&factures)
	r.db.QueryRow("SELECT count(*) FROM documents WHERE type = 'MOM'").Scan(&moms)
	r.db.QueryRow("SELECT count(*), coalesce(max(numero), 0) FROM depots").Scan(&pairs, &maxPair)
	r.db.QueryRow("SELECT coalesce(max(dernier), 0) FROM sequences").Scan(&seq)
	if factures != moms || factures != pairs || maxPair != pairs || seq != factures {
		t.Fatalf("a pack recorded in part: %d factures, %d MOMs, %d pairs (last %d), series at %d", factures, moms, pairs, maxPair, seq)
	}
	return factures
}

// A process killed in the middle of its transaction leaves the registre
// as it was before: the transaction is not committed, nothing of it is
// kept, and the next run continues the numbering.
func TestKilledMidTransactionLeavesTheOldState(t *testing.T) {
	path := filepath.Join(t.TempDir(), DefaultName)
	r0, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r0.Close()
	cmd, lines := startChild(t, path, "hold")
	if !lines.Scan() {
		t.Fatal("the child said nothing")
	}
	f := strings.Fields(lines.Text())
	if len(f) != 2 || f[0] != "tenu" {
		t.Fatalf("child: %q", lines.Text())
	}
	cmd.Process.Kill()
	cmd.Wait()
	r := openTest(t, path, newClock())
	if ok, err := r.Committed(f[1]); ok || err != nil {
		t.Fatalf("the killed transaction is committed (%v)", err)
	}
	if n := checkConsistent(t, r); n != 0 {
		t.Fatalf("%d packs kept from a killed transaction", n)
	}
	tx := begin(t, r)
	if n, _ := tx.NextFactureNumber("747849081", "F{AAAA}-{N:05}", "2026-03-02"); n != "F2026-00001" {
		t.Errorf("after the kill the series gives %s", n)
	}
}

// SIGKILL at moments the test does not choose (after a varying number of
// committed packs, the child being mid-write or mid-commit): every
// transaction the child reported committed is there, the state is whole.
func TestKilledAtRandomMomentsKeepsWholePacks(t *testing.T) {
	runs := 20
	if testing.Short() {
		runs = 5
	}
	path := filepath.Join(t.TempDir(), DefaultName)
	for run := 0; run < runs; run++ {
		cmd, lines := startChild(t, path, "loop")
		var reported []string
		stopAfter := 1 + run%4
		for lines.Scan() {
			f := strings.Fields(lines.Text())
			if len(f) != 3 || f[0] != "valide" {
				t.Fatalf("child: %q", lines.Text())
			}
			reported = append(reported, f[1])
			if len(reported) == stopAfter {
				cmd.Process.Kill()
				break
			}
		}
		cmd.Wait()
		r, err := Open(path, Options{Now: time.Now})
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		for _, id := range reported {
			if ok, _ := r.Committed(id); !ok {
				t.Fatalf("run %d: transaction %s reported committed is lost", run, id)
			}
		}
		n := checkConsistent(t, r)
		if n < len(reported) {
			t.Fatalf("run %d: %d packs, fewer than the %d reported", run, n, len(reported))
		}
		r.Close()
		t.Log("run", run, "packs", strconv.Itoa(n))
	}
}
