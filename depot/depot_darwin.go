package depot

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// exchange swaps two folders in one step (renamex_np RENAME_SWAP).
func exchange(a, b string) error { return unix.RenamexNp(a, b, unix.RENAME_SWAP) }

func syncUnsupported(err error) bool { return errors.Is(err, syscall.EINVAL) }
