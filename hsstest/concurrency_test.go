package hsstest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentUse exercises every mutable part at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 100), hsstest.WithThrottle(1_000_000, 1<<62))
	client := srv.Client(t, hss.WithClock(newFakeClock()))
	const workers, calls = 8, 25

	var wg sync.WaitGroup
	errs := make(chan error, workers*calls)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				resp, err := client.ListSyncTaskRegistries(context.Background(), "task-1",
					&hss.ListSyncTaskRegistriesOptions{Offset: (w*calls + i) % 100, Limit: 10})
				var apiErr *hss.APIError
				if errors.As(err, &apiErr) && apiErr.Code == "APIGW.0613" {
					continue // several injected faults can hit one call's every attempt
				}
				if err != nil {
					errs <- err
					continue
				}
				if resp.TotalNum < 100 {
					errs <- fmt.Errorf("total_num %d < 100", resp.TotalNum)
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // the test's own goroutine changes data and faults meanwhile
		defer wg.Done()
		for i := range 50 {
			srv.AddRegistries("task-1", hsstest.Registry{RegistryName: fmt.Sprintf("extra-%d", i)})
			srv.Seed(fmt.Sprintf("other-%d", i), 3)
			srv.FailNext(1, 503, "APIGW.0613", "busy") // retried by the client
			srv.Handle(nil)
			_ = srv.Requests()
			_ = srv.PendingFaults()
			_ = srv.Registries("task-1")
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	require.Len(t, srv.Registries("task-1"), 150)

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
