// What a CompareAndSwap on a redis-server on loopback costs: the one round trip a shared quota adds to a call.
package redisquota_test

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/hsskit/hss/redisquota"
)

// BenchmarkCompareAndSwap: one swap, as a Client makes for each call.
func BenchmarkCompareAndSwap(b *testing.B) {
	srv := startServer(b)
	s := redisquota.New(srv.client(), prefix)
	ctx := context.Background()
	key := "hss/example.com/project/ak/GET /v5/route"
	var old []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		next := binary.BigEndian.AppendUint64(make([]byte, 0, 64), uint64(i))
		_, ok, err := s.CompareAndSwap(ctx, key, old, next, time.Hour)
		if err != nil || !ok {
			b.Fatalf("swapped %v, %v", ok, err)
		}
		old = next
	}
}
