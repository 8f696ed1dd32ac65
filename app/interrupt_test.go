package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPackCancelledSaysInterrupted: Ctrl-C while the registre is being
// worked on (here, before its transaction begins) is an interruption, said
// as such, not « REGISTRE_ILLISIBLE »: SQLite answers a cancelled context
// with « interrupted », which is no damaged registre. Nothing is written.
func TestPackCancelledSaysInterrupted(t *testing.T) {
	t.Setenv("SEGUR_CERTIFICAT_MDP", "segur-test")
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(dir, "out")
	_, err := Pack(ctx, PackOptions{
		Inputs:    Inputs{Paths: []string{"../fixtures/dossiers"}, Config: "../fixtures/segur.yaml", Registre: filepath.Join(dir, "registre.sqlite")},
		Out:       out,
		DateDepot: time.Date(2023, 4, 28, 12, 0, 0, 0, time.UTC),
		Phase:     DepotSolde,
	})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("cancelled pack: %v, want the interruption", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "interrompu") || strings.Contains(msg, "REGISTRE_") {
		t.Errorf("message %q", msg)
	}
	if _, err := os.Stat(filepath.Join(out, "depot")); !os.IsNotExist(err) {
		t.Errorf("depot/ written by a cancelled run (%v)", err)
	}
}
