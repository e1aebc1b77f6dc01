// The benchmarks' page servers: service-shaped pages on loopback, in this process or in a child process.
package hss

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// benchAppendRegistry appends registry number n in the shape the service
// sends: {"registry_id":"reg-00000001","registry_name":"registry-1",
// "registry_type":"SwrPrivate","sync_status":"finished"}.
func benchAppendRegistry(b []byte, n int) []byte {
	b = append(b, `{"registry_id":"reg-`...)
	var tmp [20]byte
	id := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(id); i < 8; i++ {
		b = append(b, '0')
	}
	b = append(b, id...)
	b = append(b, `","registry_name":"registry-`...)
	b = append(b, id...)
	b = append(b, `","registry_type":"SwrPrivate","sync_status":"finished"}`...)
	return b
}

// benchPageBody appends the 200 body for registries [offset, offset+limit)
// of a listing of total.
func benchPageBody(dst []byte, total, offset, limit int) []byte {
	dst = append(dst, `{"total_num":`...)
	dst = strconv.AppendInt(dst, int64(total), 10)
	dst = append(dst, `,"data_list":[`...)
	for i := 0; i < limit && offset+i < total; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = benchAppendRegistry(dst, offset+i+1)
	}
	return append(dst, "]}"...)
}

// benchQueryInt reads an integer parameter from a raw query without
// building a url.Values, so the server costs the floor and the SDK alike.
func benchQueryInt(rawQuery, key string, def int) int {
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = benchCut(rawQuery, '&')
		k, v, ok := benchCut(kv, '=')
		if ok && k == key {
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
	}
	return def
}

func benchCut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// benchServer is a loopback stand-in for the registries operation that
// counts requests and the bytes clients send. The benchmarks use it rather
// than hsstest because they measure the client: the server must cost the
// same tiny amount for the floor and the SDK, with no authentication,
// routing or recording of its own.
type benchServer struct {
	*httptest.Server
	requests  atomic.Int64
	bytesRecv atomic.Int64
}

// benchNewStaticServer serves total_num=total and a precomputed page of the
// requested limit (10 or 200; default 10, as the API), whatever the offset.
func benchNewStaticServer(tb testing.TB, total int) *benchServer {
	tb.Helper()
	pages := map[int][]byte{}
	lengths := map[int][]string{}
	for _, limit := range []int{10, 200} {
		pages[limit] = benchPageBody(nil, total, 0, limit)
		lengths[limit] = []string{strconv.Itoa(len(pages[limit]))}
	}
	s := &benchServer{}
	s.Server = benchStart(tb, s, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		limit := benchQueryInt(r.URL.RawQuery, "limit", 10)
		body, ok := pages[limit]
		if !ok {
			http.Error(w, `{"error_code":"HSS.0001","error_msg":"bad limit"}`, http.StatusBadRequest)
			return
		}
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = lengths[limit]
		h["X-Request-Id"] = []string{"req-bench"}
		_, _ = w.Write(body)
	}))
	return s
}

// benchNewSynthServer synthesises every page of a listing of total
// registries from offset and limit, so a million-registry listing costs the
// server no memory.
func benchNewSynthServer(tb testing.TB, total int) *benchServer {
	tb.Helper()
	s := &benchServer{}
	s.Server = benchStart(tb, s, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		offset := benchQueryInt(r.URL.RawQuery, "offset", 0)
		limit := benchQueryInt(r.URL.RawQuery, "limit", 10)
		if limit < 10 || limit > 200 || offset < 0 {
			http.Error(w, `{"error_code":"HSS.0001","error_msg":"bad paging"}`, http.StatusBadRequest)
			return
		}
		body := benchPageBody(make([]byte, 0, 128*limit), total, offset, limit)
		w.Header()["Content-Type"] = []string{"application/json"}
		w.Header()["Content-Length"] = []string{strconv.Itoa(len(body))}
		_, _ = w.Write(body)
	}))
	return s
}

func benchStart(tb testing.TB, s *benchServer, h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = &benchCountingListener{Listener: srv.Listener, n: &s.bytesRecv}
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv
}

// benchCountingListener counts the bytes every accepted connection reads:
// the request bytes the clients sent.
type benchCountingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *benchCountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &benchCountingConn{Conn: c, n: l.n}, nil
}

type benchCountingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *benchCountingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// benchRemoteServerEnv makes TestBenchPageServer serve instead of skip.
const benchRemoteServerEnv = "HSS_BENCH_PAGE_SERVER"

// TestBenchPageServer is the page server of
// BenchmarkListSyncTaskRegistriesRemote, run by it in a child process (this
// test binary again); it prints its URL and serves until killed. Run
// otherwise, it skips.
func TestBenchPageServer(t *testing.T) {
	if os.Getenv(benchRemoteServerEnv) != "1" {
		t.Skip("the page server of BenchmarkListSyncTaskRegistriesRemote; it runs only in that benchmark's child process")
	}
	srv := benchNewStaticServer(t, benchTotal)
	fmt.Println(srv.URL)
	select {} // until the benchmark kills the process
}

// benchStartRemoteServer starts TestBenchPageServer in a child process and
// returns its URL; the process is killed when b ends.
func benchStartRemoteServer(b *testing.B) string {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchPageServer$", "-test.v=false")
	cmd.Env = append(os.Environ(), benchRemoteServerEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		b.Fatalf("the page server did not start: %q, %v", line, err)
	}
	return strings.TrimSpace(line)
}
