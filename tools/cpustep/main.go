// Command cpustep runs a command and writes to a file the CPU time (user
// plus system, in seconds) of every process it ran, then exits with the
// command's status. tools/test-steps.sh runs each test run of `make test`
// under it.
//
//	cpustep -o FILE COMMAND [ARG...]
//
// On Linux it is a child subreaper: the processes the command leaves
// behind (Chromium's renderers outlive the browser the web tests stop)
// become its children, and it waits for them and counts them too, where
// bash's `times` would miss them. Elsewhere it counts the processes the
// command waited for.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	out := flag.String("o", "", "file where the CPU seconds are written")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: cpustep -o FILE COMMAND [ARG...]")
		os.Exit(2)
	}
	code, cpu, err := run(flag.Args())
	if err != nil {
		fmt.Fprintf(os.Stderr, "cpustep: %v\n", err)
		os.Exit(2)
	}
	if err := os.WriteFile(*out, fmt.Appendf(nil, "%.1f\n", cpu.Seconds()), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "cpustep: %v\n", err)
		os.Exit(2)
	}
	os.Exit(code)
}

// cpuTime is a CPU time (user plus system).
type cpuTime = time.Duration
