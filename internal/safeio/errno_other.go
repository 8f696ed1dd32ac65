//go:build !unix

package safeio

import (
	"errors"
	"syscall"
)

// Windows system error codes: ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL,
// ERROR_WRITE_PROTECT.
const (
	errHandleDiskFull syscall.Errno = 39
	errDiskFull       syscall.Errno = 112
	errWriteProtect   syscall.Errno = 19
)

func diskFull(err error) bool {
	return errors.Is(err, errHandleDiskFull) || errors.Is(err, errDiskFull)
}

func readOnly(err error) bool { return errors.Is(err, errWriteProtect) }
