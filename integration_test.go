package hss_test

// Integration tests against hsstest, the fake HSS users test with: the
// whole path (signing, paging, throttling, faults, retries) end to end.

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

func TestIntegrationListingThroughThrottleAndFailures(t *testing.T) {
	clk := newFakeClock()
	// 4 calls per 5 s on the server's clock, which is the client's clock:
	// the client's Retry-After waits open the next window.
	srv := hsstest.NewServer(hsstest.WithSeed("task-1", 2000), hsstest.WithNow(clk.Now), hsstest.WithThrottle(4, 5*time.Second))
	defer srv.Close()
	var n atomic.Int64
	srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
		if n.Add(1)%3 == 0 { // every third request fails before reaching the API
			w.WriteHeader(http.StatusBadGateway)
			return true
		}
		return false
	})
	client := srv.Client(t, hss.WithClock(clk))

	seen := map[string]int{}
	for reg, err := range client.ListSyncTaskRegistriesIter(context.Background(), "task-1", nil) {
		require.NoError(t, err)
		seen[reg.RegistryID]++
	}
	require.Len(t, seen, 2000)
	for id, c := range seen {
		require.Equal(t, 1, c, id)
	}
	statuses := map[int]int{}
	for _, r := range srv.Requests() {
		statuses[r.Status]++
	}
	assert.Equal(t, 10, statuses[http.StatusOK], "ceil(2000/200) pages answered")
	assert.Positive(t, statuses[http.StatusTooManyRequests], "the throttle was hit")
	assert.Positive(t, statuses[http.StatusBadGateway])
	retryAfterWaits := 0
	for _, d := range clk.Sleeps() {
		// Backoff waits here are jittered below 1 s; Retry-After waits
		// are whole seconds.
		if d >= time.Second && d%time.Second == 0 {
			retryAfterWaits++
		}
	}
	assert.Equal(t, statuses[http.StatusTooManyRequests], retryAfterWaits, "each 429 was waited out as the server asked")
}

func TestIntegrationConnectionFaults(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithSeed("task-1", 450))
	defer srv.Close()
	client := srv.Client(t, hss.WithClock(newFakeClock()), hss.WithAttemptTimeout(50*time.Millisecond))

	srv.ResetNext(1)
	srv.TruncateNext(1)
	srv.HangNext(1)
	n := 0
	for _, err := range client.ListSyncTaskRegistriesIter(context.Background(), "task-1", nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 450, n)
	faults := map[hsstest.FaultKind]int{}
	for _, r := range srv.Requests() {
		faults[r.Fault]++
	}
	assert.Equal(t, map[hsstest.FaultKind]int{hsstest.FaultReset: 1, hsstest.FaultTruncate: 1, hsstest.FaultHang: 1, hsstest.FaultNone: 3}, faults)
}

func TestIntegrationAKSKRetriedRequestsAreSignedAgain(t *testing.T) {
	clk := newFakeClock()
	srv := hsstest.NewServer(hsstest.WithSeed("task-1", 30), hsstest.WithNow(clk.Now),
		hsstest.WithTemporaryAKSK("AKINTEGRATION", "integration-sk", "integration-security-token"))
	defer srv.Close()
	srv.FailNext(1, http.StatusServiceUnavailable, "", "", http.Header{"Retry-After": {"1200"}})
	client, err := hss.NewClient(srv.URL(), srv.ProjectID(), hss.WithClock(clk),
		hss.WithTemporaryAKSK("AKINTEGRATION", "integration-sk", "integration-security-token"),
		hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 2, MaxDelay: time.Hour}))
	require.NoError(t, err)

	// The 20-minute wait puts a reused signature date outside the
	// server's 15-minute window; signed anew, the retry passes.
	resp, err := client.ListSyncTaskRegistries(context.Background(), "task-1", &hss.ListSyncTaskRegistriesOptions{Limit: 50})
	require.NoError(t, err)
	assert.Len(t, resp.DataList, 30)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, hsstest.AuthAKSK, r.Auth)
		assert.Equal(t, "AKINTEGRATION", r.AK)
	}
}
