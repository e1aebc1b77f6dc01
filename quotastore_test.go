// Tests of the in-memory QuotaStore, by the suite every store passes.
package hss_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/internal/quotastoretest"
)

func TestMemoryQuotaStore(t *testing.T) {
	shared := hss.NewMemoryQuotaStore()
	quotastoretest.Run(t, func(*testing.T) hss.QuotaStore { return shared })
}

// TestQuotaStoreFleet: ten Clients that share one QuotaStore pace as one
// Client: they all finish near the least time the quota allows, and few of
// their calls are throttled (without the store, each finds the quota by
// collision).
func TestQuotaStoreFleet(t *testing.T) {
	var actors []actor
	for range 10 {
		actors = append(actors, actor{pages: 10})
	}
	for _, ra := range []bool{false, true} {
		sc := scenario{name: fmt.Sprintf("10 Clients x 10 pages, one store, 5 a minute, Retry-After %v", ra),
			quota: gatewayQuota(5, time.Minute, hsstest.FixedWindow, ra), latency: [2]time.Duration{50 * time.Millisecond, 90 * time.Millisecond},
			actors: actors}
		t.Run(sc.name, func(t *testing.T) {
			o := runScenario(t, sc, hss.WithQuotaStore(clockedStore{hss.NewMemoryQuotaStore()}))
			for i, err := range o.errs {
				require.NoError(t, err, "actor %d", i)
			}
			ratio := float64(o.makespan(sc)) / float64(o.least)
			share := float64(o.throttled) / float64(o.requests)
			t.Logf("| %s | %s (%s) | %.2f | %d | %.0f%% |", sc.name, o.makespan(sc).Round(time.Second), o.least.Round(time.Second), ratio, o.requests, 100*share)
			assert.LessOrEqual(t, ratio, 1.2, "%s", o)
			assert.LessOrEqual(t, share, 0.10, "%s", o)
		})
	}
}

// clockedStore is a QuotaStore with a clock of its own: the bubble's.
type clockedStore struct{ hss.QuotaStore }

func (clockedStore) Now(context.Context) (time.Time, error) { return time.Now(), nil }

// offsetClock is a host's clock, off from the bubble's by off.
type offsetClock struct{ off time.Duration }

func (c offsetClock) Now() time.Time { return time.Now().Add(c.off) }

func (c offsetClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestQuotaStoreFleetOnSkewedClocks: four Clients on hosts whose clocks
// differ by up to a minute share one store that has a clock of its own
// (QuotaStoreClock, as redisquota's): they read one another's times on the
// store's clock and pace as one, as a fleet on one clock does.
func TestQuotaStoreFleetOnSkewedClocks(t *testing.T) {
	for _, offsets := range [][]time.Duration{{0, 0, 0, 0}, {0, time.Second, -500 * time.Millisecond, 200 * time.Millisecond}, {0, 30 * time.Second, -30 * time.Second, 2 * time.Second}} {
		var actors []actor
		for _, off := range offsets {
			actors = append(actors, actor{pages: 10, opts: []hss.Option{hss.WithClock(offsetClock{off})}})
		}
		sc := scenario{name: fmt.Sprintf("4 Clients x 10 pages, one store with a clock, 5 a minute, clocks off by %v", offsets),
			quota: gatewayQuota(5, time.Minute, hsstest.FixedWindow, false), latency: [2]time.Duration{50 * time.Millisecond, 90 * time.Millisecond},
			actors: actors}
		t.Run(sc.name, func(t *testing.T) {
			o := runScenario(t, sc, hss.WithQuotaStore(clockedStore{hss.NewMemoryQuotaStore()}))
			for i, err := range o.errs {
				require.NoError(t, err, "actor %d", i)
			}
			ratio := float64(o.makespan(sc)) / float64(o.least)
			share := float64(o.throttled) / float64(o.requests)
			t.Logf("| %s | %s (%s) | %.2f | %d | %.0f%% |", sc.name, o.makespan(sc).Round(time.Second), o.least.Round(time.Second), ratio, o.requests, 100*share)
			assert.LessOrEqual(t, ratio, 1.2, "%s", o)
			assert.LessOrEqual(t, share, 0.10, "%s", o)
		})
	}
}

// TestFakeClockBesideAStoreClock: a Client on hsstest's fake clock, which
// leaps ahead of the wall clock at every wait, shares a store whose clock
// is the wall's: a paced listing of 30 pages at 5 a minute ends near its
// least time on the fake clock, reading the store's clock once (measured
// again each minute, the offset would move every shared time by the leap,
// and the Client's booked slots would never come).
func TestFakeClockBesideAStoreClock(t *testing.T) {
	start := quotaStart()
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 300),
		hsstest.WithQuota(hsstest.Quota{Limit: 5, Window: time.Minute, NoRetryAfter: true}))
	defer srv.Close()
	store := &countingClockStore{QuotaStore: hss.NewMemoryQuotaStore()}
	client := srv.Client(t, hss.WithClock(clk), hss.WithQuotaStore(store))
	pages := 0
	for _, err := range client.ListSyncTaskRegistriesPages(context.Background(), "task", &hss.ListSyncTaskRegistriesOptions{Limit: 10}) {
		require.NoError(t, err)
		pages++
	}
	assert.Equal(t, 30, pages)
	assert.Less(t, clk.Now().Sub(start), 9*time.Minute, "the least is 5 minutes")
	assert.Equal(t, int64(1), store.reads.Load(), "reads of the store's clock")
}

// countingClockStore is a QuotaStore with the wall's clock, which counts
// its reads.
type countingClockStore struct {
	hss.QuotaStore
	reads atomic.Int64
}

func (s *countingClockStore) Now(context.Context) (time.Time, error) {
	s.reads.Add(1)
	return time.Now(), nil
}
