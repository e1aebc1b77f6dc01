// Tests of the in-memory QuotaStore, by the suite every store passes.
package hss_test

import (
	"fmt"
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
			o := runScenario(t, sc, hss.WithQuotaStore(hss.NewMemoryQuotaStore()))
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
