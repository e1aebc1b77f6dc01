// A file that holds no table of the Store's own: corrupt, truncated, huge or full tables, which it rebuilds; tables of a newer format, which it leaves alone; and files that are no table at all, which it refuses.
package quotafile

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hsskit/hss"
)

// written returns the path of a table holding key "old" and the file's
// bytes.
func written(t *testing.T) (path string, data []byte) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "quotas")
	s, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.CompareAndSwap(context.Background(), "old", nil, []byte("old value"), time.Hour); err != nil || !ok {
		t.Fatalf("first write: swapped %v, %v", ok, err)
	}
	data, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// rebuilt checks that the Store at path reads an empty table and writes a
// new one that a fresh Store reads.
func rebuilt(t *testing.T, path string) {
	t.Helper()
	s, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if current, ok, err := s.CompareAndSwap(ctx, "old", []byte("old value"), []byte("x"), time.Hour); err != nil || ok || current != nil {
		t.Fatalf("a damaged table: key old holds %q (swapped %v, %v); want nothing", current, ok, err)
	}
	if _, ok, err := s.CompareAndSwap(ctx, "new", nil, []byte("new value"), time.Hour); err != nil || !ok {
		t.Fatalf("writing over a damaged table: swapped %v, %v", ok, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := decodeTable(data, nil)
	if err != nil || len(entries) != 1 || string(entries[0].value) != "new value" {
		t.Fatalf("the table written: %q, %v", data, err)
	}
}

// TestDamagedTableRebuilt: any change to a table's bytes (a bit flipped,
// the file cut short or grown, a version byte changed) makes it read as
// empty, and the next write replaces it.
func TestDamagedTableRebuilt(t *testing.T) {
	_, table := written(t)
	for _, c := range []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"a bit flipped in the value", func(b []byte) []byte { b[bytes.Index(b, []byte("old value"))] ^= 1; return b }},
		{"a bit flipped in the checksum", func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b }},
		{"a bit flipped in the length", func(b []byte) []byte { b[8] ^= 1; return b }},
		{"truncated by one byte", func(b []byte) []byte { return b[:len(b)-1] }},
		{"truncated to half", func(b []byte) []byte { return b[:len(b)/2] }},
		{"truncated to the magic", func(b []byte) []byte { return b[:4] }},
		{"truncated within the magic", func(b []byte) []byte { return b[:2] }},
		{"format version 0", func(b []byte) []byte { b[4] = 0; return b }},
		{"format version 2 with the checksum of version 1", func(b []byte) []byte { b[4] = 2; return b }},
		{"format version 2 and garbage", func([]byte) []byte { return []byte("HSSQ\x02garbage") }},
		{"format version 255, too short for a frame", func([]byte) []byte { return []byte("HSSQ\xff") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, _ := written(t)
			if err := os.WriteFile(path, c.damage(bytes.Clone(table)), 0o600); err != nil {
				t.Fatal(err)
			}
			rebuilt(t, path)
		})
	}
}

// TestBytesAfterTableIgnored: bytes after a whole table, as a writer
// killed between writing a shorter table and cutting the file leaves
// them, are ignored, and the next write drops them.
func TestBytesAfterTableIgnored(t *testing.T) {
	path, table := written(t)
	if err := os.WriteFile(path, append(bytes.Clone(table), "left over from a longer table"...), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.CompareAndSwap(context.Background(), "old", []byte("old value"), []byte("new value"), time.Hour); err != nil || !ok {
		t.Fatalf("the table before the left-over bytes: swapped %v, %v", ok, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if entries, err := decodeTable(data, nil); err != nil || len(encodeTable(nil, entries)) != len(data) {
		t.Fatalf("the file after a write: %q, %v; want the table alone", data, err)
	}
}

// TestHugeFileNeverRead: a file longer than MaxFileSize (here a sparse
// gigabyte) is replaced without being read; a file at the bound claiming a
// huge length is read within the bound.
func TestHugeFileNeverRead(t *testing.T) {
	for _, c := range []struct {
		name string
		fill func(f *os.File) error
	}{
		{"a sparse gigabyte after the magic", func(f *os.File) error {
			if _, err := f.WriteString(magic); err != nil {
				return err
			}
			return f.Truncate(1 << 30)
		}},
		{"MaxFileSize bytes claiming 4 GiB", func(f *os.File) error {
			head := append([]byte(magic), formatVersion, 0xff, 0xff, 0xff, 0xff)
			_, err := f.Write(append(head, make([]byte, MaxFileSize-len(head))...))
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, _ := written(t)
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.fill(f); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			rebuilt(t, path)
			runtime.ReadMemStats(&after)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 4*MaxFileSize {
				t.Fatalf("rebuilding allocated %d bytes; want at most %d", grew, 4*MaxFileSize)
			}
		})
	}
}

// TestNewerFormatLeftAlone: a table in a newer format (a whole frame:
// its length and checksum hold) is neither read nor replaced:
// CompareAndSwap returns a *FormatError.
func TestNewerFormatLeftAlone(t *testing.T) {
	path, _ := written(t)
	body := []byte("entries of a format to come")
	table := append([]byte(magic), formatVersion+1, 0, 0, 0, byte(len(body)))
	table = append(table, body...)
	table = binary.BigEndian.AppendUint32(table, crc32.Checksum(table, castagnoli))
	if err := os.WriteFile(path, table, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	_, ok, err := s.CompareAndSwap(context.Background(), "new", nil, []byte("v"), time.Hour)
	var fe *FormatError
	if ok || !errors.As(err, &fe) || fe.Path != path || fe.Version != formatVersion+1 {
		t.Fatalf("swapped %v, %v; want a *FormatError for %s, version %d", ok, err, path, formatVersion+1)
	}
	if !strings.Contains(err.Error(), "format 2") {
		t.Fatalf("%v: the message does not name the file's format", err)
	}
	if data, _ := os.ReadFile(path); !bytes.Equal(data, table) {
		t.Fatal("the newer table was changed")
	}
}

// TestOtherFilesNeverWritten: a file that is not empty and does not start
// with the table's magic (a path given by mistake: notes, a csv, a huge
// log) is refused by New with a *NotATableError naming it, and left as it
// is; so is one put at the path after New, at CompareAndSwap.
func TestOtherFilesNeverWritten(t *testing.T) {
	big := bytes.Repeat([]byte("a,b,c\n"), MaxFileSize/6+100) // past MaxFileSize
	for _, c := range []struct {
		name    string
		content []byte
	}{
		{"notes", []byte("remember the milk\n")},
		{"json", []byte("{\"quota\": 5}\n")},
		{"one byte", []byte("x")},
		{"a csv over MaxFileSize", big},
		{"zeros", make([]byte, 100)},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "notes.txt")
			if err := os.WriteFile(path, c.content, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := New(path)
			var ne *NotATableError
			if !errors.As(err, &ne) || s != nil || ne.Path != path || ne.Size != int64(len(c.content)) {
				t.Fatalf("New: %v, %v; want a *NotATableError for %s, %d bytes", s, err, path, len(c.content))
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "choose another path") {
				t.Fatalf("%v: want the path and the advice", err)
			}
			if data, _ := os.ReadFile(path); !bytes.Equal(data, c.content) {
				t.Fatal("New changed the file")
			}

			// The same file put at the path of a Store that New made.
			table := filepath.Join(t.TempDir(), "quotas")
			s, err = New(table)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(table, c.content, 0o600); err != nil {
				t.Fatal(err)
			}
			_, ok, err := s.CompareAndSwap(context.Background(), "k", nil, []byte("v"), time.Hour)
			if ok || !errors.As(err, &ne) || ne.Path != table {
				t.Fatalf("CompareAndSwap: swapped %v, %v; want a *NotATableError for %s", ok, err, table)
			}
			if data, _ := os.ReadFile(table); !bytes.Equal(data, c.content) {
				t.Fatal("CompareAndSwap changed the file")
			}
		})
	}
}

// TestFullTableRefusesNewKeys: a write that would make the table longer
// than MaxFileSize fails with ErrFull and leaves the file as it was; keys
// already in it can still change.
func TestFullTableRefusesNewKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quotas")
	s, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	value := bytes.Repeat([]byte("v"), hss.MaxQuotaValueLen)
	expires := time.Now().Add(time.Hour).UnixNano()
	entrySize := 2 + hss.MaxQuotaKeyLen + 2 + hss.MaxQuotaValueLen + 8
	fit := (MaxFileSize - headerLen - trailerLen) / entrySize // entries of the largest size that fit
	var entries []entry
	for i := range fit - 1 {
		key := fmt.Sprintf("%s%08d", strings.Repeat("k", hss.MaxQuotaKeyLen-8), i)
		entries = append(entries, entry{key: []byte(key), value: value, expires: expires})
	}
	full := encodeTable(nil, entries)
	if err := os.WriteFile(path, full, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	bigKey := strings.Repeat("n", hss.MaxQuotaKeyLen)
	// One more large entry fits; the one after does not.
	if _, ok, err := s.CompareAndSwap(ctx, bigKey[:len(bigKey)-1]+"1", nil, value, time.Hour); err != nil || !ok {
		t.Fatalf("an entry that fits: swapped %v, %v", ok, err)
	}
	before, _ := os.ReadFile(path)
	_, ok, err := s.CompareAndSwap(ctx, bigKey[:len(bigKey)-1]+"2", nil, value, time.Hour)
	if ok || !errors.Is(err, ErrFull) {
		t.Fatalf("an entry past MaxFileSize: swapped %v, %v; want ErrFull", ok, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Fatal("a refused write changed the file")
	}
	if _, ok, err := s.CompareAndSwap(ctx, string(entries[0].key), value, []byte("smaller"), time.Hour); err != nil || !ok {
		t.Fatalf("changing a key of a full table: swapped %v, %v", ok, err)
	}
}
