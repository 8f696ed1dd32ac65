// Package progsum names the running program by the SHA-256 of its
// executable: what a cache kept from one run to the next puts in its keys,
// so that another build (another rule, another template embedded) finds
// nothing an earlier one kept.
package progsum

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"sync"
)

// Sum is the SHA-256, in hex, of the running program, read once; "" when
// it cannot be read (then nothing should be kept under it).
var Sum = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close() // read-only: closing it loses nothing
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	h := sha256.New()
	// A program larger than 1 GiB is not segur: nothing is kept.
	if n, err := io.Copy(h, io.LimitReader(f, 1<<30+1)); err != nil || n > 1<<30 {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
})
