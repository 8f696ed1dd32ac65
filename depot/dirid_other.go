//go:build !unix

package depot

// dirID is empty where no exchange is used: the two-rename switch needs no
// identity to be finished after a crash.
func dirID(string) string { return "" }
