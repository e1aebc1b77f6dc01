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
// included, so a client that keeps asking stays throttled. Kind says how
// windows are laid out, on the server's clock. The quota counts
// authenticated calls to every route, and of every client, together. A
// Limit or Window below 1 turns it off.
type Quota struct {
	// Limit is the number of calls a window lets through.
	Limit int
	// Window is the window's length.
	Window time.Duration
	// Kind lays out the windows: FixedWindow (the zero value),
	// AlignedWindow or SlidingWindow.
	Kind WindowKind
	// Phase shifts AlignedWindow windows: they start Phase after each
	// multiple of Window since the Unix epoch. Other kinds ignore it.
	Phase time.Duration
	// NoRetryAfter leaves Retry-After out of the 429, as the real gateway
	// often does. Otherwise it is the whole seconds until the quota lets a
	// call through again, rounded up.
	NoRetryAfter bool
	// Policy is the word the message names: "user" (the default), "ip" or
	// "api".
	Policy string
	// Message replaces the gateway's error_msg, for a gateway that does
	// not name its limit ("The throttling threshold has been reached.").
	Message string
}

// WindowKind says how a Quota lays its windows out.
type WindowKind int

// Kinds of windows.
const (
	// FixedWindow: a window opens with the first call after the last one
	// ended, and counts Limit calls.
	FixedWindow WindowKind = iota
	// AlignedWindow: windows follow one another on the clock, starting at
	// Phase past each multiple of Window, as a gateway counting per clock
	// minute does, whether or not calls come.
	AlignedWindow
	// SlidingWindow: a call is throttled when Limit calls, throttled ones
	// included, arrived in the Window before it.
	SlidingWindow
)

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

// throttle counts calls in windows. Guarded by Server.mu.
type throttle struct {
	quota     Quota
	start     time.Time   // FixedWindow, AlignedWindow: when the current window opened
	count     int         // FixedWindow, AlignedWindow: calls counted in the current window
	open      bool        // FixedWindow: a window has been opened
	arrivals  []time.Time // SlidingWindow: the last Limit calls, oldest first
	throttled int         // calls answered 429 so far
}

// allow counts one call at now. When the call is over the limit it returns
// ok=false and the whole seconds until a call can get through (at least 1).
func (t *throttle) allow(now time.Time) (retryAfter int, ok bool) {
	q := t.quota
	if !q.on() {
		return 0, true
	}
	var free time.Time // when a call can get through again
	switch q.Kind {
	case SlidingWindow:
		ok = len(t.arrivals) < q.Limit || !t.arrivals[0].After(now.Add(-q.Window))
		if len(t.arrivals) >= q.Limit {
			t.arrivals = append(t.arrivals[:0], t.arrivals[len(t.arrivals)-q.Limit+1:]...)
		}
		t.arrivals = append(t.arrivals, now)
		free = t.arrivals[0].Add(q.Window)
	case AlignedWindow:
		start := alignedStart(now, q.Window, q.Phase)
		if !start.Equal(t.start) {
			t.start, t.count = start, 0
		}
		t.count++
		ok, free = t.count <= q.Limit, start.Add(q.Window)
	default:
		// A clock moved backwards (an injected one can) also opens a
		// window, so the throttle never locks a test out for good.
		if !t.open || !now.Before(t.start.Add(q.Window)) || now.Before(t.start) {
			t.start, t.count, t.open = now, 0, true
		}
		t.count++
		ok, free = t.count <= q.Limit, t.start.Add(q.Window)
	}
	if ok {
		return 0, true
	}
	t.throttled++
	left := free.Sub(now)
	secs := int((left + time.Second - 1) / time.Second) // round up: never ask to come back early
	return max(secs, 1), false
}

// alignedStart is the start of the AlignedWindow window holding now.
func alignedStart(now time.Time, window, phase time.Duration) time.Time {
	since := now.Sub(time.Unix(0, 0).Add(phase))
	k := since / window
	if since%window < 0 {
		k--
	}
	return time.Unix(0, 0).Add(phase).Add(k * window)
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
	if s == nil {
		return
	}
	s.mu.Lock()
	s.throttle.quota = q
	s.mu.Unlock()
}

// Throttled returns how many calls the quota has answered with 429.
func (s *Server) Throttled() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttle.throttled
}
