package quotafile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/gofrs/flock"
)

// quotaFile is what the Stores of one process share for one path: the OS
// lock on PATH.lock, a turn that goroutines take in memory before trying
// it, and buffers, which the goroutine holding the turn owns.
type quotaFile struct {
	path string
	turn chan struct{} // holds a token while a goroutine has the turn
	lock *flock.Flock

	size    int64   // the file's length when read
	read    []byte  // the file as read
	entries []entry // the entries decoded from read
	write   []byte  // the table to write
}

// files holds the quotaFile of every path a Store of this process uses, by
// absolute path, so that Stores on one path take turns in memory (fcntl(2)
// locks, used on some systems, do not exclude each other within a
// process).
var files struct {
	sync.Mutex
	byPath map[string]*quotaFile
}

// fileAt returns the quotaFile of the absolute path.
func fileAt(path string) *quotaFile {
	files.Lock()
	defer files.Unlock()
	if f := files.byPath[path]; f != nil {
		return f
	}
	if files.byPath == nil {
		files.byPath = make(map[string]*quotaFile)
	}
	f := &quotaFile{
		path: path,
		turn: make(chan struct{}, 1),
		lock: flock.New(path+lockSuffix, flock.SetFlag(os.O_CREATE|os.O_RDWR|noFollow), flock.SetPermissions(0o600)),
	}
	files.byPath[path] = f
	return f
}

// open opens the table's file for reading and writing, creating it if it
// went missing; the lock is held.
func (f *quotaFile) open() (*os.File, error) {
	file, err := os.OpenFile(f.path, os.O_RDWR|os.O_CREATE|noFollow|noBlock, 0o600)
	if err != nil {
		return nil, fmt.Errorf("quotafile: %w", err)
	}
	if fi, err := file.Stat(); err != nil || !fi.Mode().IsRegular() {
		file.Close()
		if err == nil {
			err = notRegular(f.path, fi)
		}
		return nil, err
	}
	return file, nil
}

// load reads the table's entries from file; the lock is held. A file that
// holds no table of its own (an empty one, or a damaged table, or one
// longer than MaxFileSize, which is never read whole) reads as an empty
// table, which the next write replaces. A file that is not a table at all
// (it does not start with the magic) is a *NotATableError: it is no
// Store's to write over.
func (f *quotaFile) load(file *os.File) ([]entry, error) {
	fi, err := file.Stat()
	if err != nil {
		return nil, fmt.Errorf("quotafile: %w", err)
	}
	f.size = fi.Size()
	if f.size > MaxFileSize {
		var head [len(magic)]byte
		n, err := file.ReadAt(head[:], 0)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("quotafile: reading %s: %w", f.path, err)
		}
		if !storeWrote(head[:n]) {
			return nil, &NotATableError{Path: f.path, Size: f.size}
		}
		return f.entries[:0], nil
	}
	// Read one byte more than Stat said, to see a file that grew since.
	if want := int(fi.Size()) + 1; cap(f.read) < want {
		f.read = make([]byte, want)
	}
	n, err := io.ReadFull(file, f.read[:fi.Size()+1])
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("quotafile: reading %s: %w", f.path, err)
	}
	f.read = f.read[:n]
	if !storeWrote(f.read) {
		return nil, &NotATableError{Path: f.path, Size: max(f.size, int64(n))}
	}
	if int64(n) > fi.Size() {
		return f.entries[:0], nil // it grew since Stat: not a table a Store wrote whole
	}
	entries, err := decodeTable(f.read, f.entries)
	var fe *FormatError
	switch {
	case errors.As(err, &fe):
		fe.Path = f.path
		return nil, fe
	case err != nil:
		return f.entries[:0], nil
	}
	f.entries = entries
	return entries, nil
}

// save writes the table of entries over file, in place, and cuts the file
// to the table's length; the lock is held. A process killed between the
// two leaves bytes after the table, which decodeTable ignores.
func (f *quotaFile) save(file *os.File, entries []entry) error {
	f.write = encodeTable(f.write, entries)
	if len(f.write) > MaxFileSize {
		return fmt.Errorf("quotafile: %s: %w (%d bytes at most; entries leave it as their ttl passes)", f.path, ErrFull, MaxFileSize)
	}
	if _, err := file.WriteAt(f.write, 0); err != nil {
		return fmt.Errorf("quotafile: %w", err)
	}
	if f.size > int64(len(f.write)) {
		if err := file.Truncate(int64(len(f.write))); err != nil {
			return fmt.Errorf("quotafile: %w", err)
		}
	}
	return nil
}
