//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// orphanWait bounds the wait for what the command left behind once it
// has ended: a process that never ends (a server left running) must not
// hold the step forever. It is then left running, uncounted, and said so.
const orphanWait = time.Minute

// run starts args as a child, then waits for every child (the command and,
// as a subreaper, whatever it left behind) until none is left, or for
// orphanWait after the command ended. It returns the command's exit status
// and the CPU time of every child waited for.
func run(args []string) (int, cpuTime, error) {
	if err := becomeSubreaper(); err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	code := -1
	var ended time.Time // when the command ended
	for {
		var ws syscall.WaitStatus
		opts := 0
		if !ended.IsZero() {
			opts = syscall.WNOHANG // the command has ended: only its orphans are left
		}
		pid, err := syscall.Wait4(-1, &ws, opts, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil { // ECHILD: nothing left to wait for
			break
		}
		if pid == 0 { // orphans still running
			if time.Since(ended) > orphanWait {
				fmt.Fprintf(os.Stderr, "cpustep: processes the command left are still running after %s: not counted\n", orphanWait)
				break
			}
			time.Sleep(50 * time.Millisecond) // a poll of processes, bounded above
			continue
		}
		if pid == cmd.Process.Pid {
			code = ws.ExitStatus()
			if ws.Signaled() {
				code = 128 + int(ws.Signal())
			}
			ended = time.Now()
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return code, 0, err
	}
	return code, time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
