package hss

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// The gateway's quota, learned. API Gateway counts calls per API in fixed
// windows (per second or per minute) and answers 429 APIGW.0308 past the
// limit, often without Retry-After, and it counts the calls it rejects, so
// a client that keeps asking stays throttled. A quota remembers, for one
// route (method and path template) and for every goroutine of the Client:
//
//   - a gate: no call is sent before it. A throttled answer moves it to the
//     Retry-After the gateway gave, else to one window from now, when the
//     window has surely cleared;
//   - the limit: how many calls got through in the window that was
//     throttled (or the "limit:N,time:1 minute" the gateway's message
//     names). Each window then lets that many calls go and holds the rest
//     until the next window, so concurrent callers do not collect 429s;
//   - the window: one minute (the documented quotas are per minute), or
//     what the message or Retry-After tells.
//
// When a window's allowance is used up without a throttle, the next window
// allows an eighth more: the quota probes back up when it grows, and a
// throttle teaches it the new limit when it shrinks.
type quota struct {
	mu        sync.Mutex
	gate      time.Time     // no call before this
	limit     int           // calls per window that got through; 0 = unknown
	allowance int           // calls the current window lets through; 0 = no cap
	window    time.Duration // window length
	winStart  time.Time     // when the current window opened
	gen       uint64        // numbers the windows, to tell late answers apart
	sent, ok  int           // calls sent in this window, and those that got through
	throttled bool          // this window saw a throttle
	exhausted bool          // this window's allowance held a caller back
	reopen    bool          // open a new window when the gate opens
	last      *APIError     // the last throttling answer on this route
}

// defaultQuotaWindow is the window assumed until the gateway tells another.
const defaultQuotaWindow = time.Minute

// maxLearnedWindow bounds a window read from Retry-After: the gateway's
// windows are a second or a minute, and one long Retry-After (the service
// in maintenance, say) must not slow the route for the Client's life.
const maxLearnedWindow = 10 * time.Minute

// reserve asks to send now. It returns 0 and the window's number when the
// caller may send, else how long to wait before asking again.
func (q *quota) reserve(now time.Time) (time.Duration, uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if now.Before(q.gate) {
		return q.gate.Sub(now), 0
	}
	if q.reopen || q.winStart.IsZero() || !now.Before(q.winStart.Add(q.window)) {
		q.open(now)
	}
	if q.allowance > 0 && q.sent >= q.allowance {
		q.exhausted = true
		return q.winStart.Add(q.window).Sub(now), 0
	}
	q.sent++
	return 0, q.gen
}

// open starts a window at now; q.mu is held.
func (q *quota) open(now time.Time) {
	if q.window == 0 {
		q.window = defaultQuotaWindow
	}
	q.allowance = q.limit
	if q.limit > 0 && q.exhausted && !q.throttled {
		// Every call the last window allowed went through: the quota is at
		// least that; try an eighth more.
		q.limit = q.sent
		q.allowance = q.limit + max(1, q.limit/8)
	}
	q.gen++
	q.winStart, q.sent, q.ok = now, 0, 0
	q.throttled, q.exhausted, q.reopen = false, false, false
}

// passed records that a call sent in window gen got through the gateway:
// it was answered, with anything but a throttle.
func (q *quota) passed(gen uint64) {
	q.mu.Lock()
	if gen == q.gen {
		q.ok++
	}
	q.mu.Unlock()
}

// throttledAt records a throttling answer at now to a call sent in window
// gen, and returns when the gate opens.
func (q *quota) throttledAt(now time.Time, gen uint64, e *APIError) time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	cp := *e
	q.last = &cp
	hintLimit, hintWindow := quotaHint(e.Message)
	if hintWindow > 0 {
		q.window = hintWindow
	}
	current := gen == q.gen
	if current {
		switch {
		case hintLimit > 0:
			q.limit = hintLimit
		case q.ok > 0:
			q.limit = q.ok
		case q.limit > 1:
			q.limit /= 2 // throttled before any success: the quota is shared, or smaller
		}
		if e.RetryAfter > 0 && hintWindow == 0 {
			// The window ends when the gateway says; it began, at the
			// latest, when this window's first call was sent.
			if w := now.Add(e.RetryAfter).Sub(q.winStart); w >= time.Second && w <= maxLearnedWindow {
				q.window = w
			}
		}
		q.throttled = true
		q.reopen = true
	}
	if !current {
		// An answer to a call sent in a window already over: the current
		// window's own calls will tell whether it is full.
		return q.gate
	}
	wait := e.RetryAfter
	if wait == 0 {
		wait = q.window
	}
	if gate := now.Add(wait); gate.After(q.gate) {
		q.gate = gate
	}
	return q.gate
}

// lastThrottle returns a copy of the last throttling answer, or nil.
func (q *quota) lastThrottle() *APIError {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.last == nil {
		return nil
	}
	cp := *q.last
	return &cp
}

// quotaHint reads "limit:5,time:1 minute" from the gateway's message
// ("The throttling threshold has been reached: policy user over
// ratelimit,limit:5,time:1 minute"). Zeros when the message has no hint.
func quotaHint(msg string) (limit int, window time.Duration) {
	i := strings.Index(msg, "limit:")
	if i < 0 {
		return 0, 0
	}
	rest := msg[i+len("limit:"):]
	n, rest := leadingInt(rest)
	j := strings.Index(rest, "time:")
	if n <= 0 || j < 0 {
		return 0, 0
	}
	rest = strings.TrimSpace(rest[j+len("time:"):])
	count, rest := leadingInt(rest)
	if count <= 0 || count > 1440 {
		return 0, 0
	}
	unit := strings.TrimSpace(rest)
	var d time.Duration
	switch {
	case strings.HasPrefix(unit, "second"):
		d = time.Second
	case strings.HasPrefix(unit, "minute"):
		d = time.Minute
	case strings.HasPrefix(unit, "hour"):
		d = time.Hour
	case strings.HasPrefix(unit, "day"):
		d = 24 * time.Hour
	default:
		return 0, 0
	}
	return n, time.Duration(count) * d
}

// leadingInt reads the decimal digits at the start of s; more than nine
// digits read as none.
func leadingInt(s string) (int, string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil || i > 9 {
		return 0, s
	}
	return n, s[i:]
}

// quotas holds a quota per route.
type quotas struct {
	mu       sync.Mutex
	byRoute  map[string]*quota
	overflow quota // shared by routes past maxRoutes
}

// maxRoutes bounds the routes a Client tracks; Client.Do with paths that
// embed ids could otherwise grow the map without end.
const maxRoutes = 256

// get returns the quota of route.
func (qs *quotas) get(route string) *quota {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	if q, ok := qs.byRoute[route]; ok {
		return q
	}
	if len(qs.byRoute) >= maxRoutes {
		return &qs.overflow
	}
	if qs.byRoute == nil {
		qs.byRoute = make(map[string]*quota)
	}
	q := &quota{}
	qs.byRoute[route] = q
	return q
}
