package hss

import (
	"context"
	"time"
)

// Clock tells the time and waits. The Client uses it for retry backoff,
// Retry-After dates, rate limiting and request signing, so tests can run
// hours of backoff in microseconds. It must be safe for concurrent use.
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

// WithClock replaces the wall clock; meant for tests.
func WithClock(clk Clock) Option {
	return func(c *Client) error {
		if clk == nil {
			return &ValidationError{Field: "clock", Reason: "must not be nil"}
		}
		c.clock = clk
		return nil
	}
}
