//go:build !unix

package credentials

import (
	"io/fs"
	"os"
)

// openNoBlock opens path for reading.
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }

// sharedMode is false: file modes do not describe access here.
func sharedMode(fs.FileMode) bool { return false }
