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
//     waits. A throttle sets it from the calls that got in before the
//     window filled, and a later one cuts it (multiplicative decrease); a
//     window whose share was used up without a throttle raises it (additive
//     while the quota is shared with others, doubling when this Client
//     alone reaches the gateway's limit, to find a quota that came back).
//     So independent Clients converge to fair shares, as TCP flows and
//     aws-sdk-go-v2's adaptive retry mode do.
//   - a pace: a shared share, or one whose window's phase is unknown (no
//     Retry-After), is spread evenly over the window, so that the calls of
//     several Clients interleave instead of colliding at the window's
//     start. A Client alone that knows when the window ends (from
//     Retry-After) sends its share as a burst when it opens.
//   - a gate: no call before it. A throttle moves it to the Retry-After the
//     gateway gave (0 is now), else to when the window is estimated to end
//     (from when this Client's calls of the window began, or from a window
//     turn seen earlier), plus a jitter, so that Clients throttled together
//     do not come back together at the same second of every window.
//   - a probe: when the gate opens after a throttle, one caller goes first
//     and the others wait for its answer, so a window that lets nothing
//     through costs one rejected call, not one per waiting goroutine.
//
// quotaState is that knowledge; with a QuotaStore it is what the store
// keeps, shared by every Client that uses it.
type quotaState struct {
	window   time.Duration // window length; 0 until learned: defaultQuotaWindow
	limit    int           // the gateway's limit per window, from its message; 0 unknown
	share    float64       // calls a window may carry; 0 = no cap (never throttled)
	spread   bool          // pace the share evenly over the window
	shared   bool          // others use the quota too
	gate     time.Time     // no call before this
	probing  bool          // the next call after the gate is a probe
	probeEnd time.Time     // a probe is out until then; others wait
	fails    int           // probes throttled in a row
	next     time.Time     // spread: when the next paced call may go
	winStart time.Time     // when the current window (of this Client's calls) opened
	gen      uint64        // numbers windows
	epoch    uint64        // numbers gates: a booked slot of an older one is void
	sent     int           // calls sent in the current window
	throttle bool          // the current window saw a throttle
	held     bool          // the share held a caller back in the current window
	clean    int           // windows in a row that used the share without a throttle
	lastPass time.Time     // when a call last got through
	turn     time.Time     // a moment the gateway's window turned (zero: unknown)
	noHint   bool          // the window was not named by the gateway
	raising  bool          // the share is past the gateway's known limit, to find a raised quota
	probed   bool          // the current window opened with a probe's answer, not by reckoning
	slow     slowStart     // with a QuotaStore: how many calls may be out before the first throttle
	recent   sendCounter   // calls sent lately, to tell a shared quota
	rtt      time.Duration // a recent round trip, to allow for the gateway counting a call after it was sent
	rttVar   time.Duration // how much round trips vary
}

// sendCounter counts the calls sent over about the last window, in
// sixteenths of the window, so that a throttle can tell whether this
// Client's own calls could have filled the gateway's window, however the
// windows are aligned.
type sendCounter struct {
	start  time.Time          // when the newest bucket began
	width  time.Duration      // a bucket's length: a sixteenth of the window
	counts [sendBuckets]int32 // newest first
}

// sendBuckets covers a window: the newest bucket is under way, so the
// buckets hold the calls of the last 15/16 of a window to a whole one.
const sendBuckets = 16

// add counts a call sent at now.
func (c *sendCounter) add(now time.Time, window time.Duration) {
	c.advance(now, window)
	c.counts[0]++
}

// total returns the calls sent over the last 15/16 of a window to a whole
// window before now.
func (c *sendCounter) total(now time.Time, window time.Duration) int {
	c.advance(now, window)
	n := 0
	for _, v := range c.counts {
		n += int(v)
	}
	return n
}

// advance moves the buckets on to now.
func (c *sendCounter) advance(now time.Time, window time.Duration) {
	width := max(window/sendBuckets, time.Millisecond)
	if width != c.width || now.Before(c.start) || now.Sub(c.start) >= sendBuckets*width {
		*c = sendCounter{start: now, width: width}
		return
	}
	for !now.Before(c.start.Add(width)) {
		copy(c.counts[1:], c.counts[:sendBuckets-1])
		c.counts[0] = 0
		c.start = c.start.Add(width)
	}
}

// quotaTicket is a call let through by the quota.
type quotaTicket struct {
	gen   uint64    // the window it was sent in
	epoch uint64    // the gate it was sent under
	index int       // calls sent over the window before it (sendCounter.total)
	probe bool      // it probes a window after a throttle
	at    time.Time // when it was let through
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
	// minShare is the smallest share: a call a window.
	minShare = 1
)

func (s *quotaState) windowLen() time.Duration {
	if s.window == 0 {
		return defaultQuotaWindow
	}
	return s.window
}

// reserve asks to send at now. A call may go at once (ready), or must wait,
// in which case the wait may end at a slot booked for it (booked); a slot
// past deadline (when not zero) is never booked.
func (s *quotaState) reserve(now, deadline time.Time, rnd func() float64) reservation {
	if now.Before(s.gate) {
		return reservation{wait: s.gate.Sub(now)}
	}
	if s.probing {
		if now.Before(s.probeEnd) {
			return reservation{wait: s.probeEnd.Sub(now), probe: true}
		}
		s.probeEnd = now.Add(s.probeTimeout())
		s.recent.add(now, s.windowLen())
		return reservation{ready: true, ticket: quotaTicket{gen: s.gen, epoch: s.epoch, probe: true, at: now}}
	}
	s.roll(now)
	switch {
	case s.share == 0:
		if wait := s.slow.hold(now, s.rtt, s.probeTimeout()); wait > 0 {
			return reservation{wait: wait}
		}
	case !s.spread:
		if float64(s.sent) >= math.Max(1, math.Floor(s.share)) {
			// The next window's burst waits a moment past its start, so
			// that a Client that waits for the gateway's Retry-After gets
			// in first: this one cannot see it otherwise.
			s.held = true
			return reservation{wait: s.winStart.Add(s.windowLen() + 2*s.margin()).Sub(now)}
		}
	default:
		slot := s.next
		if slot.Before(now) {
			slot = now
		}
		if !deadline.IsZero() && slot.After(deadline) {
			return reservation{wait: slot.Sub(now)}
		}
		s.next = slot.Add(s.paceInterval(rnd))
		if slot.After(now) {
			s.held = true
			return reservation{wait: slot.Sub(now), booked: true, ticket: quotaTicket{epoch: s.epoch}}
		}
	}
	return reservation{ready: true, ticket: s.take(now)}
}

// confirm lets a caller whose booked slot has come go, unless a throttle
// moved the gate meanwhile.
func (s *quotaState) confirm(now time.Time, booked quotaTicket) (quotaTicket, bool) {
	if booked.epoch != s.epoch || now.Before(s.gate) || s.probing {
		return quotaTicket{}, false
	}
	s.roll(now)
	return s.take(now), true
}

// take counts a call let through at now.
func (s *quotaState) take(now time.Time) quotaTicket {
	s.slow.sent(now)
	t := quotaTicket{gen: s.gen, epoch: s.epoch, index: s.recent.total(now, s.windowLen()), at: now}
	s.sent++
	s.recent.add(now, s.windowLen())
	return t
}

// paceInterval is the time to the next paced call: the interval, varied by
// up to a quarter either way when others share the quota, so that the
// calls of one Client do not keep the same place in every window (the
// early ones get through, the late ones are throttled).
func (s *quotaState) paceInterval(rnd func() float64) time.Duration {
	d := s.interval()
	if s.shared && rnd != nil {
		d = time.Duration(float64(d) * (0.75 + rnd()/2))
	}
	return d
}

// interval is the time between two paced calls. It leaves room for round
// trips that vary, since a gateway with sliding windows refuses a call that
// arrives a moment too early.
func (s *quotaState) interval() time.Duration {
	d := time.Duration(float64(s.windowLen()) / math.Max(s.share, minShare))
	room := 4 * s.rttVar
	if !s.shared {
		room = min(room, d/16) // alone, a rejected call costs only a little wait
	}
	return d + room
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
// While others share the quota and the share is under the gateway's limit,
// it grows by a 32nd of the limit (or a 16th of the share, when the limit
// is unknown), twice that after two such windows in a row, four times after
// three, and so on up to 16 times: Clients near their fair shares
// overshoot rarely, and one whose peers left takes the quota back in a few
// windows. A Client alone at the gateway's limit tries one call more every
// sixteenth window: when it gets through, the quota was raised and the share
// doubles from then on, until a throttle. Windows whose calls did not need
// the whole share change nothing.
func (s *quotaState) grow() {
	switch {
	case s.throttle:
		s.clean, s.raising = 0, false
		return
	case !s.held:
		return
	}
	s.clean++
	switch {
	case s.shared && (s.limit == 0 || s.share < float64(s.limit)):
		step := s.share / 16
		if s.limit > 0 {
			step = float64(s.limit) / 32
		}
		s.share += step * float64(int(1)<<min(s.clean-1, 4))
		if s.limit > 0 && s.share >= float64(s.limit) {
			s.share, s.shared = float64(s.limit), false
		}
	case s.limit > 0 && s.share <= float64(s.limit) && !s.raising:
		if s.clean%16 == 0 {
			s.share, s.raising = float64(s.limit)+1, true
		}
	default:
		// The limit is unknown, or a call past it got through: the quota
		// is larger than known.
		s.share *= 2
		s.raising = true
	}
}

// throttled records a throttling answer at now to the call of ticket t,
// whose Retry-After was retryAfter (explicit reports a Retry-After header,
// 0 included), and returns when the gate opens. rnd draws the jitter.
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
		s.setGate(now, s.probeBackoff(now))
		return s.gate
	}
	hintLimit, hintWindow := quotaHint(e.Message)
	if hintWindow > 0 {
		s.window, s.noHint = hintWindow, false
	} else {
		s.noHint = true
	}
	if hintLimit > 0 {
		s.limit = hintLimit
	}
	if explicit && hintWindow == 0 && !s.winStart.IsZero() {
		// The window ends when the gateway says; it began, at the
		// latest, when this Client's first call of it was sent.
		if w := now.Add(e.RetryAfter).Sub(s.winStart); w >= minQuotaWindow && w <= maxQuotaWindow {
			s.window = w
		}
	}
	early := s.share > 0 && !s.probed && !s.winStart.IsZero() && t.at.Sub(s.winStart) < s.margin() && t.at.Sub(s.winStart) >= 0
	switch {
	case t.probe:
		// The window is still full: nothing new about the share.
	case s.throttle:
		// A window is cut once, however many of its calls are throttled.
	case early:
		// Sent just as this Client's window was reckoned to open: the
		// gateway's had not, since it counted the call that opened it
		// later than it was sent. Nothing new about the share.
	default:
		// The calls this Client sent over the window, as the answer came:
		// those sent before the throttled one, and those in flight with
		// it, which the gateway may have counted first.
		s.learn(max(t.index, s.recent.total(now, s.windowLen())-1))
	}
	if t.probe {
		s.fails++
	}
	s.spread = s.shared || !explicit
	var wait time.Duration
	switch {
	case explicit:
		wait = e.RetryAfter
	case t.probe:
		wait = s.probeBackoff(now)
	default:
		wait = s.windowEnd(now).Sub(now)
	}
	lostRace := explicit && t.probe && e.RetryAfter >= s.windowLen()*7/8
	if s.shared && (t.probe || !explicit) && !lostRace {
		// Others throttled at the same moment would come back at the same
		// moment, into a window that has room for few of them, and a
		// gateway with sliding windows counts the calls it rejects. After
		// a throttled probe, or without the gateway naming the moment,
		// each comes back at a random moment, no sooner than its own pace
		// allows after a probe. (The moment a Retry-After names is the
		// start of a window, when there is room for the most; a probe
		// sent then and told to wait about a window more lost the race
		// for it, and tries the next start.)
		if t.probe {
			wait = min(max(wait, s.interval()), s.windowLen())
		}
		wait += time.Duration(rnd() * float64(min(wait, s.windowLen())) / 4)
	}
	s.setGate(now, wait)
	return s.gate
}

// learn sets or cuts the share after the first throttle of a window, to a
// call sent when index calls of the window had gone before it.
func (s *quotaState) learn(index int) {
	s.throttle, s.clean, s.raising = true, 0, false
	got := float64(max(index, 1))
	if index == 0 || s.limit > 0 && index < s.limit-max(s.limit/8, 1)+1 {
		// The window filled before this Client sent the limit (less the
		// 16th of a window that sendCounter may miss).
		s.shared = true
	}
	switch {
	case s.shared && s.share > 0:
		s.share = max(minShare, s.share*decrease)
	case !s.shared && s.limit > 0:
		s.share = float64(s.limit) // this Client alone reached the gateway's limit
	default:
		s.share = got
	}
	if s.limit > 0 {
		s.share = math.Min(s.share, float64(s.limit))
	}
}

// setGate closes the quota for d from now and makes the next call a probe.
func (s *quotaState) setGate(now time.Time, d time.Duration) {
	s.gate = later(s.gate, now.Add(d))
	s.probing, s.probeEnd = true, time.Time{}
	s.epoch++
}

// windowEnd estimates when the gateway's current window ends: a window turn
// seen earlier tells its phase; else the window began, at the latest, with
// this Client's first call of it. The gateway counts a call some time after
// it was sent, so a throttle that comes just after an estimated turn means
// the turn is a little later: the quota is probed again soon.
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
		return s.winStart.Add(w)
	}
	return now.Add(w / 2)
}

// margin is the time by which the gateway may count a call later than the
// Client sent it: two round trips, at least a 64th of the window.
func (s *quotaState) margin() time.Duration {
	return max(2*s.rtt, s.windowLen()/64)
}

// probeBackoff is the wait after a throttled probe. The first one came
// just after the window was estimated to turn: it is tried again after the
// margin. Later ones wait an eighth of the window, doubling with each probe
// throttled in a row, up to two windows: a gateway with sliding windows
// counts the probes it rejects, so probes that came faster than its window
// drains would keep it closed.
func (s *quotaState) probeBackoff(now time.Time) time.Duration {
	switch {
	case s.fails <= 1:
		return s.margin()
	case !s.turn.IsZero():
		return s.windowEnd(now).Sub(now)
	}
	return min(2*s.windowLen(), s.windowLen()/8<<min(s.fails-2, 4))
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
	s.lastPass = later(s.lastPass, now)
	if rtt := now.Sub(t.at); rtt > 0 && rtt < s.windowLen() {
		if s.rtt == 0 {
			s.rtt, s.rttVar = rtt, rtt/2
		} else {
			s.rttVar = (3*s.rttVar + (s.rtt - rtt).Abs()) / 4
			s.rtt = (7*s.rtt + rtt) / 8
		}
	}
	if !t.probe || t.epoch != s.epoch || !s.probing {
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
// cap ends. A Client of its own memory starts with no cap: a listing that
// is never throttled never waits.
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
