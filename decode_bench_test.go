// The page decoder's benchmark: decodeRegistriesPage against json.Unmarshal on the benchmarks' page bodies.
package hss

import (
	"encoding/json"
	"strconv"
	"testing"
)

// BenchmarkDecodePage compares the page decoder alone with json.Unmarshal
// on the benchmark page bodies (no network).
func BenchmarkDecodePage(b *testing.B) {
	for _, n := range []int{200, 10} {
		body := benchPageBody(nil, benchTotal, 0, n)
		b.Run("n="+strconv.Itoa(n)+"/hss", func(b *testing.B) {
			before := fallbacks.Load()
			benchDecode(b, body, n)
			if fallbacks.Load() != before {
				b.Fatal("the page went to the encoding/json fallback")
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				benchDecode(b, body, n)
			}
		})
		b.Run("n="+strconv.Itoa(n)+"/encoding-json", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var out ListSyncTaskRegistriesResponse
				if err := json.Unmarshal(body, &out); err != nil || len(out.DataList) != n {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// benchDecode decodes body and fails the benchmark unless it holds n
// registries.
func benchDecode(b *testing.B, body []byte, n int) {
	var out ListSyncTaskRegistriesResponse
	if err := decodeRegistriesPage(body, &out, MaxLimit); err != nil || len(out.DataList) != n || out.TotalNum != benchTotal {
		b.Fatalf("decoded %d registries, total %d: %v", len(out.DataList), out.TotalNum, err)
	}
}
