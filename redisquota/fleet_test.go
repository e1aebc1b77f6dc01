//go:build unix

// Clients that share a quota through one redis-server: they pace as one, and a server that goes away mid-listing costs the sharing, never a call.
package redisquota_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/redisquota"
)

// TestListingSurvivesAKilledServer: a listing through a Client whose store
// is on a redis-server killed half-way finishes, with one warning.
func TestListingSurvivesAKilledServer(t *testing.T) {
	srv := startServer(t)
	clk := hsstest.NewClock(time.Now())
	api := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithQuota(hsstest.Quota{Limit: 5, Window: time.Minute, NoRetryAfter: true}))
	defer api.Close()
	if _, err := api.Seed("task", 300); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelWarn}))
	store := redisquota.New(srv.client(), prefix)
	client := api.Client(t, hss.WithQuotaStore(store), hss.WithLogger(logger))

	var killed bool
	api.Handle(func(http.ResponseWriter, *http.Request) bool {
		if len(api.Requests()) == 12 && !killed {
			killed = true
			srv.kill() // the store goes away between two pages
		}
		return false
	})
	n := 0
	for _, err := range client.ListSyncTaskRegistriesIter(context.Background(), "task", &hss.ListSyncTaskRegistriesOptions{Limit: 10}) {
		if err != nil {
			t.Fatalf("after %d registries: %v", n, err)
		}
		n++
	}
	if n != 300 {
		t.Fatalf("listed %d registries, want 300", n)
	}
	if !killed {
		t.Fatal("the server was not killed during the listing")
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Count(logs.String(), "quota store failed"); got < 1 || got > 6 {
		// One a minute at most: the listing takes about six minutes of
		// the fake clock at 5 calls a minute.
		t.Fatalf("%d warnings; want one a minute at most:\n%s", got, logs.String())
	}
}

// writerFunc is an io.Writer made of a function.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// BenchmarkFleetOnOneServer: two Clients, each with a redis.Client of its
// own (as on two hosts), list 50 pages each through a gateway that lets 5
// calls a second through (one-second windows, no Retry-After), sharing the
// quota through one redis-server, in real time. It reports the time both
// took against the least a perfect client would (100 calls at 5 a second),
// and the share of calls throttled. Run with -benchtime 1x.
func BenchmarkFleetOnOneServer(b *testing.B) {
	srv := startServer(b)
	const pages, limit = 50, 5
	for b.Loop() {
		api := hsstest.NewServer(hsstest.WithQuota(hsstest.Quota{Limit: limit, Window: time.Second, NoRetryAfter: true}))
		if _, err := api.Seed("task", pages*10); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		var wg sync.WaitGroup
		for range 2 {
			store := redisquota.New(srv.client(), "bench/"+b.Name()+"/")
			client := api.Client(b, hss.WithQuotaStore(store))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, err := range client.ListSyncTaskRegistriesIter(context.Background(), "task", &hss.ListSyncTaskRegistriesOptions{Limit: 10}) {
					if err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		least := time.Duration((2*pages-1)/limit) * time.Second
		b.ReportMetric(elapsed.Seconds()/least.Seconds(), "x-least")
		b.ReportMetric(100*float64(api.Throttled())/float64(len(api.Requests())), "%throttled")
		api.Close()
	}
}
