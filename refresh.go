package hss

import (
	"context"
	"sync"
	"time"
)

// refresher caches one expiring value (an IAM token, temporary keys) and
// fetches a new one ahead of expiry, one fetch at a time however many
// callers need it.
type refresher[T any] struct {
	// fetch gets a fresh value and the time it expires.
	fetch func(ctx context.Context) (T, time.Time, error)
	// ahead is how long before expiry a refresh starts; a value that lives
	// less than 2*ahead is refreshed halfway through its life instead.
	ahead time.Duration
	// timeout bounds one fetch. The fetch runs detached from the caller
	// that started it, so one caller giving up does not fail the others.
	timeout time.Duration

	// clock is fixed at construction, so it needs no lock.
	clock Clock

	mu        sync.Mutex
	val       T
	have      bool
	expires   time.Time
	refreshAt time.Time
	flight    *flight[T] // the fetch in progress, if any
}

// flight is one fetch that callers wait for.
type flight[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// get returns the cached value, fetching a new one when there is none or
// the refresh time has come. While a refresh is under way every caller
// waits for it (or for its own ctx). When the refresh fails, a value that
// has not yet expired is still returned: a flaky IAM does not break calls
// an hour before it has to.
func (r *refresher[T]) get(ctx context.Context) (T, error) {
	var zero T
	r.mu.Lock()
	if r.have && r.clock.Now().Before(r.refreshAt) {
		v := r.val
		r.mu.Unlock()
		return v, nil
	}
	f := r.flight
	if f == nil {
		f = &flight[T]{done: make(chan struct{})}
		r.flight = f
		go r.run(context.WithoutCancel(ctx), f)
	}
	r.mu.Unlock()

	select {
	case <-f.done:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	if f.err == nil {
		return f.val, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.have && r.clock.Now().Before(r.expires) {
		return r.val, nil
	}
	return zero, f.err
}

// run performs one fetch and publishes its result.
func (r *refresher[T]) run(ctx context.Context, f *flight[T]) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	v, exp, err := r.fetch(ctx)

	r.mu.Lock()
	r.flight = nil
	if err == nil {
		lead := r.ahead
		if life := exp.Sub(r.clock.Now()); life < 2*lead {
			lead = life / 2
		}
		r.val, r.have, r.expires, r.refreshAt = v, true, exp, exp.Add(-lead)
	}
	f.val, f.err = v, err
	r.mu.Unlock()
	close(f.done)
}

// invalidate drops the cached value, so the next get fetches a new one
// and does not fall back to the dropped value if that fails.
func (r *refresher[T]) invalidate() {
	r.mu.Lock()
	var zero T
	r.val, r.have = zero, false
	r.mu.Unlock()
}
