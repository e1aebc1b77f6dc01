package quotafile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/hsskit/hss"
)

// lockSuffix ends the name of the lock file beside the table.
const lockSuffix = ".lock"

// maxTTL bounds a key's time to live, so that its expiry stays within the
// range of Unix nanoseconds.
const maxTTL = 10 * 365 * 24 * time.Hour

// Store is an hss.QuotaStore in a file, shared by every Store on the same
// path, in this process or another on the host. It is safe for concurrent
// use.
type Store struct {
	file *quotaFile
}

var _ hss.QuotaStore = (*Store)(nil)

// New returns the Store of the table at path, creating the directory
// (mode 0700, missing parents too) and the files (mode 0600) when they do
// not exist, so that a path that cannot be used is reported here rather
// than at each call. It returns an *UnsafePathError for a directory or
// file that another user could change, a *NotATableError for a file at
// path that holds something else than a quota table (which it never
// writes over), and the *fs.PathError of a directory or file it cannot
// create or open for writing.
func New(path string) (*Store, error) {
	if path == "" {
		return nil, &ArgumentError{Field: "path", Reason: "must not be empty"}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("quotafile: %w", err)
	}
	dir := filepath.Dir(abs)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("quotafile: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("quotafile: %w", err)
	}
	if reason := foreign(fi); reason != "" {
		return nil, &UnsafePathError{Path: dir, Reason: "the directory: " + reason, Fix: dirFix(dir, fi)}
	}
	if err := prepare(abs, true); err != nil {
		return nil, err
	}
	if err := prepare(abs+lockSuffix, false); err != nil {
		return nil, err
	}
	return &Store{file: fileAt(abs)}, nil
}

// prepare creates the file at path, or checks the one there, and checks
// that it can be written. For the table (table true), a file that holds
// something other than a table is a *NotATableError.
func prepare(path string, table bool) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|noFollow|noBlock, 0o600)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return &UnsafePathError{Path: path, Reason: "it is a symbolic link",
				Fix: "choose another path: the Store follows no link, so that no one can make it write elsewhere"}
		}
		return fmt.Errorf("quotafile: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return fmt.Errorf("quotafile: %w", err)
	case !fi.Mode().IsRegular():
		return notRegular(path, fi)
	}
	if table && fi.Size() > 0 {
		var head [len(magic)]byte
		n, err := f.ReadAt(head[:], 0)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("quotafile: %w", err)
		}
		if !storeWrote(head[:n]) {
			return &NotATableError{Path: path, Size: fi.Size()}
		}
	}
	if reason := foreign(fi); reason != "" {
		return &UnsafePathError{Path: path, Reason: reason, Fix: fileFix(path, fi)}
	}
	return nil
}

// notRegular is the error for a path that holds something other than a
// regular file (a device such as /dev/null, a FIFO, a directory): it is
// not the Store's, so the advice is another path, never removing it.
func notRegular(path string, fi fs.FileInfo) error {
	return &UnsafePathError{Path: path, Reason: "it is not a regular file (" + fi.Mode().Type().String() + ")",
		Fix: "choose another path, for a regular file of the Store's own"}
}

// Path returns the absolute path of the table ("" for a Store that New did
// not make).
func (s *Store) Path() string {
	if s == nil || s.file == nil {
		return ""
	}
	return s.file.path
}

// CompareAndSwap implements hss.QuotaStore: under the lock, it reads the
// table, compares key's value with old and, when they match, writes the
// table with next under key, expiring ttl from now (at most ten years; a
// ttl of zero or less stores a value already expired). A lock that another
// process holds until ctx ends returns ctx's error. A key over
// hss.MaxQuotaKeyLen bytes, or a next that is empty or over
// hss.MaxQuotaValueLen bytes, or a nil ctx, returns an *ArgumentError. A
// file that is no longer a table (something else was put at the path)
// returns a *NotATableError and is left as it is.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, next []byte, ttl time.Duration) (current []byte, swapped bool, err error) {
	switch {
	case ctx == nil:
		return nil, false, &ArgumentError{Field: "ctx", Reason: "must not be nil"}
	case len(key) > hss.MaxQuotaKeyLen:
		return nil, false, &ArgumentError{Field: "key", Reason: fmt.Sprintf("must be at most %d bytes, got %d", hss.MaxQuotaKeyLen, len(key))}
	case len(next) == 0 || len(next) > hss.MaxQuotaValueLen:
		return nil, false, &ArgumentError{Field: "next", Reason: fmt.Sprintf("must be 1-%d bytes, got %d", hss.MaxQuotaValueLen, len(next))}
	}
	if s == nil || s.file == nil {
		return nil, false, errNotMade
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	release, err := s.file.acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	defer func() {
		if rerr := release(); rerr != nil && err == nil {
			current, swapped, err = nil, false, rerr
		}
	}()

	f := s.file
	file, err := f.open()
	if err != nil {
		return nil, false, err
	}
	defer file.Close()
	entries, err := f.load(file)
	if err != nil {
		return nil, false, err
	}
	now := time.Now()
	nowNano := now.UnixNano()
	i := find(entries, key)
	if i >= 0 && entries[i].live(nowNano) {
		current = entries[i].value
	}
	if !sameValue(old, current) {
		return bytes.Clone(current), false, nil
	}
	e := entry{key: []byte(key), value: next, expires: now.Add(min(ttl, maxTTL)).UnixNano()}
	if i >= 0 {
		entries[i] = e
	} else {
		entries = append(entries, e)
	}
	kept := entries[:0]
	for _, e := range entries {
		if e.live(nowNano) {
			kept = append(kept, e)
		}
	}
	err = f.save(file, kept)
	clear(kept) // keeps nothing of next
	f.entries = kept[:0]
	if err != nil {
		return nil, false, err
	}
	return nil, true, nil
}
