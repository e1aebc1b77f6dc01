package hss_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
)

const (
	testProject = "0123456789abcdef0123456789abcdef"
	testToken   = "MIIE-test-token-must-never-leak"
)

// fakeClock is a Clock whose Sleep returns at once and moves time on, so
// tests can wait out hours of backoff in microseconds.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return nil
}

func (f *fakeClock) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// registries makes n registries named reg-1 ... reg-n.
func registries(n int) []hss.AssociateRegistriesResponseInfo {
	out := make([]hss.AssociateRegistriesResponseInfo, n)
	types := hss.AllRegistryTypes()
	for i := range out {
		out[i] = hss.AssociateRegistriesResponseInfo{
			RegistryID:   fmt.Sprintf("id-%d", i+1),
			RegistryName: fmt.Sprintf("reg-%d", i+1),
			RegistryType: types[i%len(types)],
			SyncStatus:   hss.SyncStatusFinished,
		}
	}
	return out
}

// pagingServer serves items with offset/limit like HSS and counts requests.
type pagingServer struct {
	*httptest.Server
	items    []hss.AssociateRegistriesResponseInfo
	requests atomic.Int64
	// fail, when set, may answer a request instead (return true).
	fail func(n int64, w http.ResponseWriter, r *http.Request) bool
}

func newPagingServer(t *testing.T, items []hss.AssociateRegistriesResponseInfo) *pagingServer {
	t.Helper()
	ps := &pagingServer{items: items}
	ps.Server = httptest.NewServer(http.HandlerFunc(ps.serve))
	t.Cleanup(ps.Close)
	return ps
}

func (ps *pagingServer) serve(w http.ResponseWriter, r *http.Request) {
	n := ps.requests.Add(1)
	if ps.fail != nil && ps.fail(n, w, r) {
		return
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil {
		limit = 10
	}
	page := []hss.AssociateRegistriesResponseInfo{}
	if offset < len(ps.items) {
		page = ps.items[offset:min(offset+limit, len(ps.items))]
	}
	w.Header().Set("X-Request-Id", "req-"+strconv.FormatInt(n, 10))
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"total_num": len(ps.items), "data_list": page})
}

func newTestClient(t *testing.T, endpoint string, opts ...hss.Option) *hss.Client {
	t.Helper()
	c, err := hss.NewClient(endpoint, testProject, append([]hss.Option{hss.WithToken(testToken)}, opts...)...)
	require.NoError(t, err)
	return c
}
