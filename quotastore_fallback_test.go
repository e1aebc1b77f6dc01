// A QuotaStore that fails or is slow never fails a call: the Client paces
// on its own, warns at most once a minute, and returns to the store.
package hss_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// flakyStore is a QuotaStore in memory that fails, or blocks until its
// context ends, while told to.
type flakyStore struct {
	inner   hss.QuotaStore
	fail    atomic.Bool
	block   atomic.Bool
	calls   atomic.Int64
	mu      sync.Mutex
	keys    []string
	timeout []time.Duration // the time each call was given
}

func (s *flakyStore) CompareAndSwap(ctx context.Context, key string, old, next []byte, ttl time.Duration) ([]byte, bool, error) {
	s.calls.Add(1)
	s.mu.Lock()
	s.keys = append(s.keys, key)
	if dl, ok := ctx.Deadline(); ok {
		s.timeout = append(s.timeout, time.Until(dl))
	}
	s.mu.Unlock()
	switch {
	case s.block.Load():
		<-ctx.Done()
		return nil, false, ctx.Err()
	case s.fail.Load():
		return nil, false, errors.New("store down: connection refused")
	}
	return s.inner.CompareAndSwap(ctx, key, old, next, ttl)
}

func TestQuotaStoreFailureNeverFailsACall(t *testing.T) {
	for _, mode := range []string{"failing", "slow"} {
		t.Run(mode, func(t *testing.T) {
			store := &flakyStore{inner: hss.NewMemoryQuotaStore()}
			clk := hsstest.NewClock(quotaStart())
			srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 300))
			defer srv.Close()
			var logs bytes.Buffer
			var mu sync.Mutex
			logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelWarn}))
			client := srv.Client(t, hss.WithQuotaStore(store), hss.WithLogger(logger))
			ctx := context.Background()

			_, err := client.ListSyncTaskRegistries(ctx, "task", nil)
			require.NoError(t, err)
			require.Positive(t, store.calls.Load(), "the store is used")

			if mode == "failing" {
				store.fail.Store(true)
			} else {
				store.block.Store(true)
			}
			for i := range 20 {
				_, err := client.ListSyncTaskRegistries(ctx, "task", &hss.ListSyncTaskRegistriesOptions{Offset: i * 10})
				require.NoError(t, err, "call %d", i)
			}
			mu.Lock()
			warnings := strings.Count(logs.String(), "quota store failed")
			mu.Unlock()
			assert.Equal(t, 1, warnings, "one warning: %s", logs.String())
			called := store.calls.Load()
			for range 5 {
				_, err := client.ListSyncTaskRegistries(ctx, "task", nil)
				require.NoError(t, err)
			}
			assert.Equal(t, called, store.calls.Load(), "a failed store is left alone for a while")

			// A second later the store is asked again; once it answers the
			// Client goes back to it, without another warning.
			store.fail.Store(false)
			store.block.Store(false)
			clk.Advance(time.Second)
			_, err = client.ListSyncTaskRegistries(ctx, "task", nil)
			require.NoError(t, err)
			assert.Greater(t, store.calls.Load(), called, "back to the store")
			// A minute on, a new failure warns again.
			clk.Advance(time.Minute)
			store.fail.Store(true)
			_, err = client.ListSyncTaskRegistries(ctx, "task", nil)
			require.NoError(t, err)
			mu.Lock()
			assert.Equal(t, 2, strings.Count(logs.String(), "quota store failed"))
			mu.Unlock()
			store.mu.Lock()
			for _, d := range store.timeout {
				assert.LessOrEqual(t, d, hss.QuotaStoreTimeout, "each store call is bounded")
			}
			store.mu.Unlock()
		})
	}
}

// TestQuotaStoreKey: a Client's keys name the endpoint's host, the project,
// the identity the gateway counts and the route, and hold no secret.
func TestQuotaStoreKey(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithSeed("task", 3), hsstest.WithAKSK("AKIDEXAMPLE", "sk-very-secret-key-1234"))
	defer srv.Close()
	for _, tc := range []struct {
		name     string
		opt      hss.Option
		identity string
		secret   string
	}{
		{"token", hss.WithToken(srv.Token()), "token:", srv.Token()},
		{"AK/SK", hss.WithAKSK("AKIDEXAMPLE", "sk-very-secret-key-1234"), "ak:AKIDEXAMPLE", "sk-very-secret-key-1234"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &flakyStore{inner: hss.NewMemoryQuotaStore()}
			client := srv.Client(t, tc.opt, hss.WithQuotaStore(store))
			_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
			require.NoError(t, err)
			store.mu.Lock()
			defer store.mu.Unlock()
			require.NotEmpty(t, store.keys)
			key := store.keys[0]
			host := strings.TrimPrefix(srv.URL(), "http://")
			assert.True(t, strings.HasPrefix(key, "hss/1/"+host+"/"+srv.ProjectID()+"/"+tc.identity), key)
			assert.True(t, strings.HasSuffix(key, "/GET /v5/{project_id}/image/image-sync/tasks/{task_id}/registries"), key)
			assert.NotContains(t, key, tc.secret)
			assert.LessOrEqual(t, len(key), hss.MaxQuotaKeyLen)
		})
	}
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
