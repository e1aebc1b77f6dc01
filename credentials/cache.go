package credentials

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// CacheOptions tune a Cache. The zero value, like a nil *CacheOptions,
// takes every default. A negative duration makes every Retrieve of the
// Cache fail with a *ConfigError naming the field.
type CacheOptions struct {
	// RefreshBefore is how long before expiry a new value is fetched;
	// zero means DefaultRefreshBefore (15 minutes). A value that lives
	// less than twice as long is refreshed halfway through its life
	// instead.
	RefreshBefore time.Duration
	// FetchTimeout bounds one fetch; zero means DefaultFetchTimeout (30
	// seconds).
	FetchTimeout time.Duration
	// Now tells the time; nil means time.Now. Tests pass a fake clock's Now.
	Now func() time.Time
}

// Cache defaults.
const (
	DefaultRefreshBefore = 15 * time.Minute
	DefaultFetchTimeout  = 30 * time.Second
)

// RefusalWindow is how long a Cache, and the TokenSource and Metadata
// providers built on it, go without asking their source again after a
// refusal (a wrong password) or a failed background refresh. It is also
// the age a cached value must reach before Invalidate drops it, so that a
// service that keeps refusing fresh credentials (401 APIGW.0307 on every
// call) causes at most one fetch per window, not one per call.
const RefusalWindow = 30 * time.Second

// Cache wraps a Provider whose values expire (Value.Expires) and hands out
// its cached value. It refreshes ahead of expiry, in the background, while
// callers go on with the still-valid value: a slow or hanging source never
// blocks them until the value has actually expired. Only when there is no
// valid value do callers wait, all of them for the same single fetch (or
// for their own context).
//
// A source that refuses (a wrong password, credentials that arrive
// expired) is not asked again for RefusalWindow (30 seconds); callers get
// the same error meanwhile, so a loop of calls cannot lock an IAM user. A
// fetch that fails otherwise (IAM answering 5xx or 429, a network error)
// while no valid value is cached holds callers back too, handing them its
// error, for a backoff: about a second after the first failure, doubling
// with each failure that follows up to RefusalWindow, each wait drawn
// between half its cap and its cap so that processes that failed together
// do not come back together, and at least the Retry-After the source gave
// (up to RefusalWindow); a success ends it. A failed background refresh is
// retried after RefusalWindow at the earliest, while the old value is
// served until it expires. Invalidate drops a value
// only once RefusalWindow has passed since it was fetched (see
// Invalidator), so a service that keeps refusing fresh credentials cannot
// turn every call into a fetch. Values without an expiry are fetched once.
//
// A Cache is safe for concurrent use. It is an Invalidator, and passes
// Invalidate on to the Provider it wraps when that is one too.
//
// Printing, marshalling or logging a Cache never shows a secret: fmt,
// encoding/json and log/slog do not reach the cached value.
type Cache struct {
	*cache // shared by the copies of a Cache
}

// cache is a Cache's state.
type cache struct {
	provider Provider
	bad      error // a *ConfigError for options that cannot work
	ahead    time.Duration
	timeout  time.Duration
	now      func() time.Time

	mu        sync.Mutex
	val       sealed[Value]
	have      bool
	refreshAt time.Time
	retryAt   time.Time // no fetch before this, after a failure
	refused   error     // a failure handed back until retryAt
	failures  int       // fetches failed in a row
	fetchedAt time.Time // when the last fetch ended, whatever its outcome
	flight    *flight   // the fetch in progress, if any
}

// Bounds of the backoff after fetches that failed without a refusal.
const (
	firstBackoff = time.Second
	maxBackoff   = RefusalWindow
)

// backoff is the wait after failures fetches failed in a row, the last
// with err: a random time between half the cap and the cap, which doubles
// from firstBackoff to maxBackoff; at least the Retry-After err gave, up to
// maxBackoff.
func backoff(failures int, err error) time.Duration {
	limit := maxBackoff
	if failures < 16 {
		limit = min(firstBackoff<<(failures-1), maxBackoff)
	}
	d := limit/2 + rand.N(limit/2+1)
	var se *Error
	if errors.As(err, &se) && se.RetryAfter > d {
		d = min(se.RetryAfter, maxBackoff)
	}
	return d
}

// flight is one fetch that callers wait for.
type flight struct {
	done chan struct{}
	val  sealed[Value]
	err  error
}

// NewCache returns a Cache in front of p. opts may be nil. A nil p, or
// options that cannot work (see CacheOptions), make every Retrieve fail
// with a *ConfigError.
func NewCache(p Provider, opts *CacheOptions) *Cache {
	c := &cache{provider: p, ahead: DefaultRefreshBefore, timeout: DefaultFetchTimeout, now: time.Now}
	if opts != nil {
		switch {
		case opts.RefreshBefore < 0:
			c.bad = &ConfigError{Source: "CacheOptions", Field: "RefreshBefore", Reason: fmt.Sprintf("must not be negative, got %s", opts.RefreshBefore)}
		case opts.FetchTimeout < 0:
			c.bad = &ConfigError{Source: "CacheOptions", Field: "FetchTimeout", Reason: fmt.Sprintf("must not be negative, got %s", opts.FetchTimeout)}
		}
		if opts.RefreshBefore > 0 {
			c.ahead = opts.RefreshBefore
		}
		if opts.FetchTimeout > 0 {
			c.timeout = opts.FetchTimeout
		}
		if opts.Now != nil {
			c.now = opts.Now
		}
	}
	if p == nil {
		c.bad = &ConfigError{Source: "credentials.Cache", Reason: "NewCache needs a non-nil Provider"}
	}
	return &Cache{c}
}

// Retrieve returns the cached value, or fetches one; see Cache.
func (c *Cache) Retrieve(ctx context.Context) (Value, error) {
	if c == nil || c.cache == nil {
		return Value{}, &ConfigError{Source: "credentials.Cache", Reason: "not created with NewCache"}
	}
	if c.bad != nil {
		return Value{}, c.bad
	}
	if ctx == nil {
		return Value{}, &ConfigError{Source: "credentials.Cache", Reason: "Retrieve needs a non-nil context"}
	}
	now := c.now()
	c.mu.Lock()
	if v := c.val.get(); c.have && !v.Expired(now) {
		if !now.Before(c.refreshAt) && c.flight == nil && !now.Before(c.retryAt) {
			c.start(ctx) // refresh in the background; this caller goes on
		}
		c.mu.Unlock()
		return v, nil
	}
	if c.flight == nil {
		if c.refused != nil && now.Before(c.retryAt) {
			err := c.refused
			c.mu.Unlock()
			return Value{}, err
		}
		c.start(ctx)
	}
	f := c.flight
	c.mu.Unlock()

	select {
	case <-f.done:
	case <-ctx.Done():
		return Value{}, ctx.Err()
	}
	return f.val.get(), f.err
}

// start begins a fetch; c.mu is held. The fetch is detached from the
// caller that started it, so one caller giving up does not fail the others.
func (c *cache) start(ctx context.Context) {
	f := &flight{done: make(chan struct{})}
	c.flight = f
	go c.run(context.WithoutCancel(ctx), f)
}

// run performs one fetch and publishes its result.
func (c *cache) run(ctx context.Context, f *flight) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	v, err := c.provider.Retrieve(ctx)
	if err != nil && ctx.Err() != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		// The fetch ran out of its own time; context.DeadlineExceeded is
		// kept for a caller's own deadline.
		err = &Error{Source: "credentials.Cache", Err: fmt.Errorf("no answer within %s", c.timeout)}
	}
	now := c.now()
	if err == nil && v.Expired(now) {
		err = &Error{Source: v.Source, Err: fmt.Errorf("%w: they expired at %s, the clock says %s (is it right?)",
			ErrExpired, v.Expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))}
		v = Value{}
	}

	c.mu.Lock()
	c.flight = nil
	c.fetchedAt = now
	if err == nil {
		lead := c.ahead
		if !v.Expires.IsZero() {
			if half := v.Expires.Sub(now) / 2; lead > half {
				lead = half // a short-lived value is refreshed halfway through its life
			}
		}
		c.val, c.have, c.refused, c.retryAt, c.failures = seal(v), true, nil, time.Time{}, 0
		c.refreshAt = v.Expires.Add(-lead)
		if v.Expires.IsZero() {
			c.refreshAt = farFuture
		}
	} else {
		c.failures++
		switch held := c.have && !c.val.get().Expired(now); {
		case refusal(err):
			c.retryAt, c.refused = now.Add(RefusalWindow), err
		case held:
			// A background refresh: the value in use is served meanwhile.
			c.retryAt, c.refused = now.Add(RefusalWindow), nil
		default:
			c.retryAt, c.refused = now.Add(backoff(c.failures, err)), err
		}
	}
	f.val, f.err = seal(v), err
	c.mu.Unlock()
	close(f.done)
}

// farFuture is the refresh time of a value that never expires.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// Invalidate drops the cached value when it is failed, so that the next
// Retrieve fetches a new one, but only once RefusalWindow has passed since
// that value was fetched. Within the window Invalidate is ignored and
// Retrieve goes on returning the cached value: a caller that gets back the
// credentials that failed knows no new ones came. A newer value, fetched
// after failed was handed out, is always kept. While a fetch is under way
// the value is dropped at once, and callers wait for that fetch rather than
// start another. A remembered refusal keeps its full window.
//
// When the Cache drops the value and the Provider it wraps is an
// Invalidator, Invalidate is passed on to it, so that the next fetch does
// not get failed back from the Provider's own cache.
func (c *Cache) Invalidate(failed Value) {
	if c == nil || c.cache == nil {
		return
	}
	now := c.now()
	c.mu.Lock()
	dropped := c.have && c.val.get().sameAs(failed) && (c.flight != nil || !now.Before(c.fetchedAt.Add(RefusalWindow)))
	if dropped {
		c.val, c.have = sealed[Value]{}, false
	}
	c.mu.Unlock()
	if inv, ok := c.provider.(Invalidator); ok && dropped {
		inv.Invalidate(failed)
	}
}
