//go:build unix

package safeio

import (
	"os"
	"syscall"
)

// openNoBlock opens path read-only with O_NONBLOCK, so that opening a FIFO
// with no writer returns at once instead of waiting forever; the caller
// then refuses it as not regular. O_NONBLOCK has no effect on the reads
// of a regular file.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// noBlock is added to the flags of a confined open (Roots.Open), for the
// same reason.
const noBlock = syscall.O_NONBLOCK
