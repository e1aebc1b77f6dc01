//go:build !unix

package quotafile

import "io/fs"

// noFollow and noBlock have no equivalent here.
const (
	noFollow = 0
	noBlock  = 0
)

// foreign is "": file modes do not describe access here, and files inherit
// the access list of their directory.
func foreign(fs.FileInfo) string { return "" }

// dirFix and fileFix are never asked for here, as foreign refuses nothing.
func dirFix(string, fs.FileInfo) string  { return "choose another path" }
func fileFix(string, fs.FileInfo) string { return "choose another path" }
