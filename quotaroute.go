package hss

import (
	"bytes"
	"container/list"
	"context"
	"sync"
	"time"
)

// routeQuota is the quota of one route, shared by the Client's goroutines,
// and through a QuotaStore by every Client that uses it.
type routeQuota struct {
	link *quotaLink // the Client's QuotaStore; nil without one

	mu        sync.Mutex
	st        quotaState    // the state: this Client's own, or the store's as last seen
	cached    []byte        // the store's value as last seen, under cachedKey
	cachedKey string        //
	last      *APIError     // the last throttling answer on this route
	lastAt    time.Time     // when it came
	changed   chan struct{} // closed and replaced when a probe is answered
}

func newRouteQuota(link *quotaLink) *routeQuota {
	return &routeQuota{link: link, changed: make(chan struct{})}
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
// With a store, fn may run more than once (when another Client wrote
// first); the last run is the one that counts.
func (q *routeQuota) apply(sc quotaScope, now time.Time, fn func(*quotaState)) {
	if q.link == nil || sc.key == "" || !q.link.usable(now) {
		fn(&q.st)
		return
	}
	var old []byte
	if q.cachedKey == sc.key {
		old = q.cached
	}
	for range maxQuotaSwaps {
		st, ok := decodeQuota(old)
		if !ok {
			st = q.st // nothing shared yet, or nothing readable: start from what this Client knows
		}
		fn(&st)
		next := encodeQuota(&st)
		if ok && bytes.Equal(next, old) {
			q.st = st // nothing changed: no need to write
			return
		}
		cur, swapped, err := q.link.compareAndSwap(sc.ctx, sc.key, old, next, quotaStoreTTL(st.windowLen()))
		switch {
		case err != nil:
			if sc.ctx.Err() == nil {
				q.link.failed(sc.ctx, now, err)
			}
			q.st, q.cachedKey = st, "" // go on from the state last seen
			return
		case swapped:
			q.st, q.cached, q.cachedKey = st, next, sc.key
			return
		}
		old = cur
	}
	fn(&q.st) // other Clients kept writing first: this once, on its own
}

// maxQuotaSwaps bounds the attempts of one change to a stored quota.
const maxQuotaSwaps = 8

// reserve asks to send at now; see quotaState.reserve. It also returns a
// channel closed when waiting may end early (a probe was answered).
func (q *routeQuota) reserve(sc quotaScope, now, deadline time.Time) (reservation, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var r reservation
	q.apply(sc, now, func(st *quotaState) { r = st.reserve(now, deadline, jitter) })
	return r, q.changed
}

// confirm lets a booked caller go; see quotaState.confirm.
func (q *routeQuota) confirm(sc quotaScope, now time.Time, booked quotaTicket) (quotaTicket, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var (
		t  quotaTicket
		ok bool
	)
	q.apply(sc, now, func(st *quotaState) { t, ok = st.confirm(now, booked) })
	return t, ok
}

// passed records a call that got through.
func (q *routeQuota) passed(sc quotaScope, now time.Time, t quotaTicket) {
	q.mu.Lock()
	defer q.mu.Unlock()
	wasProbing := q.st.probing
	q.apply(sc, now, func(st *quotaState) { st.passed(now, t) })
	if wasProbing && !q.st.probing {
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
	q.last, q.lastAt = &cp, now
	var gate time.Time
	q.apply(sc, now, func(st *quotaState) { gate = st.throttled(now, t, e, explicit, jitter) })
	if t.probe {
		q.wake() // another caller may probe when the gate opens
	}
	return gate
}

// wake ends the waits of the callers waiting on the probe; q.mu is held.
func (q *routeQuota) wake() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// lastPass returns when a call of the route last got through, as this
// Client last saw it.
func (q *routeQuota) lastPass() time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.st.lastPass
}

// throttledSince reports whether a call of this Client on the route was
// throttled at t or later.
func (q *routeQuota) throttledSince(t time.Time) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return !q.lastAt.Before(t) && q.last != nil
}

// lastThrottle returns a copy of the last throttling answer, or nil.
func (q *routeQuota) lastThrottle() *APIError {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.last == nil {
		return nil
	}
	cp := *q.last
	return &cp
}

// quotas holds the quota of each route: the typed operation's always, and
// those of Do's routes, least recently used first out when there are
// maxRoutes of them.
type quotas struct {
	registries *routeQuota
	link       *quotaLink

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

func newQuotas(link *quotaLink) *quotas {
	return &quotas{registries: newRouteQuota(link), link: link, routes: make(map[string]*list.Element)}
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
	q := newRouteQuota(qs.link)
	qs.routes[route] = qs.order.PushFront(&namedQuota{route: route, q: q})
	return q
}
