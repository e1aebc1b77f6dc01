//go:build unix

package quotafile

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// noFollow refuses a symbolic link as the last element of a path, and
// noBlock keeps a FIFO found there from blocking New.
const (
	noFollow = syscall.O_NOFOLLOW
	noBlock  = syscall.O_NONBLOCK
)

// foreign says why another user could change the file or directory fi
// describes: another owner (root excepted), or write permission for the
// group or others. It returns "" when none can.
func foreign(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 && int64(st.Uid) != int64(os.Geteuid()) {
		return fmt.Sprintf("it belongs to another user (uid %d)", st.Uid)
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Sprintf("it is writable by its group or others (mode %#o)", perm)
	}
	return ""
}
