package hsstest

import "time"

// SetLatencyRange holds every request for a time drawn uniformly from
// [lo, hi] before anything else happens, as SetLatency does for one fixed
// time; a hi below lo reads as lo. The draws come from a generator seeded
// per server, so a test that sends requests in the same order sees the same
// latencies. Latency waits on real timers: inside a testing/synctest
// bubble, with WithInMemoryNetwork, those run on the bubble's fake time.
func (s *Server) SetLatencyRange(lo, hi time.Duration) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.latency, s.jitter = lo, max(hi-lo, 0)
	s.mu.Unlock()
}

// nextLatency draws one request's latency.
func (s *Server) nextLatency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jitter <= 0 {
		return s.latency
	}
	return s.latency + time.Duration(s.rng.Int64N(int64(s.jitter)+1))
}
