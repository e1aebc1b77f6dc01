package sign

import (
	"bytes"
	"net/http"
	"sync/atomic"
	"time"
)

// MaxOffset is the largest offset a Skew learns, and so the largest error
// of the local clock that signing corrects: a gateway that says its clock
// is further away is taken for a broken or hostile answer, not a clock that
// drifted. A machine whose clock is off by more must be set right.
const MaxOffset = 24 * time.Hour

// Bounds on what a Skew learns.
const (
	// minOffset is the smallest: Date and X-Sdk-Date count whole seconds,
	// and an answer takes time to arrive.
	minOffset = 5 * time.Second
	// dateOffset is how far an answer's Date must be from the corrected
	// clock to be learned from an answer that was not refused.
	dateOffset = 5 * time.Minute
	// window is how far from its clock the gateway accepts X-Sdk-Date. An
	// answer it did not refuse for its date was signed within it, so a Date
	// further from the corrected clock is stale (a cache, a proxy) and is
	// not learned.
	window = 15 * time.Minute
	// maxScan bounds how much of a body is searched for the gateway's
	// message.
	maxScan = 64 << 10
)

// Skew learns the offset of API Gateway's clock from the local clock from
// the gateway's answers, and corrects signing times by it, up to MaxOffset
// (24 hours) either way. The gateway refuses a signature whose X-Sdk-Date
// is more than 15 minutes from its own clock (401, "signature expired"), so
// without it a machine whose clock drifts fails every call.
//
//	var skew sign.Skew // one per local clock, shared by pointer
//	err := sign.Request(req, key, skew.Now(time.Now()))
//	...
//	if skew.Learn(time.Now(), resp, body) {
//		log.Printf("the gateway's clock is %v ahead of ours", skew.Offset())
//	}
//
// The zero Skew corrects nothing until it learns. It is safe for
// concurrent use and must not be copied once used.
type Skew struct {
	offset atomic.Int64 // the gateway's clock minus the local one, in nanoseconds
}

// Now returns the gateway's time when the local clock reads local: local
// plus the learned offset. A nil *Skew returns local.
func (s *Skew) Now(local time.Time) time.Time {
	return local.Add(s.Offset())
}

// Offset returns the learned offset: how far the gateway's clock is ahead
// of the local one (negative: behind). It is 0 until one is learned.
func (s *Skew) Offset() time.Duration {
	if s == nil {
		return 0
	}
	return time.Duration(s.offset.Load())
}

// Learn reads an answer the local clock saw arrive at local; body is the
// start of its body, or nil when it was not read (only a 401's is
// needed). It reports whether it learned a new offset, so that a caller
// logs a change once however many answers show it. It learns
//
//   - from a 401 that says the signature expired (see SignatureExpired),
//     the server time its message gives, else its Date header;
//   - from any other answer, its Date header when that is more than 5 and
//     at most 15 minutes from the corrected clock (Now). The gateway did
//     not refuse the request for its date, so it was signed within the
//     gateway's 15 minutes: a Date further off is stale (a cache, a proxy
//     in front of the gateway), and the offset that worked is kept.
//
// An offset below 5 seconds counts as none. One beyond MaxOffset (24
// hours), and a Date or a message that cannot be read, are ignored as a
// broken or hostile answer: a machine whose clock is off by more than a
// day is refused until its clock is set right.
func (s *Skew) Learn(local time.Time, resp *http.Response, body []byte) bool {
	if s == nil || resp == nil {
		return false
	}
	expired := SignatureExpired(resp, body)
	gateway, ok := time.Time{}, false
	if expired {
		gateway, ok = messageServerTime(body)
	}
	if !ok {
		gateway, ok = responseDate(resp.Header)
	}
	if !ok {
		return false
	}
	observed := gateway.Sub(local) // saturates; never overflows
	if observed > MaxOffset || observed < -MaxOffset {
		return false
	}
	observed = observed.Round(time.Second)
	if abs(observed) < minOffset {
		observed = 0
	}
	for {
		current := s.offset.Load()
		change := abs(observed - time.Duration(current))
		if change < minOffset || !expired && (change <= dateOffset || change > window) {
			return false
		}
		if s.offset.CompareAndSwap(current, int64(observed)) {
			return true
		}
	}
}

// GatewayTime reads the gateway's clock from resp, body being the start of
// its body (nil when it was not read): the server time of a "signature
// expired" refusal's message, else the Date header. ok is false when
// neither can be read. It is what Learn reads, before any bound applies.
func GatewayTime(resp *http.Response, body []byte) (t time.Time, ok bool) {
	if resp == nil {
		return time.Time{}, false
	}
	if SignatureExpired(resp, body) {
		if t, ok = messageServerTime(body); ok {
			return t, true
		}
	}
	return responseDate(resp.Header)
}

// SignatureExpired reports whether resp, body being the start of its
// body, is the gateway's refusal of a signature dated too far from its
// clock: a 401 whose message says "signature expired" (APIG.0303 for app
// authentication, APIGW.0301 for IAM authentication).
func SignatureExpired(resp *http.Response, body []byte) bool {
	return resp != nil && resp.StatusCode == http.StatusUnauthorized && indexFold(body, "signature expired") >= 0
}

// messageServerTime reads the server time of the gateway's message, as in
// "signature time:20230527T000431Z,server time:20230527T020608Z".
func messageServerTime(body []byte) (time.Time, bool) {
	const label = "server time:"
	i := indexFold(body, label)
	if i < 0 {
		return time.Time{}, false
	}
	rest := bytes.TrimLeft(body[i+len(label):], " ")
	if len(rest) < len(DateFormat) {
		return time.Time{}, false
	}
	t, err := time.Parse(DateFormat, string(rest[:len(DateFormat)]))
	return t, err == nil
}

// responseDate reads the Date header of an answer.
func responseDate(h http.Header) (time.Time, bool) {
	v := h.Get("Date")
	if v == "" || len(v) > 64 {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// indexFold returns the index of the first instance of lower, which is
// lower-case ASCII, in the first maxScan bytes of b, ignoring ASCII case,
// or -1.
func indexFold(b []byte, lower string) int {
	if len(b) > maxScan {
		b = b[:maxScan]
	}
	for i := 0; i+len(lower) <= len(b); i++ {
		j := 0
		for j < len(lower) && toLower(b[i+j]) == lower[j] {
			j++
		}
		if j == len(lower) {
			return i
		}
	}
	return -1
}

func toLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
