// Odd and hostile quota answers: a gateway that lets nothing through, a hint
// window no gateway uses, routes that must not slow each other, Retry-After
// of zero, and a short listing that is never throttled.
package hss_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// throttleAnswer writes the gateway's 429 with the message and, unless
// retryAfter is empty, a Retry-After header.
func throttleAnswer(w http.ResponseWriter, msg, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprintf(w, `{"error_code":"APIGW.0308","error_msg":%q}`, msg)
}

// listInPagesOf10 lists the task "task" through the iterator, 10 a page,
// and returns how many registries came; an error fails the test.
func listInPagesOf10(t *testing.T, client *hss.Client) int {
	t.Helper()
	n := 0
	for _, err := range client.ListSyncTaskRegistriesIter(context.Background(), "task", &hss.ListSyncTaskRegistriesOptions{Limit: 10}) {
		require.NoError(t, err)
		n++
	}
	return n
}

// TestNothingGetsThroughOneProbeAtATime: 200 goroutines of one Client face
// a gateway that rejects every call for 3 minutes, with Retry-After: 1 and
// no limit in its message. On the real clock code (a synctest bubble), the
// Client sends a few probes a minute, one at a time, not 200 calls a
// second, and every call finishes soon after the gateway opens.
func TestNothingGetsThroughOneProbeAtATime(t *testing.T) {
	const goroutines, closedFor = 200, 3 * time.Minute
	synctest.Test(t, func(t *testing.T) {
		srv := hsstest.NewServer(hsstest.WithInMemoryNetwork(), hsstest.WithSeed("task", 30))
		defer srv.Close()
		start := time.Now()
		var mu sync.Mutex
		rejectedPerSecond := map[int]int{}
		srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
			since := time.Since(start)
			if since >= closedFor {
				return false
			}
			mu.Lock()
			rejectedPerSecond[int(since/time.Second)]++
			mu.Unlock()
			throttleAnswer(w, "The throttling threshold has been reached.", "1")
			return true
		})
		client := srv.Client(t)

		var wg sync.WaitGroup
		var failed atomic.Int32
		for range goroutines {
			wg.Go(func() {
				if _, err := client.ListSyncTaskRegistries(context.Background(), "task", nil); err != nil {
					failed.Add(1)
					t.Log(err)
				}
			})
		}
		wg.Wait()

		assert.Zero(t, failed.Load(), "every call finishes once the gateway opens")
		// The first second holds the calls that went before any answer
		// came; from the first throttle on, the Client probes.
		rejected, busiest := 0, 0
		perMinute := map[int]int{}
		for sec, n := range rejectedPerSecond {
			rejected += n
			if sec > 0 {
				busiest = max(busiest, n)
				perMinute[sec/60] += n
			}
		}
		t.Logf("%d rejected calls in %s, %d in the first second, then at most %d in one second and %v a minute; done after %s",
			rejected, closedFor, rejectedPerSecond[0], busiest, perMinute, time.Since(start))
		assert.LessOrEqual(t, busiest, 1, "one probe at a time, not a herd")
		for minute, n := range perMinute {
			assert.LessOrEqual(t, n, 8, "a few probes a window (minute %d)", minute)
		}
		assert.LessOrEqual(t, time.Since(start), closedFor+time.Minute, "the calls go soon after the gateway opens")
	})
}

// TestHintWindowNoGatewayUsesIsIgnored: one 429 whose message names
// "time:1440 day" does not block the route for a day: the listing after it
// finishes within 3 minutes, and no error claims a wait the gateway did not
// ask for.
func TestHintWindowNoGatewayUsesIsIgnored(t *testing.T) {
	start := quotaStart()
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 30))
	defer srv.Close()
	srv.FailNext(1, http.StatusTooManyRequests, "APIGW.0308",
		"The throttling threshold has been reached: policy user over ratelimit,limit:600,time:1440 day")
	client := srv.Client(t)

	assert.Equal(t, 30, listInPagesOf10(t, client))
	assert.LessOrEqual(t, clk.Now().Sub(start), 3*time.Minute, "waits %v", clk.Sleeps())

	// A call that cannot wait names no day-long wait either.
	srv.FailNext(1, http.StatusTooManyRequests, "APIGW.0308",
		"The throttling threshold has been reached: policy user over ratelimit,limit:600,time:1440 day")
	impatient := srv.Client(t, hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 1, MaxThrottleWait: hss.NoThrottleWait}))
	_, err := impatient.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "24h")
}

// TestRoutesDoNotSlowEachOther: after 300 Do routes that embed ids, and a
// throttle on yet another route, the typed listing waits not at all.
func TestRoutesDoNotSlowEachOther(t *testing.T) {
	start := quotaStart()
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 30))
	defer srv.Close()
	var busyThrottled atomic.Bool
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case strings.Contains(r.URL.Path, "/busy/"):
			if busyThrottled.CompareAndSwap(false, true) {
				throttleAnswer(w, "The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 minute", "")
				return true
			}
		case !strings.Contains(r.URL.Path, "/image-sync/"):
		default:
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
		return true
	})
	client := srv.Client(t)
	ctx := context.Background()

	for i := range 300 {
		_, err := client.Do(ctx, http.MethodGet, fmt.Sprintf("/v5/{project_id}/hosts/%08x-0000-4000-8000-%012x/status", i, i), nil, nil, nil)
		require.NoError(t, err)
	}
	_, err := client.Do(ctx, http.MethodGet, "/v5/{project_id}/busy/7f3c2a10/status", nil, nil, nil)
	require.NoError(t, err, "the throttled route waits for its window and goes")
	require.True(t, busyThrottled.Load())
	waitsBefore := len(clk.Sleeps())

	assert.Equal(t, 30, listInPagesOf10(t, client))
	assert.Empty(t, clk.Sleeps()[waitsBefore:], "the listing waits 0")
}

// TestRetryAfterZeroMeansNow: a gateway answering every fifth call with
// 429 and Retry-After: 0 costs a 200-page listing at most 30 s of waiting,
// not a minute a throttle.
func TestRetryAfterZeroMeansNow(t *testing.T) {
	start := quotaStart()
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 2000))
	defer srv.Close()
	var calls, throttled atomic.Int32
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if calls.Add(1)%5 != 0 {
			return false
		}
		throttled.Add(1)
		throttleAnswer(w, "The throttling threshold has been reached: policy user over ratelimit,limit:600,time:1 minute", "0")
		return true
	})
	client := srv.Client(t)

	assert.Equal(t, 2000, listInPagesOf10(t, client))
	t.Logf("%d calls, %d throttled, %s waited", calls.Load(), throttled.Load(), clk.Slept())
	assert.GreaterOrEqual(t, throttled.Load(), int32(40), "the gateway did throttle")
	assert.LessOrEqual(t, clk.Slept(), 30*time.Second)
}

// TestShortListingNeverWaits: a 3-page listing that no quota throttles
// sends its calls as they come, without a single wait.
func TestShortListingNeverWaits(t *testing.T) {
	clk := hsstest.NewClock(quotaStart())
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 30),
		hsstest.WithQuota(hsstest.Quota{Limit: 5, Window: time.Minute, NoRetryAfter: true}))
	defer srv.Close()
	client := srv.Client(t)

	assert.Equal(t, 30, listInPagesOf10(t, client))
	assert.Len(t, srv.Requests(), 3)
	assert.Zero(t, srv.Throttled())
	assert.Empty(t, clk.Sleeps(), "no wait")
}

// TestCancelledWaitersLeaveNoSlotsBooked: 40 callers that wait for a paced
// quota and give up leave at most a window of slots booked: a call made a
// minute later waits at most about a window, not the 40 slots they
// booked (8 minutes at 5 a minute).
func TestCancelledWaitersLeaveNoSlotsBooked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := hsstest.NewServer(hsstest.WithInMemoryNetwork(), hsstest.WithSeed("task", 400),
			hsstest.WithQuota(hsstest.Quota{Limit: 5, Window: time.Minute, NoRetryAfter: true}))
		defer srv.Close()
		srv.SetLatency(70 * time.Millisecond)
		client := srv.Client(t)
		ctx := context.Background()
		for range 8 { // the Client learns the quota and paces
			_, err := client.ListSyncTaskRegistries(ctx, "task", nil)
			require.NoError(t, err)
		}
		cctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for range 40 {
			wg.Go(func() { _, _ = client.ListSyncTaskRegistries(cctx, "task", nil) })
		}
		time.Sleep(2 * time.Second)
		cancel()
		wg.Wait()
		time.Sleep(70 * time.Second)
		start := time.Now()
		_, err := client.ListSyncTaskRegistries(ctx, "task", nil)
		require.NoError(t, err)
		t.Logf("the next call waited %s", time.Since(start))
		assert.LessOrEqual(t, time.Since(start), 75*time.Second)
	})
}

// TestPaceRecoversAfterAnOutage: 200 callers of one Client meet a gateway
// that rejects every call for 3 minutes, naming a limit of 5 a minute and
// Retry-After: 1, then lets every call through. The callers do not keep
// the pace of the outage's collapsed share: they finish within 1.5× of
// the named limit's least time (200 calls at 5 a minute: 40 minutes after
// the outage; 49-50 measured), not hours later.
func TestPaceRecoversAfterAnOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := hsstest.NewServer(hsstest.WithInMemoryNetwork(), hsstest.WithSeed("task", 30))
		defer srv.Close()
		srv.SetLatency(70 * time.Millisecond)
		start := time.Now()
		srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
			if time.Since(start) >= 3*time.Minute {
				return false
			}
			throttleAnswer(w, "The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 minute", "1")
			return true
		})
		client := srv.Client(t, hss.WithRetryPolicy(hss.RetryPolicy{MaxThrottleWait: 2 * time.Hour}))
		var wg sync.WaitGroup
		var failed atomic.Int32
		for range 200 {
			wg.Go(func() {
				if _, err := client.ListSyncTaskRegistries(context.Background(), "task", nil); err != nil {
					failed.Add(1)
				}
			})
		}
		wg.Wait()
		t.Logf("200 calls done after %s", time.Since(start))
		assert.Zero(t, failed.Load())
		assert.LessOrEqual(t, time.Since(start), 3*time.Minute+60*time.Minute)
	})
}

// TestLongWindowHintIsNoReasonToGiveUp: a first 429 naming a 10-minute
// window, without Retry-After, does not fail the call for a wait the
// Client only guessed: it probes within 2 minutes and goes on.
func TestLongWindowHintIsNoReasonToGiveUp(t *testing.T) {
	start := quotaStart()
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 30))
	defer srv.Close()
	srv.FailNext(1, http.StatusTooManyRequests, "APIGW.0308",
		"The throttling threshold has been reached: policy user over ratelimit,limit:600,time:10 minute")
	client := srv.Client(t)
	assert.Equal(t, 30, listInPagesOf10(t, client))
	require.NotEmpty(t, clk.Sleeps())
	assert.LessOrEqual(t, clk.Sleeps()[0], 2*time.Minute, "waits %v", clk.Sleeps())
	assert.Less(t, clk.Now().Sub(start), 5*time.Minute, "waits %v", clk.Sleeps())
}
