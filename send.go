package hss

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/hsskit/hss/credentials"
)

// call is one API call: what to send, and what to do with a 2xx answer.
type call struct {
	op         string // the operation's name, for Observers
	method     string
	u          *url.URL // with RawQuery
	body       []byte   // JSON, or nil
	template   string   // the path template, for Observers
	route      string   // method and path template: the quota's key
	idempotent bool     // retried on any transient failure, not only when unsent
	// decode reads a 2xx body; nil ignores it. It must not keep body: the
	// buffer is reused after it returns.
	decode func(status int, body []byte, requestID string) error
}

// attemptResult is what one attempt produced.
type attemptResult struct {
	err        error
	status     int // the answer's HTTP status; 0 when none came
	verdict    verdict
	notSent    bool   // the request surely did not reach the service
	timedOut   bool   // the attempt ran out of its own time
	retryAfter bool   // the answer had a readable Retry-After header, 0 included
	requestID  string // of a successful answer
	answered   bool   // the service (or its gateway) answered with a status
	creds      credentials.Value
}

// send makes the call, retrying as the policy allows, and returns the
// X-Request-Id of the successful answer. This is the attempt loop: what to
// do after a failed attempt, and when a throttled call stops waiting, is
// decided in retry.go; when the quota and the rate limit let a call go, in
// quota.go and ratelimit.go; one attempt is attempt.go.
func (c *Client) send(ctx context.Context, cl *call) (string, error) {
	if ctx == nil {
		return "", &ValidationError{Field: "ctx", Reason: "must not be nil; use context.Background()"}
	}
	if c.obs == nil {
		var st callState
		return c.attempts(ctx, cl, &st)
	}
	st := callState{info: c.callInfo(cl)}
	start := c.cfg.clock.Now()
	ctx = c.obs.CallStart(ctx, st.info)
	reqID, err := c.attempts(ctx, cl, &st)
	c.obs.CallEnd(ctx, st.info, CallOutcome{Attempts: st.sent, StatusCode: st.status, RequestID: firstNonEmpty(reqID, st.requestID),
		Class: classify(err), Err: err, Duration: c.cfg.clock.Now().Sub(start), Waited: st.waitedAll})
	return reqID, err
}

// wait tells the Observer, if any, that the call waits d, and why.
func (c *Client) wait(ctx context.Context, st *callState, why WaitReason, d time.Duration, cause error) {
	st.waitedAll += d
	if c.obs != nil {
		c.obs.Wait(ctx, st.info, WaitInfo{Reason: why, Duration: d, Attempts: st.sent, Cause: cause})
	}
}

// callInfo names cl for Observers, with secrets redacted from its path and
// query.
func (c *Client) callInfo(cl *call) CallInfo {
	scrub := c.scrubber(c.lastCredentials(), nil)
	return CallInfo{Operation: cl.op, Method: cl.method, Route: cl.template,
		Path: scrub.String(cl.u.EscapedPath()), Query: scrub.String(redactQuery(cl.u.RawQuery))}
}

// attempts is the attempt loop of send.
func (c *Client) attempts(ctx context.Context, cl *call, st *callState) (string, error) {
	q := c.quotas.get(cl.route)
	sc := quotaScope{ctx: ctx}
	stop := func(cause error) error {
		e := &RequestError{Method: cl.method, Path: cl.u.EscapedPath(), Err: cause, Last: st.last, Attempts: st.sent}
		if errors.Is(st.last, cause) || errors.Is(st.last, context.Cause(ctx)) {
			e.Last = nil // the last attempt only saw the same end of the context
		}
		return e
	}
	for {
		if err := ctx.Err(); err != nil {
			return "", stop(err)
		}
		sc.key = c.quotaKey(ctx, cl.route)
		ticket, err := c.waitToSend(ctx, cl, q, sc, st)
		if err != nil {
			return "", err
		}
		res := c.attempt(ctx, cl, st)
		st.sent++
		st.status, st.requestID = res.status, res.requestID
		switch {
		case !res.answered:
			q.released(sc, c.cfg.clock.Now(), ticket)
		case res.verdict != throttled:
			q.passed(sc, c.cfg.clock.Now(), ticket)
		}
		if res.err == nil {
			c.budget.succeeded(st.spent)
			return res.requestID, nil
		}
		st.last = res.err
		if ctx.Err() != nil {
			return "", stop(ctx.Err())
		}
		var apiErr *APIError
		if res.verdict == throttled && errors.As(st.last, &apiErr) {
			// The whole Client learns, whatever this call does; a call
			// that gives up now says when the quota lets it in.
			now := c.cfg.clock.Now()
			apiErr.RetryAfter = max(apiErr.RetryAfter, q.throttled(sc, now, ticket, apiErr, res.retryAfter).Sub(now))
		}
		d := c.decide(cl, res, st)
		switch d.next {
		case refresh:
			c.cfg.creds.(credentials.Invalidator).Invalidate(res.creds)
		case throttled:
			// waitToSend waits for the quota, within the throttle budget.
		case transient:
			if err := c.pastDeadline(ctx, d.delay, "retrying"); err != nil {
				return "", stop(err)
			}
			c.wait(ctx, st, WaitBackoff, d.delay, st.last)
			if err := c.cfg.clock.Sleep(ctx, d.delay); err != nil {
				return "", stop(err)
			}
		default:
			if d.why == "" && st.sent == 1 || d.bare {
				return "", st.last
			}
			return "", &AttemptsError{Attempts: st.sent, Throttle: st.waited, Err: st.last, why: d.why}
		}
	}
}

// callState is what the attempt loop knows about one call so far.
type callState struct {
	sent       int           // attempts sent
	failures   int           // attempts that failed transiently
	spent      int           // retry-budget tokens taken
	waited     time.Duration // waiting for the gateway's quota
	waitedAll  time.Duration // waiting for anything
	stallStart time.Time     // when the call began waiting for the quota
	refresh    bool          // the one retry with fresh credentials was used
	last       error         // the last attempt's error
	status     int           // the last answer's HTTP status
	requestID  string        // the last answer's X-Request-Id
	info       CallInfo      // the call, for the Observer; zero without one
}

// waitToSend waits until the call may be sent: for the caller's rate limit
// (WithRateLimit), then for the route's quota. It returns the quota's
// ticket for the call.
func (c *Client) waitToSend(ctx context.Context, cl *call, q *routeQuota, sc quotaScope, st *callState) (quotaTicket, error) {
	path := cl.u.EscapedPath()
	if c.cfg.limiter != nil {
		waiting := func(d time.Duration) { c.wait(ctx, st, WaitRateLimit, d, nil) }
		if err := c.cfg.limiter.wait(ctx, c.cfg.clock, waiting); err != nil {
			return quotaTicket{}, &RequestError{Method: cl.method, Path: path, Err: err, Last: st.last, Attempts: st.sent}
		}
	}
	var deadline time.Time
	if dl, ok := ctx.Deadline(); ok {
		deadline = dl
	}
	for {
		now := c.cfg.clock.Now()
		r, changed := q.reserve(sc, now, deadline)
		if r.ready {
			return r.ticket, nil
		}
		if st.stallStart.IsZero() {
			st.stallStart = now
		}
		stalled := now.Sub(later(st.stallStart, q.lastPass()))
		throttle := c.throttleError(cl, q, st.last, r.wait)
		if why := c.cfg.retry.throttleGiveUp(stalled, r.wait, !r.booked); why != "" {
			return quotaTicket{}, &AttemptsError{Attempts: st.sent, Throttle: st.waited, Err: throttle, why: why}
		}
		if !deadline.IsZero() && deadline.Before(now.Add(r.wait)) {
			return quotaTicket{}, &RequestError{Method: cl.method, Path: path, Attempts: st.sent, Last: throttle,
				Err: fmt.Errorf("%w: throttled, and the gateway's quota clears in %s", ErrWaitPastDeadline, roundDuration(r.wait))}
		}
		c.wait(ctx, st, WaitQuota, r.wait, throttle)
		if r.probe {
			// A probe's answer ends the wait; its round trip is real time
			// whatever the Clock says.
			if err := waitFor(ctx, changed, r.wait); err != nil {
				return quotaTicket{}, &RequestError{Method: cl.method, Path: path, Err: err, Last: st.last, Attempts: st.sent}
			}
			continue
		}
		if err := c.sleepUntil(ctx, now.Add(r.wait), changed); err != nil {
			return quotaTicket{}, &RequestError{Method: cl.method, Path: path, Err: err, Last: st.last, Attempts: st.sent}
		}
		st.waited += c.cfg.clock.Now().Sub(now)
		if r.booked {
			if t, ok := q.confirm(sc, c.cfg.clock.Now(), r.ticket); ok {
				return t, nil
			}
		}
	}
}

// waitFor waits until wake is closed, d has passed in real time, or ctx
// ends (then it returns ctx's error).
func waitFor(ctx context.Context, wake <-chan struct{}, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-wake:
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// quotaKey is the QuotaStore key of route for the credentials the call
// will use, or "" without a store (or without credentials to name).
func (c *Client) quotaKey(ctx context.Context, route string) string {
	if c.quotas.link == nil {
		return ""
	}
	v, err := c.cfg.creds.Retrieve(ctx)
	if err != nil || (v.Token == "" && v.AccessKey == "") {
		return ""
	}
	return c.quotaStoreKey(quotaIdentity(v), route)
}

// sleepUntil waits on the Client's clock until t, or until wake is closed,
// or ctx ends (then it returns ctx's error).
func (c *Client) sleepUntil(ctx context.Context, t time.Time, wake <-chan struct{}) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-wake:
			cancel()
		case <-wctx.Done():
		}
	}()
	err := sleepUntil(wctx, c.cfg.clock, t)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil && wctx.Err() == nil {
		return err
	}
	return nil
}

// throttleError is the throttling answer a call that gives up while
// waiting for the quota reports: its own last answer, or the last one the
// route got, with RetryAfter at least wait.
func (c *Client) throttleError(cl *call, q *routeQuota, last error, wait time.Duration) error {
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
	if err := c.pastDeadline(ctx, d, what); err != nil {
		return err
	}
	return c.cfg.clock.Sleep(ctx, d)
}

// pastDeadline returns an error wrapping ErrWaitPastDeadline when a wait of
// d would pass the context's deadline.
func (c *Client) pastDeadline(ctx context.Context, d time.Duration, what string) error {
	if dl, ok := ctx.Deadline(); ok && dl.Before(c.cfg.clock.Now().Add(d)) {
		return fmt.Errorf("%w: %s in %s", ErrWaitPastDeadline, what, d)
	}
	return nil
}
