package main

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// TestMain lets the test binary be the measuring process, as the bench's
// own binary is.
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == measureArg {
		os.Exit(measure(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// TestMeasureGivesTheCommandsOwnPeak: a command the bench starts is given
// its own peak resident memory, not the bench's. On Linux a process
// started straight from a large one is given the large one's peak (the
// control below shows it on this kernel): the bench starts segur through
// a small measuring process.
func TestMeasureGivesTheCommandsOwnPeak(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the peak a parent gives its child is Linux's exec (its maxrss), which this test shows")
	}
	const big = 200 << 20
	hog := make([]byte, big)
	for i := 0; i < len(hog); i += 4096 {
		hog[i] = 1
	}
	direct := exec.Command("/bin/true")
	if err := direct.Run(); err != nil {
		t.Fatal(err)
	}
	if got := maxRSS(direct.ProcessState); got < big>>10 {
		t.Skipf("control: /bin/true started from a process of %d MiB is given %d MiB: this kernel does not give a child its parent's peak, so there is nothing to show here", big>>20, got>>10)
	}
	r, err := bench{segur: "/bin/true"}.segurRun(nil, "", "etat")
	if err != nil {
		t.Fatal(err)
	}
	if r.maxRSS <= 0 || r.maxRSS > 64<<10 {
		t.Errorf("/bin/true measured at %d KiB, want its own few MiB (the bench holds %d MiB)", r.maxRSS, big>>20)
	}
	runtime.KeepAlive(hog)
}
