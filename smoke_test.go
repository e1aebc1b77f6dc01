package hss_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

func run(t *testing.T, pages, limit int, noRA bool, policyMsg string) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("t", pages*10), hsstest.WithQuota(hsstest.Quota{Limit: limit, Window: time.Minute, NoRetryAfter: noRA}))
	defer srv.Close()
	c := srv.Client(t)
	n := 0
	for _, err := range c.ListSyncTaskRegistriesIter(context.Background(), "t", &hss.ListSyncTaskRegistriesOptions{Limit: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	t.Logf("pages=%d limit=%d noRA=%v n=%d elapsed=%s throttled=%d", pages, limit, noRA, n, clk.Now().Sub(start), srv.Throttled())
}

func TestSmoke(t *testing.T) {
	run(t, 3000, 600, true, "")
	run(t, 3000, 600, false, "")
	run(t, 30, 5, true, "")
	run(t, 30, 5, false, "")
}

func TestSmokeConcurrent(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("t", 100), hsstest.WithQuota(hsstest.Quota{Limit: 5, Window: time.Minute, NoRetryAfter: true}))
	defer srv.Close()
	c := srv.Client(t, hss.WithRetryPolicy(hss.RetryPolicy{MaxThrottleWait: time.Hour}))
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	fails := 0
	for err := range errs {
		if err != nil {
			fails++
			t.Log(err)
		}
	}
	t.Logf("fails=%d elapsed=%s throttled=%d requests=%d", fails, clk.Now().Sub(start), srv.Throttled(), len(srv.Requests()))
}

func TestSmokeConcurrent600(t *testing.T) {
	for _, noRA := range []bool{true, false} {
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		clk := hsstest.NewClock(start)
		srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("t", 300), hsstest.WithQuota(hsstest.Quota{Limit: 600, Window: time.Minute, NoRetryAfter: noRA}))
		c := srv.Client(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		fails := 0
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, err := range c.ListSyncTaskRegistriesPages(context.Background(), "t", &hss.ListSyncTaskRegistriesOptions{Limit: 10}) {
					if err != nil {
						mu.Lock()
						fails++
						mu.Unlock()
						t.Log(err)
					}
				}
			}()
		}
		wg.Wait()
		t.Logf("noRA=%v fails=%d elapsed=%s throttled=%d requests=%d", noRA, fails, clk.Now().Sub(start), srv.Throttled(), len(srv.Requests()))
		srv.Close()
	}
}
