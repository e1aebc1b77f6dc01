package quotafile

import (
	"errors"
	"fmt"
)

// ErrFull is wrapped by the error of a CompareAndSwap whose table would be
// longer than MaxFileSize. Entries leave the table as their ttl passes.
var ErrFull = errors.New("the table is full")

// errNotMade is the error of a Store that New did not make.
var errNotMade = errors.New("quotafile: the Store was not made by New")

// nilError is the message of a nil pointer of every error type of the
// package: what fmt prints for a nil pointer whose Error panics.
const nilError = "<nil>"

// errCorrupt marks a table that is damaged (truncated, altered): it is read
// as an empty one, and replaced at the next write.
var errCorrupt = errors.New("a damaged quota table")

// UnsafePathError is returned by New for a quota file, or its directory,
// that another user could change (see the package documentation).
type UnsafePathError struct {
	// Path is the file or directory at fault.
	Path string
	// Reason says what is wrong with it.
	Reason string
	// Fix says what to do instead. It never advises changing a directory
	// or file that others share (such as /tmp) or removing one that is
	// not a regular file (such as /dev/null).
	Fix string
}

// Error reads like "quotafile: refusing /tmp: the directory: it is
// writable by its group or others (mode 01777); choose a path in a
// directory that only you can write to, such as one in your home
// directory".
func (e *UnsafePathError) Error() string {
	if e == nil {
		return nilError
	}
	msg := "quotafile: refusing " + e.Path + ": " + e.Reason
	if e.Fix != "" {
		msg += "; " + e.Fix
	}
	return msg
}

// NotATableError is returned by New and CompareAndSwap for a file at the
// table's path that holds something other than a quota table: it is not
// empty and does not start with the table's magic "HSSQ". The Store never
// writes over such a file (a path given by mistake, such as notes.txt);
// it rebuilds only a damaged table of its own (one that starts with the
// magic).
type NotATableError struct {
	// Path is the file.
	Path string
	// Size is its length in bytes.
	Size int64
}

// Error reads like "quotafile: refusing /home/me/notes.txt: its 1234
// bytes are not a quota table, which the Store would write over; choose
// another path, such as a new file in a directory of your own".
func (e *NotATableError) Error() string {
	if e == nil {
		return nilError
	}
	return fmt.Sprintf("quotafile: refusing %s: its %d bytes are not a quota table, which the Store would write over; choose another path, such as a new file in a directory of your own",
		e.Path, e.Size)
}

// FormatError is returned by CompareAndSwap for a table written in a
// newer format than this package reads, which it leaves alone: give the
// older and the newer programs files of their own, or upgrade the older.
type FormatError struct {
	// Path is the table's file.
	Path string
	// Version is the format version the file holds.
	Version byte
}

// Error reads like "quotafile: /home/me/.cache/hss/quota/quotas holds a
// table in format 2; this version reads format 1".
func (e *FormatError) Error() string {
	if e == nil {
		return nilError
	}
	return fmt.Sprintf("quotafile: %s holds a table in format %d; this version reads format %d (give each version its own file, or upgrade)",
		e.Path, e.Version, formatVersion)
}

// ArgumentError is returned for a path, key or value a Store does not
// take, before any file is touched.
type ArgumentError struct {
	// Field is "path", "ctx", "key" or "next".
	Field string
	// Reason says what is allowed and what was given.
	Reason string
}

// Error reads like "quotafile: invalid key: must be at most 512 bytes, got
// 600".
func (e *ArgumentError) Error() string {
	if e == nil {
		return nilError
	}
	return "quotafile: invalid " + e.Field + ": " + e.Reason
}
