// Concurrent use: every mutable part of a Server used at once, under -race.
package hsstest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentUse exercises every mutable part at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithSeed("task-1", 100), hsstest.WithSettle(time.Hour),
		hsstest.WithQuota(hsstest.Quota{Limit: 1_000_000, Window: time.Hour}))
	srv.HandleFunc(http.MethodGet, "/v5/{project_id}/extra/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, `{"id":%q}`, r.PathValue("id"))
	})
	client := srv.Client(t)
	const workers, calls = 8, 25

	var wg sync.WaitGroup
	errs := make(chan error, workers*calls)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				var err error
				if i%5 == 4 {
					var out struct{ ID string }
					_, err = client.Do(context.Background(), http.MethodGet, fmt.Sprintf("/v5/{project_id}/extra/%d-%d", w, i), nil, nil, &out)
					if err == nil && out.ID != fmt.Sprintf("%d-%d", w, i) {
						err = fmt.Errorf("extra route answered %q", out.ID)
					}
				} else {
					var resp *hss.ListSyncTaskRegistriesResponse
					resp, err = client.ListSyncTaskRegistries(context.Background(), "task-1",
						&hss.ListSyncTaskRegistriesOptions{Offset: (w*calls + i) % 100, Limit: 10})
					if err == nil && resp.TotalNum < 100 {
						err = fmt.Errorf("total_num %d < 100", resp.TotalNum)
					}
				}
				var apiErr *hss.APIError
				if errors.As(err, &apiErr) && apiErr.Code == "APIGW.0613" {
					continue // several injected faults can hit every attempt of one call
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // the test's own goroutine changes data, faults and time meanwhile
		defer wg.Done()
		for i := range 50 {
			srv.AddRegistries("task-1", hsstest.Registry{RegistryName: fmt.Sprintf("extra-%d", i), SyncStatus: hss.SyncStatusRunning})
			srv.Seed(fmt.Sprintf("other-%d", i), 3)
			srv.FailNext(1, 503, "APIGW.0613", "busy") // retried by the client
			srv.Handle(nil)
			srv.SetQuota(hsstest.Quota{Limit: 1_000_000 + i, Window: time.Hour})
			clk.Advance(time.Second)
			_ = srv.Requests()
			_ = srv.PendingFaults()
			_ = srv.Registries("task-1")
			_ = srv.Throttled()
			_ = clk.Sleeps()
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	require.Len(t, srv.Registries("task-1"), 150)
	assert.Zero(t, srv.Throttled())

	ids := map[string]bool{}
	failed := 0
	for _, r := range srv.Requests() {
		assert.False(t, ids[r.RequestID], "request id %s repeated", r.RequestID)
		ids[r.RequestID] = true
		if r.Fault == hsstest.FaultFail {
			failed++
		}
	}
	assert.Equal(t, 50, failed+srv.PendingFaults(), "every fault was used once or is still queued")
	assert.GreaterOrEqual(t, len(ids), workers*calls)
}
