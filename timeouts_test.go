// The Client's own timeouts (an attempt's, a credential fetch's): they end the attempt, and the error never reads as the caller's deadline.
package hss_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// TestBodyStallsPastTheAttemptTimeout: a body that stops mid-way ends the
// attempt when its time runs out, with an error that says so once.
func TestBodyStallsPastTheAttemptTimeout(t *testing.T) {
	srv, _ := newTestServer(t)
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Length", "100")
		_, _ = w.Write([]byte(`{"total_num":`))
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
		return true
	})
	c, _, _ := newTestClient(t, srv, hss.WithAttemptTimeout(50*time.Millisecond), hss.WithRetryPolicy(hss.NoRetries()))
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.ErrorIs(t, err, hss.ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end")
	assert.Contains(t, err.Error(), "registries: reading the answer: attempt timed out after 50ms (request id ")
	assert.NotContains(t, err.Error(), "deadline exceeded", "said once, in its own words")
}

// TestServerNeverAnswers: a server that holds every request makes each
// attempt run out of its own time (1ns here: past before anything is
// sent, so no real time is waited on). The test asserts only what the
// client observed, never the server's count of requests, which races the
// client giving up.
func TestServerNeverAnswers(t *testing.T) {
	srv, clk := newTestServer(t)
	srv.HangNext(100)
	c, tr, _ := newTestClient(t, srv, hss.WithAttemptTimeout(time.Nanosecond))
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.Error(t, err)
	assertNoSecret(t, err, srv.Token())
	assert.ErrorIs(t, err, hss.ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end")
	assert.Contains(t, err.Error(), "attempt timed out after 1ns")
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, hss.DefaultMaxAttempts, at.Attempts)
	assert.Equal(t, hss.DefaultMaxAttempts, tr.Calls())
	assert.Len(t, clk.Sleeps(), hss.DefaultMaxAttempts-1)
	assert.Equal(t, 1, countOps(err.Error()))
}

// TestAttemptTimeoutBesideHTTPClientTimeout: given WithAttemptTimeout and
// an http.Client with a Timeout, each attempt ends at the shorter of the
// two, whichever it is; without WithAttemptTimeout, the http.Client's
// Timeout replaces the default. The test reads the deadline each attempt's
// request carries, so no time is waited on.
func TestAttemptTimeoutBesideHTTPClientTimeout(t *testing.T) {
	for _, tc := range []struct {
		name string
		hc   time.Duration
		opts []hss.Option
		want time.Duration
	}{
		{"WithAttemptTimeout is shorter", time.Hour, []hss.Option{hss.WithAttemptTimeout(time.Minute)}, time.Minute},
		{"the http.Client's is shorter", time.Minute, []hss.Option{hss.WithAttemptTimeout(time.Hour)}, time.Minute},
		{"the http.Client's replaces the default", 2 * time.Hour, nil, 2 * time.Hour},
		{"WithAttemptTimeout(0) leaves the http.Client's", time.Hour, []hss.Option{hss.WithAttemptTimeout(0)}, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 1))
			var left atomic.Int64
			tr := &countingTransport{next: srv.HTTPClient().Transport, inject: func(_ int64, r *http.Request) (*http.Response, bool, error) {
				if deadline, ok := r.Context().Deadline(); ok {
					left.Store(int64(time.Until(deadline)))
				}
				return nil, false, nil
			}}
			c := srv.Client(t, append([]hss.Option{hss.WithHTTPClient(&http.Client{Transport: tr, Timeout: tc.hc})}, tc.opts...)...)
			_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
			require.NoError(t, err)
			got := time.Duration(left.Load())
			assert.LessOrEqual(t, got, tc.want)
			assert.Greater(t, got, tc.want-time.Minute/2, "the attempt's deadline is the shorter bound's")
		})
	}

	// The shorter WithAttemptTimeout ends the attempt, and the error says so.
	srv, _ := newTestServer(t)
	tr := &countingTransport{next: srv.HTTPClient().Transport, inject: func(_ int64, r *http.Request) (*http.Response, bool, error) {
		if deadline, ok := r.Context().Deadline(); !ok || time.Until(deadline) > time.Minute {
			return nil, true, errors.New("the attempt has no bound shorter than the http.Client's")
		}
		<-r.Context().Done()
		return nil, true, r.Context().Err()
	}}
	c := srv.Client(t, hss.WithHTTPClient(&http.Client{Transport: tr, Timeout: time.Hour}),
		hss.WithAttemptTimeout(time.Nanosecond), hss.WithRetryPolicy(hss.NoRetries()))
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.ErrorIs(t, err, hss.ErrAttemptTimeout)
	assert.Contains(t, err.Error(), "attempt timed out after 1ns")
}

// TestCredentialFetchTimeoutIsNotCallerDeadline: a credential
// source that hangs (an IAM or ECS metadata endpoint that never answers)
// runs out of the fetch's own time (credentials.Cache's FetchTimeout). The
// caller's context has not ended, so the call's error must not be
// context.DeadlineExceeded, and such an error is retried like a
// connection error: the source is asked again.
func TestCredentialFetchTimeoutIsNotCallerDeadline(t *testing.T) {
	clk := hsstest.NewClock(time.Now())
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 1))
	defer srv.Close()
	var fetches atomic.Int32
	hanging := providerFunc(func(ctx context.Context) (credentials.Value, error) {
		fetches.Add(1)
		<-ctx.Done() // the source never answers; the fetch's own timeout ends it
		return credentials.Value{}, &credentials.Error{Source: "vault", Err: ctx.Err()}
	})
	// The timeout is the fetch's own: it ends however fast the machine is.
	cache := credentials.NewCache(hanging, &credentials.CacheOptions{FetchTimeout: time.Millisecond, Now: clk.Now})
	client := srv.Client(t, hss.WithCredentials(cache))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard only
	defer cancel()
	_, err := client.ListSyncTaskRegistries(ctx, "task", nil)
	require.Error(t, err)
	require.NoError(t, ctx.Err(), "the caller's context is alive")
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end: %v", err)
	var ae *hss.AttemptsError
	require.ErrorAs(t, err, &ae, "a hanging source is retried like a connection timeout")
	assert.Equal(t, hss.DefaultMaxAttempts, ae.Attempts)
	assert.GreaterOrEqual(t, fetches.Load(), int32(1), "the Cache asks again once its backoff allows")
	assert.Empty(t, srv.Requests(), "nothing reached the service")
}
