package hss

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// WithRateLimit paces the Client's requests to perSecond on average with
// bursts of up to burst, shared by every goroutine using the Client, so a
// long listing stays under a known quota instead of collecting 429s. HSS
// documents 600 calls a minute per API and 5 a minute per user or IP; for
// the latter use WithRateLimit(5.0/60, 1). Waiting honours the context.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *config) error {
		// Bounds keep the interval and burst*interval within time.Duration.
		if !(perSecond >= minRate && perSecond <= maxRate) {
			return &ValidationError{Field: "WithRateLimit", Reason: fmt.Sprintf("perSecond must be between 1/86400 (one a day) and 1e9, got %v", perSecond)}
		}
		if burst < 1 || burst > maxBurst {
			return &ValidationError{Field: "WithRateLimit", Reason: fmt.Sprintf("burst must be 1-%d, got %d", maxBurst, burst)}
		}
		c.limiter = &rateLimiter{interval: time.Duration(float64(time.Second) / perSecond), burst: burst}
		return nil
	}
}

// Bounds of WithRateLimit.
const (
	minRate  = 1.0 / 86400
	maxRate  = 1e9
	maxBurst = 10000
)

// rateLimiter is a token bucket. It hands out send times: each caller
// reserves the next free slot under the lock, then waits outside it.
type rateLimiter struct {
	interval time.Duration // time to earn one token
	burst    int

	mu   sync.Mutex
	next time.Time // when the bucket is empty again after reservations
}

// wait blocks until the caller may send, or ctx is done. When the caller
// must wait, waiting is told for how long before the wait begins.
func (l *rateLimiter) wait(ctx context.Context, clk Clock, waiting func(time.Duration)) error {
	now := clk.Now()
	l.mu.Lock()
	// The bucket holds at most burst tokens: next can lag now by at most
	// burst intervals.
	earliest := now.Add(-time.Duration(l.burst) * l.interval)
	if l.next.Before(earliest) {
		l.next = earliest
	}
	l.next = l.next.Add(l.interval)
	delay := l.next.Sub(now)
	if delay <= 0 {
		l.mu.Unlock()
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && dl.Before(now.Add(delay)) {
		l.next = l.next.Add(-l.interval) // give the slot back
		l.mu.Unlock()
		return fmt.Errorf("%w: the rate limit (WithRateLimit) allows the next call in %s", ErrWaitPastDeadline, roundDuration(delay))
	}
	slot := l.next
	l.mu.Unlock()
	waiting(delay)
	if err := sleepUntil(ctx, clk, slot); err != nil {
		// Nothing was sent: give the slot back when it is still the last
		// one handed out.
		l.mu.Lock()
		if l.next.Equal(slot) {
			l.next = slot.Add(-l.interval)
		}
		l.mu.Unlock()
		return err
	}
	return nil
}
