// The benchmark's server: the page both clients read, served from memory.
package official

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// benchTotal is the total_num of the benchmark listing.
const benchTotal = 100000

// benchProject is the project id both clients use.
const benchProject = "0123456789abcdef0123456789abcdef"

// benchPage returns the body of the first page of limit registries, in
// the shape the service sends.
func benchPage(limit int) []byte {
	var b []byte
	b = append(b, `{"total_num":`...)
	b = strconv.AppendInt(b, benchTotal, 10)
	b = append(b, `,"data_list":[`...)
	for i := 1; i <= limit; i++ {
		if i > 1 {
			b = append(b, ',')
		}
		id := strconv.Itoa(i)
		b = append(b, `{"registry_id":"reg-`...)
		b = append(b, strings.Repeat("0", max(0, 8-len(id)))...)
		b = append(b, id...)
		b = append(b, `","registry_name":"registry-`...)
		b = append(b, id...)
		b = append(b, `","registry_type":"SwrPrivate","sync_status":"finished"}`...)
	}
	return append(b, "]}"...)
}

// benchNewServer starts a loopback server that answers the registries
// listing with a precomputed page of the requested limit (10 or 200). It
// checks no credentials: the benchmarks measure the clients, so the server
// must cost both the same tiny amount. (hsstest, which verifies
// signatures, is used by TestOfficialSDKAgainstHsstest instead.)
func benchNewServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	pages := map[string][]byte{"10": benchPage(10), "200": benchPage(200)}
	const path = "/v5/" + benchProject + "/image/image-sync/tasks/task-1/registries"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := r.URL.Query().Get("limit")
		if limit == "" {
			limit = "10"
		}
		body, ok := pages[limit]
		if r.Method != http.MethodGet || r.URL.Path != path || !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error_code":"HSS.0001","error_msg":"Invalid parameter."}`))
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("X-Request-Id", "req-bench")
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}
