//go:build unix

package depot

import (
	"fmt"
	"os"
	"syscall"
)

// dirID identifies a folder by device and inode, which a rename keeps.
func dirID(p string) string {
	st, err := os.Lstat(p)
	if err != nil {
		return ""
	}
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%d:%d", s.Dev, s.Ino)
}
