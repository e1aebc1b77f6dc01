// The fake Clock: Now and Advance, Sleep and SleepUntil alone and concurrently, and a clock shared by server and clients.
package hsstest_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// untilSleeper is the method the hss.Client looks for on its Clock to wait
// for the gateway's quota until an absolute time.
type untilSleeper interface {
	SleepUntil(ctx context.Context, t time.Time) error
}

// A *Clock is an hss.Clock, and has SleepUntil.
var (
	_ hss.Clock    = (*hsstest.Clock)(nil)
	_ untilSleeper = (*hsstest.Clock)(nil)
)

func TestClockNowAndAdvance(t *testing.T) {
	clk := hsstest.NewClock(t0)
	assert.Equal(t, t0, clk.Now())
	assert.Equal(t, t0, clk.Now(), "time does not move on its own")

	clk.Advance(90 * time.Second)
	assert.Equal(t, t0.Add(90*time.Second), clk.Now())
	clk.Advance(-30 * time.Second)
	assert.Equal(t, t0.Add(time.Minute), clk.Now(), "a test may move it back")
	assert.Empty(t, clk.Sleeps(), "Advance is not a sleep")
	assert.Zero(t, clk.Slept())
}

func TestClockSleep(t *testing.T) {
	ctx := context.Background()
	clk := hsstest.NewClock(t0)

	require.NoError(t, clk.Sleep(ctx, 10*time.Second))
	assert.Equal(t, t0.Add(10*time.Second), clk.Now())
	require.NoError(t, clk.Sleep(ctx, time.Hour))
	assert.Equal(t, t0.Add(time.Hour+10*time.Second), clk.Now(), "sleeps one after another add up")
	require.NoError(t, clk.Sleep(ctx, 0))
	assert.Equal(t, t0.Add(time.Hour+10*time.Second), clk.Now())
	assert.Equal(t, []time.Duration{10 * time.Second, time.Hour, 0}, clk.Sleeps())
	assert.Equal(t, time.Hour+10*time.Second, clk.Slept())

	t.Run("done context", func(t *testing.T) {
		clk := hsstest.NewClock(t0)
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		assert.ErrorIs(t, clk.Sleep(canceled, time.Minute), context.Canceled)
		expired, cancel2 := context.WithDeadline(ctx, time.Unix(0, 0))
		defer cancel2()
		assert.ErrorIs(t, clk.Sleep(expired, time.Minute), context.DeadlineExceeded)
		assert.Equal(t, t0, clk.Now(), "a sleep that cannot start does not move time")
		assert.Empty(t, clk.Sleeps(), "nor is it recorded")
	})

	t.Run("copies", func(t *testing.T) {
		sleeps := clk.Sleeps()
		sleeps[0] = 0
		assert.Equal(t, 10*time.Second, clk.Sleeps()[0], "Sleeps returns a copy")
	})
}

func TestClockSleepUntil(t *testing.T) {
	ctx := context.Background()
	clk := hsstest.NewClock(t0)

	require.NoError(t, clk.SleepUntil(ctx, t0.Add(time.Minute)))
	assert.Equal(t, t0.Add(time.Minute), clk.Now())
	require.NoError(t, clk.SleepUntil(ctx, t0.Add(30*time.Second)))
	assert.Equal(t, t0.Add(time.Minute), clk.Now(), "a moment already past does not move the clock back")
	assert.Equal(t, []time.Duration{time.Minute, 0}, clk.Sleeps(), "records how far ahead the moment was")

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, clk.SleepUntil(canceled, t0.Add(time.Hour)), context.Canceled)
	assert.Equal(t, t0.Add(time.Minute), clk.Now())
	assert.Len(t, clk.Sleeps(), 2)
}

// Goroutines waiting for one moment all wake at that moment, not one
// after another: the clock ends exactly there, whatever the order.
func TestClockConcurrentSleepUntil(t *testing.T) {
	clk := hsstest.NewClock(t0)
	const sleepers = 50
	wake := t0.Add(time.Minute)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range sleepers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			assert.NoError(t, clk.SleepUntil(context.Background(), wake))
			assert.False(t, clk.Now().Before(wake), "woke before the moment")
		}()
	}
	close(start)
	wg.Wait()
	assert.Equal(t, wake, clk.Now())
	assert.Len(t, clk.Sleeps(), sleepers)
	assert.Equal(t, time.Minute, clk.Slept(), "the first waited the minute; the others found it passed")
}

// Concurrent sleepers of d never push the clock past what the same
// sleeps one after another would, and each ends at least d after t0.
// Those that read the same start end together; the exact end depends on
// how the goroutines interleave, so only its bounds are asserted.
func TestClockConcurrentSleep(t *testing.T) {
	clk := hsstest.NewClock(t0)
	const sleepers, d = 20, 10 * time.Second
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range sleepers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			assert.NoError(t, clk.Sleep(context.Background(), d))
		}()
	}
	close(start)
	wg.Wait()
	elapsed := clk.Now().Sub(t0)
	assert.GreaterOrEqual(t, elapsed, d)
	assert.LessOrEqual(t, elapsed, sleepers*d)
	assert.Zero(t, elapsed%d, "the clock only stops where a sleep ended: %s", elapsed)
	assert.Len(t, clk.Sleeps(), sleepers)
	assert.Equal(t, sleepers*d, clk.Slept(), "every sleep is recorded")
}

// WithNow puts the server on a clock: the request log, and everything
// else timed, reads it.
func TestClockWithNow(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithNow(clk.Now), hsstest.WithSeed("task-1", 3))
	decodePage(t, get(t, srv, "task-1", ""))
	clk.Advance(42 * time.Minute)
	decodePage(t, get(t, srv, "task-1", ""))
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, t0, reqs[0].Time)
	assert.Equal(t, t0.Add(42*time.Minute), reqs[1].Time)
}

// WithClock shares the clock with the clients NewClient and Client make:
// a retry's backoff is slept on it, and the server sees the time move by
// exactly that.
func TestClockWithClockSharedWithClient(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithSeed("task-1", 3))
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")

	resp, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)
	assert.Equal(t, 3, resp.TotalNum)

	sleeps := clk.Sleeps()
	require.Len(t, sleeps, 1, "one backoff before the retry")
	assert.LessOrEqual(t, sleeps[0], hss.DefaultBaseDelay, "the first backoff is at most BaseDelay")
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, []int{503, 200}, statuses(srv))
	assert.Equal(t, t0, reqs[0].Time)
	assert.Equal(t, sleeps[0], reqs[1].Time.Sub(reqs[0].Time), "the server saw the backoff pass")

	// An hss.Client given the clock by hand behaves the same.
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	client, err := hss.NewClient(srv.URL(), srv.ProjectID(), hss.WithToken(srv.Token()), hss.WithClock(clk))
	require.NoError(t, err)
	_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)
	assert.Len(t, clk.Sleeps(), 2)
}
