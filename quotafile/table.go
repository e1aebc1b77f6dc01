package quotafile

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"

	"github.com/hsskit/hss"
)

// MaxFileSize bounds the table's file: a longer file is never read (it is
// replaced at the next write), and a write that would pass it fails with
// ErrFull.
const MaxFileSize = 1 << 20

// The table's layout, all integers big-endian (bytes after it are ignored):
//
//	"HSSQ" | version (1 byte) | n (4 bytes) | n bytes of entries | CRC-32C of all before it (4 bytes)
//
// This frame is the same in every format version; only the n bytes
// between differ. In format 1 they are entries, each:
//
//	key length (2 bytes) | key | value length (2 bytes) | value | expiry (8 bytes, Unix nanoseconds)
const (
	magic         = "HSSQ"
	formatVersion = 1
	headerLen     = len(magic) + 1 + 4
	trailerLen    = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// entry is one key of the table. Decoded entries share the bytes of the
// file's buffer.
type entry struct {
	key, value []byte
	expires    int64 // Unix nanoseconds on the wall clock
}

// live reports whether e has not expired at now (Unix nanoseconds).
func (e *entry) live(now int64) bool { return now < e.expires }

// decodeTable reads the entries of the table at the start of data into
// entries[:0], ignoring any bytes after it (left by a writer killed between
// writing a shorter table and cutting the file). An empty data is an empty
// table (the file New creates). It returns errCorrupt for data that does
// not start with a whole table of this format, and a *FormatError (without
// its Path) for a whole table of a newer one. Every format keeps the frame
// (magic, version, length, checksum), so that a newer table is told from a
// damaged one: a frame that does not check is damaged, whatever its
// version byte says.
func decodeTable(data []byte, entries []entry) ([]entry, error) {
	entries = entries[:0]
	if len(data) == 0 {
		return entries, nil
	}
	if len(data) < headerLen+trailerLen || string(data[:len(magic)]) != magic {
		return nil, errCorrupt
	}
	n := binary.BigEndian.Uint32(data[len(magic)+1:])
	if uint64(n) > uint64(len(data)-headerLen-trailerLen) {
		return nil, errCorrupt
	}
	end := headerLen + int(n)
	if crc32.Checksum(data[:end], castagnoli) != binary.BigEndian.Uint32(data[end:]) {
		return nil, errCorrupt
	}
	if v := data[len(magic)]; v != formatVersion {
		if v > formatVersion {
			return nil, &FormatError{Version: v}
		}
		return nil, errCorrupt
	}
	body := data[headerLen:end]
	for len(body) > 0 {
		var e entry
		var ok bool
		if e.key, body, ok = cutField(body, 0, hss.MaxQuotaKeyLen); !ok {
			return nil, errCorrupt
		}
		if e.value, body, ok = cutField(body, 1, hss.MaxQuotaValueLen); !ok {
			return nil, errCorrupt
		}
		if len(body) < 8 {
			return nil, errCorrupt
		}
		e.expires = int64(binary.BigEndian.Uint64(body))
		body = body[8:]
		entries = append(entries, e)
	}
	return entries, nil
}

// cutField cuts a length-prefixed field of min to max bytes from b.
func cutField(b []byte, minLen, maxLen int) (field, rest []byte, ok bool) {
	if len(b) < 2 {
		return nil, nil, false
	}
	n := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	if n < minLen || n > maxLen || n > len(b) {
		return nil, nil, false
	}
	return b[:n:n], b[n:], true
}

// encodeTable appends the table of entries to buf[:0].
func encodeTable(buf []byte, entries []entry) []byte {
	buf = append(buf[:0], magic...)
	buf = append(buf, formatVersion, 0, 0, 0, 0)
	for _, e := range entries {
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(e.key)))
		buf = append(buf, e.key...)
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(e.value)))
		buf = append(buf, e.value...)
		buf = binary.BigEndian.AppendUint64(buf, uint64(e.expires))
	}
	binary.BigEndian.PutUint32(buf[len(magic)+1:], uint32(len(buf)-headerLen))
	return binary.BigEndian.AppendUint32(buf, crc32.Checksum(buf, castagnoli))
}

// find returns the index of key's entry in entries, or -1. A key written
// twice (only a file altered by hand holds one) is read at its first
// entry, and written there.
func find(entries []entry, key string) int {
	for i := range entries {
		if string(entries[i].key) == key {
			return i
		}
	}
	return -1
}

// sameValue reports whether old is what a key holds: nil for nothing,
// else the same bytes.
func sameValue(old, current []byte) bool {
	return (old == nil) == (current == nil) && bytes.Equal(old, current)
}

// storeWrote reports whether data, the start of a file, can be the start
// of a table a Store wrote: it begins with the magic, or is a part of it (a
// file cut short), or is empty. Anything else is someone else's file,
// which a Store never writes over.
func storeWrote(data []byte) bool {
	n := min(len(data), len(magic))
	return string(data[:n]) == magic[:n]
}
