package hss

import (
	"encoding/json"
	"strconv"
	"testing"
)

// BenchmarkDecodePage compares the decoder alone with json.Unmarshal on
// the benchmark page bodies (no network).
func BenchmarkDecodePage(b *testing.B) {
	for _, n := range []int{200, 10} {
		body := []byte(testPage(n))
		b.Run("n="+strconv.Itoa(n)+"/fast", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var out ListSyncTaskRegistriesResponse
				if err := decodeRegistriesPage(body, &out); err != nil || len(out.DataList) != n {
					b.Fatal(err)
				}
			}
		})
		b.Run("n="+strconv.Itoa(n)+"/encoding-json", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var out ListSyncTaskRegistriesResponse
				if err := json.Unmarshal(body, &out); err != nil || len(out.DataList) != n {
					b.Fatal(err)
				}
			}
		})
	}
}
