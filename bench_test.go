package hss_test

// Benchmarks for issue 6. Run with
//
//	go test -run '^$' -bench . -benchmem
//
// Every per-call benchmark uses one loopback server and one page body, so
// its sub-benchmarks compare like with like:
//
//   - floor:  http.NewRequest + Do + read the body into a reused buffer,
//     no decoding; the least any client can do.
//   - stdlib: plain net/http + io.ReadAll + encoding/json into structs.
//   - sdk:    Client.ListSyncTaskRegistries. It also runs the floor in
//     blocks interleaved with its own (timer stopped), so drift on a noisy
//     machine hits both alike, and reports floor-ns/op and x-floor (its
//     time over the floor's), plus request bytes per call for both.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/hsskit/hss"
)

const benchTotal = 100000

func BenchmarkListSyncTaskRegistries(b *testing.B) {
	for _, limit := range []int{200, 10} {
		b.Run("page="+strconv.Itoa(limit), func(b *testing.B) {
			srv := newStaticServer(b, benchTotal)
			url := srv.URL + "/v5/proj/image/image-sync/tasks/task-1/registries?limit=" + strconv.Itoa(limit)
			b.Run("floor", func(b *testing.B) {
				f := newFloor(url)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					f.call(b)
				}
			})
			b.Run("stdlib", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					stdlibCall(b, url, limit)
				}
			})
			b.Run("sdk", func(b *testing.B) {
				benchSDK(b, srv, url, limit)
			})
		})
	}
}

// floor is the lower bound: NewRequest, Do, read into a reused
// buffer.
type floor struct {
	url string
	buf bytes.Buffer
}

func newFloor(url string) *floor { return &floor{url: url} }

func (f *floor) call(b *testing.B) {
	req, err := http.NewRequest(http.MethodGet, f.url, nil)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	f.buf.Reset()
	_, err = f.buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || f.buf.Len() == 0 {
		b.Fatalf("floor: status %d, %d bytes, %v", resp.StatusCode, f.buf.Len(), err)
	}
}

type stdRegistry struct {
	RegistryID   string `json:"registry_id"`
	RegistryName string `json:"registry_name"`
	RegistryType string `json:"registry_type"`
	SyncStatus   string `json:"sync_status"`
	FailedReason string `json:"failed_reason"`
}

type stdPage struct {
	TotalNum int           `json:"total_num"`
	DataList []stdRegistry `json:"data_list"`
}

func stdlibCall(b *testing.B, url string, limit int) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	var p stdPage
	if err := json.Unmarshal(body, &p); err != nil || len(p.DataList) != limit {
		b.Fatalf("stdlib: %d registries, %v", len(p.DataList), err)
	}
}

func benchSDK(b *testing.B, srv *listServer, url string, limit int) {
	c, err := hss.NewClient(srv.URL, "proj", hss.WithToken("t"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	opts := &hss.ListSyncTaskRegistriesOptions{Limit: limit}
	call := func() {
		resp, err := c.ListSyncTaskRegistries(ctx, "task-1", opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(resp.DataList) != limit || resp.TotalNum != benchTotal {
			b.Fatalf("sdk: %d registries, total %d", len(resp.DataList), resp.TotalNum)
		}
	}
	f := newFloor(url)
	// Warm both connections up outside the measurement.
	call()
	f.call(b)

	const block = 64
	var floorDur time.Duration
	var sdkBytes, floorBytes int64
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(block, b.N-done)
		b.StopTimer()
		before := srv.bytesRecv.Load()
		t0 := time.Now()
		for range n {
			f.call(b)
		}
		floorDur += time.Since(t0)
		mid := srv.bytesRecv.Load()
		floorBytes += mid - before
		b.StartTimer()
		for range n {
			call()
		}
		sdkBytes += srv.bytesRecv.Load() - mid
		done += n
	}
	b.StopTimer()
	floorNs := float64(floorDur.Nanoseconds()) / float64(b.N)
	sdkNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(floorNs, "floor-ns/op")
	b.ReportMetric(sdkNs/floorNs, "x-floor")
	b.ReportMetric(float64(sdkBytes)/float64(b.N), "req-B/op")
	b.ReportMetric(float64(floorBytes)/float64(b.N), "floor-req-B/op")
}

// BenchmarkListSyncTaskRegistriesIter lists a million registries through
// the iterator, with no Limit set, from a server that synthesises each
// page. It reports:
//
//   - requests/op and req-B/call: requests made and bytes each sent;
//   - heapinuse-growth-B and heapalloc-growth-B: the largest growth of the
//     heap (runtime.MemStats HeapInuse and HeapAlloc, each read right
//     after a runtime.GC) over its size right after the first page
//     arrived, sampled every 500 pages and after the listing. A flat heap
//     keeps both far under 1 MiB;
//   - heapinuse-first-page-B and heapinuse-end-B: the two end points.
//
// The allocation figures include the server's, which runs in-process.
func BenchmarkListSyncTaskRegistriesIter(b *testing.B) {
	const total = 1000000
	srv := newSynthServer(b, total)
	c, err := hss.NewClient(srv.URL, "proj", hss.WithToken("t"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	type heap struct{ inuse, alloc int64 }
	live := func() heap {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return heap{int64(ms.HeapInuse), int64(ms.HeapAlloc)}
	}
	var growth heap // largest growth seen
	var first, last heap
	reqs0, bytes0 := srv.requests.Load(), srv.bytesRecv.Load()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		var h0 heap
		sample := func() {
			b.StopTimer()
			h := live()
			growth.inuse = max(growth.inuse, h.inuse-h0.inuse)
			growth.alloc = max(growth.alloc, h.alloc-h0.alloc)
			last = h
			b.StartTimer()
		}
		for reg, err := range c.ListSyncTaskRegistriesIter(ctx, "task-1", nil) {
			if err != nil {
				b.Fatal(err)
			}
			if reg.RegistryID == "" {
				b.Fatal("empty registry id")
			}
			switch {
			case n == 0:
				// The first page is decoded and alive.
				b.StopTimer()
				h0 = live()
				first = h0
				b.StartTimer()
			case n%(500*hss.MaxLimit) == 0:
				sample()
			}
			n++
		}
		if n != total {
			b.Fatalf("listed %d registries, want %d", n, total)
		}
		sample()
	}
	b.StopTimer()
	reqs := float64(srv.requests.Load()-reqs0) / float64(b.N)
	b.ReportMetric(reqs, "requests/op")
	b.ReportMetric(float64(srv.bytesRecv.Load()-bytes0)/float64(b.N)/reqs, "req-B/call")
	b.ReportMetric(float64(growth.inuse), "heapinuse-growth-B")
	b.ReportMetric(float64(growth.alloc), "heapalloc-growth-B")
	b.ReportMetric(float64(first.inuse), "heapinuse-first-page-B")
	b.ReportMetric(float64(last.inuse), "heapinuse-end-B")
}
