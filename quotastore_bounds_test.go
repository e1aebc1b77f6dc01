// A QuotaStore, slow, refusing or hostile, holds a call no longer than
// QuotaStoreTimeout per operation, nor past the caller's context, takes
// back what a caller that stopped waiting booked, and never panics the
// Client, whatever value it holds.
package hss

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lateStore answers each CompareAndSwap, and its clock, after its delays,
// honouring ctx; refusing, it answers a value no Client wrote.
type lateStore struct {
	inner      QuotaStore
	delay      atomic.Int64 // of a CompareAndSwap
	clockDelay time.Duration
	refusing   bool
	calls      atomic.Int64
}

func (s *lateStore) CompareAndSwap(ctx context.Context, key string, old, next []byte, ttl time.Duration) ([]byte, bool, error) {
	s.calls.Add(1)
	if err := (realClock{}).Sleep(ctx, time.Duration(s.delay.Load())); err != nil {
		return nil, false, err
	}
	if s.refusing {
		return encodeQuota(&quotaState{gen: uint64(s.calls.Load())}, time.Now()), false, nil
	}
	return s.inner.CompareAndSwap(ctx, key, old, next, ttl)
}

// clockedLateStore is a lateStore with a clock.
type clockedLateStore struct{ *lateStore }

func (s clockedLateStore) Now(ctx context.Context) (time.Time, error) {
	if err := (realClock{}).Sleep(ctx, s.clockDelay); err != nil {
		return time.Time{}, err
	}
	return time.Now(), nil
}

// TestStoreOperationIsBoundAllTold: a store whose clock and every
// CompareAndSwap take 95 ms, and which takes no change, holds one
// operation QuotaStoreTimeout at most: the clock's read and the tries
// share the bound.
func TestStoreOperationIsBoundAllTold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := clockedLateStore{&lateStore{inner: NewMemoryQuotaStore(), clockDelay: 95 * time.Millisecond, refusing: true}}
		store.delay.Store(int64(95 * time.Millisecond))
		q := newRouteQuota(newQuotaLink(store, nil, realClock{}))
		start := time.Now()
		_, _, err := q.reserve(quotaScope{ctx: context.Background(), key: "k"}, time.Now(), time.Time{})
		require.NoError(t, err)
		assert.LessOrEqual(t, time.Since(start), QuotaStoreTimeout)
	})
}

// TestRouteQuotaWaitHeedsTheContext: while one caller's change waits for a
// slow store, a caller of the same route whose context ends stops waiting
// then, with its context's error.
func TestRouteQuotaWaitHeedsTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &lateStore{inner: NewMemoryQuotaStore()}
		store.delay.Store(int64(90 * time.Millisecond))
		q := newRouteQuota(newQuotaLink(store, nil, realClock{}))
		held := make(chan struct{})
		go func() {
			defer close(held)
			_, _, _ = q.reserve(quotaScope{ctx: context.Background(), key: "k"}, time.Now(), time.Time{})
		}()
		defer func() { <-held }()
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, _, err := q.reserve(quotaScope{ctx: ctx, key: "k"}, time.Now(), time.Time{})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 20*time.Millisecond, time.Since(start))
	})
}

// pacedClient returns a Client on store whose route "GET /x" paces a
// fleet's calls, the next slot at next.
func pacedClient(t *testing.T, store QuotaStore, next time.Time, opts ...Option) (*Client, *call, *routeQuota, quotaScope) {
	t.Helper()
	c, err := NewClient("https://hss.example.com", "proj", append([]Option{WithToken("tok"), WithQuotaStore(store)}, opts...)...)
	require.NoError(t, err)
	u, err := url.Parse("https://hss.example.com/v5/proj/x")
	require.NoError(t, err)
	cl := &call{method: "GET", u: u, route: "GET /x"}
	q := c.quotas.get(cl.route)
	sc := quotaScope{ctx: context.Background(), key: c.quotaKey(context.Background(), cl.route)}
	require.NotEmpty(t, sc.key)
	q.mu.Lock()
	q.apply(sc, time.Now(), func(st *quotaState) {
		st.window, st.share, st.spread, st.shared, st.next = time.Minute, 6, true, true, next
	})
	q.mu.Unlock()
	return c, cl, q, sc
}

// TestCancelledWaiterIsNotHeldForTheStore: a caller waiting for a paced
// slot returns as its context ends, not after the store took the slot
// back; the store has it back within the store's bound.
func TestCancelledWaiterIsNotHeldForTheStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &lateStore{inner: NewMemoryQuotaStore()}
		next := time.Now().Add(2 * time.Second)
		c, cl, q, sc := pacedClient(t, store, next)
		store.delay.Store(int64(90 * time.Millisecond))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.waitToSend(ctx, cl, q, quotaScope{ctx: ctx, key: sc.key}, &callState{})
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 300*time.Millisecond, time.Since(start), "returned as its context ended")
		time.Sleep(QuotaStoreTimeout)
		synctest.Wait()
		q.mu.Lock()
		defer q.mu.Unlock()
		assert.True(t, q.st.next.Equal(next), "the slot went back to the fleet: the next slot moved by %s", q.st.next.Sub(next))
	})
}

// TestGivingUpGivesTheSlotBack: callers that give up rather than wait for
// their paced slot (NoRetries) leave the fleet's next slot where it was.
func TestGivingUpGivesTheSlotBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := NewMemoryQuotaStore()
		next := time.Now().Add(time.Second)
		c, cl, q, sc := pacedClient(t, store, next, WithRetryPolicy(NoRetries()))
		for range 8 {
			_, err := c.waitToSend(context.Background(), cl, q, sc, &callState{})
			require.Error(t, err)
		}
		q.mu.Lock()
		defer q.mu.Unlock()
		assert.True(t, q.st.next.Equal(next), "the next slot moved by %s", q.st.next.Sub(next))
	})
}

// TestCancelledCallerIsNoStoreFailure: callers whose contexts ended before
// the store's clock was read leave a healthy store usable and trusted.
func TestCancelledCallerIsNoStoreFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		link := newQuotaLink(clockedLateStore{&lateStore{inner: NewMemoryQuotaStore()}}, nil, realClock{}).(*quotaLink)
		q := newRouteQuota(link)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		now := time.Now()
		q.passed(quotaScope{ctx: ctx, key: "k"}, now, quotaTicket{probe: true})
		q.passed(quotaScope{ctx: ctx, key: "k"}, now.Add(2*time.Second), quotaTicket{probe: true})
		usable, trusted := link.usable(now.Add(3 * time.Second))
		assert.True(t, usable)
		assert.True(t, trusted)
	})
}

// hangingClockStore's clock never answers, whatever its context says,
// until released.
type hangingClockStore struct {
	QuotaStore
	release chan struct{}
	reads   *atomic.Int64
}

func (s hangingClockStore) Now(context.Context) (time.Time, error) {
	s.reads.Add(1)
	<-s.release
	return time.Time{}, errors.New("released")
}

// TestHangingStoreClockHoldsOneGoroutine: a store clock that never
// answers holds one goroutine, however many routes and minutes ask.
func TestHangingStoreClockHoldsOneGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := hangingClockStore{QuotaStore: NewMemoryQuotaStore(), release: make(chan struct{}), reads: new(atomic.Int64)}
		defer close(store.release)
		link := newQuotaLink(store, nil, realClock{})
		now := time.Now()
		for round := range 3 {
			for r := range 8 {
				q := newRouteQuota(link)
				_, _, err := q.reserve(quotaScope{ctx: context.Background(), key: string(rune('a' + r))}, now.Add(time.Duration(round)*61*time.Second), time.Time{})
				require.NoError(t, err)
			}
		}
		assert.Equal(t, int64(1), store.reads.Load(), "reads of the store's clock out at once")
	})
}

// TestHostileStoredStatesNeverPanic: random stored values, the extremes of
// every field included, that read as valid run through every step of the
// algorithm without a panic, a negative wait or a wait of nothing.
func TestHostileStoredStatesNeverPanic(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	count := func() int64 {
		return []int64{0, 1, math.MaxInt64, math.MaxInt32, 1 << 30, rnd.Int64N(10), rnd.Int64()}[rnd.IntN(7)]
	}
	moment := func() time.Time {
		return []time.Time{{}, base.Add(time.Duration(rnd.Int64N(int64(time.Hour)))), base.Add(-time.Duration(rnd.Int64N(int64(time.Hour)))), time.Unix(0, 1)}[rnd.IntN(4)]
	}
	span := func() time.Duration {
		return []time.Duration{0, time.Nanosecond, time.Duration(rnd.Int64N(math.MaxInt64)), time.Duration(rnd.Int64N(int64(10 * time.Minute)))}[rnd.IntN(4)]
	}
	valid := 0
	for i := 0; i < 300000 && valid < 1500; i++ {
		st := quotaState{window: span() % (maxQuotaWindow + 1), limit: int(count()), share: float64(count()) * rnd.Float64(),
			spread: rnd.IntN(2) == 0, shared: rnd.IntN(2) == 0, sliding: rnd.IntN(2) == 0, probing: rnd.IntN(2) == 0,
			throttle: rnd.IntN(2) == 0, held: rnd.IntN(2) == 0, raising: rnd.IntN(2) == 0, probed: rnd.IntN(2) == 0,
			gate: moment(), probeEnd: moment(), fails: int(count()), next: moment(), winStart: moment(), gen: uint64(count()),
			epoch: uint64(count()), sent: int(count()), clean: int(count()), cut: moment(), changed: moment(), stride: 2 * rnd.Float64(),
			lastPass: moment(), turn: moment(), raiseFrom: moment(), raiseSent: int(count()), rtt: span(), rttVar: span()}
		st.recent.start, st.recent.width = moment(), span()
		for j := range st.recent.counts {
			st.recent.counts[j] = uint16(rnd.Uint32())
		}
		st.slow.limit, st.slow.out, st.slow.last = int32(rnd.IntN(65)), int32(count()), moment()
		s, ok := decodeQuota(encodeQuota(&st, base), base)
		if !ok {
			continue
		}
		valid++
		now := base.Add(time.Duration(rnd.Int64N(int64(2 * time.Hour))))
		e := &APIError{StatusCode: 429, Message: "limit:5,time:1 minute", RetryAfter: span() % MaxRetryAfter}
		for range 40 {
			now = now.Add(time.Duration(rnd.Int64N(int64(20 * time.Second))))
			r := s.reserve(now, time.Time{}, jitter)
			if r.wait < 0 || !r.ready && r.wait == 0 {
				t.Fatalf("state %+v: reserve gave %+v", st, r)
			}
			switch rnd.IntN(5) {
			case 0:
				s.throttled(now, r.ticket, e, rnd.IntN(2) == 0, jitter)
			case 1:
				s.passed(now, r.ticket)
			case 2:
				s.confirm(now, r.ticket)
			case 3:
				s.unbook(r.ticket)
			default:
				s.released(r.ticket)
			}
			if d, ok := decodeQuota(encodeQuota(&s, now), now); ok {
				s = d
			}
		}
	}
	assert.Greater(t, valid, 1000, "valid hostile states run")
}

// TestStoreErrorsNameTheBound: the store's errors name QuotaStoreTimeout
// as it is.
func TestStoreErrorsNameTheBound(t *testing.T) {
	assert.True(t, strings.HasSuffix(errQuotaStoreSlow.Error(), " "+QuotaStoreTimeout.String()))
	assert.True(t, strings.HasSuffix(errQuotaStoreRefuses.Error(), " "+QuotaStoreTimeout.String()))
}

// TestLongRetryAfterGateIsShared: a gate a Retry-After put two hours
// ahead holds every Client of the store, the one that heard it included,
// and still holds a Client that comes 41 minutes later: the value reads
// as valid, and its key lives past its gate, not only the ten minutes of
// a quiet quota.
func TestLongRetryAfterGateIsShared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := NewMemoryQuotaStore()
		a := newRouteQuota(newQuotaLink(store, nil, realClock{}))
		b := newRouteQuota(newQuotaLink(store, nil, realClock{}))
		sc := quotaScope{ctx: context.Background(), key: "k"}
		now := time.Now()
		r, _, err := a.reserve(sc, now, time.Time{})
		require.NoError(t, err)
		require.True(t, r.ready)
		a.throttled(sc, now, r.ticket, &APIError{StatusCode: 429, Code: "APIGW.0308", RetryAfter: 2 * time.Hour}, true)
		rb, _, err := b.reserve(sc, now.Add(time.Second), time.Time{})
		require.NoError(t, err)
		ra, _, err := a.reserve(sc, now.Add(2*time.Second), time.Time{})
		require.NoError(t, err)
		assert.False(t, rb.ready, "another Client")
		assert.False(t, ra.ready, "the Client that heard it")
		assert.Greater(t, ra.wait, time.Hour)

		time.Sleep(41 * time.Minute)
		late := newRouteQuota(newQuotaLink(store, nil, realClock{}))
		rl, _, err := late.reserve(sc, time.Now(), time.Time{})
		require.NoError(t, err)
		assert.False(t, rl.ready, "a Client that comes 41 minutes later")
	})
}

// slowMarked is the context value that makes a selectiveStore slow.
type slowMarked struct{}

// selectiveStore takes 90 ms, whatever its context says, for the calls
// whose context carries slowMarked, and calls onFast before the others.
type selectiveStore struct {
	inner  QuotaStore
	onFast func()
}

func (s *selectiveStore) CompareAndSwap(ctx context.Context, key string, old, next []byte, ttl time.Duration) ([]byte, bool, error) {
	if ctx.Value(slowMarked{}) != nil {
		time.Sleep(90 * time.Millisecond)
	} else if f := s.onFast; f != nil {
		s.onFast = nil
		f()
	}
	return s.inner.CompareAndSwap(context.WithoutCancel(ctx), key, old, next, ttl)
}

// keepBusy has n goroutines change q's stored state through 90 ms store
// calls until stop, as other callers' answers do.
func keepBusy(q *routeQuota, key string, n int, stop *atomic.Bool) {
	slow := quotaScope{ctx: context.WithValue(context.Background(), slowMarked{}, true), key: key}
	for range n {
		go func() {
			for !stop.Load() {
				q.mu.Lock()
				q.apply(slow, time.Now(), func(st *quotaState) { st.gen++ })
				q.mu.Unlock()
			}
		}()
	}
}

// TestGivingUpIsNotQueuedBehindOthers: a caller whose context ends just
// after its reservation, while other callers' store calls keep the route
// busy, returns as its context ends: neither what it reads of the route
// nor giving its slot back queues it behind them.
func TestGivingUpIsNotQueuedBehindOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &selectiveStore{inner: NewMemoryQuotaStore()}
		c, cl, q, sc := pacedClient(t, store, time.Now().Add(2*time.Second), WithRetryPolicy(NoRetries()))
		ctx, cancel := context.WithCancel(context.Background())
		var ended time.Time
		store.onFast = func() { time.AfterFunc(5*time.Millisecond, func() { ended = time.Now(); cancel() }) }
		var stop atomic.Bool
		keepBusy(q, sc.key, 3, &stop)
		time.Sleep(time.Millisecond)
		_, err := c.waitToSend(ctx, cl, q, quotaScope{ctx: ctx, key: sc.key}, &callState{})
		require.Error(t, err)
		returned := time.Now()
		stop.Store(true)
		assert.False(t, ended.IsZero())
		assert.LessOrEqual(t, returned.Sub(ended), 5*time.Millisecond, "held after its context ended")
		time.Sleep(time.Second) // the busy goroutines and the slot's return end
	})
}

// TestGivingBackHeedsTheContext: giving a booked slot back while other
// callers keep the route busy returns as the caller's context ends.
func TestGivingBackHeedsTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &selectiveStore{inner: NewMemoryQuotaStore()}
		c, _, q, sc := pacedClient(t, store, time.Now().Add(2*time.Second))
		var stop atomic.Bool
		keepBusy(q, sc.key, 3, &stop)
		time.Sleep(time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		defer cancel()
		r := reservation{booked: true, ticket: quotaTicket{at: time.Now().Add(time.Second)}}
		start := time.Now()
		c.unbook(q, quotaScope{ctx: ctx, key: sc.key}, &r)
		held := time.Since(start)
		stop.Store(true)
		assert.LessOrEqual(t, held, 5*time.Millisecond)
		time.Sleep(time.Second)
	})
}

// slowClockedStore's clock answers after 50 ms.
type slowClockedStore struct{ QuotaStore }

func (s slowClockedStore) Now(context.Context) (time.Time, error) {
	time.Sleep(50 * time.Millisecond)
	return time.Now(), nil
}

// TestFirstClockReadIsWaitedFor: while one route's call reads the store's
// clock for the first time, another route's call waits for that read and
// goes through the store, rather than past it on the Client's own quota.
func TestFirstClockReadIsWaitedFor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := NewMemoryQuotaStore()
		link := newQuotaLink(slowClockedStore{mem}, nil, realClock{})
		x, y := newRouteQuota(link), newRouteQuota(link)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _, _ = x.reserve(quotaScope{ctx: context.Background(), key: "x"}, time.Now(), time.Time{})
		}()
		time.Sleep(time.Millisecond)
		_, _, err := y.reserve(quotaScope{ctx: context.Background(), key: "y"}, time.Now(), time.Time{})
		require.NoError(t, err)
		<-done
		held, _, err := mem.CompareAndSwap(context.Background(), "y", []byte{1}, []byte{1}, time.Minute)
		require.NoError(t, err)
		assert.NotEmpty(t, held, "the store holds y's quota")
	})
}
