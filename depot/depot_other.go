//go:build !linux && !darwin

package depot

import "errors"

// exchange is not available here: the switch falls back to two renames.
func exchange(a, b string) error { return errors.ErrUnsupported }

// syncUnsupported: Windows cannot sync a folder handle (NTFS journals its
// metadata); other systems may refuse it too.
func syncUnsupported(error) bool { return true }
