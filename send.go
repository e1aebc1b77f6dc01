package hss

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hsskit/hss/credentials"
)

// call is one API call: what to send, and what to do with a 2xx answer.
type call struct {
	method     string
	u          *url.URL // with RawQuery
	body       []byte   // JSON, or nil
	route      string   // method and path template: the quota's key
	idempotent bool     // retried on any transient failure, not only when unsent
	// decode reads a 2xx body; nil ignores it. It must not keep body: the
	// buffer is reused after it returns.
	decode func(status int, body []byte, requestID string) error
}

// attemptResult is what one attempt produced.
type attemptResult struct {
	err       error
	verdict   verdict
	notSent   bool   // the request surely did not reach the service
	timedOut  bool   // the attempt ran out of its own time
	requestID string // of a successful answer
	answered  bool   // the service (or its gateway) answered with a status
	creds     credentials.Value
}

// send makes the call, retrying as the policy allows, and returns the
// X-Request-Id of the successful answer. This is the attempt loop; the
// decisions it applies are in retry.go, the waits in quota.go and
// ratelimit.go, one attempt in attempt.
func (c *Client) send(ctx context.Context, cl *call) (string, error) {
	if ctx == nil {
		return "", &ValidationError{Field: "ctx", Reason: "must not be nil; use context.Background()"}
	}
	q := c.quotas.get(cl.route)
	var (
		sent, failures, spent int
		waited                time.Duration // for the gateway's quota
		refreshed             bool
		last                  error
	)
	stop := func(cause error) error {
		e := &RequestError{Method: cl.method, Path: cl.u.EscapedPath(), Err: cause, Last: last, Attempts: sent}
		if errors.Is(last, cause) {
			e.Last = nil // the last attempt only saw the same end of the context
		}
		return e
	}
	for {
		if err := ctx.Err(); err != nil {
			return "", stop(err)
		}
		gen, err := c.waitToSend(ctx, cl, q, &waited, last, sent)
		if err != nil {
			return "", err
		}
		res := c.attempt(ctx, cl, sent+1)
		sent++
		if res.answered && res.verdict != throttled {
			q.passed(gen)
		}
		if res.err == nil {
			c.budget.succeeded(spent)
			return res.requestID, nil
		}
		last = res.err
		if ctx.Err() != nil {
			return "", stop(ctx.Err())
		}
		switch res.verdict {
		case refresh:
			if inv, ok := c.cfg.creds.(credentials.Invalidator); ok && !refreshed {
				// One free retry with fresh credentials.
				refreshed = true
				inv.Invalidate(res.creds)
				continue
			}
			return "", last
		case throttled:
			var apiErr *APIError
			if errors.As(last, &apiErr) {
				q.throttledAt(c.cfg.clock.Now(), gen, apiErr)
			}
			if c.cfg.retry.MaxThrottleWait < 0 {
				return "", last
			}
			continue // waitToSend waits for the quota, within the throttle budget
		case transient:
			if !cl.idempotent && !res.notSent {
				return "", last
			}
			failures++
			if failures >= c.cfg.retry.MaxAttempts {
				if sent == 1 {
					return "", last
				}
				return "", &AttemptsError{Attempts: sent, Throttle: waited, Err: last}
			}
			delay := c.cfg.retry.backoff(failures)
			var apiErr *APIError
			if errors.As(last, &apiErr) && apiErr.RetryAfter > 0 {
				if apiErr.RetryAfter > c.cfg.retry.MaxDelay {
					return "", &AttemptsError{Attempts: sent, Throttle: waited, Err: last,
						why: fmt.Sprintf("the service asked to wait %s, more than RetryPolicy.MaxDelay (%s)", apiErr.RetryAfter, c.cfg.retry.MaxDelay)}
				}
				delay = apiErr.RetryAfter
			}
			cost := retryCost
			if res.timedOut {
				cost = timeoutCost
			}
			if !c.budget.take(cost) {
				return "", &AttemptsError{Attempts: sent, Throttle: waited, Err: last,
					why: "the Client's retry budget is spent: recent calls kept failing"}
			}
			spent += cost
			c.logWait(ctx, cl, "retrying", delay, last)
			if err := c.sleep(ctx, delay, "retrying"); err != nil {
				return "", stop(err)
			}
		default:
			return "", last
		}
	}
}

// waitToSend waits until the call may be sent: for the caller's rate limit
// (WithRateLimit), then for the route's quota, whose waits count against
// the throttle budget. It returns the quota window the call is sent in.
func (c *Client) waitToSend(ctx context.Context, cl *call, q *quota, waited *time.Duration, last error, sent int) (uint64, error) {
	path := cl.u.EscapedPath()
	if c.cfg.limiter != nil {
		if err := c.cfg.limiter.wait(ctx, c.cfg.clock); err != nil {
			return 0, &RequestError{Method: cl.method, Path: path, Err: err, Last: last, Attempts: sent}
		}
	}
	for {
		now := c.cfg.clock.Now()
		wait, gen := q.reserve(now)
		if wait <= 0 {
			return gen, nil
		}
		throttle := c.throttleError(cl, q, last, wait)
		budget := c.cfg.retry.MaxThrottleWait
		var why string
		switch {
		case wait >= MaxRetryAfter:
			why = fmt.Sprintf("the service asked to wait %s or more", MaxRetryAfter)
		case budget < 0:
			why = fmt.Sprintf("the gateway's quota needs %s more, and the retry policy does not wait for throttling", wait)
		case *waited+wait > budget:
			why = fmt.Sprintf("the gateway's quota needs %s more, past the %s throttle budget (RetryPolicy.MaxThrottleWait)", wait, budget)
		}
		if why != "" {
			return 0, &AttemptsError{Attempts: sent, Throttle: *waited, Err: throttle, why: why}
		}
		if dl, ok := ctx.Deadline(); ok && dl.Before(now.Add(wait)) {
			return 0, &RequestError{Method: cl.method, Path: path, Attempts: sent, Last: throttle,
				Err: fmt.Errorf("%w: throttled, and the gateway's quota clears in %s", ErrWaitPastDeadline, wait)}
		}
		c.logWait(ctx, cl, "throttled", wait, throttle)
		if err := sleepUntil(ctx, c.cfg.clock, now.Add(wait)); err != nil {
			return 0, &RequestError{Method: cl.method, Path: path, Err: err, Last: last, Attempts: sent}
		}
		*waited += wait
	}
}

// throttleError is the throttling answer a call that gives up while
// waiting for the quota reports: its own last answer, or the last one the
// route got, with RetryAfter at least wait.
func (c *Client) throttleError(cl *call, q *quota, last error, wait time.Duration) error {
	var e *APIError
	if errors.As(last, &e) && IsThrottled(e) {
		cp := *e
		e = &cp
	} else if e = q.lastThrottle(); e == nil {
		e = &APIError{StatusCode: http.StatusTooManyRequests, Code: "APIGW.0308", Message: "throttled earlier on this route"}
	}
	e.Method, e.Path = cl.method, cl.u.EscapedPath()
	e.RetryAfter = max(e.RetryAfter, wait)
	return e
}

// sleep waits d on the Client's clock, returning at once with
// ErrWaitPastDeadline when the context's deadline comes first.
func (c *Client) sleep(ctx context.Context, d time.Duration, what string) error {
	if dl, ok := ctx.Deadline(); ok && dl.Before(c.cfg.clock.Now().Add(d)) {
		return fmt.Errorf("%w: %s in %s", ErrWaitPastDeadline, what, d)
	}
	return c.cfg.clock.Sleep(ctx, d)
}

// attempt makes one attempt of cl.
func (c *Client) attempt(ctx context.Context, cl *call, n int) attemptResult {
	actx := ctx
	if c.cfg.attemptTimeout > 0 && c.cfg.hc.Timeout == 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, c.cfg.attemptTimeout)
		defer cancel()
	}
	path := cl.u.EscapedPath()
	req := c.newRequest(actx, cl)
	v, err := c.authenticate(actx, req)
	if err != nil {
		err = c.timedOut(ctx, actx, err)
		if !strings.HasPrefix(err.Error(), "credentials: ") { // package credentials' errors say so already
			err = fmt.Errorf("credentials: %w", err)
		}
		return attemptResult{
			err:      &RequestError{Method: cl.method, Path: path, Err: err},
			verdict:  judgeCredentials(err),
			notSent:  true,
			timedOut: errors.Is(err, ErrAttemptTimeout),
		}
	}
	start := c.cfg.clock.Now()
	resp, err := c.cfg.hc.Do(req)
	if err != nil {
		err = c.timedOut(ctx, actx, c.scrubTransportError(unwrapURLError(err), v, req.Header, cl))
		c.logAttempt(ctx, cl, n, 0, "", start, err)
		verdict, notSent := judgeTransport(err)
		return attemptResult{err: &RequestError{Method: cl.method, Path: path, Err: err}, verdict: verdict, notSent: notSent,
			timedOut: errors.Is(err, ErrAttemptTimeout)}
	}
	res := c.readAnswer(ctx, actx, cl, resp, v, req.Header)
	c.logAttempt(ctx, cl, n, resp.StatusCode, res.requestID, start, res.err)
	res.creds, res.answered = v, true
	return res
}

// timedOut replaces err by one wrapping ErrAttemptTimeout when the
// attempt's own time ran out (WithAttemptTimeout, or the http.Client's
// Timeout) while the caller's context had time left. The original error's
// text is kept but not wrapped, so that context.DeadlineExceeded keeps
// meaning the caller's own deadline.
func (c *Client) timedOut(ctx, actx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	limit := c.cfg.attemptTimeout
	switch {
	case actx != ctx && actx.Err() != nil:
	case c.cfg.hc.Timeout > 0 && isTimeout(err):
		limit = c.cfg.hc.Timeout
	default:
		return err
	}
	return fmt.Errorf("%w after %s (%v)", ErrAttemptTimeout, limit, err)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// scrubTransportError keeps what the server sent out of a transport
// error's text. net/http quotes a malformed header or status line, and a
// Location it cannot parse, whole: such an error is replaced by a plain
// one with the request's secrets scrubbed (a Location by a redirect
// refusal, which names the host only). Other errors are returned as they are.
func (c *Client) scrubTransportError(err error, v credentials.Value, sent http.Header, cl *call) error {
	msg := err.Error()
	if strings.HasPrefix(msg, "failed to parse Location header") {
		return &RedirectError{From: cl.u.Scheme + "://" + cl.u.Host, To: "a Location that is not a URL"}
	}
	scrub := c.scrubber(v, sent)
	if scrubbed := scrub.String(msg); scrubbed != msg {
		var rd *RedirectError
		if errors.As(err, &rd) { // a host the server named may hold a secret too
			return &RedirectError{From: scrub.String(rd.From), To: scrub.String(rd.To), Loop: rd.Loop, Err: rd.Err}
		}
		return errors.New(scrubbed)
	}
	return err
}

// unwrapURLError drops the *url.Error net/http wraps everything in: it
// quotes the whole URL, query and redirect target included, and the
// Client's errors name the operation themselves.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}
