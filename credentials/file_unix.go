//go:build unix

package credentials

import (
	"io/fs"
	"os"
	"syscall"
)

// openNoBlock opens path for reading without blocking, should it have
// become a FIFO since it was looked at.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// sharedMode reports a file that its group or others may read, which ssh
// and the official SDKs warn about for key files.
func sharedMode(m fs.FileMode) bool { return m.Perm()&0o077 != 0 }
