package main

// This package has no golden file; it accepts -update all the same, so
// that `go test ./... -update` runs everywhere.
import _ "github.com/segur-sons/segur/internal/golden"
