// What a CompareAndSwap on a file costs: the overhead a shared quota adds to a call (the target is at most 1 ms).
package quotafile_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkCompareAndSwap: one swap (lock, read, compare, write, unlock)
// on a table of 1 or 100 keys, as a Client makes for each call.
func BenchmarkCompareAndSwap(b *testing.B) {
	for _, keys := range []int{1, 100} {
		b.Run(fmt.Sprintf("keys=%d", keys), func(b *testing.B) {
			s := newStore(b, filepath.Join(b.TempDir(), "quotas"))
			ctx := context.Background()
			value := make([]byte, 64) // a Client's value is of this order
			for i := range keys - 1 {
				if _, _, err := s.CompareAndSwap(ctx, fmt.Sprintf("hss/example.com/project/ak/GET /v5/route/%d", i), nil, value, time.Hour); err != nil {
					b.Fatal(err)
				}
			}
			key := "hss/example.com/project/ak/GET /v5/route"
			var old []byte
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				next := binary.BigEndian.AppendUint64(value[:0:0], uint64(i))
				_, ok, err := s.CompareAndSwap(ctx, key, old, next, time.Hour)
				if err != nil || !ok {
					b.Fatalf("swapped %v, %v", ok, err)
				}
				old = next
			}
		})
	}
}
