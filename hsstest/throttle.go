package hsstest

import (
	"fmt"
	"strconv"
	"time"
)

// Quota is the gateway's throttling: past Limit calls in a Window it
// answers 429 APIGW.0308 with the gateway's real message ("The throttling
// threshold has been reached: policy user over ratelimit,limit:5,time:1
// minute"). Like API Gateway it counts every call, the ones it rejects
// included, so a client that keeps asking stays throttled. Windows are
// fixed: the first call after a window ends opens the next one, measured on
// the server's clock. The quota counts authenticated calls to every route
// together. A Limit or Window below 1 turns it off.
type Quota struct {
	// Limit is the number of calls a window lets through.
	Limit int
	// Window is the window's length.
	Window time.Duration
	// NoRetryAfter leaves Retry-After out of the 429, as the real gateway
	// often does. Otherwise it is the whole seconds left in the window.
	NoRetryAfter bool
	// Policy is the word the message names: "user" (the default), "ip" or
	// "api".
	Policy string
	// Message replaces the gateway's error_msg, for a gateway that does
	// not name its limit ("The throttling threshold has been reached.").
	Message string
}

// on reports whether the quota throttles.
func (q Quota) on() bool { return q.Limit >= 1 && q.Window > 0 }

// message is the gateway's error_msg for q.
func (q Quota) message() string {
	if q.Message != "" {
		return q.Message
	}
	policy := q.Policy
	if policy == "" {
		policy = "user"
	}
	return fmt.Sprintf("The throttling threshold has been reached: policy %s over ratelimit,limit:%d,time:%s", policy, q.Limit, windowText(q.Window))
}

// windowText writes a window as the gateway does: "1 minute", "1 second".
func windowText(d time.Duration) string {
	switch {
	case d >= time.Minute && d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + " minute"
	case d >= time.Second && d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + " second"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + " millisecond"
}

// throttle counts calls in fixed windows. Guarded by Server.mu.
type throttle struct {
	quota     Quota
	start     time.Time // when the current window opened
	count     int       // calls counted in the current window
	open      bool      // a window has been opened
	throttled int       // calls answered 429 so far
}

// allow counts one call at now. When the call is over the limit it returns
// ok=false and the whole seconds left in the window (at least 1).
func (t *throttle) allow(now time.Time) (retryAfter int, ok bool) {
	if !t.quota.on() {
		return 0, true
	}
	end := t.start.Add(t.quota.Window)
	// A clock moved backwards (an injected one can) also opens a window,
	// so the throttle never locks a test out for good.
	if !t.open || !now.Before(end) || now.Before(t.start) {
		t.start, t.count, t.open = now, 0, true
		end = now.Add(t.quota.Window)
	}
	t.count++
	if t.count <= t.quota.Limit {
		return 0, true
	}
	t.throttled++
	left := end.Sub(now)
	secs := int((left + time.Second - 1) / time.Second) // round up: never ask to come back early
	return max(secs, 1), false
}

// checkThrottle counts a call on the server's quota. It returns the quota
// and, for a rejected call, the Retry-After seconds.
func (s *Server) checkThrottle() (q Quota, retryAfter int, ok bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	retryAfter, ok = s.throttle.allow(now)
	return s.throttle.quota, retryAfter, ok
}

// SetQuota replaces the quota while the server runs, as a gateway whose
// limit an operator changes; the current window keeps its count. A zero
// Quota turns throttling off.
func (s *Server) SetQuota(q Quota) {
	s.mu.Lock()
	s.throttle.quota = q
	s.mu.Unlock()
}

// Throttled returns how many calls the quota has answered with 429.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttle.throttled
}
