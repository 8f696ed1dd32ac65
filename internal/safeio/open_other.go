//go:build !unix

package safeio

import "os"

// openNoBlock opens path read-only. On Windows, opening a named pipe or a
// device by a file path does not block; the caller refuses anything that
// is not a regular file.
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }

// noBlock: no such flag here (see openNoBlock).
const noBlock = 0
