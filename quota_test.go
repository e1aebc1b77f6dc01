package hss_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// quotaStart is where the quota tests' fake clocks start.
func quotaStart() time.Time { return time.Now().Truncate(time.Second) }

// deadlineClock returns a context whose deadline is an hour of wall-clock
// time away, and a fake clock that reads left before that deadline. The
// client compares the two, so it sees left of time to go however slowly the
// test runs; the context itself never ends during the test.
func deadlineClock(t *testing.T, left time.Duration) (context.Context, *hsstest.Clock) {
	t.Helper()
	deadline := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	t.Cleanup(cancel)
	return ctx, hsstest.NewClock(deadline.Add(-left))
}

// quotaListing is one simulated listing under a quota.
type quotaListing struct {
	name   string
	pages  int
	quota  hsstest.Quota
	factor float64 // time allowed, in multiples of the least the quota allows
}

// quotaResult is what a simulated listing observed.
type quotaResult struct {
	items, requests, throttled int
	elapsed, least             time.Duration
}

// runQuotaListing lists pages*10 registries page by page (limit 10) with
// default options through a gateway with the quota, on one fake clock
// shared by client and server.
func runQuotaListing(t *testing.T, l quotaListing) quotaResult {
	t.Helper()
	start := quotaStart()
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithQuota(l.quota))
	defer srv.Close()
	_, err := srv.Seed("task", l.pages*10)
	require.NoError(t, err)
	client := srv.Client(t)

	seen := make(map[string]bool, l.pages*10)
	for reg, err := range client.ListSyncTaskRegistriesIter(context.Background(), "task", &hss.ListSyncTaskRegistriesOptions{Limit: 10}) {
		require.NoError(t, err)
		require.False(t, seen[reg.RegistryID], "registry %s listed twice", reg.RegistryID)
		seen[reg.RegistryID] = true
	}
	windows := (l.pages - 1) / l.quota.Limit
	return quotaResult{
		items:     len(seen),
		requests:  len(srv.Requests()),
		throttled: srv.Throttled(),
		elapsed:   clk.Now().Sub(start),
		least:     time.Duration(windows) * l.quota.Window,
	}
}

// TestListingsUnderQuotas: long listings finish
// under API Gateway's quotas with default options, within a factor of the
// least time the quota allows and with few throttled calls. Run it with -v
// for the table in BENCHMARKS.md.
func TestListingsUnderQuotas(t *testing.T) {
	gatewayText := "The throttling threshold has been reached."
	cases := []quotaListing{
		{"3,000 pages, 600/min, Retry-After to the window's end", 3000, hsstest.Quota{Limit: 600, Window: time.Minute}, 1.05},
		{"3,000 pages, 600/min, no Retry-After", 3000, hsstest.Quota{Limit: 600, Window: time.Minute, NoRetryAfter: true}, 1.5},
		{"30 pages, 5/min, no Retry-After", 30, hsstest.Quota{Limit: 5, Window: time.Minute, NoRetryAfter: true}, 1.5},
		// The limit in the gateway's message is a hint, never required.
		{"3,000 pages, 600/min, no Retry-After, no limit in the message", 3000, hsstest.Quota{Limit: 600, Window: time.Minute, NoRetryAfter: true, Message: gatewayText}, 1.5},
		{"30 pages, 5/min, no Retry-After, no limit in the message", 30, hsstest.Quota{Limit: 5, Window: time.Minute, NoRetryAfter: true, Message: gatewayText}, 1.5},
		{"30 pages, 5/min, Retry-After", 30, hsstest.Quota{Limit: 5, Window: time.Minute}, 1.05},
	}
	t.Log("| case | pages | time (least) | ratio | requests | throttled |")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runQuotaListing(t, tc)
			assert.Equal(t, tc.pages*10, r.items, "every registry")
			assert.LessOrEqual(t, float64(r.elapsed), tc.factor*float64(r.least), "simulated time %s, least %s", r.elapsed, r.least)
			assert.GreaterOrEqual(t, r.elapsed, r.least, "the quota cannot be beaten")
			assert.LessOrEqual(t, r.throttled, tc.pages/4, "throttled calls <= 25%% of pages")
			assert.Equal(t, tc.pages+r.throttled, r.requests, "one request per page plus the throttled ones")
			t.Logf("| %s | %d | %s (%s) | %.2f | %d | %d |", tc.name, tc.pages, r.elapsed, r.least,
				float64(r.elapsed)/float64(r.least), r.requests, r.throttled)
		})
	}
}

// TestThrottledCallWaitsForTheWindow: a single call throttled without
// Retry-After waits for the window and succeeds, instead of failing after
// a couple of seconds of backoff.
func TestThrottledCallWaitsForTheWindow(t *testing.T) {
	start := quotaStart()
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 30),
		hsstest.WithQuota(hsstest.Quota{Limit: 5, Window: time.Minute, NoRetryAfter: true}))
	defer srv.Close()
	client := srv.Client(t)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		_, err := client.ListSyncTaskRegistries(ctx, "task", nil)
		require.NoError(t, err)
	}
	page, err := client.ListSyncTaskRegistries(ctx, "task", nil)
	require.NoError(t, err)
	assert.Equal(t, 30, page.TotalNum)
	assert.Equal(t, 1, srv.Throttled(), "one call throttled, then it waited")
	assert.Equal(t, time.Minute, clk.Now().Sub(start), "the wait ended with the window")
	assert.Equal(t, []time.Duration{time.Minute}, clk.Sleeps())
}

// TestThrottleWaitPastDeadlineReturnsAtOnce: when the caller's deadline
// comes before the quota clears, the call returns at once with the
// throttling answer, not context.DeadlineExceeded, and sleeps not at all.
func TestThrottleWaitPastDeadlineReturnsAtOnce(t *testing.T) {
	for _, noRetryAfter := range []bool{false, true} {
		t.Run(fmt.Sprintf("no Retry-After %v", noRetryAfter), func(t *testing.T) {
			ctx, clk := deadlineClock(t, 20*time.Second)
			srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 3),
				hsstest.WithQuota(hsstest.Quota{Limit: 1, Window: time.Minute, NoRetryAfter: noRetryAfter}))
			defer srv.Close()
			client := srv.Client(t)
			_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
			require.NoError(t, err)

			_, err = client.ListSyncTaskRegistries(ctx, "task", nil)
			require.Error(t, err)
			assert.True(t, hss.IsThrottled(err), "%v", err)
			assert.ErrorIs(t, err, hss.ErrWaitPastDeadline)
			assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context has not ended")
			assert.NoError(t, ctx.Err())
			var apiErr *hss.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, time.Minute, apiErr.RetryAfter, "RetryAfter says when to come back")
			assert.Empty(t, clk.Sleeps(), "no sleep past the deadline")
			assert.Equal(t, 1, strings.Count(err.Error(), "GET /v5/"), "the operation once: %v", err)
		})
	}
}

// TestThrottleBudget: a call gives up when the quota would keep it waiting
// past RetryPolicy.MaxThrottleWait, with the throttling answer inside.
func TestThrottleBudget(t *testing.T) {
	start := quotaStart()
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 3),
		hsstest.WithQuota(hsstest.Quota{Limit: 1, Window: time.Hour}))
	defer srv.Close()
	client := srv.Client(t, hss.WithRetryPolicy(hss.RetryPolicy{MaxThrottleWait: 10 * time.Minute}))
	_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.NoError(t, err)
	_, err = client.ListSyncTaskRegistries(context.Background(), "task", nil)
	var attempts *hss.AttemptsError
	require.ErrorAs(t, err, &attempts)
	assert.True(t, hss.IsThrottled(err))
	assert.Contains(t, err.Error(), "throttle budget")
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, time.Hour, apiErr.RetryAfter)
	assert.Empty(t, clk.Sleeps(), "gave up without waiting")

	// NoRetries: a throttled call fails at once, and so does the next one
	// while the quota is closed, without being sent.
	client = srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()))
	sent := len(srv.Requests())
	_, err = client.ListSyncTaskRegistries(context.Background(), "task", nil)
	assert.True(t, hss.IsThrottled(err))
	_, err = client.ListSyncTaskRegistries(context.Background(), "task", nil)
	assert.True(t, hss.IsThrottled(err))
	assert.Equal(t, sent+1, len(srv.Requests()), "the second call was not sent into a closed quota")

	// Without Retry-After, the throttled call that gives up at once still
	// says when the quota lets calls in again: the learned window.
	srv.SetQuota(hsstest.Quota{Limit: 1, Window: time.Minute, NoRetryAfter: true})
	clk.Advance(2 * time.Hour)
	client = srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()))
	_, err = client.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.NoError(t, err)
	_, err = client.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, hss.IsThrottled(err))
	assert.Equal(t, time.Minute, apiErr.RetryAfter, "RetryAfter says when to come back")
}

// TestRetryAfterBeyondAnyBudget: a Retry-After too large to read is longer
// than any budget: the call gives up at once, saying so.
func TestRetryAfterBeyondAnyBudget(t *testing.T) {
	clk := hsstest.NewClock(quotaStart())
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 3))
	defer srv.Close()
	srv.FailNext(1, http.StatusTooManyRequests, "APIGW.0308", "The throttling threshold has been reached.",
		http.Header{"Retry-After": {"99999999999999999999"}})
	_, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "task", nil)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, hss.MaxRetryAfter, apiErr.RetryAfter)
	assert.Contains(t, err.Error(), "24h0m0s or more")
	assert.Empty(t, clk.Sleeps())
	assert.Len(t, srv.Requests(), 1)
}

// TestQuotaChangesMidListing: the gateway halves its limit part-way, then
// restores it; the listing finishes, learning each limit.
func TestQuotaChangesMidListing(t *testing.T) {
	start := quotaStart()
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(hsstest.WithClock(clk),
		hsstest.WithQuota(hsstest.Quota{Limit: 600, Window: time.Minute, NoRetryAfter: true}))
	defer srv.Close()
	const pages = 3000
	_, err := srv.Seed("task", pages*10)
	require.NoError(t, err)
	var n atomic.Int64
	srv.Handle(func(http.ResponseWriter, *http.Request) bool {
		switch n.Add(1) {
		case 1000:
			srv.SetQuota(hsstest.Quota{Limit: 300, Window: time.Minute, NoRetryAfter: true})
		case 2000:
			srv.SetQuota(hsstest.Quota{Limit: 600, Window: time.Minute, NoRetryAfter: true})
		}
		return false
	})
	items := 0
	for _, err := range srv.Client(t).ListSyncTaskRegistriesIter(context.Background(), "task", &hss.ListSyncTaskRegistriesOptions{Limit: 10}) {
		require.NoError(t, err)
		items++
	}
	assert.Equal(t, pages*10, items)
	// About 1,000 pages at 600/min, 1,000 at 300/min, 1,000 at 600/min
	// again: at least 6 minutes; allow half as much again.
	assert.LessOrEqual(t, clk.Now().Sub(start), 9*time.Minute)
	assert.LessOrEqual(t, srv.Throttled(), pages/4)
	t.Logf("| 3,000 pages, 600/min then 300/min then 600/min, no Retry-After | %d | %s (6m0s) | %.2f | %d | %d |",
		pages, clk.Now().Sub(start), float64(clk.Now().Sub(start))/float64(6*time.Minute), len(srv.Requests()), srv.Throttled())
}

// TestLongWaitsAreLogged: a wait of a second or more is logged at info
// level, naming the wait.
func TestLongWaitsAreLogged(t *testing.T) {
	clk := hsstest.NewClock(quotaStart())
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 3),
		hsstest.WithQuota(hsstest.Quota{Limit: 1, Window: time.Minute, NoRetryAfter: true}))
	defer srv.Close()
	var buf bytes.Buffer
	client := srv.Client(t, hss.WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	for range 2 {
		_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
		require.NoError(t, err)
	}
	assert.Contains(t, buf.String(), `level=INFO msg="hss: throttled; waiting"`)
	assert.Contains(t, buf.String(), "wait=1m0s")
	assert.NotContains(t, buf.String(), srv.Token())
}

// TestWaitPastDeadlineIsNotDeadlineExceeded covers the other waits: the
// rate limit and a backoff that would pass the deadline return at once
// with ErrWaitPastDeadline.
func TestWaitPastDeadlineIsNotDeadlineExceeded(t *testing.T) {
	ctx, clk := deadlineClock(t, 10*time.Second)
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 3))
	defer srv.Close()

	limited := srv.Client(t, hss.WithRateLimit(1.0/60, 1))
	_, err := limited.ListSyncTaskRegistries(ctx, "task", nil)
	require.NoError(t, err)
	_, err = limited.ListSyncTaskRegistries(ctx, "task", nil)
	assert.ErrorIs(t, err, hss.ErrWaitPastDeadline)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "WithRateLimit")

	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable", http.Header{"Retry-After": {"20"}})
	_, err = srv.Client(t).ListSyncTaskRegistries(ctx, "task", nil)
	assert.ErrorIs(t, err, hss.ErrWaitPastDeadline)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	var apiErr *hss.APIError
	require.True(t, errors.As(err, &apiErr), "the last answer stays reachable")
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	assert.Empty(t, clk.Sleeps())
}
