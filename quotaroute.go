package hss

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// routeQuota is the quota of one route, shared by the Client's goroutines,
// and through a QuotaStore by every Client that uses it.
type routeQuota struct {
	share quotaSharing // the Client's QuotaStore; nil without one

	mu        routeLock     // held across the store's calls: waiting for it heeds a caller's context
	st        quotaState    // the state: this Client's own, or the store's as last seen
	ownPass   time.Time     // with a store: the last call of this Client that got through
	cached    []byte        // the store's value as last seen, under cachedKey
	cachedKey string        //
	last      *APIError     // the last throttling answer on this route
	lastAt    time.Time     // when it came
	changed   chan struct{} // closed and replaced when a probe is answered
}

func newRouteQuota(share quotaSharing) *routeQuota {
	return &routeQuota{share: share, mu: routeLock{make(chan struct{}, 1)}, changed: make(chan struct{})}
}

// routeLock is a mutex whose waiters may give up when their context ends:
// its holder may be waiting for a QuotaStore, up to QuotaStoreTimeout.
type routeLock struct{ held chan struct{} }

// Lock waits for the lock however long its holders keep it (each at most
// a store operation's bound).
func (l *routeLock) Lock() { l.held <- struct{}{} }

// Unlock releases the lock.
func (l *routeLock) Unlock() { <-l.held }

// LockContext waits for the lock until ctx ends, and then returns ctx's
// error without it.
func (l *routeLock) LockContext(ctx context.Context) error {
	select {
	case l.held <- struct{}{}:
		return nil
	default:
	}
	select {
	case l.held <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// quotaScope is what one call needs to reach its route's quota in a
// QuotaStore: its context, which bounds the store's calls, and the store
// key for its credentials ("" keeps the quota in the Client's memory).
type quotaScope struct {
	ctx context.Context
	key string
}

// apply runs fn on the route's state: the one in the QuotaStore when the
// Client has a store that answers, else the Client's own. q.mu is held.
func (q *routeQuota) apply(sc quotaScope, now time.Time, fn func(*quotaState)) {
	if q.share == nil || sc.key == "" || !q.share.apply(q, sc, now, fn) {
		fn(&q.st)
	}
}

// maxQuotaSwaps bounds the attempts of one change to a stored quota.
const maxQuotaSwaps = 8

// reserve asks to send at now; see quotaState.reserve. It also returns a
// channel closed when waiting may end early (a probe was answered), and
// what a caller that waits needs of the route (read under the same lock,
// so that such a caller is not queued again behind others' store calls).
// It returns the context's error when the context ends while another
// caller holds the route's quota.
func (q *routeQuota) reserve(sc quotaScope, now, deadline time.Time) (reservation, routeView, error) {
	if err := q.mu.LockContext(sc.ctx); err != nil {
		return reservation{}, routeView{}, err
	}
	defer q.mu.Unlock()
	var r reservation
	q.apply(sc, now, func(st *quotaState) { r = st.reserve(now, deadline, jitter) })
	v := routeView{changed: q.changed, lastPass: q.st.lastPass}
	if !r.ready && q.last != nil {
		cp := *q.last
		v.lastThrottle = &cp
	}
	return r, v, nil
}

// routeView is what a caller that waits needs of its route.
type routeView struct {
	changed      <-chan struct{} // closed when a probe is answered
	lastPass     time.Time       // when a call of the route last got through, as this Client last saw it
	lastThrottle *APIError       // a copy of the route's last throttling answer, or nil
}

// confirm lets a booked caller go; see quotaState.confirm. It returns the
// context's error when the context ends while another caller holds the
// route's quota.
func (q *routeQuota) confirm(sc quotaScope, now time.Time, booked quotaTicket) (quotaTicket, bool, error) {
	if err := q.mu.LockContext(sc.ctx); err != nil {
		return quotaTicket{}, false, err
	}
	defer q.mu.Unlock()
	var (
		t  quotaTicket
		ok bool
	)
	q.apply(sc, now, func(st *quotaState) { t, ok = st.confirm(now, booked) })
	return t, ok, nil
}

// unbook gives back a booked slot whose caller stopped waiting; see
// quotaState.unbook.
// It reports false, having given back nothing, when sc's context ends
// while another caller holds the route's quota.
func (q *routeQuota) unbook(sc quotaScope, now time.Time, booked *quotaTicket) bool {
	if q.mu.LockContext(sc.ctx) != nil {
		return false
	}
	defer q.mu.Unlock()
	q.apply(sc, now, func(st *quotaState) { st.unbook(*booked) })
	return true
}

// passed records a call that got through. With a store, only what the
// others wait for is written at once (a probe's answer, an answer during
// a slow start); the rest reaches the store with this Client's next call,
// so that an unthrottled call costs the store one round trip.
func (q *routeQuota) passed(sc quotaScope, now time.Time, t quotaTicket) {
	q.mu.Lock()
	defer q.mu.Unlock()
	wasProbing, slow := q.st.probing, q.st.slow.limit > 0
	q.ownPass = later(q.ownPass, now)
	if t.probe || slow || q.share == nil || sc.key == "" {
		q.apply(sc, now, func(st *quotaState) { st.passed(now, t) })
	} else {
		q.st.passed(now, t)
	}
	if wasProbing && !q.st.probing || slow {
		q.wake()
	}
}

// released records a call that got no answer.
func (q *routeQuota) released(sc quotaScope, now time.Time, t quotaTicket) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var woke bool
	q.apply(sc, now, func(st *quotaState) { woke = st.released(t) })
	if woke {
		q.wake()
	}
}

// throttled records a throttling answer and returns when the gate opens.
func (q *routeQuota) throttled(sc quotaScope, now time.Time, t quotaTicket, e *APIError, explicit bool) time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	cp := *e
	if len(cp.Body) > maxKeptThrottleBody {
		// A Client keeps one answer for each of up to maxRoutes routes:
		// not up to MaxErrorBodyBytes each.
		cp.Body = bytes.Clone(cp.Body[:maxKeptThrottleBody])
	}
	q.last, q.lastAt = &cp, now
	var gate time.Time
	q.apply(sc, now, func(st *quotaState) { gate = st.throttled(now, t, e, explicit, jitter) })
	if t.probe {
		q.wake() // another caller may probe when the gate opens
	}
	return gate
}

// maxKeptThrottleBody bounds the body of the throttling answer a route
// keeps for the callers that give up before they have an answer of their
// own.
const maxKeptThrottleBody = 4 << 10

// wake ends the waits of the callers waiting on the probe; q.mu is held.
func (q *routeQuota) wake() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// throttledSince reports whether a call of this Client on the route was
// throttled at t or later.
func (q *routeQuota) throttledSince(t time.Time) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return !q.lastAt.Before(t) && q.last != nil
}

// quotas holds the quota of each route: the typed operation's always, and
// those of Do's routes, least recently used first out when there are
// maxRoutes of them.
type quotas struct {
	registries *routeQuota
	share      quotaSharing

	mu     sync.Mutex
	routes map[string]*list.Element // of *namedQuota
	order  list.List                // most recently used first
}

// namedQuota is a Do route's quota in the LRU list.
type namedQuota struct {
	route string
	q     *routeQuota
}

// maxRoutes bounds the Do routes a Client tracks; paths that embed ids of
// a kind routeTemplate keeps could otherwise grow the map without end.
const maxRoutes = 256

func newQuotas(share quotaSharing) *quotas {
	return &quotas{registries: newRouteQuota(share), share: share, routes: make(map[string]*list.Element)}
}

// get returns the quota of route.
func (qs *quotas) get(route string) *routeQuota {
	if route == registriesRoute {
		return qs.registries
	}
	qs.mu.Lock()
	defer qs.mu.Unlock()
	if e, ok := qs.routes[route]; ok {
		qs.order.MoveToFront(e)
		return e.Value.(*namedQuota).q
	}
	if qs.order.Len() >= maxRoutes {
		oldest := qs.order.Back()
		qs.order.Remove(oldest)
		delete(qs.routes, oldest.Value.(*namedQuota).route)
	}
	q := newRouteQuota(qs.share)
	qs.routes[route] = qs.order.PushFront(&namedQuota{route: route, q: q})
	return q
}

// waitToSend waits until the call may be sent: for the caller's rate limit
// (WithRateLimit), then for the route's quota. It returns the quota's
// ticket for the call.
func (c *Client) waitToSend(ctx context.Context, cl *call, q *routeQuota, sc quotaScope, st *callState) (quotaTicket, error) {
	path := cl.u.EscapedPath()
	if c.cfg.limiter != nil {
		waiting := func(d time.Duration) { c.wait(ctx, st, WaitRateLimit, d, nil) }
		start := c.cfg.clock.Now()
		err := c.cfg.limiter.wait(ctx, c.cfg.clock, waiting)
		st.waitedAll += c.cfg.clock.Now().Sub(start)
		if err != nil {
			return quotaTicket{}, &RequestError{Method: cl.method, Path: path, Err: err, Last: st.last, Attempts: st.sent}
		}
	}
	var deadline time.Time
	if dl, ok := ctx.Deadline(); ok {
		deadline = dl
	}
	for {
		now := c.cfg.clock.Now()
		r, view, err := q.reserve(sc, now, deadline)
		if err != nil {
			return quotaTicket{}, &RequestError{Method: cl.method, Path: path, Err: err, Last: st.last, Attempts: st.sent}
		}
		if r.ready {
			return r.ticket, nil
		}
		if st.stallStart.IsZero() {
			st.stallStart = now
		}
		stalled := now.Sub(later(st.stallStart, view.lastPass))
		throttle := throttleError(cl, view.lastThrottle, st.last, r.wait)
		if why := c.cfg.retry.throttleGiveUp(stalled, r.wait, !r.booked); why != "" {
			c.unbook(q, sc, &r)
			return quotaTicket{}, &AttemptsError{Attempts: st.sent, Throttle: st.waited, Err: throttle, why: why}
		}
		if err := pastDeadline(deadline, now, r.wait, "throttled, and the gateway's quota clears"); err != nil {
			c.unbook(q, sc, &r)
			return quotaTicket{}, &RequestError{Method: cl.method, Path: path, Attempts: st.sent, Last: throttle, Err: err}
		}
		c.wait(ctx, st, WaitQuota, r.wait, throttle)
		start := c.cfg.clock.Now()
		if r.probe {
			// A probe's answer ends the wait; its round trip is real time
			// whatever the Clock says.
			err = waitFor(ctx, view.changed, r.wait)
		} else {
			err = c.sleepUntil(ctx, now.Add(r.wait), view.changed)
			st.waited += c.cfg.clock.Now().Sub(start)
		}
		st.waitedAll += c.cfg.clock.Now().Sub(start)
		if err == nil && r.booked {
			var t quotaTicket
			var ok bool
			if t, ok, err = q.confirm(sc, c.cfg.clock.Now(), r.ticket); ok {
				return t, nil
			}
		}
		if err != nil {
			c.unbook(q, sc, &r)
			return quotaTicket{}, &RequestError{Method: cl.method, Path: path, Err: err, Last: st.last, Attempts: st.sent}
		}
	}
}

// unbook gives back the slot r booked, if it booked one, for a caller
// that stops waiting: at once while the caller's context is alive, and
// else in the background, so that a caller whose context ended is held
// neither for the store (which hears of it within QuotaStoreTimeout) nor
// behind the other callers of the route.
func (c *Client) unbook(q *routeQuota, sc quotaScope, r *reservation) {
	if !r.booked {
		return
	}
	now := c.cfg.clock.Now()
	if sc.ctx.Err() == nil && q.unbook(sc, now, &r.ticket) {
		return
	}
	sc.ctx = context.WithoutCancel(sc.ctx) // its values still reach a store's warning; its calls are bounded all the same
	go q.unbook(sc, now, &r.ticket)
}

// waitFor waits until wake is closed, d has passed in real time, or ctx
// ends (then it returns ctx's error).
func waitFor(ctx context.Context, wake <-chan struct{}, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-wake:
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// quotaKey is the QuotaStore key of route for the credentials the call
// will use, or "" without a store (or without credentials to name).
func (c *Client) quotaKey(ctx context.Context, route string) string {
	if c.quotas.share == nil {
		return ""
	}
	return c.quotas.share.key(ctx, c.cfg.creds, c.endpoint, c.projectEsc, route)
}

// sleepUntil waits on the Client's clock until t, or until wake is closed,
// or ctx ends (then it returns ctx's error).
func (c *Client) sleepUntil(ctx context.Context, t time.Time, wake <-chan struct{}) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-wake:
			cancel()
		case <-wctx.Done():
		}
	}()
	err := sleepUntil(wctx, c.cfg.clock, t)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil && wctx.Err() == nil {
		return err
	}
	return nil
}

// throttleError is the throttling answer a call that gives up while
// waiting for the quota reports: its own last answer, or the last one the
// route got (routeLast, a copy), with RetryAfter at least wait.
func throttleError(cl *call, routeLast *APIError, last error, wait time.Duration) error {
	var e *APIError
	if errors.As(last, &e) && IsThrottled(e) {
		cp := *e
		e = &cp
	} else if e = routeLast; e == nil {
		e = &APIError{StatusCode: http.StatusTooManyRequests, Code: "APIGW.0308", Message: "throttled earlier on this route"}
	}
	e.Method, e.Path = cl.method, cl.u.EscapedPath()
	e.RetryAfter = max(e.RetryAfter, wait)
	return e
}
