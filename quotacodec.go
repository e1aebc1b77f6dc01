package hss

import (
	"bytes"
	"encoding/binary"
	"math"
	"time"
)

// quotaCodecVersion starts every value a Client writes to a QuotaStore. A
// value of another version, or one that does not read whole, is treated as
// no value: the quota is learned anew.
const quotaCodecVersion = 2

// encodeQuota writes st, as it stands at now on the writer's clock, as a
// QuotaStore value: fixed-width little-endian fields after the version
// byte, the first of them now.
func encodeQuota(st *quotaState, now time.Time) []byte {
	var w quotaWriter
	w.b = make([]byte, 0, 384)
	w.b = append(w.b, quotaCodecVersion)
	w.time(now)
	w.dur(st.window)
	w.int(int64(st.limit))
	w.float(st.share)
	w.flags(st.spread, st.shared, st.sliding, st.probing, st.throttle, st.held, st.raising, st.probed)
	w.time(st.gate)
	w.time(st.probeEnd)
	w.int(int64(st.fails))
	w.time(st.next)
	w.time(st.winStart)
	w.int(int64(st.gen))
	w.int(int64(st.epoch))
	w.int(int64(st.sent))
	w.int(int64(st.clean))
	w.time(st.cut)
	w.time(st.changed)
	w.float(st.stride)
	w.time(st.lastPass)
	w.time(st.turn)
	w.time(st.raiseFrom)
	w.int(int64(st.raiseSent))
	w.dur(st.rtt)
	w.dur(st.rttVar)
	w.time(st.recent.start)
	w.dur(st.recent.width)
	for _, n := range st.recent.counts {
		w.b = binary.LittleEndian.AppendUint16(w.b, n)
	}
	w.int(int64(st.slow.limit))
	w.int(int64(st.slow.out))
	w.time(st.slow.last)
	return w.b
}

// decodeQuota reads a value encodeQuota wrote, at now (on the clock the
// value's times are on); ok is false for anything else, and for a value
// whose times lie further ahead than a quota's state can: written more
// than maxStoredAhead after now, or holding a time more than
// maxStoredAhead after it was written. Such a value (a store's garbage, a
// host whose clock was far off) would otherwise hold every Client of the
// key back; read as no value, it is learned anew.
func decodeQuota(b []byte, now time.Time) (st quotaState, ok bool) {
	if len(b) == 0 || b[0] != quotaCodecVersion {
		return st, false
	}
	r := quotaReader{b: b[1:]}
	written := r.time()
	st.window = r.dur()
	st.limit = int(r.int())
	st.share = r.float()
	f := r.flags()
	st.spread, st.shared, st.sliding, st.probing, st.throttle, st.held, st.raising, st.probed = f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]
	st.gate = r.time()
	st.probeEnd = r.time()
	st.fails = int(r.int())
	st.next = r.time()
	st.winStart = r.time()
	st.gen = uint64(r.int())
	st.epoch = uint64(r.int())
	st.sent = int(r.int())
	st.clean = int(r.int())
	st.cut = r.time()
	st.changed = r.time()
	st.stride = r.float()
	st.lastPass = r.time()
	st.turn = r.time()
	st.raiseFrom = r.time()
	st.raiseSent = int(r.int())
	st.rtt = r.dur()
	st.rttVar = r.dur()
	st.recent.start = r.time()
	st.recent.width = r.dur()
	for i := range st.recent.counts {
		st.recent.counts[i] = r.uint16()
	}
	st.slow.limit = int32(r.int())
	st.slow.out = int32(r.int())
	st.slow.last = r.time()
	if r.bad || len(r.b) != 0 || written.IsZero() || written.Sub(now) > maxStoredAhead || !st.valid() {
		return quotaState{}, false
	}
	for _, t := range st.timeFields() {
		if t.Sub(written) > maxStoredAhead && (t != &st.gate || t.Sub(written) > maxStoredGate) {
			return quotaState{}, false
		}
	}
	return st, true
}

// maxStoredAhead bounds how far ahead of its writing a stored time may
// lie: a paced slot or a window is never further than a few windows of at
// most maxQuotaWindow away. A gate may lie up to maxStoredGate ahead: a
// Retry-After names up to MaxRetryAfter, and the Clients that read it must
// keep it rather than write over it.
const (
	maxStoredAhead = time.Hour
	maxStoredGate  = MaxRetryAfter + maxQuotaWindow
)

// sameQuota reports whether two values hold the same state, whenever they
// were written.
func sameQuota(a, b []byte) bool {
	const header = 1 + 8 // the version and the time of writing
	return len(a) > header && len(b) > header && bytes.Equal(a[header:], b[header:])
}

// timeFields are the times of s.
func (s *quotaState) timeFields() []*time.Time {
	return []*time.Time{&s.gate, &s.probeEnd, &s.next, &s.winStart, &s.cut, &s.changed,
		&s.lastPass, &s.turn, &s.raiseFrom, &s.recent.start, &s.slow.last}
}

// shift moves every time of s by d: from one clock to another.
func (s *quotaState) shift(d time.Duration) {
	if d == 0 {
		return
	}
	for _, t := range s.timeFields() {
		if !t.IsZero() {
			*t = t.Add(d)
		}
	}
}

// valid reports whether a decoded state is one the algorithm can work
// with: a value written by another program, or damaged, is not.
func (s *quotaState) valid() bool {
	const maxCount = 1 << 30 // calls, windows, probes: far past any real quota, far from overflowing
	within := func(v, hi int) bool { return v >= 0 && v <= hi }
	short := func(d time.Duration) bool { return d >= 0 && d <= maxQuotaWindow }
	return short(s.window) && within(s.limit, maxCount) &&
		s.share >= 0 && s.share <= maxCount && !math.IsNaN(s.share) && within(s.fails, 1<<20) &&
		within(s.sent, maxCount) && within(s.clean, maxCount) && within(s.raiseSent, maxCount) &&
		s.stride >= 0 && s.stride <= 2 && short(s.rtt) && short(s.rttVar) && short(s.recent.width) &&
		s.slow.limit >= 0 && s.slow.limit <= maxSlowStart && s.slow.out >= 0 && s.slow.out <= maxCount
}

type quotaWriter struct{ b []byte }

func (w *quotaWriter) int(v int64)         { w.b = binary.LittleEndian.AppendUint64(w.b, uint64(v)) }
func (w *quotaWriter) dur(d time.Duration) { w.int(int64(d)) }
func (w *quotaWriter) float(f float64) {
	w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(f))
}
func (w *quotaWriter) time(t time.Time) { w.int(unixNano(t)) }
func (w *quotaWriter) flags(bits ...bool) {
	var f byte
	for i, b := range bits {
		if b {
			f |= 1 << i
		}
	}
	w.b = append(w.b, f)
}

// unixNano is t in Unix nanoseconds, 0 for the zero time (and for times
// nanoseconds cannot hold, which a quota never meets).
func unixNano(t time.Time) int64 {
	if t.IsZero() || t.Year() < 1678 || t.Year() > 2261 {
		return 0
	}
	return t.UnixNano()
}

type quotaReader struct {
	b   []byte
	bad bool
}

func (r *quotaReader) take(n int) []byte {
	if len(r.b) < n {
		r.bad = true
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *quotaReader) int() int64         { return int64(binary.LittleEndian.Uint64(r.take(8))) }
func (r *quotaReader) uint16() uint16     { return binary.LittleEndian.Uint16(r.take(2)) }
func (r *quotaReader) dur() time.Duration { return time.Duration(r.int()) }
func (r *quotaReader) float() float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(r.take(8)))
}
func (r *quotaReader) flags() (f [8]bool) {
	b := r.take(1)[0]
	for i := range f {
		f[i] = b&(1<<i) != 0
	}
	return f
}

func (r *quotaReader) time() time.Time {
	n := r.int()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
