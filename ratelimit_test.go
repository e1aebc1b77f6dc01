// WithRateLimit: pacing, bursts, bounds, waits past the deadline, one bucket for all goroutines, and cancelled waits.
package hss_test

import (
	"context"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

func TestRateLimitPaces(t *testing.T) {
	srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1))
	c, tr, _ := newTestClient(t, srv, hss.WithRateLimit(2, 1))
	for range 5 {
		_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
		require.NoError(t, err)
	}
	// Burst 1 at 2/s: the first call goes at once, each next one waits 500 ms.
	assert.Equal(t, []time.Duration{500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond}, clk.Sleeps())
	assert.Equal(t, 5, tr.Calls())
	reqs := srv.Requests()
	for i := 1; i < len(reqs); i++ {
		assert.Equal(t, 500*time.Millisecond, reqs[i].Time.Sub(reqs[i-1].Time), "request %d", i)
	}
}

// A wait of a second or more for WithRateLimit is logged at info level,
// as throttle waits are; shorter ones are not.
func TestRateLimitWaitsLogged(t *testing.T) {
	srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1))
	c, _, logs := newTestClient(t, srv, hss.WithRateLimit(1.0/60, 1))
	for range 2 {
		_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
		require.NoError(t, err)
	}
	assert.Equal(t, []time.Duration{time.Minute}, clk.Sleeps())
	assert.Contains(t, logs.String(), `level=INFO msg="hss: paced by WithRateLimit; waiting" method=GET path=/v5/`)
	assert.Contains(t, logs.String(), "wait=1m0s")

	srv, _ = newTestServer(t, hsstest.WithSeed(testTask, 1))
	c, _, logs = newTestClient(t, srv, hss.WithRateLimit(2, 1))
	for range 2 {
		_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
		require.NoError(t, err)
	}
	assert.NotContains(t, logs.String(), "paced by")
}

func TestRateLimitBurst(t *testing.T) {
	srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1))
	c, _, _ := newTestClient(t, srv, hss.WithRateLimit(1, 3))
	for range 3 {
		_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
		require.NoError(t, err)
	}
	assert.Empty(t, clk.Sleeps(), "a burst of 3 goes at once")
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{time.Second}, clk.Sleeps())

	// An idle spell refills the bucket, up to the burst and no more.
	clk.Advance(time.Hour)
	for range 3 {
		_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
		require.NoError(t, err)
	}
	assert.Len(t, clk.Sleeps(), 1)
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{time.Second, time.Second}, clk.Sleeps())
}

func TestRateLimitBounds(t *testing.T) {
	for _, tc := range []struct {
		rate  float64
		burst int
		ok    bool
	}{
		{1.0 / 86400, 1, true}, {1e9, 10000, true}, {5.0 / 60, 1, true},
		{1.0/86400 - 1e-12, 1, false}, {1e-12, 1, false}, {0, 1, false}, {-1, 1, false}, {2e9, 1, false},
		{1, 10001, false}, {1, 0, false}, {1, -1, false},
	} {
		tr := refusingTransport()
		_, err := hss.NewClient("https://hss.example.com", testProject, hss.WithToken(testToken), hss.WithRateLimit(tc.rate, tc.burst),
			hss.WithHTTPClient(&http.Client{Transport: tr}))
		if tc.ok {
			assert.NoError(t, err, "%v %d", tc.rate, tc.burst)
			continue
		}
		var ve *hss.ValidationError
		if assert.ErrorAs(t, err, &ve, "%v %d", tc.rate, tc.burst) {
			assert.Equal(t, "WithRateLimit", ve.Field)
		}
		assert.Zero(t, tr.Calls())
	}
	for _, rate := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := hss.NewClient("https://hss.example.com", testProject, hss.WithToken(testToken), hss.WithRateLimit(rate, 1))
		var ve *hss.ValidationError
		assert.ErrorAs(t, err, &ve, "%v", rate)
	}
}

// TestRateLimitWaitPastDeadlineRounded: the wait the error names is
// rounded as the log rounds durations (to the millisecond), however far
// into the interval the call comes.
func TestRateLimitWaitPastDeadlineRounded(t *testing.T) {
	srv, clk := newTestServerAt(t, time.Now(), hsstest.WithSeed(testTask, 1))
	c, _, _ := newTestClient(t, srv, hss.WithRateLimit(1.0/60, 1))
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	clk.Advance(1234567891 * time.Nanosecond)

	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(50*time.Second))
	defer cancel()
	_, err = c.ListSyncTaskRegistries(ctx, testTask, nil)
	require.ErrorIs(t, err, hss.ErrWaitPastDeadline)
	assert.Contains(t, err.Error(), "the rate limit (WithRateLimit) allows the next call in 58.765s", "not 58.765432109s")
	assert.True(t, strings.HasSuffix(err.Error(), "58.765s"), err.Error())
}

// TestRateLimitWaitPastDeadline: a rate-limit wait that would pass the
// context's deadline returns at once with ErrWaitPastDeadline, which is
// not context.DeadlineExceeded, and gives its slot back.
func TestRateLimitWaitPastDeadline(t *testing.T) {
	srv, clk := newTestServerAt(t, time.Now(), hsstest.WithSeed(testTask, 1))
	c, tr, _ := newTestClient(t, srv, hss.WithRateLimit(1.0/60, 1))
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)

	// A real deadline, far enough that no busy machine reaches it.
	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(50*time.Second))
	defer cancel()
	_, err = c.ListSyncTaskRegistries(ctx, testTask, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, hss.ErrWaitPastDeadline)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, ctx.Err())
	assert.Contains(t, err.Error(), "the rate limit (WithRateLimit) allows the next call in 1m0s")
	assert.Equal(t, 1, strings.Count(err.Error(), "GET /v5/"))
	var re *hss.RequestError
	require.ErrorAs(t, err, &re)
	assert.Zero(t, re.Attempts)
	assert.Equal(t, 1, tr.Calls(), "nothing sent")
	assert.Empty(t, clk.Sleeps(), "nothing slept in vain")

	// The refused call gave its slot back: the next waits one interval.
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{time.Minute}, clk.Sleeps())
}

// TestRateLimitSharedAcrossGoroutines: goroutines share one bucket, so
// ten calls at 10/s with no burst span at least 900 ms of the clock,
// however they interleave.
func TestRateLimitSharedAcrossGoroutines(t *testing.T) {
	srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1))
	c, tr, _ := newTestClient(t, srv, hss.WithRateLimit(10, 1))
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 10, tr.Calls())
	// The tenth slot is at least 900 ms after the first; how far past
	// that depends on how the goroutines met the fake clock.
	assert.GreaterOrEqual(t, clk.Now().Sub(testEpoch), 900*time.Millisecond)
	assert.NotEmpty(t, clk.Sleeps())
}

// TestRateLimitCancelWhileWaiting: cancelling while a call waits for the
// rate limit ends it with context.Canceled and sends nothing.
func TestRateLimitCancelWhileWaiting(t *testing.T) {
	srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, tr, _ := newTestClient(t, srv, hss.WithRateLimit(1, 1), hss.WithClock(cancellingClock{Clock: clk, cancel: cancel}))
	_, err := c.ListSyncTaskRegistries(ctx, testTask, nil)
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(ctx, testTask, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, hss.ErrWaitPastDeadline)
	assert.Equal(t, 1, tr.Calls())
	assert.Equal(t, 1, countOps(err.Error()))
}

// cancelOnWaitClock is an hsstest.Clock that cancels the context of the call
// in progress the moment that call starts to wait, as a caller that gives
// up (a closed HTTP handler, a ^C) would while the call waits for its slot.
type cancelOnWaitClock struct {
	*hsstest.Clock
	mu     sync.Mutex
	cancel context.CancelFunc
}

func (c *cancelOnWaitClock) arm(cancel context.CancelFunc) {
	c.mu.Lock()
	c.cancel = cancel
	c.mu.Unlock()
}

func (c *cancelOnWaitClock) fire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
}

func (c *cancelOnWaitClock) Sleep(ctx context.Context, d time.Duration) error {
	c.fire()
	return c.Clock.Sleep(ctx, d)
}

func (c *cancelOnWaitClock) SleepUntil(ctx context.Context, t time.Time) error {
	c.fire()
	return c.Clock.SleepUntil(ctx, t)
}

// TestRateLimitCancelledWaitsGiveSlotsBack: a call cancelled while it
// waits for WithRateLimit never sends, so it gives back the send slot it
// reserved, as a wait refused because of the deadline does. After five
// such calls the next caller waits one interval (here a minute, at one
// call a minute), not six.
func TestRateLimitCancelledWaitsGiveSlotsBack(t *testing.T) {
	clk := &cancelOnWaitClock{Clock: hsstest.NewClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))}
	srv := hsstest.NewServer(hsstest.WithNow(clk.Now), hsstest.WithSeed("task", 1))
	defer srv.Close()
	client := srv.Client(t, hss.WithClock(clk), hss.WithRateLimit(1.0/60, 1))

	_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.NoError(t, err, "the burst lets the first call go at once")
	for range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		clk.arm(cancel)
		_, err := client.ListSyncTaskRegistries(ctx, "task", nil)
		require.ErrorIs(t, err, context.Canceled)
		cancel()
	}
	require.Len(t, srv.Requests(), 1, "the cancelled calls sent nothing")
	require.Empty(t, clk.Sleeps(), "the cancelled calls waited for nothing")

	_, err = client.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{time.Minute}, clk.Sleeps(),
		"one call a minute, one call sent a minute ago: the next waits one minute")
}
