package hss

import (
	"container/list"
	"sync"
	"time"
)

// routeQuota is the quota of one route, shared by the Client's goroutines.
type routeQuota struct {
	mu      sync.Mutex
	st      quotaState
	last    *APIError     // the last throttling answer on this route
	lastAt  time.Time     // when it came
	changed chan struct{} // closed and replaced when a probe is answered
}

func newRouteQuota() *routeQuota { return &routeQuota{changed: make(chan struct{})} }

// reserve asks to send at now; see quotaState.reserve. It also returns a
// channel closed when waiting may end early (a probe was answered).
func (q *routeQuota) reserve(now, deadline time.Time) (reservation, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.st.reserve(now, deadline, jitter), q.changed
}

// confirm lets a booked caller go; see quotaState.confirm.
func (q *routeQuota) confirm(now time.Time, booked quotaTicket) (quotaTicket, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.st.confirm(now, booked)
}

// passed records a call that got through.
func (q *routeQuota) passed(now time.Time, t quotaTicket) {
	q.mu.Lock()
	defer q.mu.Unlock()
	wasProbing := q.st.probing
	q.st.passed(now, t)

	if wasProbing && !q.st.probing {
		q.wake()
	}
}

// released records a call that got no answer.
func (q *routeQuota) released(t quotaTicket) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.st.released(t) {
		q.wake()
	}
}

// throttled records a throttling answer and returns when the gate opens.
func (q *routeQuota) throttled(now time.Time, t quotaTicket, e *APIError, explicit bool) time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	cp := *e
	q.last, q.lastAt = &cp, now
	gate := q.st.throttled(now, t, e, explicit, jitter)
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

// lastPass returns when a call of the route last got through.
func (q *routeQuota) lastPass() time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.st.lastPass
}

// throttledSince reports whether a call of the route was throttled at t
// or later.
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

func newQuotas() *quotas {
	return &quotas{registries: newRouteQuota(), routes: make(map[string]*list.Element)}
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
	q := newRouteQuota()
	qs.routes[route] = qs.order.PushFront(&namedQuota{route: route, q: q})
	return q
}
