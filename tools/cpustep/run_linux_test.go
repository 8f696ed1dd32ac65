package main

import (
	"testing"
	"time"
)

// TestOrphansCounted: the command's shell exits at once, leaving a
// busy loop behind it; run waits for the orphan and counts its CPU, as
// bash's `times` would not.
func TestOrphansCounted(t *testing.T) {
	start := time.Now()
	code, cpu, err := run([]string{"sh", "-c", `(i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done) & exit 3`})
	if err != nil {
		t.Fatal(err)
	}
	if code != 3 {
		t.Errorf("exit status %d, want the command's 3", code)
	}
	// The loop costs well over 50 ms of CPU on any machine; the shell
	// that exited at once, a few.
	if cpu < 50*time.Millisecond {
		t.Errorf("CPU %s (in %s): the orphan's loop was not counted", cpu, time.Since(start))
	}
}
