package hss

import (
	"context"
	"time"
)

// Clock tells the time and waits. The Client uses it for backoff,
// Retry-After dates, the gateway's quota, rate limiting, request signing and
// WaitSyncTask's polling, so tests can run hours of waiting in microseconds
// (see hsstest.NewClock). It must be safe for concurrent use. A Clock that
// is also an UntilSleeper waits for absolute times with SleepUntil.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx is done, in which case it returns
	// ctx.Err().
	Sleep(ctx context.Context, d time.Duration) error
}

// realClock is the wall clock.
type realClock struct{}

// Now returns the wall-clock time.
func (realClock) Now() time.Time { return time.Now() }

// Sleep waits on a timer, or until ctx is done.
func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// WithClock replaces the wall clock; meant for tests. A nil clk, or a nil
// pointer in clk (a nil *hsstest.Clock), is a *ValidationError.
func WithClock(clk Clock) Option {
	return func(c *config) error {
		if isNil(clk) {
			return &ValidationError{Field: "WithClock", Reason: "must not be nil"}
		}
		c.clock = clk
		return nil
	}
}

// UntilSleeper is a Clock that can also wait until an absolute time. When
// the Client's Clock is one, the Client waits for the gateway's quota and
// for the rate limit with SleepUntil, until the moment they open: a fake
// clock that moves time at once (hsstest.Clock) then keeps many goroutines
// waiting for one moment in step, instead of adding up their waits. Any
// other Clock waits the difference with Sleep.
type UntilSleeper interface {
	Clock
	// SleepUntil waits until the clock reads t, or until ctx is done, in
	// which case it returns ctx.Err().
	SleepUntil(ctx context.Context, t time.Time) error
}

// sleepUntil waits on clk until t, or until ctx is done.
func sleepUntil(ctx context.Context, clk Clock, t time.Time) error {
	if u, ok := clk.(UntilSleeper); ok {
		return u.SleepUntil(ctx, t)
	}
	return clk.Sleep(ctx, t.Sub(clk.Now()))
}
