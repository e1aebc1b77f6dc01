package hss

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// The gateway's quota, as a Client learns it. API Gateway counts calls per
// API in windows (per second or per minute; fixed, or sliding) and answers
// 429 APIGW.0308 past the limit, often without Retry-After. It counts the
// calls it rejects, and its quotas are shared: the 5 calls a minute per
// user or IP bind every process of a user and every process on a host, and
// the 600 a minute per API bind everyone. A Client cannot see the others;
// it learns from what gets through and what is throttled, and the quota
// keeps, per route (method and path template), for all of its goroutines:
//
//   - a share: the calls a window may carry for this Client. There is none
//     until the first throttle, so a listing that is never throttled never
//     waits. A throttle sets it: to the gateway's limit when this Client's
//     own calls filled the window, else (the quota is shared) to the calls
//     that got in, at most half the limit. A later throttle of a shared
//     quota cuts it (multiplicative decrease), at most once a window, and
//     harder for a Client that got a call through in the last window than
//     for one that waits, so that the Clients that get in make room for
//     those that do not. A window that used the share up without a
//     throttle raises it: by a 32nd of the limit, then twice that, four
//     times, and so on while no throttle comes, by at most a call a window
//     while the step is under a call (additive increase, faster the longer
//     it lasts). Independent Clients so converge to fair shares, as TCP
//     flows and aws-sdk-go-v2's adaptive retry mode do, and one whose peers
//     left takes the quota back in a few windows. The step is drawn anew
//     at each throttle, so that Clients cut together do not grow back in
//     step. A Client alone at the gateway's limit tries one call more now
//     and then: when it gets through, the quota was raised, and calls go
//     uncapped until a throttle names the new limit.
//   - a pace: a shared share, or one whose window's phase is unknown (no
//     Retry-After), is spread evenly over the window, in whole calls, and
//     no stretch of a window holds more of this Client's calls, rejected
//     ones included, than those whole calls. So the calls of several
//     Clients interleave instead of colliding at the window's start, and
//     Clients whose shares add up to the limit never collide, whatever the
//     window's kind or phase: a gateway whose window slides counts the
//     calls it rejects, and only a pace that makes up for them lets such a
//     window drain. A Client alone that knows when the window ends (from
//     Retry-After) sends its share as a burst when it opens.
//   - a gate: no call before it. A throttle moves it to the Retry-After the
//     gateway gave (0 is now), else to when the window is estimated to end
//     (from when this Client's calls of the window began, or from a window
//     turn seen earlier). A shared quota's gate is no sooner than its pace
//     allows, unless the gateway names when its window opens, and comes
//     with a jitter, so that Clients throttled together do not come back
//     together at the same second of every window; a Client whose very
//     first call met a window that others filled comes back at a random
//     moment within the next window. When a call sent at the moment a
//     Retry-After named is throttled again, the window slides (or others
//     fill it first): the pace, not Retry-After, then says when to come
//     back.
//   - a probe: when the gate opens after a throttle, one caller goes first
//     and the others wait for its answer, so a window that lets nothing
//     through costs one rejected call, not one per waiting goroutine. A
//     probe throttled again after a wait means others fill the window.
//
// quotaState is that knowledge; with a QuotaStore it is what the store
// keeps, shared by every Client that uses it.
type quotaState struct {
	window    time.Duration // window length; 0 until learned: defaultQuotaWindow
	limit     int           // the gateway's limit per window, from its message; 0 unknown
	share     float64       // calls a window may carry; 0 = no cap
	spread    bool          // pace the share evenly over the window
	shared    bool          // others use the quota too
	sliding   bool          // a Retry-After names when one call fits, not when a window opens
	gate      time.Time     // no call before this
	probing   bool          // the next call after the gate is a probe
	probeEnd  time.Time     // a probe is out until then; others wait
	fails     int           // probes throttled in a row
	next      time.Time     // spread: when the next paced call may go
	winStart  time.Time     // when the current window (of this Client's calls) opened
	gen       uint64        // numbers windows
	epoch     uint64        // numbers gates: a booked slot of an older one is void
	sent      int           // calls sent in the current window
	throttle  bool          // the current window saw a throttle
	held      bool          // the share held a caller back in the current window
	clean     int           // windows in a row that used the share without a throttle
	cut       time.Time     // when a shared share was last cut
	changed   time.Time     // when the quota was last found to have changed (limit, or raised)
	stride    float64       // the growth step's factor, drawn at each throttle: 0.5 to 1.5
	lastPass  time.Time     // when a call last got through
	turn      time.Time     // a moment the gateway's window turned (zero: unknown)
	raising   bool          // the share is one call past the gateway's known limit, to find a raised quota
	raiseFrom time.Time     // when the first call of that try was sent
	raiseSent int           // calls of that try sent
	probed    bool          // the current window opened with a probe's answer, not by reckoning
	slow      slowStart     // with a QuotaStore: how many calls may be out before the first throttle
	recent    sendCounter   // calls sent lately, rejected ones included
	rtt       time.Duration // a recent round trip, to allow for the gateway counting a call after it was sent
	rttVar    time.Duration // how much round trips vary
}

// sendCounter counts this Client's calls, rejected ones included, over the
// last window and an eighth, in 64ths of the window: whether its own calls
// could have filled the gateway's window, however the windows are aligned,
// and when a call may go so that no stretch of a window (and a margin)
// holds more of them than the share, as a gateway whose window slides
// requires.
type sendCounter struct {
	start  time.Time           // when the newest bucket began
	width  time.Duration       // a bucket's length: a 64th of the window
	counts [sendBuckets]uint16 // newest first
}

// sendBuckets covers a window and an eighth.
const sendBuckets = 72

// add counts a call sent at now.
func (c *sendCounter) add(now time.Time, window time.Duration) {
	c.advance(now, window)
	if c.counts[0] < math.MaxUint16 {
		c.counts[0]++
	}
}

// total returns the calls sent over the last window before now (the
// oldest bucket that the window's start cuts counted whole).
func (c *sendCounter) total(now time.Time, window time.Duration) int {
	c.advance(now, window)
	n := 0
	for i, v := range c.counts {
		if !c.bucketEnd(i).After(now.Add(-window)) {
			break
		}
		n += int(v)
	}
	return n
}

// freeAt returns the earliest moment from now at which fewer than n of the
// calls counted fall within the span before it (a bucket the span cuts
// counts whole, so the answer is never early). A span longer than the
// buckets cover is cut to what they cover.
func (c *sendCounter) freeAt(now time.Time, window, span time.Duration, n int) time.Time {
	c.advance(now, window)
	inSpan := 0
	oldest := -1
	for i, v := range c.counts {
		if !c.bucketEnd(i).After(now.Add(-span)) {
			break
		}
		inSpan += int(v)
		oldest = i
	}
	for i := oldest; i >= 0 && inSpan >= n; i-- {
		inSpan -= int(c.counts[i])
		if inSpan < n {
			return later(now, c.bucketEnd(i).Add(span))
		}
	}
	return now
}

// bucketEnd is when bucket i (0 is the newest) ends.
func (c *sendCounter) bucketEnd(i int) time.Time {
	return c.start.Add(time.Duration(1-i) * c.width)
}

// advance moves the buckets on to now.
func (c *sendCounter) advance(now time.Time, window time.Duration) {
	width := max(window/64, time.Millisecond)
	if width != c.width || now.Before(c.start) || now.Sub(c.start) >= sendBuckets*width {
		*c = sendCounter{start: now, width: width}
		return
	}
	if k := int(now.Sub(c.start) / width); k > 0 {
		copy(c.counts[k:], c.counts[:sendBuckets-k])
		clear(c.counts[:k])
		c.start = c.start.Add(time.Duration(k) * width)
	}
}

// quotaTicket is a call let through by the quota.
type quotaTicket struct {
	gen      uint64    // the window it was sent in
	epoch    uint64    // the gate it was sent under
	index    int       // calls sent over the window before it (sendCounter.total)
	raiseNth int       // its place among the calls of a try of one call past the limit (from 1)
	probe    bool      // it probes a window after a throttle
	capped   bool      // it was sent under a share
	at       time.Time // when it was let through; for a booked slot, the slot
	next     time.Time // for a booked slot, the next slot its booking set
}

// reservation is the quota's answer to a call that asks to go.
type reservation struct {
	ready  bool          // go now, with ticket
	ticket quotaTicket   // when ready; when booked, the slot's gate
	wait   time.Duration // otherwise: wait this long
	booked bool          // the wait ends at a slot kept for this caller: confirm it then
	probe  bool          // the wait is for a probe's answer
}

// Tuning of the quota.
const (
	// maxGuessedWait bounds a gate the Client reckons without the
	// gateway's Retry-After: at most a few probes a window of a long
	// window, and never a guess that passes a throttle budget.
	maxGuessedWait = 2 * time.Minute

	// defaultQuotaWindow is the window assumed until the gateway names
	// one: the documented quotas are per minute.
	defaultQuotaWindow = time.Minute
	// minQuotaWindow and maxQuotaWindow bound a window read from the
	// gateway's message or from Retry-After: gateways count per second
	// or per minute, and a window outside these is ignored, so that one
	// odd answer cannot slow a route for the Client's life.
	minQuotaWindow = time.Second
	maxQuotaWindow = 10 * time.Minute
	// decrease cuts a share after a throttle of a shared quota.
	decrease = 0.7
	// passedDecrease cuts the share of a Client that got a call through
	// in the last window: Clients that get in make room for those that
	// wait.
	passedDecrease = 0.5
	// minShare is the smallest share: two calls in three windows. Shares
	// under a call a window let as many Clients as the limit, and more,
	// drain a sliding window that their rejected calls keep full.
	minShare = 2.0 / 3
	// growthSteps divides the gateway's limit into the first step by
	// which a share grows; maxDoublings bounds how often the step doubles
	// while no throttle comes.
	growthSteps  = 32
	maxDoublings = 4
	// smallLimit is the largest limit for which a Client that learns
	// from its probes that others fill the window drops to a fifth of
	// the limit at once: with a few calls a window, a window that others
	// keep full is slow to drain.
	smallLimit = 16
	// retryAfterRounding is how much later than the window's end a
	// Client that waits for the gateway's Retry-After comes back: the
	// header counts whole seconds, rounded up.
	retryAfterRounding = time.Second
)

func (s *quotaState) windowLen() time.Duration {
	if s.window == 0 {
		return defaultQuotaWindow
	}
	return s.window
}

// reserve asks to send at now. A call may go at once (ready), or must wait,
// in which case the wait may end at a slot booked for it (booked); a slot
// past deadline (when not zero) is never booked. The quota draws its
// randomness when a throttle comes, so the rnd given here goes unused.
func (s *quotaState) reserve(now, deadline time.Time, _ func() float64) reservation {
	if now.Before(s.gate) {
		return reservation{wait: s.gate.Sub(now)}
	}
	if s.probing {
		if now.Before(s.probeEnd) {
			return reservation{wait: s.probeEnd.Sub(now), probe: true}
		}
		s.probeEnd = now.Add(s.probeTimeout())
		s.recent.add(now, s.windowLen())
		return reservation{ready: true, ticket: quotaTicket{gen: s.gen, epoch: s.epoch, probe: true, capped: s.share > 0, at: now}}
	}
	s.roll(now)
	switch {
	case s.share == 0:
		if wait := s.slow.hold(now, s.rtt, s.probeTimeout()); wait > 0 {
			return reservation{wait: wait}
		}
	case !s.spread:
		// A burst goes as the last one's calls leave the window, a little
		// past its end: as long as a Client that waits for the gateway's
		// Retry-After may, so that such a Client gets in first (this one
		// cannot see it otherwise).
		span := s.windowLen() + min(retryAfterRounding, s.windowLen()/16) + s.margin()
		n := s.burst()
		if s.raising {
			n = s.limit
		}
		if at := s.recent.freeAt(now, s.windowLen(), span, n); at.After(now) && !s.tryingOneMore(now) {
			s.held = true
			return reservation{wait: at.Sub(now)}
		}
	default:
		slot := later(later(s.next, now), s.spanFree(now))
		if !deadline.IsZero() && slot.After(deadline) {
			return reservation{wait: slot.Sub(now)}
		}
		if ahead := slot.Sub(now); ahead > s.windowLen() {
			// Slots are booked a window ahead at most: a caller that gives
			// up, or a process that dies, leaves a window's slots unused at
			// most, and a caller that waits longer books at the pace of
			// its time, not the one of now.
			s.held = true
			return reservation{wait: ahead - s.windowLen()}
		}
		s.next = slot.Add(s.interval())
		if slot.After(now) {
			s.held = true
			return reservation{wait: slot.Sub(now), booked: true, ticket: quotaTicket{epoch: s.epoch, at: slot, next: s.next}}
		}
	}
	return reservation{ready: true, ticket: s.take(now)}
}

// confirm lets a caller whose booked slot has come go, unless a throttle
// moved the gate meanwhile, or the calls sent since it was booked leave no
// room for it.
func (s *quotaState) confirm(now time.Time, booked quotaTicket) (quotaTicket, bool) {
	if booked.epoch != s.epoch || now.Before(s.gate) || s.probing || s.spanFree(now).After(now) {
		return quotaTicket{}, false
	}
	s.roll(now)
	return s.take(now), true
}

// unbook gives back the slot of a booked ticket whose caller stopped
// waiting, when it is the last booked: the next caller takes it.
func (s *quotaState) unbook(booked quotaTicket) {
	if booked.epoch == s.epoch && s.next.Equal(booked.next) {
		s.next = booked.at
	}
}

// take counts a call let through at now.
func (s *quotaState) take(now time.Time) quotaTicket {
	s.slow.sent(now)
	t := quotaTicket{gen: s.gen, epoch: s.epoch, index: s.recent.total(now, s.windowLen()), capped: s.share > 0, at: now}
	if s.raising {
		if s.raiseSent == 0 {
			s.raiseFrom = now
		}
		s.raiseSent++
		t.raiseNth = s.raiseSent
	}
	s.sent++
	s.recent.add(now, s.windowLen())
	return t
}

// burst is how many calls a window may carry when they go as a burst.
func (s *quotaState) burst() int {
	return max(1, int(s.share))
}

// paceShare is the share the pace spreads: whole calls, since a share of
// 2.5 calls spaced evenly puts 3 in some windows; under one call, the
// share itself (a call every 1/share windows).
func (s *quotaState) paceShare() float64 {
	if s.share >= 1 {
		return math.Floor(s.share)
	}
	return max(s.share, minShare)
}

// interval is the time between two paced calls. It leaves room for round
// trips that vary, since a gateway with sliding windows refuses a call that
// arrives a moment too early.
func (s *quotaState) interval() time.Duration {
	// The span that spanFree keeps to the share is a window, the margin
	// and the bucket it cuts: slots booked ahead by several callers keep
	// to it too, and none finds its slot taken when it comes.
	span := s.windowLen() + s.margin() + s.windowLen()/64
	d := time.Duration(float64(span) / s.paceShare())
	switch {
	case s.raising && s.limit > 0:
		// The try must put one call more than the limit well within a
		// window, whatever the round trips.
		return s.windowLen() * 7 / 8 / time.Duration(s.limit)
	case s.shared:
		return d + 4*s.rttVar
	}
	return d + min(4*s.rttVar, d/16) // alone, a rejected call costs only a little wait
}

// spanFree is the earliest moment from now at which a paced call may go
// so that no window (and the margin) holds more of this Client's calls,
// rejected ones included, than the whole calls of its share.
// While a Client tries one call past the limit, its pace alone keeps the
// try's calls within most of a window.
func (s *quotaState) spanFree(now time.Time) time.Time {
	if s.raising {
		return now
	}
	return s.recent.freeAt(now, s.windowLen(), s.windowLen()+s.margin(), max(1, int(s.share)))
}

// tryingOneMore reports whether a burst may send one call past the
// gateway's known limit now, to find whether the quota was raised: the
// window's burst went out, and the call still comes well within the
// window.
func (s *quotaState) tryingOneMore(now time.Time) bool {
	return s.raising && s.sent == s.limit && now.Sub(s.winStart) < s.windowLen()-4*s.margin()
}

// probeTimeout is how long the others wait for a probe's answer before one
// of them probes instead.
func (s *quotaState) probeTimeout() time.Duration {
	return min(max(s.windowLen()/8, 100*time.Millisecond), 10*time.Second)
}

// roll opens a new window when the current one is over, first raising the
// share when the window used it up without a throttle.
func (s *quotaState) roll(now time.Time) {
	if !s.winStart.IsZero() && now.Before(s.winStart.Add(s.windowLen())) && !now.Before(s.winStart) {
		return
	}
	if s.share > 0 && !s.winStart.IsZero() {
		s.grow()
	}
	s.open(now)
}

// open starts a window at now.
func (s *quotaState) open(now time.Time) {
	s.gen++
	s.winStart, s.sent, s.throttle, s.held, s.probed = now, 0, false, false, false
}

// grow raises the share after a window that used it up without a throttle.
// Under the gateway's limit, it grows by a 32nd of the limit (times the
// stride drawn at the last throttle), twice that after two such windows in
// a row, four times after three, and so on up to 16 times; while the step
// is under a call, by at most a whole call a window, so that Clients near
// their fair shares overshoot one call at a time. A Client at the
// gateway's limit tries one call more every raiseEvery windows; passed
// stops capping its calls when that call gets through. With no limit
// known, a shared share grows by a 16th of itself in the same way, and a
// share used up alone doubles. Windows whose calls did not need the whole
// share change nothing.
func (s *quotaState) grow() {
	if s.raising {
		s.raising = false
		s.share = math.Min(s.share, float64(s.limit))
	}
	switch {
	case s.throttle:
		s.clean = 0
		return
	case !s.held:
		return
	}
	if s.clean < math.MaxInt32 { // one a window: never reached, but a stored value is not trusted to be small
		s.clean++
	}
	doubled := float64(int(1) << min(max(s.clean-1, 0), maxDoublings))
	switch {
	case s.limit > 0 && s.share < float64(s.limit):
		base := float64(s.limit) / growthSteps
		next := s.share + base*s.stride*doubled
		next = math.Min(next, math.Floor(s.share)+max(1, base)+0.999)
		s.share = math.Min(next, float64(s.limit))
	case s.limit > 0:
		if s.clean%s.raiseEvery() == 0 {
			s.share, s.raising = float64(s.limit)+1, true
			s.raiseFrom, s.raiseSent = time.Time{}, 0
		}
	case s.shared:
		s.share += s.share / 16 * s.stride * doubled
	default:
		s.share *= 2
	}
}

// raiseEvery is how many windows at the gateway's limit pass between two
// tries of one call more: every window for a limit of 32 or more, rarer
// for smaller ones, so that the tries that are throttled cost at most a
// 32nd of the calls.
func (s *quotaState) raiseEvery() int {
	return max(1, (32+s.limit-1)/s.limit)
}

// throttled records a throttling answer e at now to the call of ticket t
// (explicit reports that e.RetryAfter came from a Retry-After header, 0
// included), and returns when the gate opens. rnd draws the jitter and the
// growth's stride.
func (s *quotaState) throttled(now time.Time, t quotaTicket, e *APIError, explicit bool, rnd func() float64) time.Time {
	s.slow = slowStart{} // the quota is learned from here on
	if t.epoch != s.epoch {
		// Sent before the latest gate: one of the crowd of calls that the
		// throttle which set it met, or an answer that took so long that
		// the window it speaks of is over.
		return s.gate
	}
	if explicit && e.RetryAfter == 0 {
		// The gateway says its window is over: come back at once, one
		// caller first; a probe that keeps being told so backs off.
		var wait time.Duration
		if t.probe {
			s.fails++
			wait = s.probeBackoff(now)
		}
		s.setGate(now, wait)
		return s.gate
	}
	if s.raising && t.raiseNth > 0 {
		// The try of one call more than the limit failed: the quota was
		// not raised (a gateway whose window slides throttles the try's
		// calls that come faster than the last window's left it). The
		// call took its place in the window all the same, and the
		// share's rules keep the next calls clear of it.
		s.raising = false
		s.share = math.Min(s.share, float64(s.limit))
		return s.gate
	}
	if s.learnHints(now, e, explicit) {
		s.changed = now
	}
	limitChanged := !s.changed.IsZero() && now.Sub(s.changed) < s.windowLen()
	early := s.share > 0 && !s.spread && !s.probed && !s.winStart.IsZero() && t.at.Sub(s.winStart) < s.margin() && t.at.Sub(s.winStart) >= 0
	lostRace := explicit && t.probe && e.RetryAfter >= s.windowLen()*7/8
	switch {
	case lostRace, t.probe && (limitChanged || !s.shared && s.fails == 0):
		// Others got in first at the start of the window, the quota
		// changed within the last window (its windows may have moved), or
		// this first probe came a little early. Nothing new about the
		// share.
	case early:
		// Sent just as this Client's window was reckoned to open: the
		// gateway's had not, since it counted the call that opened it
		// later than it was sent. Nothing new about the share.
	default:
		s.learn(now, t)
	}
	s.throttle = true
	s.stride = 0.5 + rnd()
	if t.probe {
		s.fails++
		if explicit {
			// Sent when the gateway said there was room, and throttled
			// all the same: the window slides, or others fill it first.
			s.sliding = true
		}
	}
	s.spread = s.shared || !explicit
	wait := s.gateWait(now, t, e, explicit, lostRace, rnd)
	if !explicit {
		// A wait the Client reckoned, not one the gateway named: a long
		// window's end can lie anywhere in it, and a call that would give
		// up for a wait it only guessed probes sooner instead.
		wait = min(wait, maxGuessedWait)
	}
	s.setGate(now, wait)
	return s.gate
}

// learnHints reads the window and the limit from a throttling answer at
// now, and reports whether the limit changed.
func (s *quotaState) learnHints(now time.Time, e *APIError, explicit bool) bool {
	hintLimit, hintWindow := quotaHint(e.Message)
	if hintWindow > 0 {
		s.window = hintWindow
	}
	changed := hintLimit > 0 && s.limit > 0 && hintLimit != s.limit
	if hintLimit > 0 {
		s.limit = hintLimit
	}
	if explicit && hintWindow == 0 && !s.winStart.IsZero() && !s.lastPass.Before(s.winStart) {
		// The window ends when the gateway says; it began, at the
		// latest, when this Client's first call of it was sent. (Only a
		// window a call of which got through tells its length: throttles
		// while nothing gets through tell only that the quota is closed.)
		if w := now.Add(e.RetryAfter).Sub(s.winStart); w >= minQuotaWindow && w <= maxQuotaWindow {
			s.window = w
		}
	}
	return changed
}

// gateWait is how long the quota stays closed after the throttle at now of
// the call of ticket t.
func (s *quotaState) gateWait(now time.Time, t quotaTicket, e *APIError, explicit, lostRace bool, rnd func() float64) time.Duration {
	paced := s.shared && t.capped && (!explicit || s.sliding)
	switch {
	case t.probe && s.limit == 0 && !s.lastPass.After(now.Add(-s.windowLen())):
		// Nothing got through for a window, and the gateway names no
		// limit: the quota may be closed rather than shared, and its share
		// says nothing. A probe a quarter of a window, at a moment drawn
		// from a wide range: a few rejected calls a window, and the
		// Client learns soon when the quota opens.
		return max(e.RetryAfter, s.windowLen()/8) + time.Duration(rnd()*float64(s.windowLen())/4)
	case paced && t.probe && !explicit:
		// A probe throttled again: the next comes, as often on average as
		// the pace allows, at a moment drawn from a wide range, so that a
		// Client whose probes keep meeting a full window's end does not
		// keep meeting it.
		return max(s.spanFree(now).Sub(now), s.interval()*3/4) + time.Duration(rnd()*float64(s.interval())/2)
	case paced:
		// The call took its place in the pace, rejected or not: a sliding
		// window counts it, and Clients whose calls keep meeting a full
		// window must slow down together for it to drain. The moment a
		// Retry-After names is when one call fits, not when there is room
		// for all.
		wait := max(t.at.Add(s.interval()).Sub(now), s.spanFree(now).Sub(now))
		if explicit {
			wait = max(wait, e.RetryAfter)
		}
		if lostRace {
			return wait // the next window's start, when there is room for the most
		}
		return wait + s.jitterOf(wait, t.probe, rnd)
	case explicit:
		wait := e.RetryAfter
		if s.shared && t.probe && !lostRace {
			wait += s.jitterOf(wait, true, rnd)
		}
		return wait
	case t.probe:
		wait := s.probeBackoff(now)
		if s.shared {
			wait += s.jitterOf(wait, true, rnd)
		}
		return wait
	}
	if s.shared && !t.capped && t.index == 0 {
		// This Client's first call met a window that others had filled.
		// That window ends within one; the call comes back at a moment
		// drawn between half a window and a window later, so that Clients
		// that arrive while others keep the quota full do not keep
		// meeting the full end of their windows, and get a few tries
		// before the throttle budget runs out.
		return time.Duration(float64(s.windowLen()) * (0.5 + rnd()/2))
	}
	wait := s.windowEnd(now).Sub(now)
	if s.shared {
		wait += s.jitterOf(wait, false, rnd)
	}
	return wait
}

// jitterOf draws the jitter added to a wait of a shared quota: Clients
// throttled at the same moment would come back at the same moment, into a
// window that has room for few of them. Up to a quarter of the wait (at
// most a window), and up to half after a throttled probe, which came at
// the same moment of the gateway's window as the last.
func (s *quotaState) jitterOf(wait time.Duration, probe bool, rnd func() float64) time.Duration {
	spread := min(wait, s.windowLen()) / 4
	if probe {
		spread *= 2
	}
	return time.Duration(rnd() * float64(spread))
}

// learn sets or cuts the share after a throttle at now of the call of
// ticket t.
func (s *quotaState) learn(now time.Time, t quotaTicket) {
	s.clean = 0
	alone, first := !s.shared, s.share == 0
	// The calls of this Client in the window as the gateway may have
	// counted them: those sent before the throttled one, and those sent
	// with it and still out, which it may have counted first.
	index := max(t.index, s.recent.total(now, s.windowLen())-1)
	if first && index == 0 && s.limit == 0 && s.lastPass.IsZero() && !t.probe {
		// The first call of all met a full window, and the gateway names
		// no limit: nothing yet tells a share. The gate holds the callers
		// back for the window, and then they start again from one call
		// out at once, doubling with each answer that gets through, until
		// the next throttle says more.
		s.slow = slowStart{limit: 1}
		return
	}
	if t.probe || index == 0 || s.limit > 0 && index < s.limit-max(s.limit/8, 1)+1 {
		// A probe met a full window again after a wait, or the window
		// filled before this Client sent the limit (less what sendCounter
		// may count in the bucket that the window's start cuts).
		s.shared = true
	}
	switch {
	case s.shared && !first:
		if !s.cut.IsZero() && now.Sub(s.cut) < s.windowLen() && (!t.probe || s.fails == 0) {
			// The calls of a window that are throttled together, and the
			// probe that follows them, cut the share once; probes
			// throttled again and again cut it each time.
			return
		}
		s.share = s.cutShare(now, t, alone)
	case !s.shared && s.limit > 0:
		s.share = float64(s.limit) // this Client alone reached the gateway's limit
	default:
		s.share = float64(max(index, 1))
		if s.shared && s.limit > 0 {
			// What got in came with others' calls in the window: this
			// Client takes no more than half of it. A first call that met
			// a full window tells nothing of the others' use: it starts
			// at an eighth of a large limit, and cuts from there if they
			// keep the window full.
			s.share = math.Min(math.Max(s.share, float64(s.limit)/8), math.Max(1, float64(s.limit)/2))
		}
	}
	s.cut = now
	if s.limit > 0 {
		s.share = math.Min(s.share, float64(s.limit))
	}
}

// cutShare is the share after a throttle at now, of the call of ticket t,
// cuts it; alone reports that this Client took the quota for its own.
func (s *quotaState) cutShare(now time.Time, t quotaTicket, alone bool) float64 {
	if alone {
		share := max(minShare, s.share*decrease)
		if t.probe && s.limit > 0 && s.limit <= smallLimit {
			// Its probes meet a window that others keep full: they are
			// several, and it makes room for them at once.
			share = math.Min(share, math.Max(1, float64(s.limit)/5))
		}
		return share
	}
	factor := decrease
	if !s.lastPass.IsZero() && now.Sub(s.lastPass) < s.windowLen() {
		factor = passedDecrease
	}
	floor := minShare
	waiting := s.lastPass.IsZero() || now.Sub(s.lastPass) > s.windowLen()
	if waiting && s.fails < 3 || t.probe && s.fails == 0 {
		// A Client that has not got a call through for a while, or whose
		// first probe after a wait was throttled, keeps a call a window;
		// probes throttled again and again go below it, so that more
		// Clients than the limit drain a sliding window.
		floor = math.Min(1, s.share)
	}
	return max(floor, s.share*factor)
}

// setGate closes the quota for d from now and makes the next call a probe.
func (s *quotaState) setGate(now time.Time, d time.Duration) {
	s.gate = later(s.gate, now.Add(d))
	s.probing, s.probeEnd = true, time.Time{}
	s.epoch++
}

// windowEnd estimates when the gateway's current window ends: a window turn
// seen earlier tells its phase; else the window began, at the latest, with
// this Client's first call of it, and the gateway counted that call a
// margin later. The gateway counts a call some time after it was sent, so
// a throttle that comes just after an estimated turn means the turn is a
// little later: the quota is probed again soon.
func (s *quotaState) windowEnd(now time.Time) time.Time {
	w := s.windowLen()
	switch {
	case !s.turn.IsZero() && !s.turn.After(now):
		end := s.turn.Add((now.Sub(s.turn)/w + 1) * w)
		if now.Sub(end.Add(-w)) <= s.margin() {
			return now.Add(s.margin())
		}
		return end
	case !s.winStart.IsZero() && s.winStart.Add(w).After(now):
		return s.winStart.Add(w + s.margin())
	}
	return now.Add(w / 2)
}

// margin is the time by which the gateway may count a call later than the
// Client sent it: two round trips and four times their variation.
func (s *quotaState) margin() time.Duration {
	return 2*s.rtt + 4*s.rttVar
}

// probeBackoff is the wait after a throttled probe. The first one came
// just after the window was estimated to turn: it is tried again after the
// margin (at least a 64th of the window). Later ones wait a 32nd of the
// window, doubling with each probe throttled in a row, up to two windows:
// the window turned later than estimated, by little most often, and a
// gateway with sliding windows counts the probes it rejects, so probes
// that came faster than its window drains would keep it closed.
func (s *quotaState) probeBackoff(now time.Time) time.Duration {
	if s.fails <= 1 {
		return max(s.margin(), s.windowLen()/64)
	}
	return min(2*s.windowLen(), s.windowLen()/32<<min(s.fails-2, 6))
}

// released records that the call of ticket t got no answer: when it was
// the probe, another caller may probe at once.
func (s *quotaState) released(t quotaTicket) bool {
	s.slow.answered(false)
	if !t.probe || t.epoch != s.epoch || !s.probing {
		return false
	}
	s.probeEnd = time.Time{}
	return true
}

// passed records that the call of ticket t got through at now (it was
// answered with anything but a throttle).
func (s *quotaState) passed(now time.Time, t quotaTicket) {
	s.slow.answered(true)
	before := s.lastPass
	s.lastPass = later(s.lastPass, now)
	if rtt := now.Sub(t.at); rtt > 0 && rtt < s.windowLen() {
		if s.rtt == 0 {
			s.rtt, s.rttVar = rtt, rtt/2
		} else {
			s.rttVar = (3*s.rttVar + (s.rtt - rtt).Abs()) / 4
			s.rtt = (7*s.rtt + rtt) / 8
		}
	}
	if s.raising && t.raiseNth > s.limit && t.at.Sub(s.raiseFrom) < s.windowLen()-2*s.margin() {
		// More calls than the gateway's known limit got through within a
		// window: the quota was raised. Calls go uncapped until a
		// throttle tells the new limit.
		s.share, s.raising, s.shared = 0, false, false
		s.changed = now
	}
	if !t.probe || t.epoch != s.epoch || !s.probing {
		return
	}
	if s.limit == 0 && s.fails >= 3 && (before.IsZero() || now.Sub(before) > 2*s.windowLen()) {
		// Nothing got through for windows on end, and the gateway names
		// no limit: the quota was closed, not shared, and what the cuts
		// made of the share says nothing. Learn it anew, from one call
		// out at once, doubling with each answer that gets through, so
		// that the callers who waited do not go as a herd.
		*s = quotaState{window: s.window, lastPass: s.lastPass, rtt: s.rtt, rttVar: s.rttVar, recent: s.recent,
			gen: s.gen + 1, epoch: s.epoch + 1, slow: slowStart{limit: 1}}
		return
	}
	// The window turned between the last throttle and this probe, by the
	// time the gateway answered it: the next turns are reckoned from then,
	// so that calls are not sent into the end of the window the probe
	// opened.
	s.turn = now
	s.probing, s.probeEnd, s.fails = false, time.Time{}, 0
	s.open(now)
	s.sent, s.probed = 1, true
	s.next = t.at.Add(s.interval())
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// quotaHint reads "limit:5,time:1 minute" from the gateway's message
// ("The throttling threshold has been reached: policy user over
// ratelimit,limit:5,time:1 minute"). Zeros when the message has no hint,
// or names a window outside what gateways use (minQuotaWindow to
// maxQuotaWindow).
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
	if w := time.Duration(count) * d; w >= minQuotaWindow && w <= maxQuotaWindow {
		return n, w
	}
	return 0, 0
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

// jitter draws from [0, 1).
func jitter() float64 { return rand.Float64() }

// slowStart keeps a fleet of Clients that share a QuotaStore from
// sending at once into a quota none of them has met yet: before the first
// throttle, the calls out at once start at one and double with each answer
// that got through, as TCP's slow start does, up to maxSlowStart, when the
// cap ends. A Client that keeps its quota in its own memory starts with no
// cap: a listing that is never throttled never waits.
type slowStart struct {
	limit int32     // calls that may be out at once; 0 = no cap
	out   int32     // calls out
	last  time.Time // when the last call went out
}

// maxSlowStart ends a slow start: that many calls out at once met no
// throttle.
const maxSlowStart = 64

// hold returns how long a call waits before it asks again for room, 0
// when it may go: about an answer's time (a round trip, rtt), at most until
// the calls out count as lost (a process that sent them and died).
func (s *slowStart) hold(now time.Time, rtt, lost time.Duration) time.Duration {
	switch {
	case s.limit == 0 || s.out < s.limit:
		return 0
	case now.Sub(s.last) >= lost:
		s.out = 0
		return 0
	}
	return min(s.last.Add(lost).Sub(now), max(rtt/2, 10*time.Millisecond))
}

// sent counts a call that went out at now.
func (s *slowStart) sent(now time.Time) {
	if s.limit > 0 {
		s.out++
		s.last = now
	}
}

// answered counts an answer: one that got through (passed) makes room for
// two more.
func (s *slowStart) answered(passed bool) {
	if s.limit == 0 {
		return
	}
	s.out = max(s.out-1, 0)
	if passed {
		if s.limit++; s.limit >= maxSlowStart {
			*s = slowStart{}
		}
	}
}
