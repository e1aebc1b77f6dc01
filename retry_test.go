// Retries: which answers are retried, the backoff, Retry-After, the retry budget, cancelling a backoff, and a token renewed once.
package hss_test

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

func TestRetryTransientThenSuccess(t *testing.T) {
	for _, status := range []int{408, 500, 502, 503, 504} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 5))
			srv.FailNext(3, status, "", "transient")
			c, tr, logs := newTestClient(t, srv)
			resp, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
			require.NoError(t, err)
			assert.Len(t, resp.DataList, 5)
			assert.Equal(t, 4, tr.Calls())
			assert.Equal(t, srv.Requests()[3].RequestID, resp.RequestID)
			sleeps := clk.Sleeps()
			require.Len(t, sleeps, 3)
			for i, d := range sleeps {
				// Full jitter: [0, base·2^i].
				assert.LessOrEqual(t, d, hss.DefaultBaseDelay<<i, "wait %d", i)
				assert.GreaterOrEqual(t, d, time.Duration(0))
			}
			out := logs.String()
			assert.Contains(t, out, "attempt=4")
			assert.Contains(t, out, "status="+strconv.Itoa(status))
			assert.Equal(t, 3, strings.Count(out, "hss: retrying; waiting"))
		})
	}
}

// TestBackoffGrowsAndIsCapped: retry n waits at most
// min(MaxDelay, BaseDelay·2^(n-1)).
func TestBackoffGrowsAndIsCapped(t *testing.T) {
	srv, clk := newTestServer(t)
	srv.FailNext(100, http.StatusServiceUnavailable, "", "down")
	policy := hss.RetryPolicy{MaxAttempts: 8, BaseDelay: time.Second, MaxDelay: 5 * time.Second, RetryBudget: -1}
	c, tr, _ := newTestClient(t, srv, hss.WithRetryPolicy(policy))
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, 8, at.Attempts)
	assert.Equal(t, 8, tr.Calls())
	sleeps := clk.Sleeps()
	require.Len(t, sleeps, 7)
	for i, d := range sleeps {
		limit := min(policy.MaxDelay, policy.BaseDelay<<i)
		assert.LessOrEqual(t, d, limit, "wait %d", i)
		assert.GreaterOrEqual(t, d, time.Duration(0))
	}
}

// TestRetryPolicyExtremesNeverPanic: the largest policy NewClient takes
// backs off within its bounds, for as many attempts as it allows.
func TestRetryPolicyExtremesNeverPanic(t *testing.T) {
	srv, clk := newTestServer(t)
	srv.FailNext(200, http.StatusServiceUnavailable, "", "down")
	policy := hss.RetryPolicy{MaxAttempts: 100, BaseDelay: hss.MaxRetryAfter, MaxDelay: hss.MaxRetryAfter, MaxThrottleWait: hss.MaxRetryAfter, RetryBudget: -1}
	c, tr, _ := newTestClient(t, srv, hss.WithRetryPolicy(policy))
	var err error
	require.NotPanics(t, func() { _, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil) })
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, 100, at.Attempts)
	assert.Equal(t, 100, tr.Calls())
	sleeps := clk.Sleeps()
	require.Len(t, sleeps, 99)
	for _, d := range sleeps {
		assert.GreaterOrEqual(t, d, time.Duration(0))
		assert.LessOrEqual(t, d, hss.MaxRetryAfter)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
	}{{503, "APIGW.0613"}, {429, "APIGW.0308"}} {
		t.Run(tc.code, func(t *testing.T) {
			srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1))
			srv.FailNext(1, tc.status, tc.code, "wait", http.Header{"Retry-After": {"2"}})
			c, tr, _ := newTestClient(t, srv)
			_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
			require.NoError(t, err)
			assert.Equal(t, []time.Duration{2 * time.Second}, clk.Sleeps())
			assert.Equal(t, 2, tr.Calls())
			reqs := srv.Requests()
			assert.Equal(t, 2*time.Second, reqs[1].Time.Sub(reqs[0].Time), "the retry went when the service asked")
		})
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1))
	srv.FailNext(1, http.StatusServiceUnavailable, "", "", http.Header{"Retry-After": {clk.Now().Add(7 * time.Second).Format(http.TimeFormat)}})
	c, _, _ := newTestClient(t, srv)
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{7 * time.Second}, clk.Sleeps())

	// A date in the past says the wait is over: the retry goes at once.
	before := len(clk.Sleeps())
	srv.FailNext(1, http.StatusServiceUnavailable, "", "", http.Header{"Retry-After": {clk.Now().Add(-time.Hour).Format(http.TimeFormat)}})
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{0}, clk.Sleeps()[before:])

	// A value that is no date leaves the backoff.
	for _, v := range []string{"soon", "-5", "1.5"} {
		before := len(clk.Sleeps())
		srv.FailNext(1, http.StatusServiceUnavailable, "", "", http.Header{"Retry-After": {v}})
		_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
		require.NoError(t, err, v)
		sleeps := clk.Sleeps()[before:]
		require.Len(t, sleeps, 1, v)
		assert.LessOrEqual(t, sleeps[0], hss.DefaultBaseDelay, v)
	}
}

// TestTransientRetryAfterZeroRetriesAtOnce: "Retry-After: 0" on a
// transient answer replaces the backoff, however long the backoff would
// be, and the retry still counts against MaxAttempts.
func TestTransientRetryAfterZeroRetriesAtOnce(t *testing.T) {
	srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1))
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "busy", http.Header{"Retry-After": {"0"}})
	policy := hss.RetryPolicy{BaseDelay: time.Hour, MaxDelay: time.Hour}
	c, tr, _ := newTestClient(t, srv, hss.WithRetryPolicy(policy))
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, tr.Calls())
	assert.Equal(t, []time.Duration{0}, clk.Sleeps(), "no backoff: the service said now")

	// Every answer saying "now": the attempts still run out.
	srv.FailNext(10, http.StatusServiceUnavailable, "APIGW.0613", "busy", http.Header{"Retry-After": {"0"}})
	tr.calls.Store(0)
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, hss.DefaultMaxAttempts, at.Attempts)
	assert.Equal(t, hss.DefaultMaxAttempts, tr.Calls())
	assert.Equal(t, time.Duration(0), clk.Slept())
}

// TestRetryAfterOverflow: a Retry-After too large for any budget, or for
// any integer, reads as MaxRetryAfter; the call gives up at once saying
// so, and is never retried at once.
func TestRetryAfterOverflow(t *testing.T) {
	for _, v := range []string{"99999999999999999999", "1000000000", "86400", "86401", "9223372036854775807"} {
		for _, tc := range []struct {
			status int
			code   string
			why    string
		}{
			{503, "APIGW.0613", "the service asked to wait 24h0m0s or more"},
			{429, "APIGW.0308", "the service asked to wait 24h0m0s or more"},
		} {
			t.Run(v+" "+tc.code, func(t *testing.T) {
				srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1))
				srv.FailNext(1, tc.status, tc.code, "wait", http.Header{"Retry-After": {v}})
				// The most patient policy there is: still no wait.
				c, tr, _ := newTestClient(t, srv, hss.WithRetryPolicy(hss.RetryPolicy{MaxDelay: hss.MaxRetryAfter, MaxThrottleWait: hss.MaxRetryAfter}))
				_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
				var at *hss.AttemptsError
				require.ErrorAs(t, err, &at)
				assert.Equal(t, 1, at.Attempts)
				var ae *hss.APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, hss.MaxRetryAfter, ae.RetryAfter)
				assert.Contains(t, err.Error(), "(retry after 24h0m0s or more)")
				assert.Contains(t, err.Error(), tc.why)
				assert.NotContains(t, err.Error(), "8760h")
				assert.Equal(t, 1, countOps(err.Error()))
				assert.Equal(t, 1, tr.Calls(), "never retried at once")
				assert.Empty(t, clk.Sleeps())
			})
		}
	}
}

// TestRetryAfterBelowTheCap: a Retry-After one second short of
// MaxRetryAfter is waited out when the policy allows it.
func TestRetryAfterBelowTheCap(t *testing.T) {
	srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1))
	srv.FailNext(1, http.StatusServiceUnavailable, "", "", http.Header{"Retry-After": {"86399"}})
	c, tr, _ := newTestClient(t, srv, hss.WithRetryPolicy(hss.RetryPolicy{MaxDelay: hss.MaxRetryAfter}))
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{hss.MaxRetryAfter - time.Second}, clk.Sleeps())
	assert.Equal(t, 2, tr.Calls())
}

// TestHTTPClientTimeoutIsAnAttemptTimeout: a timeout of the caller's
// http.Client (its Timeout set) is an attempt timeout too, and retried. The
// transport reports the timeout at once, so no real time is waited on.
func TestHTTPClientTimeoutIsAnAttemptTimeout(t *testing.T) {
	srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 3))
	tr := &countingTransport{next: srv.HTTPClient().Transport, inject: func(n int64, _ *http.Request) (*http.Response, bool, error) {
		if n <= 2 {
			return nil, true, &net.OpError{Op: "read", Net: "tcp", Err: timeoutError{}}
		}
		return nil, false, nil
	}}
	logger, logs := newDebugLogger()
	c := srv.Client(t, hss.WithHTTPClient(&http.Client{Transport: tr, Timeout: time.Hour}), hss.WithLogger(logger))
	resp, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Len(t, resp.DataList, 3)
	assert.Equal(t, 3, tr.Calls())
	assert.Len(t, clk.Sleeps(), 2)
	assert.Contains(t, logs.String(), "attempt timed out after 1h0m0s")

	// Every attempt timing out: the call gives up saying so.
	tr.inject = func(int64, *http.Request) (*http.Response, bool, error) {
		return nil, true, &net.OpError{Op: "read", Net: "tcp", Err: timeoutError{}}
	}
	tr.calls.Store(0)
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	assert.ErrorIs(t, err, hss.ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, hss.DefaultMaxAttempts, tr.Calls())
}

// TestCancelDuringBackoff: cancelling while the client backs off ends the
// call with context.Canceled, keeps the last answer reachable, and sends
// nothing more.
func TestCancelDuringBackoff(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		code   string
	}{
		{"backoff", http.StatusServiceUnavailable, "APIGW.0613"},
		{"throttle wait", http.StatusTooManyRequests, "APIGW.0308"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, clk := newTestServer(t)
			srv.FailNext(10, tc.status, tc.code, "busy", http.Header{"Retry-After": {"20"}})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c, tr, _ := newTestClient(t, srv, hss.WithClock(cancellingClock{Clock: clk, cancel: cancel}))
			_, err := c.ListSyncTaskRegistries(ctx, testTask, nil)
			require.Error(t, err)
			assert.ErrorIs(t, err, context.Canceled)
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
			assert.Contains(t, err.Error(), "busy", "the error says what went wrong before")
			var ae *hss.APIError
			require.ErrorAs(t, err, &ae, "the last attempt's APIError stays reachable")
			assert.Equal(t, tc.status, ae.StatusCode)
			assert.Equal(t, 1, countOps(err.Error()))
			assert.Equal(t, 1, tr.Calls())
			assert.Empty(t, clk.Sleeps(), "the wait ended before it began")
		})
	}
}

// TestRetryBudgetBoundsAnOutage: 100 goroutines facing a service that
// always answers 503 send about one request each, not four: the
// client-wide budget runs dry. A call on its own still gets its attempts.
func TestRetryBudgetBoundsAnOutage(t *testing.T) {
	srv, _ := newTestServer(t)
	srv.FailNext(100000, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	c, tr, _ := newTestClient(t, srv)
	var wg sync.WaitGroup
	var budgetSpent, failed atomic.Int64
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
			if err == nil {
				return
			}
			failed.Add(1)
			var at *hss.AttemptsError
			if errors.As(err, &at) && strings.Contains(err.Error(), "retry budget is spent") {
				budgetSpent.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(100), failed.Load())
	assert.LessOrEqual(t, tr.Calls(), 150, "the outage is not multiplied by MaxAttempts")
	assert.GreaterOrEqual(t, tr.Calls(), 100)
	assert.Positive(t, budgetSpent.Load(), "calls say the budget ran out")

	alone, tr2, _ := newTestClient(t, srv)
	_, err := alone.ListSyncTaskRegistries(context.Background(), testTask, nil)
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, hss.DefaultMaxAttempts, at.Attempts)
	assert.Equal(t, hss.DefaultMaxAttempts, tr2.Calls())
}

// TestRetryBudgetRefills: successes give the budget back, so retries
// resume once the service recovers.
func TestRetryBudgetRefills(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 1))
	c, tr, _ := newTestClient(t, srv, hss.WithRetryPolicy(hss.RetryPolicy{RetryBudget: 10}))
	ctx := context.Background()

	// Two retries drain 10 tokens; the third cannot be paid for.
	srv.FailNext(3, http.StatusServiceUnavailable, "", "down")
	_, err := c.ListSyncTaskRegistries(ctx, testTask, nil)
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Contains(t, err.Error(), "retry budget is spent")
	assert.Equal(t, 3, tr.Calls())

	srv.FailNext(1, http.StatusServiceUnavailable, "", "down")
	_, err = c.ListSyncTaskRegistries(ctx, testTask, nil)
	require.ErrorAs(t, err, &at, "an empty budget allows no retry")
	assert.Equal(t, 1, at.Attempts)

	// Five successes give back five tokens: one retry's worth.
	for range 5 {
		_, err := c.ListSyncTaskRegistries(ctx, testTask, nil)
		require.NoError(t, err)
	}
	srv.FailNext(1, http.StatusServiceUnavailable, "", "down")
	_, err = c.ListSyncTaskRegistries(ctx, testTask, nil)
	require.NoError(t, err, "the refilled budget pays for a retry")
}

// TestRetryBudgetAtItsLargest: the largest budget NewClient accepts
// still pays for retries after a success.
func TestRetryBudgetAtItsLargest(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 1))
	_, err := srv.NewClient(hss.WithRetryPolicy(hss.RetryPolicy{RetryBudget: math.MaxInt}))
	var ve *hss.ValidationError
	require.ErrorAs(t, err, &ve, "a budget past 1,000,000 is refused")
	assert.Equal(t, "RetryPolicy.RetryBudget", ve.Field)

	c, tr, _ := newTestClient(t, srv, hss.WithRetryPolicy(hss.RetryPolicy{RetryBudget: 1000000}))
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	srv.FailNext(1, http.StatusServiceUnavailable, "", "down")
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err, "a success must not wrap the budget around")
	assert.Equal(t, 3, tr.Calls())
}

// renewingCredentials hands out token n until told the token failed.
type renewingCredentials struct {
	mu          sync.Mutex
	tokens      []string
	current     int
	invalidated []string
}

func (r *renewingCredentials) Retrieve(context.Context) (credentials.Value, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return credentials.Value{Token: r.tokens[r.current], Source: "test"}, nil
}

func (r *renewingCredentials) Invalidate(failed credentials.Value) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.invalidated = append(r.invalidated, failed.Token)
	if failed.Token == r.tokens[r.current] && r.current+1 < len(r.tokens) {
		r.current++
	}
}

// TestTokenRenewedOnce: 401 APIGW.0307 makes the client invalidate the
// token that failed and retry once with a fresh one; a 0307 after which the
// source hands out the same token is final at once, with no retry.
func TestTokenRenewedOnce(t *testing.T) {
	srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1), hsstest.WithToken("MIIE-fresh-token"))
	creds := &renewingCredentials{tokens: []string{"MIIE-revoked-token", "MIIE-fresh-token"}}
	srv.FailNext(1, http.StatusUnauthorized, "APIGW.0307", "The token must be updated.")
	c, tr, _ := newTestClient(t, srv, hss.WithCredentials(creds))
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"MIIE-revoked-token"}, creds.invalidated)
	assert.Equal(t, 2, tr.Calls())
	assert.Empty(t, clk.Sleeps(), "a renewal is not a backoff")

	srv.FailNext(2, http.StatusUnauthorized, "APIGW.0307", "The token must be updated.")
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.Error(t, err)
	assert.True(t, hss.IsAuthError(err))
	var ae *hss.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "APIGW.0307", ae.Code)
	assert.Equal(t, 3, tr.Calls(), "no new token: not sent again")
	assert.Equal(t, []string{"MIIE-revoked-token", "MIIE-fresh-token"}, creds.invalidated)
	assert.Equal(t, 1, srv.PendingFaults())
	assertNoSecret(t, err, "MIIE-fresh-token", "MIIE-revoked-token")
}
