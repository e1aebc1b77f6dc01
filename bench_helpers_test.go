package hss_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

// appendRegistry appends the benchmark's registry number n, the shape the
// issue measured: {"registry_id":"reg-00000001","registry_name":"registry-1",
// "registry_type":"SwrPrivate","sync_status":"finished"}.
func appendRegistry(b []byte, n int) []byte {
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

// pageBody is the 200 body for registries [offset, offset+limit) of a
// listing of total.
func pageBody(dst []byte, total, offset, limit int) []byte {
	dst = append(dst, `{"total_num":`...)
	dst = strconv.AppendInt(dst, int64(total), 10)
	dst = append(dst, `,"data_list":[`...)
	for i := 0; i < limit && offset+i < total; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendRegistry(dst, offset+i+1)
	}
	return append(dst, "]}"...)
}

// queryInt reads an integer parameter from a raw query without building a
// url.Values, so the server costs the floor and the SDK the same.
func queryInt(rawQuery, key string, def int) int {
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = cut(rawQuery, '&')
		k, v, ok := cut(kv, '=')
		if ok && k == key {
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
	}
	return def
}

func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// listServer is a loopback HSS stand-in for the registries operation. It
// counts requests and the bytes the clients send.
type listServer struct {
	*httptest.Server
	requests  atomic.Int64
	bytesRecv atomic.Int64
}

// newStaticServer serves total_num=total and the precomputed first page of
// the requested limit (default 10, like the API), whatever the offset: the
// per-call benchmarks measure the client, not the server.
func newStaticServer(tb testing.TB, total int) *listServer {
	tb.Helper()
	pages := map[int][]byte{}
	for _, limit := range []int{10, 200} {
		pages[limit] = pageBody(nil, total, 0, limit)
	}
	lengths := map[int][]string{}
	for k, v := range pages {
		lengths[k] = []string{strconv.Itoa(len(v))}
	}
	ls := &listServer{}
	ls.Server = newCountingServer(tb, ls, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls.requests.Add(1)
		limit := queryInt(r.URL.RawQuery, "limit", 10)
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
	return ls
}

// newSynthServer synthesises every page of a listing of total registries on
// the fly from offset and limit, so a million-registry listing costs the
// server no memory.
func newSynthServer(tb testing.TB, total int) *listServer {
	tb.Helper()
	ls := &listServer{}
	ls.Server = newCountingServer(tb, ls, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls.requests.Add(1)
		offset := queryInt(r.URL.RawQuery, "offset", 0)
		limit := queryInt(r.URL.RawQuery, "limit", 10)
		if limit < 10 || limit > 200 || offset < 0 {
			http.Error(w, `{"error_code":"HSS.0001","error_msg":"bad paging"}`, http.StatusBadRequest)
			return
		}
		body := pageBody(make([]byte, 0, 128*limit), total, offset, limit)
		w.Header()["Content-Type"] = []string{"application/json"}
		w.Header()["Content-Length"] = []string{strconv.Itoa(len(body))}
		_, _ = w.Write(body)
	}))
	return ls
}

func newCountingServer(tb testing.TB, ls *listServer, h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = &countingListener{Listener: srv.Listener, n: &ls.bytesRecv}
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv
}

// countingListener counts the bytes every accepted connection reads: the
// request bytes the clients sent.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, n: l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}
