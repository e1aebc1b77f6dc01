package hss

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how a Client retries a failed attempt. Only answers that
// may succeed on a second try are retried: connection errors that are not
// the caller's (reset, refused, EOF mid-body, one attempt timing out) and the
// statuses 408, 429, 500, 502, 503 and 504. A cancelled or expired context,
// other 4xx answers, TLS certificate errors and refused redirects are not.
//
// Waits grow exponentially with full jitter: before retry n the Client
// waits a random time in [0, min(MaxDelay, BaseDelay*2^(n-1))]. A
// Retry-After header replaces that wait; when it asks for longer than
// MaxDelay, the Client gives up at once and the *APIError's RetryAfter tells
// the caller how long the service asked to wait.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts, first included; 1 (or less)
	// disables retries.
	MaxAttempts int
	// BaseDelay is the backoff cap before the first retry; it doubles on
	// each retry. Zero takes the default.
	BaseDelay time.Duration
	// MaxDelay caps any single wait, Retry-After included. Zero takes the
	// default.
	MaxDelay time.Duration
}

// Retry policy defaults.
const (
	DefaultMaxAttempts = 4
	DefaultBaseDelay   = 250 * time.Millisecond
	DefaultMaxDelay    = 30 * time.Second
)

// DefaultRetryPolicy returns the policy a Client uses unless told
// otherwise: 4 attempts, 250 ms base delay, 30 s cap.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: DefaultMaxAttempts, BaseDelay: DefaultBaseDelay, MaxDelay: DefaultMaxDelay}
}

// NoRetries returns a RetryPolicy that makes a single attempt.
func NoRetries() RetryPolicy { return RetryPolicy{MaxAttempts: 1} }

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *Client) error {
		if p.BaseDelay < 0 || p.MaxDelay < 0 {
			return &ValidationError{Field: "retry_policy", Reason: "delays must not be negative"}
		}
		if p.MaxAttempts < 1 {
			p.MaxAttempts = 1
		}
		if p.MaxAttempts > 100 {
			return &ValidationError{Field: "retry_policy", Reason: fmt.Sprintf("MaxAttempts must be 1-100, got %d", p.MaxAttempts)}
		}
		if p.BaseDelay == 0 {
			p.BaseDelay = DefaultBaseDelay
		}
		if p.MaxDelay == 0 {
			p.MaxDelay = DefaultMaxDelay
		}
		c.retry = p
		return nil
	}
}

// backoff returns the wait before retry n (n >= 1): full jitter over an
// exponentially growing cap.
func (p RetryPolicy) backoff(n int) time.Duration {
	limit := p.MaxDelay
	if n < 40 { // past that the shift overflows; the cap is MaxDelay anyway
		if d := p.BaseDelay << (n - 1); d > 0 && d < limit {
			limit = d
		}
	}
	if limit <= 0 {
		return 0
	}
	return rand.N(limit + 1)
}

// retryableStatus reports whether an answer with this status may succeed
// when sent again.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// parseRetryAfter reads a Retry-After value, either delay-seconds or an
// HTTP date, relative to now. It returns 0 when the value is absent or
// unreadable, and never a negative wait.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(24*time.Hour/time.Second)*365 { // absurd; keep the arithmetic safe
			secs = int64(24*time.Hour/time.Second) * 365
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// AttemptsError wraps the last error of a call that was retried and still
// failed (or that gave up because the service asked to wait longer than
// RetryPolicy.MaxDelay). errors.As reaches the *APIError or transport error
// inside.
type AttemptsError struct {
	Attempts int   // attempts made
	Err      error // the last attempt's error
}

// Error appends the attempt count to the last error.
func (e *AttemptsError) Error() string {
	s := "s"
	if e.Attempts == 1 {
		s = ""
	}
	return fmt.Sprintf("%v (gave up after %d attempt%s)", e.Err, e.Attempts, s)
}

// Unwrap returns the last attempt's error.
func (e *AttemptsError) Unwrap() error { return e.Err }
