package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// waitHolds waits until the process pid holds path open, read from
// /proc/<pid>/fd where the system has it (Linux): a durable state of the
// process, not a time. It returns false if the process ended first, or
// where there is no /proc (the caller then relies on time alone). done
// reports whether the process has ended.
func waitHolds(t *testing.T, pid int, path string, done func() bool) bool {
	t.Helper()
	fds := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		return false
	}
	want, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	for !done() {
		entries, err := os.ReadDir(fds)
		if err != nil {
			return false // ended meanwhile
		}
		for _, e := range entries {
			if target, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && target == want {
				return true
			}
		}
		// Yield to the process being watched: a loop without pause would
		// take a core from it on a loaded machine.
		time.Sleep(10 * time.Millisecond)
	}
	return false
}
