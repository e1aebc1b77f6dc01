package hsstest

import "time"

// throttle counts calls in fixed windows. The first call after a window
// ends opens the next one, so a test that stops calling for a while starts
// afresh, as with the gateway's per-minute quota. Guarded by Server.mu.
type throttle struct {
	limit  int           // calls allowed per window; 0 = off
	window time.Duration // window length
	start  time.Time     // when the current window opened
	count  int           // calls let through in the current window
	open   bool          // a window has been opened
}

// allow counts one call at now. When the call is over the limit it returns
// ok=false and the whole seconds left in the window (at least 1), for
// Retry-After.
func (t *throttle) allow(now time.Time) (retryAfter int, ok bool) {
	if t.limit < 1 {
		return 0, true
	}
	end := t.start.Add(t.window)
	// A clock moved backwards (an injected one can) also opens a window,
	// so the throttle never locks a test out for good.
	if !t.open || !now.Before(end) || now.Before(t.start) {
		t.start, t.count, t.open = now, 0, true
		end = now.Add(t.window)
	}
	if t.count < t.limit {
		t.count++
		return 0, true
	}
	left := end.Sub(now)
	secs := int((left + time.Second - 1) / time.Second) // round up: never ask to come back early
	return max(secs, 1), false
}

// checkThrottle counts a call on the server's throttle.
func (s *Server) checkThrottle() (retryAfter int, ok bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttle.allow(now)
}
