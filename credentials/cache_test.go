// Cache: refresh ahead of expiry, single-flight fetches, refusals, Invalidate and its options.
package credentials_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeSource is a Provider whose call n hands out AKn / sk-secret-n, valid
// for ttl (forever when ttl is 0) from clk's time at the call.
type fakeSource struct {
	clk     *hsstest.Clock
	ttl     time.Duration
	calls   atomic.Int32
	started chan int // each call's number, once its value is made
	hold    func(n int) *gate
	fail    func(n int) error
}

func newFakeSource(clk *hsstest.Clock, ttl time.Duration) *fakeSource {
	return &fakeSource{clk: clk, ttl: ttl, started: make(chan int, 1000)}
}

func (s *fakeSource) Retrieve(ctx context.Context) (credentials.Value, error) {
	n := int(s.calls.Add(1))
	v := credentials.Value{AccessKey: fmt.Sprintf("AK%d", n), SecretKey: fmt.Sprintf("sk-secret-%d", n), Source: "fake"}
	if s.ttl != 0 {
		v.Expires = s.clk.Now().Add(s.ttl)
	}
	s.started <- n
	if s.hold != nil {
		if g := s.hold(n); g != nil {
			select {
			case <-g.ch:
			case <-ctx.Done():
				return credentials.Value{}, ctx.Err()
			}
		}
	}
	if s.fail != nil {
		if err := s.fail(n); err != nil {
			return credentials.Value{}, err
		}
	}
	return v, nil
}

// cacheOptions puts a Cache on clk, with a fetch timeout no test run
// reaches.
func cacheOptions(clk *hsstest.Clock) *credentials.CacheOptions {
	return &credentials.CacheOptions{Now: clk.Now, FetchTimeout: time.Hour}
}

func ak(t *testing.T, c *credentials.Cache) string {
	t.Helper()
	return retrieve(t, c).AccessKey
}

// A value is handed out until it comes within RefreshBefore (15 minutes)
// of its expiry; then callers still get it at once while one background
// fetch replaces it.
func TestCacheRefreshesAheadOfExpiry(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, time.Hour)
	c := credentials.NewCache(src, cacheOptions(clk))

	assert.Equal(t, "AK1", ak(t, c))
	assert.Equal(t, "AK1", ak(t, c))
	clk.Advance(44 * time.Minute) // 16 minutes left
	assert.Equal(t, "AK1", ak(t, c))
	assert.EqualValues(t, 1, src.calls.Load())

	clk.Advance(2 * time.Minute) // 14 minutes left
	assert.Equal(t, "AK1", ak(t, c), "the valid value is served while the refresh runs")
	assert.Equal(t, 1, <-src.started)
	assert.Equal(t, 2, <-src.started, "the refresh started ahead of expiry")

	clk.Advance(15 * time.Minute) // AK1 has expired; AK2 lives until 1h46m
	assert.Equal(t, "AK2", ak(t, c))
	clk.Advance(29 * time.Minute)
	assert.Equal(t, "AK2", ak(t, c))
	assert.EqualValues(t, 2, src.calls.Load())
}

// A value that lives less than twice RefreshBefore is refreshed halfway
// through its life, not on every call.
func TestCacheShortLivedValues(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, 10*time.Minute)
	c := credentials.NewCache(src, cacheOptions(clk))
	assert.Equal(t, "AK1", ak(t, c))
	clk.Advance(4*time.Minute + 59*time.Second)
	assert.Equal(t, "AK1", ak(t, c))
	assert.EqualValues(t, 1, src.calls.Load())
	clk.Advance(time.Second)
	assert.Equal(t, "AK1", ak(t, c))
	<-src.started
	assert.Equal(t, 2, <-src.started)
	clk.Advance(5 * time.Minute)
	assert.Equal(t, "AK2", ak(t, c))
}

func TestCacheRefreshBeforeOption(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, time.Hour)
	opts := cacheOptions(clk)
	opts.RefreshBefore = time.Minute
	c := credentials.NewCache(src, opts)
	assert.Equal(t, "AK1", ak(t, c))
	clk.Advance(58*time.Minute + 59*time.Second)
	assert.Equal(t, "AK1", ak(t, c))
	assert.EqualValues(t, 1, src.calls.Load())
	clk.Advance(time.Second)
	assert.Equal(t, "AK1", ak(t, c))
	<-src.started
	assert.Equal(t, 2, <-src.started)
}

// callerKey tags the context of a Retrieve, so that the provider sees
// which caller started a fetch (Cache detaches the fetch from the caller's
// cancellation, not from its values).
type callerKey struct{}

// TestCacheHugeRefreshBeforeDoesNotRefreshEveryCall: a RefreshBefore of
// 2^62 ns (146 years) or more validates (it is not negative), and twice it
// overflows a time.Duration. A token with 24 hours to live must still not
// be refreshed on every Retrieve (one IAM login per call): the "refresh
// halfway through a short life" rule applies to it as to any other value.
// PasswordConfig.RefreshBefore takes the same path.
func TestCacheHugeRefreshBeforeDoesNotRefreshEveryCall(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	var mu sync.Mutex
	var startedBy []int
	provider := providerFunc(func(ctx context.Context) (credentials.Value, error) {
		mu.Lock()
		defer mu.Unlock()
		startedBy = append(startedBy, ctx.Value(callerKey{}).(int))
		return credentials.Value{Token: "tok-" + strings.Repeat("x", len(startedBy)), Expires: clk.Now().Add(24 * time.Hour), Source: "test"}, nil
	})
	cache := credentials.NewCache(provider, &credentials.CacheOptions{RefreshBefore: math.MaxInt64, Now: clk.Now})
	call := func(n int) credentials.Value {
		v, err := cache.Retrieve(context.WithValue(context.Background(), callerKey{}, n))
		require.NoError(t, err)
		return v
	}

	first := call(1) // fetches: nothing cached yet
	call(2)          // the cached token has 24 hours left: no fetch is due
	// Drop the first token, old enough for Invalidate to take it, and ask
	// again: this waits for a fetch, either the one call 3 starts or one
	// already in flight, so once it returns every fetch call 2 may have
	// started has reached the provider.
	clk.Advance(credentials.RefusalWindow)
	cache.Invalidate(first)
	call(3)

	mu.Lock()
	defer mu.Unlock()
	assert.NotContains(t, startedBy, 2, "call 2 started a refresh of a token with 24 hours to live (fetches started by calls %v)", startedBy)
}

type providerFunc func(ctx context.Context) (credentials.Value, error)

func (f providerFunc) Retrieve(ctx context.Context) (credentials.Value, error) { return f(ctx) }

// Values without an expiry are fetched once.
func TestCacheValuesWithoutExpiry(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, 0)
	c := credentials.NewCache(src, cacheOptions(clk))
	assert.Equal(t, "AK1", ak(t, c))
	clk.Advance(10 * 365 * 24 * time.Hour)
	assert.Equal(t, "AK1", ak(t, c))
	assert.EqualValues(t, 1, src.calls.Load())
}

// While a cached value is valid, a refresh that hangs never holds a
// caller up.
func TestCacheHangingRefreshDoesNotBlock(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, time.Hour)
	hang := newGate()
	t.Cleanup(hang.open)
	src.hold = func(n int) *gate {
		if n == 2 {
			return hang
		}
		return nil
	}
	c := credentials.NewCache(src, cacheOptions(clk))
	assert.Equal(t, "AK1", ak(t, c))
	<-src.started

	clk.Advance(50 * time.Minute)
	mustReturn(t, "Retrieve during a hanging refresh", func() {
		assert.Equal(t, "AK1", ak(t, c))
		assert.Equal(t, 2, <-src.started) // the refresh hangs from here on
		for range 10 {
			assert.Equal(t, "AK1", ak(t, c))
		}
	})
	assert.EqualValues(t, 2, src.calls.Load(), "one refresh, however many callers")

	hang.open()
	clk.Advance(10 * time.Minute) // AK1 has expired: callers wait for the refresh now
	assert.Equal(t, "AK2", ak(t, c))
}

// Invalidate drops the value that failed, once it is RefusalWindow old,
// but never a newer one: one revocation seen by many callers causes one
// fetch.
func TestCacheInvalidate(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, time.Hour)
	c := credentials.NewCache(src, cacheOptions(clk))
	first := retrieve(t, c)
	clk.Advance(credentials.RefusalWindow)

	c.Invalidate(credentials.Value{AccessKey: "AK9", SecretKey: "sk-secret-9"}) // not the cached one
	assert.Equal(t, "AK1", ak(t, c))

	stale := first
	stale.Expires, stale.Source = time.Time{}, "elsewhere" // the same credentials
	c.Invalidate(stale)
	assert.Equal(t, "AK2", ak(t, c))

	c.Invalidate(first) // stale: AK2 is kept
	c.Invalidate(credentials.Value{})
	assert.Equal(t, "AK2", ak(t, c))
	assert.EqualValues(t, 2, src.calls.Load())
}

// A refusal, and credentials that arrive already expired, are not asked
// for again for 30 seconds: callers get the same error meanwhile.
func TestCacheRemembersRefusals(t *testing.T) {
	refusals := map[string]error{
		"401":          &credentials.Error{Source: "fake", StatusCode: http.StatusUnauthorized, Code: "IAM.0004"},
		"404":          &credentials.Error{Source: "fake", StatusCode: http.StatusNotFound},
		"config error": &credentials.ConfigError{Source: "fake", Reason: "broken"},
		"expired":      fmt.Errorf("wrapped: %w", credentials.ErrExpired),
	}
	for name, refusal := range refusals {
		t.Run(name, func(t *testing.T) {
			clk := hsstest.NewClock(epoch)
			src := newFakeSource(clk, time.Hour)
			src.fail = func(int) error { return refusal }
			c := credentials.NewCache(src, cacheOptions(clk))
			for range 3 {
				_, err := c.Retrieve(context.Background())
				require.ErrorIs(t, err, refusal)
			}
			clk.Advance(29*time.Second + 999*time.Millisecond)
			_, err := c.Retrieve(context.Background())
			require.ErrorIs(t, err, refusal)
			assert.EqualValues(t, 1, src.calls.Load())

			clk.Advance(time.Millisecond)
			_, err = c.Retrieve(context.Background())
			require.ErrorIs(t, err, refusal)
			assert.EqualValues(t, 2, src.calls.Load())
		})
	}
}

// Other failures (a 503, a 429, a network error) may pass, but the source
// is not asked again at once: a failed fetch holds callers back, handing
// them its failure, for a backoff that grows from about a second to 30
// seconds as fetches keep failing (each wait between half its cap and its
// cap), and a success ends it.
func TestCacheBacksOffFailedFetches(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, time.Hour)
	var failing atomic.Bool
	failing.Store(true)
	outage := &credentials.Error{Source: "fake", StatusCode: http.StatusServiceUnavailable}
	src.fail = func(int) error {
		if failing.Load() {
			return outage
		}
		return nil
	}
	c := credentials.NewCache(src, cacheOptions(clk))
	ctx := context.Background()

	// 50 calls over 5 seconds: a handful of fetches, not 50.
	for range 50 {
		_, err := c.Retrieve(ctx)
		require.ErrorIs(t, err, outage)
		clk.Advance(100 * time.Millisecond)
	}
	assert.LessOrEqual(t, src.calls.Load(), int32(4), "fetches in 5 s of calls")

	// The backoff doubles, up to 30 s: from the sixth failure on, the
	// wait is 15 to 30 s.
	var err error
	for src.calls.Load() < 6 {
		clk.Advance(30 * time.Second)
		_, err = c.Retrieve(ctx)
		require.ErrorIs(t, err, outage)
	}
	fetches := src.calls.Load()
	for range 3 {
		clk.Advance(15*time.Second - time.Millisecond)
		_, err = c.Retrieve(ctx)
		require.ErrorIs(t, err, outage)
		assert.Equal(t, fetches, src.calls.Load(), "held back for half the cap at least")
		clk.Advance(15*time.Second + time.Millisecond)
		_, err = c.Retrieve(ctx)
		require.ErrorIs(t, err, outage)
		fetches++
		assert.Equal(t, fetches, src.calls.Load(), "asked again within the cap")
	}

	// A success ends the backoff: the next failure waits about a second.
	failing.Store(false)
	clk.Advance(30 * time.Second)
	v, err := c.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("AK%d", fetches+1), v.AccessKey)
	failing.Store(true)
	clk.Advance(time.Hour) // expired; nothing asked in between
	_, err = c.Retrieve(ctx)
	require.ErrorIs(t, err, outage)
	fetches += 2
	clk.Advance(500*time.Millisecond - time.Millisecond)
	_, err = c.Retrieve(ctx)
	require.ErrorIs(t, err, outage)
	assert.Equal(t, fetches, src.calls.Load())
	clk.Advance(500*time.Millisecond + time.Millisecond)
	_, err = c.Retrieve(ctx)
	require.ErrorIs(t, err, outage)
	assert.Equal(t, fetches+1, src.calls.Load(), "a second after, asked again")
}

// A source that asks to wait (IAM's 429 with Retry-After) is not asked
// again before then, up to 30 seconds.
func TestCacheBackoffHonoursRetryAfter(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, time.Hour)
	throttled := &credentials.Error{Source: "fake", StatusCode: http.StatusTooManyRequests, RetryAfter: 20 * time.Second}
	src.fail = func(n int) error {
		if n == 1 {
			return throttled
		}
		return nil
	}
	c := credentials.NewCache(src, cacheOptions(clk))
	_, err := c.Retrieve(context.Background())
	require.ErrorIs(t, err, throttled)
	clk.Advance(20*time.Second - time.Millisecond)
	_, err = c.Retrieve(context.Background())
	require.ErrorIs(t, err, throttled)
	clk.Advance(time.Millisecond)
	assert.Equal(t, "AK2", ak(t, c))
}

// Credentials that arrive already expired mean a wrong clock: an error
// that says so, wrapping ErrExpired.
func TestCacheExpiredOnArrival(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, -time.Minute)
	c := credentials.NewCache(src, cacheOptions(clk))
	_, err := c.Retrieve(context.Background())
	require.ErrorIs(t, err, credentials.ErrExpired)
	var ce *credentials.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "fake", ce.Source)
	assert.Contains(t, err.Error(), "2031-03-04T05:05:07Z")
	assert.Contains(t, err.Error(), "the clock says 2031-03-04T05:06:07Z")
	assertNoSecrets(t, err.Error(), "sk-secret-1")

	clk.Advance(20 * time.Second)
	_, err = c.Retrieve(context.Background())
	require.ErrorIs(t, err, credentials.ErrExpired)
	assert.EqualValues(t, 1, src.calls.Load())
}

// A background refresh that fails leaves the old value in use until it
// expires; then callers get the failure.
func TestCacheFailedRefreshKeepsValidValue(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, time.Hour)
	outage := &credentials.Error{Source: "fake", StatusCode: http.StatusServiceUnavailable}
	src.fail = func(n int) error {
		if n > 1 {
			return outage
		}
		return nil
	}
	c := credentials.NewCache(src, cacheOptions(clk))
	assert.Equal(t, "AK1", ak(t, c))
	<-src.started
	clk.Advance(50 * time.Minute)
	assert.Equal(t, "AK1", ak(t, c))
	assert.Equal(t, 2, <-src.started)
	clk.Advance(9 * time.Minute)
	assert.Equal(t, "AK1", ak(t, c))

	clk.Advance(2 * time.Minute)
	_, err := c.Retrieve(context.Background())
	require.ErrorIs(t, err, outage)
}

// Many callers with nothing cached wait for one fetch.
func TestCacheSingleFlight(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, time.Hour)
	g := newGate()
	t.Cleanup(g.open)
	src.hold = func(int) *gate { return g }
	c := credentials.NewCache(src, cacheOptions(clk))

	collect := concurrently(t, 50, func() (string, error) {
		v, err := c.Retrieve(context.Background())
		return v.AccessKey, err
	})
	<-src.started
	g.open()
	for _, k := range collect() {
		assert.Equal(t, "AK1", k)
	}
	assert.EqualValues(t, 1, src.calls.Load())
}

// A caller that gives up is released at once; the fetch goes on for the
// others, and its value is cached.
func TestCacheContextCancel(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, time.Hour)
	g := newGate()
	t.Cleanup(g.open)
	src.hold = func(int) *gate { return g }
	c := credentials.NewCache(src, cacheOptions(clk))

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := c.Retrieve(ctx); errc <- err }()
	<-src.started
	cancel()
	mustReturn(t, "a cancelled Retrieve", func() { assert.ErrorIs(t, <-errc, context.Canceled) })

	g.open()
	assert.Equal(t, "AK1", ak(t, c))
	assert.EqualValues(t, 1, src.calls.Load())

	// A context that has already ended still gets a valid cached value.
	v, err := c.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, "AK1", v.AccessKey)
}

// A Cache not made by NewCache, or around no provider, fails politely.
func TestCacheZeroValues(t *testing.T) {
	var nilCache *credentials.Cache
	for _, c := range []*credentials.Cache{nilCache, {}, credentials.NewCache(nil, nil)} {
		assert.NotPanics(t, func() {
			_, err := c.Retrieve(context.Background())
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
			c.Invalidate(credentials.Value{AccessKey: "x"})
		})
	}
}

// A Retrieve without a context is refused, not a panic.
func TestCacheNilContext(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	c := credentials.NewCache(newFakeSource(clk, time.Hour), cacheOptions(clk))
	assert.NotPanics(t, func() {
		//lint:ignore SA1012 a nil context must be refused, not panic
		_, err := c.Retrieve(nil)
		assert.Error(t, err)
	})
}

func TestCacheHandsBackProviderErrors(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, time.Hour)
	cause := errors.New("boom")
	src.fail = func(int) error { return cause }
	_, err := credentials.NewCache(src, cacheOptions(clk)).Retrieve(context.Background())
	assert.Equal(t, cause, err, "the provider's error is handed back as it is")
}

// A negative duration in CacheOptions is not taken for the default: every
// Retrieve fails with a *ConfigError naming the field, and the provider is
// never asked.
func TestCacheRefusesNegativeOptions(t *testing.T) {
	for field, opts := range map[string]credentials.CacheOptions{
		"RefreshBefore": {RefreshBefore: -time.Minute},
		"FetchTimeout":  {FetchTimeout: -time.Second},
	} {
		t.Run(field, func(t *testing.T) {
			src := newFakeSource(hsstest.NewClock(epoch), time.Hour)
			c := credentials.NewCache(src, &opts)
			for range 2 {
				_, err := c.Retrieve(context.Background())
				var ce *credentials.ConfigError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, "CacheOptions", ce.Source)
				assert.Equal(t, field, ce.Field)
				assert.Contains(t, ce.Error(), "must not be negative")
			}
			assert.Zero(t, src.calls.Load())
		})
	}
}

// invalidatingSource is a fakeSource that caches like a TokenSource: it
// hands out the same value until Invalidate drops it.
type invalidatingSource struct {
	*fakeSource
	mu          sync.Mutex
	cached      *credentials.Value
	invalidated []string // the access keys Invalidate was told of
}

func (s *invalidatingSource) Retrieve(ctx context.Context) (credentials.Value, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached == nil {
		v, err := s.fakeSource.Retrieve(ctx)
		if err != nil {
			return v, err
		}
		s.cached = &v
	}
	return *s.cached, nil
}

func (s *invalidatingSource) Invalidate(failed credentials.Value) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalidated = append(s.invalidated, failed.AccessKey)
	if s.cached != nil && s.cached.AccessKey == failed.AccessKey {
		s.cached = nil
	}
}

// A Cache passes Invalidate on to a provider that is an Invalidator, when
// it drops the value itself, so that the next fetch gets new credentials
// rather than the failed ones from the provider's own cache.
func TestCacheForwardsInvalidate(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := &invalidatingSource{fakeSource: newFakeSource(clk, time.Hour)}
	c := credentials.NewCache(src, cacheOptions(clk))
	first := retrieve(t, c)
	require.Equal(t, "AK1", first.AccessKey)

	c.Invalidate(first) // within RefusalWindow: kept, and not passed on
	assert.Equal(t, "AK1", ak(t, c))
	assert.Empty(t, src.invalidated)

	clk.Advance(credentials.RefusalWindow)
	c.Invalidate(first)
	assert.Equal(t, []string{"AK1"}, src.invalidated)
	assert.Equal(t, "AK2", ak(t, c), "the provider fetched anew")

	c.Invalidate(first) // stale: AK2 is kept, and nothing is passed on
	assert.Equal(t, []string{"AK1"}, src.invalidated)
	assert.Equal(t, "AK2", ak(t, c))
}
