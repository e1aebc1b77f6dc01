package hsstest

import (
	"context"
	"sync"
	"time"

	"github.com/hsskit/hss"
)

// Clock is a fake clock for tests: time moves only when a test or the code
// under test says so, never on its own. It is an hss.Clock (pass it to
// hss.WithClock) and its Now fits WithNow, so a client and the fake server
// share one time line; WithClock does both. It is safe for concurrent use.
//
// A nil *Clock reads the zero time, never moves and records no sleep; its
// Sleep and SleepUntil return at once. hss.WithClock refuses one.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// A Clock is an hss.UntilSleeper.
var _ hss.UntilSleeper = (*Clock)(nil)

// NewClock returns a Clock reading start.
//
// A context's deadline is a wall-clock time, and the hss Client compares it
// with its Clock to decide whether a wait would pass it. A test that gives
// the code under test a context with a deadline should therefore start the
// clock near the wall clock's time (time.Now()), or at the deadline minus the
// time it means to leave; a clock started years away makes every deadline
// look either long past or far off.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	if c == nil {
		return time.Time{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep returns ctx.Err() at once when ctx is done. Otherwise it moves the
// clock to d after the time Sleep was called (unless another sleeper has
// already moved it further) and returns nil at once: a retry loop that
// backs off for an hour runs in microseconds. Sleepers that start together
// end together, as they would on a real clock.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil || c == nil {
		return err
	}
	start := c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	if until := start.Add(d); until.After(c.now) {
		c.now = until
	}
	return nil
}

// SleepUntil is Sleep until the absolute time t: it moves the clock to t
// unless it already reads later. Goroutines waiting for one moment (the
// end of a quota window, say) all wake at that moment, however many there
// are. It makes Clock an hss.UntilSleeper.
func (c *Clock) SleepUntil(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil || c == nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, max(t.Sub(c.now), 0))
	if t.After(c.now) {
		c.now = t
	}
	return nil
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleeps returns the waits of every Sleep and SleepUntil that ran, in
// order: what the code under test chose to wait. A SleepUntil records how
// far t was ahead of the clock (0 when it was not); a call whose context
// was already done records nothing.
func (c *Clock) Sleeps() []time.Duration {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// Slept returns the sum of Sleeps.
func (c *Clock) Slept() time.Duration {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var total time.Duration
	for _, d := range c.sleeps {
		total += d
	}
	return total
}
