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

// owned reports whether fi describes a file or directory of the effective
// user.
func owned(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int64(st.Uid) == int64(os.Geteuid())
}

// otherPath is the advice for a directory that others share or own.
const otherPath = "choose a path in a directory that only you can write to, such as one in your home directory"

// dirFix says what to do about dir, which foreign refused: choose another
// path; or, for a directory of the user's own, take the others' write
// permission away. A directory that is shared by design (sticky, as /tmp
// is) or is root's (the system's, even for root) is never to be changed.
func dirFix(dir string, fi fs.FileInfo) string {
	if owned(fi) && os.Geteuid() != 0 && fi.Mode()&fs.ModeSticky == 0 {
		return otherPath + "; or, if " + dir + " is yours alone, chmod go-w " + dir
	}
	return otherPath
}

// fileFix says what to do about the file at path, which foreign refused:
// for a file of the user's own (a quota table, as prepare checked, or an
// empty file), chmod 600; else choose another path.
func fileFix(path string, fi fs.FileInfo) string {
	if owned(fi) {
		return "chmod 600 " + path + ", or choose another path"
	}
	return "choose another path, for a file of your own"
}
