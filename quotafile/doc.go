// Package quotafile keeps the quotas that hss Clients learn in a file, so
// that processes on one host (several runs of the hss command, workers of
// one service) pace their calls as one Client would:
//
//	store, err := quotafile.New(filepath.Join(cacheDir, "hss", "quota", "quotas"))
//	if err != nil {
//		// go on without sharing: the Client keeps its quotas in memory
//	}
//	client, err := hss.NewClient(endpoint, projectID, hss.WithToken(token), hss.WithQuotaStore(store))
//
// # Files
//
// A Store at PATH uses two files in PATH's directory:
//
//   - PATH, the table of every key with its value and expiry time (on the
//     wall clock). Each write writes the whole table over the file and cuts
//     the file to its length; expired entries are dropped from each table
//     written.
//   - PATH.lock, which holds no data: every CompareAndSwap takes an
//     exclusive OS lock on it (flock(2) on Linux, the BSDs and macOS,
//     fcntl(2) on AIX and Solaris, LockFileEx on Windows, through
//     github.com/gofrs/flock). The system drops the lock of a process that
//     dies, however it dies, so a process killed while holding it blocks no
//     one. Goroutines of one process wait for each other in memory, and
//     processes try the OS lock every millisecond until their context ends.
//
// The table is small: the magic "HSSQ", a format version byte (1), the
// length of the entries, the entries (key, value, expiry time), and a
// CRC-32C of all that; every format version keeps this frame. Bytes after
// it are ignored: a process killed between writing a shorter table and
// cutting the file leaves some. A table that is damaged (it starts with
// the magic, or a part of it, but is truncated or altered: a checksum, a
// length or an entry out of place, whatever its version byte says) is
// taken as an empty table and replaced at the next write, and so is a
// table longer than MaxFileSize, which is never read whole: the Clients
// learn the quota again, which costs at most a throttled call. A file that
// is not a table at all (not empty, and not starting with the magic: a
// path given by mistake, such as notes.txt) is never written over: New
// and CompareAndSwap return a *NotATableError that names it. A whole table
// in a newer format (a greater version byte, its frame intact) is left
// alone: CompareAndSwap returns a *FormatError, and the Clients go on with
// their own quotas. A write that would make the table longer than
// MaxFileSize fails with ErrFull; with the hss Client's keys (one per
// endpoint, project, credentials identity and route, each expiring after a
// few minutes unused) that takes thousands of live quotas.
//
// Nothing is synced to disk: the table is a cache of what the gateway
// said, and one lost in a power failure is learned again. A
// CompareAndSwap takes some tens of microseconds on a Linux ext4 file
// system (BenchmarkCompareAndSwap).
//
// # Permissions
//
// New creates the directory (and its missing parents) with mode 0700 and
// the files with mode 0600. On Unix it refuses, with an *UnsafePathError
// that says what to do instead, a directory or file that another user
// could change: one writable by its group or by others, owned by another
// user (root excepted), or, for the files, a symbolic link or anything but
// a regular file. Whoever can write the table can make every Client that
// shares it wait, and whoever can swap a file in the directory for a link
// can make the Store write elsewhere; so a quota file belongs in a
// directory of its own user (the user cache directory, not /tmp). The
// advice is another path, or chmod for a file or directory of the user's
// own; never to change a shared or system directory (/tmp, one of root's)
// or to remove a device. On Windows, files inherit the access list of
// their directory and no check is made.
package quotafile
