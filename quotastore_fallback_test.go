// A QuotaStore that fails or is slow never fails a call: the Client paces
// on its own, warns at most once a minute, and returns to the store.
package hss_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
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

// deafStore is a QuotaStore in memory that takes sleep to answer and
// ignores its context meanwhile, as a store with a blocking client might.
type deafStore struct {
	inner      hss.QuotaStore
	sleep      atomic.Int64 // a time.Duration
	calls, out atomic.Int64 // calls made; calls not answered yet
	maxOut     atomic.Int64 // the most calls out at once
}

func (s *deafStore) CompareAndSwap(ctx context.Context, key string, old, next []byte, ttl time.Duration) ([]byte, bool, error) {
	s.calls.Add(1)
	n := s.out.Add(1)
	defer s.out.Add(-1)
	for m := s.maxOut.Load(); n > m && !s.maxOut.CompareAndSwap(m, n); m = s.maxOut.Load() {
	}
	time.Sleep(time.Duration(s.sleep.Load()))
	return s.inner.CompareAndSwap(context.WithoutCancel(ctx), key, old, next, ttl)
}

// TestQuotaStoreThatIgnoresItsContext: a store that takes 2 s and ignores
// its context does not hold a call past QuotaStoreTimeout, nor fail it: the
// Client gives up waiting at the bound, paces on its own, warns once, and
// leaves the store alone for a second. One call of a key at most is out at
// a time, however many calls come while the store hangs; its late answer is
// dropped, and once the store answers in time the Client uses it again.
// A call whose context ends as the bound passes counts the slowness too.
func TestQuotaStoreThatIgnoresItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := hsstest.NewServer(hsstest.WithInMemoryNetwork(), hsstest.WithSeed("task", 30))
		defer srv.Close()
		store := &deafStore{inner: hss.NewMemoryQuotaStore()}
		store.sleep.Store(int64(2 * time.Second))
		defer time.Sleep(2 * time.Hour) // whatever fails, the store's calls end within the bubble
		var logs bytes.Buffer
		var mu sync.Mutex
		logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelWarn}))
		client := srv.Client(t, hss.WithQuotaStore(store), hss.WithLogger(logger))
		warnings := func() int {
			mu.Lock()
			defer mu.Unlock()
			return strings.Count(logs.String(), "quota store failed")
		}

		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		start := time.Now()
		_, err := client.ListSyncTaskRegistries(ctx, "task", nil)
		cancel()
		require.NoError(t, err, "a slow store never fails a call")
		assert.Equal(t, hss.QuotaStoreTimeout, time.Since(start), "the call waits for the store no longer than the bound")
		assert.Equal(t, int64(1), store.calls.Load())
		assert.Equal(t, 1, warnings())
		mu.Lock()
		assert.Contains(t, logs.String(), "did not answer within 100ms")
		mu.Unlock()

		// Calls every 300 ms while the store hangs for an hour: the first
		// call out is still out, so none other is made, and no call waits.
		store.sleep.Store(int64(time.Hour))
		time.Sleep(2 * time.Second) // the first call answers (late, dropped)
		synctest.Wait()
		_, err = client.ListSyncTaskRegistries(context.Background(), "task", nil)
		require.NoError(t, err)
		require.Equal(t, int64(2), store.calls.Load(), "a second later the store is asked again")
		for range 20 {
			time.Sleep(300 * time.Millisecond)
			start := time.Now()
			_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
			require.NoError(t, err)
			assert.LessOrEqual(t, time.Since(start), hss.QuotaStoreTimeout)
		}
		assert.Equal(t, int64(2), store.calls.Load(), "no call while the last one is out")
		assert.Equal(t, int64(1), store.maxOut.Load(), "one call out at a time")
		assert.Equal(t, 1, warnings(), "one warning a minute at most")

		// The hung call answers; the store answers in time again, and the
		// Client goes back to it.
		store.sleep.Store(0)
		time.Sleep(time.Hour)
		synctest.Wait()
		calls := store.calls.Load()
		_, err = client.ListSyncTaskRegistries(context.Background(), "task", nil)
		require.NoError(t, err)
		assert.Greater(t, store.calls.Load(), calls, "back to the store")

		// A call whose context ends just as the bound passes: the store's
		// slowness is counted all the same, and the next call leaves it alone.
		store.sleep.Store(int64(2 * time.Second))
		time.Sleep(2 * time.Minute)
		ctx, cancel = context.WithTimeout(context.Background(), hss.QuotaStoreTimeout)
		calls = store.calls.Load()
		_, _ = client.ListSyncTaskRegistries(ctx, "task", nil)
		cancel()
		assert.Equal(t, calls+1, store.calls.Load())
		assert.Equal(t, 2, warnings(), "the slowness counted though the call's context ended")
		_, err = client.ListSyncTaskRegistries(context.Background(), "task", nil)
		require.NoError(t, err)
		assert.Equal(t, calls+1, store.calls.Load(), "a failed store is left alone for a second")
	})
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
			assert.True(t, strings.HasSuffix(key, "/GET /v5/%7Bproject_id%7D/image/image-sync/tasks/%7Btask_id%7D/registries"), key)
			assert.NotContains(t, key, tc.secret)
			assert.False(t, strings.ContainsAny(key, "{}"), "no Redis Cluster hash tag: %s", key)
			assert.LessOrEqual(t, len(key), hss.MaxQuotaKeyLen)
		})
	}
}

// TestQuotaStoreKeyWithinLimit: whatever the endpoint's host, the project
// id (up to 256 characters, any of them), the identity and the route, a
// key is printable ASCII without braces (Redis Cluster would read a hash
// tag in them), at most MaxQuotaKeyLen bytes, holds no secret, and tells
// different quotas apart; a short key stays readable.
func TestQuotaStoreKeyWithinLimit(t *testing.T) {
	label := strings.Repeat("h", 63)
	hosts := []string{"hss.cn-north-4.myhuaweicloud.com", label + "." + label + "." + label + "." + strings.Repeat("h", 61)}
	projects := []string{"0123456789abcdef0123456789abcdef", strings.Repeat("p", 256), strings.Repeat("项", 256), strings.Repeat("{", 256)}
	const sk = "sk-very-secret-key-1234"
	idents := []credentials.Value{
		{Token: "a-very-secret-token"},
		{AccessKey: "AKIDEXAMPLE", SecretKey: sk},
		{AccessKey: strings.Repeat("A", 128), SecretKey: sk},
	}
	routes := []string{
		"GET /v5/{project_id}/image/image-sync/tasks/{task_id}/registries",
		"POST /v5/{project_id}/" + strings.Repeat("word/{id}/", 100) + "end",
		"GET /v5/{项目}/x",
	}
	seen := map[string]string{}
	for _, host := range hosts {
		for _, project := range projects {
			c, err := hss.NewClient("https://"+host, project, hss.WithToken("t"))
			require.NoError(t, err, "host %d bytes, project %q", len(host), project)
			for _, v := range idents {
				for _, route := range routes {
					what := fmt.Sprintf("host %.20s (%d), project %.12s (%d), identity %.14s (%d), route %.30s (%d)",
						host, len(host), project, len(project), v.AccessKey+v.Token, len(v.AccessKey+v.Token), route, len(route))
					key := hss.QuotaStoreKey(c, v, route)
					assert.LessOrEqual(t, len(key), hss.MaxQuotaKeyLen, what)
					assert.True(t, strings.HasPrefix(key, "hss/1/"), what)
					assert.False(t, strings.ContainsAny(key, "{}"), "%s: %s", what, key)
					for i := 0; i < len(key); i++ {
						require.True(t, key[i] >= 0x20 && key[i] <= 0x7e, "%s: byte %d of %q", what, i, key)
					}
					assert.NotContains(t, key, sk, what)
					assert.NotContains(t, key, "a-very-secret-token", what)
					assert.Equal(t, key, hss.QuotaStoreKey(c, v, route), "the same parts, the same key")
					if other, dup := seen[key]; dup {
						t.Errorf("%s and %s share the key %s", what, other, key)
					}
					seen[key] = what
				}
			}
		}
	}
	c, err := hss.NewClient("https://HSS.cn-north-4.myhuaweicloud.com", "0123456789abcdef0123456789abcdef", hss.WithToken("t"))
	require.NoError(t, err)
	assert.Equal(t, "hss/1/hss.cn-north-4.myhuaweicloud.com/0123456789abcdef0123456789abcdef/ak:AKIDEXAMPLE/GET /v5/%7Bproject_id%7D/image/image-sync/tasks/%7Btask_id%7D/registries",
		hss.QuotaStoreKey(c, idents[1], routes[0]), "a short key is read as it is")
	key := hss.QuotaStoreKey(mustClient(t, "https://hss.cn-north-4.myhuaweicloud.com", "项项"), idents[0], routes[0])
	assert.True(t, strings.HasPrefix(key, "hss/1/hss.cn-north-4.myhuaweicloud.com/%E9%A1%B9%E9%A1%B9/token:"), "a non-ASCII project, escaped: %s", key)
}

func mustClient(t *testing.T, endpoint, project string) *hss.Client {
	t.Helper()
	c, err := hss.NewClient(endpoint, project, hss.WithToken("t"))
	require.NoError(t, err)
	return c
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

// garbageStore answers every call, after a delay, with a value no Client
// wrote, and takes no change.
type garbageStore struct {
	delay time.Duration
	calls atomic.Int64
}

func (s *garbageStore) CompareAndSwap(ctx context.Context, _ string, _, _ []byte, _ time.Duration) ([]byte, bool, error) {
	s.calls.Add(1)
	time.Sleep(s.delay)
	return []byte("not a quota value"), false, nil
}

// TestQuotaStoreThatTakesNoChange: a store that answers each call in 90 ms
// with what no Client wrote, and takes no change, holds a call no longer
// than QuotaStoreTimeout a time, and counts as failed: 30 unthrottled
// pages take little more than they take without a store.
func TestQuotaStoreThatTakesNoChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := hsstest.NewServer(hsstest.WithInMemoryNetwork(), hsstest.WithSeed("task", 300))
		defer srv.Close()
		srv.SetLatency(70 * time.Millisecond)
		store := &garbageStore{delay: 90 * time.Millisecond}
		client := srv.Client(t, hss.WithQuotaStore(store))
		start := time.Now()
		assert.Equal(t, 300, listInPagesOf10(t, client))
		took := time.Since(start)
		t.Logf("30 pages in %s, %d store calls", took, store.calls.Load())
		assert.Less(t, took, 30*70*time.Millisecond+2*time.Second, "the store's refusals cost a bounded wait, then none while it counts as failed")
		assert.Less(t, store.calls.Load(), int64(20))
	})
}

// flappingStore fails every second call and answers the others from
// memory.
type flappingStore struct {
	inner hss.QuotaStore
	calls atomic.Int64
}

func (s *flappingStore) CompareAndSwap(ctx context.Context, key string, old, next []byte, ttl time.Duration) ([]byte, bool, error) {
	if s.calls.Add(1)%2 == 0 {
		return nil, false, errors.New("store down: connection reset")
	}
	return s.inner.CompareAndSwap(ctx, key, old, next, ttl)
}

// TestQuotaStoreThatFlaps: a store that fails every second call is no
// worse than one that is down: the Client does without it for longer each
// time it fails again within a minute, instead of switching between its
// own quota and the store's every other call, and every listing finishes.
func TestQuotaStoreThatFlaps(t *testing.T) {
	for run := range 4 {
		var actors []actor
		for range 4 {
			actors = append(actors, actor{pages: 10})
		}
		sc := scenario{name: fmt.Sprintf("4 Clients x 10 pages, a store that fails every second call, run %d", run),
			quota: gatewayQuota(5, time.Minute, hsstest.FixedWindow, false), latency: [2]time.Duration{50 * time.Millisecond, 90 * time.Millisecond},
			actors: actors}
		o := runScenario(t, sc, hss.WithQuotaStore(&flappingStore{inner: hss.NewMemoryQuotaStore()}))
		for i, err := range o.errs {
			require.NoError(t, err, "run %d, actor %d", run, i)
		}
		t.Logf("run %d: %s (least %s), %d requests, %d throttled", run, o.makespan(sc).Round(time.Second), o.least, o.requests, o.throttled)
	}
}

// TestQuotaStoreKeyOneSpellingPerHost: the spellings of one endpoint
// (case, a trailing dot, the scheme's default port) name one quota; another
// port names another.
func TestQuotaStoreKeyOneSpellingPerHost(t *testing.T) {
	v := credentials.Value{Token: "a-token-of-some-length"}
	key := func(endpoint string) string {
		return hss.QuotaStoreKey(mustClient(t, endpoint, "proj"), v, "GET /x")
	}
	want := key("https://gw.example.com")
	for _, same := range []string{"https://GW.Example.com", "https://gw.example.com.", "https://gw.example.com:443", "https://gw.example.com./hss"} {
		assert.Equal(t, want, key(same), same)
	}
	assert.NotEqual(t, want, key("https://gw.example.com:8443"))
	assert.Equal(t, key("http://127.0.0.1"), key("http://127.0.0.1:80"))
}
