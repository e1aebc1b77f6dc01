//go:build unix

package main

import "syscall"

// writableDir reports why the user cannot create files in dir (access(2)
// with W_OK: permissions, a read-only file system); nil when they can.
func writableDir(dir string) error {
	const wOK = 2
	return syscall.Access(dir, wOK)
}
