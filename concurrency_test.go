// Concurrent use: one Client shared by many goroutines lists every registry through failures and a shared rate limit.
package hss_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// TestConcurrentUseOfOneClient: 50 goroutines list through one client
// while every 7th request fails and a rate limit is shared; run with
// -race.
func TestConcurrentUseOfOneClient(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 450))
	want := infosOf(srv.Registries(testTask))
	var n atomic.Int64
	srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
		if n.Add(1)%7 == 0 {
			writeAPIError(w, http.StatusServiceUnavailable, "APIGW.0613", "busy")
			return true
		}
		return false
	})
	// Every 7th request fails, whoever sent it; 20 attempts make running
	// out (a goroutine meeting 20 multiples of 7 in a row) impossible.
	c, _, _ := newTestClient(t, srv, hss.WithRateLimit(1e6, 100), hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 20, RetryBudget: -1}))
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, _, err := collectRegistries(c.ListSyncTaskRegistriesIter(context.Background(), testTask, nil))
			if err != nil {
				errs <- err
				return
			}
			if len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
				errs <- fmt.Errorf("goroutine saw %d registries", len(got))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
