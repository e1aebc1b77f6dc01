// The Client's own timeouts (an attempt's, a credential fetch's): they end the attempt, and the error never reads as the caller's deadline.
package hss_test

import (
	"context"
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
	srv, _ := coreServer(t)
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Length", "100")
		_, _ = w.Write([]byte(`{"total_num":`))
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
		return true
	})
	c, _, _ := coreClient(t, srv, hss.WithAttemptTimeout(50*time.Millisecond), hss.WithRetryPolicy(hss.NoRetries()))
	_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
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
	srv, clk := coreServer(t)
	srv.HangNext(100)
	c, tr, _ := coreClient(t, srv, hss.WithAttemptTimeout(time.Nanosecond))
	_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
	require.Error(t, err)
	coreNoSecret(t, err, srv.Token())
	assert.ErrorIs(t, err, hss.ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end")
	assert.Contains(t, err.Error(), "attempt timed out after 1ns")
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, hss.DefaultMaxAttempts, at.Attempts)
	assert.Equal(t, hss.DefaultMaxAttempts, tr.Calls())
	assert.Len(t, clk.Sleeps(), hss.DefaultMaxAttempts-1)
	assert.Equal(t, 1, coreOpCount(err.Error()))
}

// providerFunc is a credentials.Provider made of a function.
type providerFunc func(ctx context.Context) (credentials.Value, error)

func (f providerFunc) Retrieve(ctx context.Context) (credentials.Value, error) { return f(ctx) }

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
