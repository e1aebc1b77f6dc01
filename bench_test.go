// Benchmarks: a listing call against the least any client can do and against plain net/http, the iterator over a million registries, and signing.
package hss

// Benchmarks of the one operation and of signing. Run with
//
//	go test -run '^$' -bench . -benchmem
//
// The per-call benchmark uses one loopback server and one page body, so its
// sub-benchmarks compare like with like:
//
//   - floor:    http.NewRequest + Do + read the body into a reused buffer,
//     no decoding; the least any client can do.
//   - stdlib:   plain net/http + io.ReadAll + encoding/json into structs.
//   - sdk:      Client.ListSyncTaskRegistries with a token. It also runs the
//     floor in blocks interleaved with its own (timer stopped), so drift on
//     a noisy machine hits both alike, and reports floor-ns/op and x-floor
//     (its time over the floor's), plus request bytes per call for both.
//   - sdk-aksk: the same with an AK/SK, so every call is also signed.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hsskit/hss/sign"
)

// benchTotal is the total_num of the per-call benchmark's listing.
const benchTotal = 100000

func BenchmarkListSyncTaskRegistries(b *testing.B) {
	for _, limit := range []int{200, 10} {
		b.Run("page="+strconv.Itoa(limit), func(b *testing.B) {
			srv := benchNewStaticServer(b, benchTotal)
			url := srv.URL + "/v5/proj/image/image-sync/tasks/task-1/registries?limit=" + strconv.Itoa(limit)
			b.Run("floor", func(b *testing.B) {
				f := &benchFloor{url: url}
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					f.call(b)
				}
			})
			b.Run("stdlib", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					benchStdlibCall(b, url, limit)
				}
			})
			b.Run("sdk", func(b *testing.B) {
				benchSDK(b, srv, url, limit, WithToken("t"))
			})
			b.Run("sdk-aksk", func(b *testing.B) {
				benchSDK(b, srv, url, limit, WithAKSK("AKBENCHEXAMPLE000001", "sk-bench-example"))
			})
		})
	}
}

// benchFloor is the lower bound: NewRequest, Do, read into a reused buffer.
type benchFloor struct {
	url string
	buf bytes.Buffer
}

func (f *benchFloor) call(b *testing.B) {
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

type benchStdRegistry struct {
	RegistryID   string `json:"registry_id"`
	RegistryName string `json:"registry_name"`
	RegistryType string `json:"registry_type"`
	SyncStatus   string `json:"sync_status"`
	FailedReason string `json:"failed_reason"`
}

type benchStdPage struct {
	TotalNum int                `json:"total_num"`
	DataList []benchStdRegistry `json:"data_list"`
}

func benchStdlibCall(b *testing.B, url string, limit int) {
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
	var p benchStdPage
	if err := json.Unmarshal(body, &p); err != nil || len(p.DataList) != limit {
		b.Fatalf("stdlib: %d registries, %v", len(p.DataList), err)
	}
}

// BenchmarkListSyncTaskRegistriesRemote is BenchmarkListSyncTaskRegistries
// (floor and sdk) against the same page server running in a child process,
// as the real service runs on another machine. In-process, the server's
// goroutines share the Go runtime with the client: while the client decodes
// a page, the runtime parks the threads the server would run on, and the
// next request waits for them to wake, so every microsecond the client
// spends decoding costs nearly two of wall time (a client that only spins
// for 10 µs after each call measures 13 µs slower); the floor, which reads
// and goes straight back, never pays it. A server in its own process wakes
// the same way for both.
func BenchmarkListSyncTaskRegistriesRemote(b *testing.B) {
	base := benchStartRemoteServer(b)
	for _, limit := range []int{200, 10} {
		b.Run("page="+strconv.Itoa(limit), func(b *testing.B) {
			url := base + "/v5/proj/image/image-sync/tasks/task-1/registries?limit=" + strconv.Itoa(limit)
			b.Run("floor", func(b *testing.B) {
				f := &benchFloor{url: url}
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					f.call(b)
				}
			})
			b.Run("sdk", func(b *testing.B) {
				benchSDK(b, &benchServer{Server: &httptest.Server{URL: base}}, url, limit, WithToken("t"))
			})
		})
	}
}

func benchSDK(b *testing.B, srv *benchServer, url string, limit int, auth Option) {
	c, err := NewClient(srv.URL, "proj", auth)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	opts := &ListSyncTaskRegistriesOptions{Limit: limit}
	call := func() {
		resp, err := c.ListSyncTaskRegistries(ctx, "task-1", opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(resp.DataList) != limit || resp.TotalNum != benchTotal {
			b.Fatalf("sdk: %d registries, total %d", len(resp.DataList), resp.TotalNum)
		}
	}
	f := &benchFloor{url: url}
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
	if floorBytes > 0 { // only an in-process server counts what it receives
		b.ReportMetric(float64(sdkBytes)/float64(b.N), "req-B/op")
		b.ReportMetric(float64(floorBytes)/float64(b.N), "floor-req-B/op")
	}
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
// It fails unless the listing took exactly ceil(N/200) requests. The
// allocation figures include the server's, which runs in-process.
func BenchmarkListSyncTaskRegistriesIter(b *testing.B) {
	const total = 1000000
	srv := benchNewSynthServer(b, total)
	c, err := NewClient(srv.URL, "proj", WithToken("t"))
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
			case n%(500*MaxLimit) == 0:
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
	if want := float64((total + MaxLimit - 1) / MaxLimit); reqs != want {
		b.Fatalf("%v requests per listing, want ceil(%d/%d) = %v", reqs, total, MaxLimit, want)
	}
	b.ReportMetric(reqs, "requests/op")
	b.ReportMetric(float64(srv.bytesRecv.Load()-bytes0)/float64(b.N)/reqs, "req-B/call")
	b.ReportMetric(float64(growth.inuse), "heapinuse-growth-B")
	b.ReportMetric(float64(growth.alloc), "heapalloc-growth-B")
	b.ReportMetric(float64(first.inuse), "heapinuse-first-page-B")
	b.ReportMetric(float64(last.inuse), "heapinuse-end-B")
}

// BenchmarkSignRequest signs the registries GET the Client sends with an
// AK/SK, and a POST with a small JSON body (hashed through GetBody), with
// sign.Request alone: no network.
func BenchmarkSignRequest(b *testing.B) {
	key := sign.Key{AccessKey: "AKBENCHEXAMPLE000001", SecretKey: "sk-bench-example"}
	when := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const host = "https://hss.cn-north-4.myhuaweicloud.com"
	const project = "0123456789abcdef0123456789abcdef"
	b.Run("get", func(b *testing.B) {
		u := host + "/v5/" + project + "/image/image-sync/tasks/task-1/registries?limit=200&offset=400&registry_type=SwrPrivate%2CHarbor"
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("User-Agent", "hss-go/bench")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-Project-Id", project)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := sign.Request(req, key, when); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("post-json", func(b *testing.B) {
		const body = `{"registry_id_list":["reg-00000001","reg-00000002"],"image_list":[{"namespace":"ns","image_name":"nginx","image_version":"1.27"}]}`
		u := host + "/v5/" + project + "/image/synchronize"
		req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("User-Agent", "hss-go/bench")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Project-Id", project)
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := sign.Request(req, key, when); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkListSyncTaskRegistriesNoNetwork is the client's own work for a
// call, with a transport that answers from memory: building the request,
// the quota's bookkeeping, reading the body and decoding it. It is what the
// in-process benchmark adds to the floor, without the scheduler's cost of
// a server in the same process.
func BenchmarkListSyncTaskRegistriesNoNetwork(b *testing.B) {
	for _, limit := range []int{200, 10} {
		body := benchPageBody(nil, benchTotal, 0, limit)
		canned := benchRoundTrip(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header:        http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"0a1b2c3d4e5f60718293a4b5c6d7e8f9"}},
				Body:          io.NopCloser(bytes.NewReader(body)),
				ContentLength: int64(len(body)), Request: r}, nil
		})
		b.Run("page="+strconv.Itoa(limit), func(b *testing.B) {
			c, err := NewClient("https://hss.example.com", "proj", WithToken("t"), WithHTTPClient(&http.Client{Transport: canned}))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			opts := &ListSyncTaskRegistriesOptions{Limit: limit}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				resp, err := c.ListSyncTaskRegistries(ctx, "task-1", opts)
				if err != nil || len(resp.DataList) != limit {
					b.Fatal(len(resp.DataList), err)
				}
			}
		})
	}
}

// benchRoundTrip is an http.RoundTripper made of a function.
type benchRoundTrip func(*http.Request) (*http.Response, error)

func (f benchRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
