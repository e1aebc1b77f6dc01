package hss_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// advProvider is a credentials.Provider made of a function.
type advProvider func(ctx context.Context) (credentials.Value, error)

func (f advProvider) Retrieve(ctx context.Context) (credentials.Value, error) { return f(ctx) }

// TestAdversarialCredentialFetchTimeoutIsNotCallerDeadline: a credential
// source that hangs (an IAM or ECS metadata endpoint that never answers)
// runs out of the fetch's own time (credentials.Cache's FetchTimeout). The
// caller's context has not ended, so the call's error must not be
// context.DeadlineExceeded, and the Credentials contract says such an
// error "is retried like a connection error": the source is asked again.
func TestAdversarialCredentialFetchTimeoutIsNotCallerDeadline(t *testing.T) {
	clk := hsstest.NewClock(time.Now())
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 1))
	defer srv.Close()
	var fetches atomic.Int32
	hanging := advProvider(func(ctx context.Context) (credentials.Value, error) {
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
	assert.Greater(t, fetches.Load(), int32(1), "a hanging source is retried like a connection timeout")
	assert.Empty(t, srv.Requests(), "nothing reached the service")
}

// TestAdversarialWaitSyncTaskDeadlineNamesOperation: when WaitSyncTask
// stops because its next poll would pass the deadline (or the context ends
// while it waits), its error must read like every other way a call ends: a
// *RequestError naming the operation once and carrying the request id of
// the last answer (the last poll's), as the iterator's ErrIncompletePage
// does.
func TestAdversarialWaitSyncTaskDeadlineNamesOperation(t *testing.T) {
	clk := hsstest.NewClock(time.Now())
	srv := hsstest.NewServer(hsstest.WithClock(clk))
	defer srv.Close()
	srv.AddRegistries("task", hsstest.Registry{RegistryName: "swr-a", RegistryType: hss.RegistryTypeSwrPrivate, SyncStatus: hss.SyncStatusRunning})
	client := srv.Client(t)

	// A real deadline, far enough that no busy machine reaches it.
	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(90*time.Minute))
	defer cancel()
	_, err := client.WaitSyncTask(ctx, "task", &hss.WaitOptions{Interval: time.Hour})
	require.ErrorIs(t, err, hss.ErrWaitPastDeadline)
	var re *hss.RequestError
	assert.True(t, errors.As(err, &re), "a wait that would pass the deadline is a *RequestError everywhere else: %T", err)
	msg := err.Error()
	assert.Equal(t, 1, strings.Count(msg, "GET /v5/"), "the operation, once: %s", msg)
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	assert.Contains(t, msg, "(request id "+reqs[len(reqs)-1].RequestID+")", "the last poll's request id")
}
