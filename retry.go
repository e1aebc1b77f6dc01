package hss

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/internal/status"
	"github.com/hsskit/hss/sign"
)

// RetryPolicy says how a Client retries. Three budgets apply, each on its
// own:
//
//   - Transient failures (connection errors that are not the caller's, an
//     attempt timing out, and the statuses 408, 500, 502, 503 and 504) are
//     retried up to MaxAttempts attempts, waiting a random time in
//     [0, min(MaxDelay, BaseDelay·2^(n-1))] before retry n (exponential
//     backoff, full jitter). A Retry-After on such an answer replaces the
//     backoff (0 retries at once, still within MaxAttempts and the retry
//     budget); when it asks for more than MaxDelay the call gives up at once.
//   - Every retry of a transient failure also costs tokens from a
//     client-wide retry budget of RetryBudget tokens (5 a retry, 10 after
//     a timeout; a success gives back what its retries took, or 1). During
//     an outage the budget runs dry and calls fail after one attempt, so a
//     fleet of goroutines does not multiply its load by MaxAttempts.
//   - Throttling (429, APIGW.0308) is not an outage: it is waited out,
//     however many attempts that takes, for at most MaxThrottleWait per call
//     (see WithRateLimit and the README's "Quotas and throttling").
//
// Other 4xx answers, TLS certificate errors, refused redirects, over-long
// bodies and the caller's own cancellation are never retried. Methods other
// than GET and HEAD (see Client.Do) are retried only when the request surely
// did not reach the service: a connection that could not be opened, or a
// 429.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts for transient failures, first
	// included; 1 disables their retries. 0 takes the default; at most 100.
	MaxAttempts int
	// BaseDelay is the backoff cap before the first retry; it doubles on
	// each retry. 0 takes the default; at most MaxRetryAfter.
	BaseDelay time.Duration
	// MaxDelay caps one backoff, Retry-After included, for transient
	// failures. 0 takes the default; at most MaxRetryAfter.
	MaxDelay time.Duration
	// MaxThrottleWait caps the time one call waits for the gateway's quota
	// while no call on its route gets through. 0 takes the default
	// (DefaultMaxThrottleWait); NoThrottleWait (any negative value) makes a
	// throttled call fail at once; at most MaxRetryAfter.
	MaxThrottleWait time.Duration
	// RetryBudget is the size of the Client's retry budget in tokens. 0
	// takes the default; negative turns the budget off; at most 1,000,000.
	RetryBudget int
}

// Retry policy defaults.
const (
	DefaultMaxAttempts     = 4
	DefaultBaseDelay       = 250 * time.Millisecond
	DefaultMaxDelay        = 30 * time.Second
	DefaultMaxThrottleWait = 5 * time.Minute
	DefaultRetryBudget     = 100
	// MaxRetryAfter is the longest wait the client reads from a
	// Retry-After header and the largest delay or budget a RetryPolicy
	// takes. A longer Retry-After reads as MaxRetryAfter, and a wait of
	// MaxRetryAfter or more is longer than any budget: the call gives up
	// at once.
	MaxRetryAfter = 24 * time.Hour
)

// NoThrottleWait, as RetryPolicy.MaxThrottleWait, makes a throttled call
// fail at once instead of waiting for the quota.
const NoThrottleWait time.Duration = -1

// Retry costs, in retry-budget tokens, and the largest budget.
const (
	retryCost      = 5
	timeoutCost    = 10
	maxRetryBudget = 1000000
)

// DefaultRetryPolicy returns the policy a Client uses unless told
// otherwise: 4 attempts, 250 ms base delay, 30 s cap, 5 minutes of throttle
// waits per call, a retry budget of 100 tokens.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: DefaultMaxAttempts, BaseDelay: DefaultBaseDelay, MaxDelay: DefaultMaxDelay,
		MaxThrottleWait: DefaultMaxThrottleWait, RetryBudget: DefaultRetryBudget}
}

// NoRetries returns a RetryPolicy that makes a single attempt and does not
// wait for throttling either.
func NoRetries() RetryPolicy {
	p := DefaultRetryPolicy()
	p.MaxAttempts, p.MaxThrottleWait = 1, NoThrottleWait
	return p
}

// WithRetryPolicy replaces DefaultRetryPolicy. Zero fields take their
// defaults; out-of-range values make NewClient fail.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		bad := func(field, reason string) error {
			return &ValidationError{Field: "RetryPolicy." + field, Reason: reason}
		}
		d := DefaultRetryPolicy()
		switch {
		case p.MaxAttempts < 0 || p.MaxAttempts > 100:
			return bad("MaxAttempts", fmt.Sprintf("must be 0 (default) or 1-100, got %d", p.MaxAttempts))
		case p.BaseDelay < 0 || p.BaseDelay > MaxRetryAfter:
			return bad("BaseDelay", fmt.Sprintf("must be 0 (default) to %s, got %s", MaxRetryAfter, p.BaseDelay))
		case p.MaxDelay < 0 || p.MaxDelay > MaxRetryAfter:
			return bad("MaxDelay", fmt.Sprintf("must be 0 (default) to %s, got %s", MaxRetryAfter, p.MaxDelay))
		case p.MaxThrottleWait > MaxRetryAfter:
			return bad("MaxThrottleWait", fmt.Sprintf("must be at most %s, got %s", MaxRetryAfter, p.MaxThrottleWait))
		case p.RetryBudget > maxRetryBudget:
			return bad("RetryBudget", fmt.Sprintf("must be at most %d (negative turns it off), got %d", maxRetryBudget, p.RetryBudget))
		}
		if p.MaxAttempts == 0 {
			p.MaxAttempts = d.MaxAttempts
		}
		if p.BaseDelay == 0 {
			p.BaseDelay = d.BaseDelay
		}
		if p.MaxDelay == 0 {
			p.MaxDelay = d.MaxDelay
		}
		if p.MaxThrottleWait == 0 {
			p.MaxThrottleWait = d.MaxThrottleWait
		}
		if p.RetryBudget == 0 {
			p.RetryBudget = d.RetryBudget
		}
		c.retry = p
		return nil
	}
}

// backoff returns the wait before retry n (n >= 1): full jitter over an
// exponentially growing cap. Delays are bounded by MaxRetryAfter, so the
// arithmetic cannot overflow.
func (p RetryPolicy) backoff(n int) time.Duration {
	limit := p.MaxDelay
	if n < 40 {
		if d := p.BaseDelay << (n - 1); d > 0 && d < limit {
			limit = d
		}
	}
	if limit <= 0 {
		return 0
	}
	return rand.N(limit + 1)
}

// throttleGiveUp says why a call waiting for the gateway's quota must not
// wait any longer, or "" when it may. wait is how long it has yet to wait,
// and stalled how long it has waited while no call of its route got
// through. A gate (the wait a throttle set) is one that nothing shortens:
// the call gives up when stalled and wait together pass MaxThrottleWait. A
// wait for a paced slot ends early as calls of the route get through: the
// call gives up once stalled alone passes it.
func (p RetryPolicy) throttleGiveUp(stalled, wait time.Duration, gate bool) string {
	switch {
	case wait >= MaxRetryAfter:
		return fmt.Sprintf("the service asked to wait %s or more", MaxRetryAfter)
	case p.MaxThrottleWait < 0:
		return fmt.Sprintf("the gateway's quota needs %s more, and the retry policy does not wait for throttling", roundDuration(wait))
	case gate && stalled+wait > p.MaxThrottleWait, stalled > p.MaxThrottleWait:
		return fmt.Sprintf("the gateway's quota needs %s more, past the %s throttle budget (RetryPolicy.MaxThrottleWait) with no call of this route getting through",
			roundDuration(wait), p.MaxThrottleWait)
	}
	return ""
}

// pastDeadline is the one deadline rule of every wait, a backoff, the rate
// limit, the gateway's quota or WaitSyncTask's next poll: a wait that
// would end after the context's deadline is not begun, and the call
// returns at once with an error wrapping ErrWaitPastDeadline that says
// what it waited for. A zero deadline is none.
func pastDeadline(deadline, now time.Time, d time.Duration, what string) error {
	if !deadline.IsZero() && deadline.Before(now.Add(d)) {
		return fmt.Errorf("%w: %s in %s", ErrWaitPastDeadline, what, roundDuration(d))
	}
	return nil
}

// deadlineOf is ctx's deadline, or the zero time.
func deadlineOf(ctx context.Context) time.Time {
	dl, _ := ctx.Deadline()
	return dl
}

// sleep waits d on the Client's clock, unless pastDeadline says not to.
func (c *Client) sleep(ctx context.Context, d time.Duration, what string) error {
	if err := pastDeadline(deadlineOf(ctx), c.cfg.clock.Now(), d, what); err != nil {
		return err
	}
	return c.cfg.clock.Sleep(ctx, d)
}

// parseRetryAfter reads a Retry-After value relative to now; see
// status.ParseRetryAfter. A wait longer than MaxRetryAfter reads as
// MaxRetryAfter.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	return status.ParseRetryAfter(v, now, MaxRetryAfter)
}

// retryAfterOf is the wait the last answer asked for: the service's or a
// credential source's Retry-After.
func retryAfterOf(err error) time.Duration {
	var (
		api *APIError
		ce  *credentials.Error
	)
	switch {
	case errors.As(err, &api):
		return api.RetryAfter
	case errors.As(err, &ce):
		return ce.RetryAfter
	}
	return 0
}

// verdict sorts a failed attempt.
type verdict uint8

const (
	// final: return the error.
	final verdict = iota
	// transient: retry after a backoff, within MaxAttempts and the budget,
	// if the method allows it.
	transient
	// throttled: wait for the quota, then send again.
	throttled
	// refresh: the token must be renewed; retry once with fresh credentials.
	refresh
	// resign: the gateway refused the signature's date, and its clock is
	// now known; retry once, signed on that clock.
	resign
)

// decision is what the attempt loop does after a failed attempt.
type decision struct {
	next  verdict       // refresh, resign, throttled or transient: go on so; final: stop
	delay time.Duration // before a transient retry
	err   error         // when stopping: the error the call returns
}

// decide applies the retry policy to a failed attempt: the one retry with
// fresh credentials, the one retry on the gateway's clock, the throttle
// budget, and for transient failures the method, MaxAttempts, Retry-After
// against MaxDelay and the retry budget.
func (c *Client) decide(ctx context.Context, cl *call, res attemptResult, st *callState) decision {
	p := c.cfg.retry
	switch res.verdict {
	case refresh:
		// Once per call, and only when the credentials source hands out
		// new credentials: a token it keeps handing out (it renews at most
		// once a credentials.RefusalWindow) is refused for good.
		if !st.refresh && c.renewCredentials(ctx, res.creds) {
			st.refresh = true
			return decision{next: refresh}
		}
	case resign:
		if !st.resigned {
			st.resigned = true
			return decision{next: resign}
		}
	case throttled:
		if p.MaxThrottleWait >= 0 {
			return decision{next: throttled}
		}
	case transient:
		if !cl.idempotent && !res.notSent {
			break // a request that may have reached the service is not sent twice
		}
		st.failures++
		if st.failures >= p.MaxAttempts {
			return c.giveUp(st, "")
		}
		delay := p.backoff(st.failures)
		// A Retry-After replaces the backoff, 0 (retry now) included.
		if ra := retryAfterOf(st.last); ra > 0 || res.retryAfter {
			if ra >= MaxRetryAfter {
				return c.giveUp(st, fmt.Sprintf("the service asked to wait %s or more", MaxRetryAfter))
			}
			if ra > p.MaxDelay {
				return c.giveUp(st, fmt.Sprintf("the service asked to wait %s, more than RetryPolicy.MaxDelay (%s)", roundDuration(ra), p.MaxDelay))
			}
			delay = ra
		}
		cost := retryCost
		if res.timedOut {
			cost = timeoutCost
		}
		if !c.budget.take(cost) {
			return c.giveUp(st, "the Client's retry budget is spent: recent calls kept failing")
		}
		st.spent += cost
		return decision{next: transient, delay: delay}
	}
	return decision{next: final, err: st.last}
}

// giveUp stops a call that made at least one retry, or ran out of attempts
// or budget, saying why when it was not the attempt count. A call that
// stops after its first attempt, for no reason of the policy, returns the
// error as it is.
func (c *Client) giveUp(st *callState, why string) decision {
	if why == "" && st.sent == 1 {
		return decision{next: final, err: st.last}
	}
	return decision{next: final, err: &AttemptsError{Attempts: st.sent, Throttle: st.waited, Err: st.last, why: why}}
}

// idempotent reports whether a method may be sent twice: GET and HEAD are
// retried after any transient failure, other methods only when the request
// surely did not reach the service.
func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodHead
}

// judgeAnswer decides about a non-2xx answer, from the one status table.
func judgeAnswer(code int, errorCode string) verdict {
	switch status.Of(code, errorCode) {
	case status.Throttled:
		return throttled
	case status.TokenExpired:
		return refresh
	case status.Transient:
		return transient
	}
	return final
}

// judgeTransport decides about an error of http.Client.Do or of reading a
// body. notSent reports an error that proves the request never reached the
// server (it could not connect), which makes any method safe to retry.
func judgeTransport(err error) (v verdict, notSent bool) {
	var (
		redirect *RedirectError
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		opErr    *net.OpError
		dnsErr   *net.DNSError
	)
	switch {
	case errors.As(err, &redirect), errors.As(err, &verify), errors.As(err, &unknown),
		errors.As(err, &hostname), errors.As(err, &invalid), errors.Is(err, ErrBodyTooLarge):
		return final, false
	case errors.As(err, &dnsErr), errors.As(err, &opErr) && opErr.Op == "dial":
		return transient, true
	}
	return transient, false
}

// judgeCredentials decides about an error of a credentials.Provider's
// Retrieve or of signing. The request was not sent, so a transient one may be retried
// whatever the method. (The attempt loop stops by itself when the caller's
// context ends.)
func judgeCredentials(err error) verdict {
	var (
		ce  *credentials.Error
		cfg *credentials.ConfigError
		ke  *sign.KeyError
		se  *sign.Error
		ve  *ValidationError
	)
	switch {
	case errors.As(err, &cfg), errors.As(err, &ke), errors.As(err, &se), errors.As(err, &ve),
		errors.Is(err, credentials.ErrNoCredentials), errors.Is(err, credentials.ErrExpired):
		return final
	case errors.As(err, &ce) && ce.StatusCode != 0:
		switch status.OfSource(ce.StatusCode) {
		case status.Transient, status.Throttled:
			return transient
		}
		return final
	}
	return transient
}

// retryBudget is the client-wide token bucket retries draw on, in the
// manner of aws-sdk-go-v2's standard retryer: a retry costs tokens, a
// success gives back what its retries took (or one token), so a healthy
// service refills it and an outage drains it.
type retryBudget struct {
	mu       sync.Mutex
	tokens   int
	capacity int // <= 0: no budget
}

func newRetryBudget(capacity int) *retryBudget {
	return &retryBudget{tokens: capacity, capacity: capacity}
}

// take spends cost tokens and reports whether there were enough.
func (b *retryBudget) take(cost int) bool {
	if b.capacity <= 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < cost {
		return false
	}
	b.tokens -= cost
	return true
}

// succeeded gives back what a successful call's retries took, or one token
// when it needed none.
func (b *retryBudget) succeeded(spent int) {
	if b.capacity <= 0 {
		return
	}
	if spent == 0 {
		spent = 1
	}
	b.mu.Lock()
	b.tokens += min(spent, b.capacity-b.tokens)
	b.mu.Unlock()
}
