package hsstest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestThrottleWindowAndRetryAfter(t *testing.T) {
	clk := newFakeClock()
	srv := newServer(t, hsstest.WithThrottle(3, time.Minute), hsstest.WithNow(clk.Now), hsstest.WithSeed("task-1", 5))

	for i := range 3 {
		decodePage(t, get(t, srv, "task-1", ""))
		clk.Advance(time.Second * time.Duration(i)) // 0s, 1s, 2s into the window... then 3s
	}
	a := get(t, srv, "task-1", "")
	requireError(t, a, http.StatusTooManyRequests, "APIGW.0308", "The throttling threshold has been reached.")
	assert.Equal(t, "57", a.Header.Get("Retry-After"), "seconds until the window that opened 3s ago ends")

	clk.Advance(55 * time.Second) // 2s left
	a = get(t, srv, "task-1", "")
	assert.Equal(t, "2", a.Header.Get("Retry-After"))
	clk.Advance(500 * time.Millisecond) // 1.5s left: rounds up, never asks to come back early
	a = get(t, srv, "task-1", "")
	assert.Equal(t, "2", a.Header.Get("Retry-After"))
	clk.Advance(time.Second) // 0.5s left: rounds up to 1
	a = get(t, srv, "task-1", "")
	requireError(t, a, http.StatusTooManyRequests, "APIGW.0308", "")
	assert.Equal(t, "1", a.Header.Get("Retry-After"))

	clk.Advance(500 * time.Millisecond) // the window is over
	decodePage(t, get(t, srv, "task-1", ""))

	// Calls refused before throttling (here: no credentials) are not counted.
	for range 5 {
		requireError(t, do(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", nil), http.StatusUnauthorized, "APIGW.0301", "")
	}
	decodePage(t, get(t, srv, "task-1", ""))
	decodePage(t, get(t, srv, "task-1", ""))
	requireError(t, get(t, srv, "task-1", ""), http.StatusTooManyRequests, "APIGW.0308", "")
}

func TestThrottleClockBackwards(t *testing.T) {
	clk := newFakeClock()
	srv := newServer(t, hsstest.WithThrottle(1, time.Minute), hsstest.WithNow(clk.Now), hsstest.WithSeed("task-1", 1))
	decodePage(t, get(t, srv, "task-1", ""))
	requireError(t, get(t, srv, "task-1", ""), http.StatusTooManyRequests, "APIGW.0308", "")
	clk.Advance(-time.Hour) // a test clock may go back: a new window opens rather than a lock-out
	decodePage(t, get(t, srv, "task-1", ""))
}

func TestThrottleOffForBadValues(t *testing.T) {
	srv := newServer(t, hsstest.WithThrottle(0, time.Minute), hsstest.WithSeed("task-1", 1))
	srv2 := newServer(t, hsstest.WithThrottle(1, 0), hsstest.WithSeed("task-1", 1))
	for range 5 {
		decodePage(t, get(t, srv, "task-1", ""))
		decodePage(t, get(t, srv2, "task-1", ""))
	}
}

func TestThrottleAsSeenByTheSDK(t *testing.T) {
	clk := newFakeClock()
	srv := newServer(t, hsstest.WithThrottle(1, 10*time.Second), hsstest.WithNow(clk.Now), hsstest.WithSeed("task-1", 1))
	ctx := context.Background()

	raw := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()), hss.WithClock(clk))
	_, err := raw.ListSyncTaskRegistries(ctx, "task-1", nil)
	require.NoError(t, err)
	_, err = raw.ListSyncTaskRegistries(ctx, "task-1", nil)
	require.True(t, hss.IsThrottled(err), "%v", err)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 10*time.Second, apiErr.RetryAfter)

	// With retries on the shared fake clock the client waits out
	// Retry-After (instantly) and the retry lands in the next window.
	retrying := srv.Client(t, hss.WithClock(clk))
	resp, err := retrying.ListSyncTaskRegistries(ctx, "task-1", nil)
	require.NoError(t, err)
	assert.Equal(t, 1, resp.TotalNum)

	reqs := srv.Requests()
	require.Len(t, reqs, 4)
	assert.Equal(t, []int{200, 429, 429, 200}, []int{reqs[0].Status, reqs[1].Status, reqs[2].Status, reqs[3].Status})
	assert.Equal(t, 10*time.Second, reqs[3].Time.Sub(reqs[2].Time), "the retry waited exactly Retry-After on the server's clock")
}
