// The table decoder, fuzzed with hostile files: it never panics, never reads past its input, and what it accepts encodes back to the bytes it read.
package quotafile

import (
	"bytes"
	"testing"
	"time"
)

func FuzzDecodeTable(f *testing.F) {
	expires := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	f.Add([]byte{})
	f.Add(encodeTable(nil, nil))
	f.Add(encodeTable(nil, []entry{{key: []byte("k"), value: []byte("v"), expires: expires}}))
	f.Add(encodeTable(nil, []entry{
		{key: []byte("hss/host/project/ak/GET /v5/{project_id}/image"), value: []byte{0, 1, 2, 0xff}, expires: expires},
		{key: []byte(""), value: []byte("empty key"), expires: -1},
	}))
	f.Add([]byte("HSSQ\x02"))
	f.Add([]byte("HSSQ\x01\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := decodeTable(data, nil)
		if err != nil || len(data) == 0 {
			return
		}
		if again := encodeTable(nil, entries); !bytes.HasPrefix(data, again) {
			t.Fatalf("decoded %d entries from %x; they encode as %x", len(entries), data, again)
		}
	})
}
