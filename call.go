package hss

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/hsskit/hss/credentials"
)

// A call is one API call, made by do from top to bottom, each stage in a
// file of its own:
//
//  1. build the request (request.go);
//  2. wait for the rate limit and the gateway's quota (ratelimit.go,
//     quotaroute.go);
//  3. authenticate and sign (auth.go);
//  4. send (transport.go);
//  5. read and classify the answer (response.go);
//  6. decide: retry, wait or give up (retry.go);
//  7. decode a 2xx body (decode.go, or the caller's).
type call struct {
	op          string // the operation's name, for Observers
	method      string
	u           *url.URL // with RawQuery
	body        []byte   // sent as it is, or nil
	contentType string   // of body
	header      http.Header
	template    string // the path template, for Observers
	given       bool   // the path is the caller's (Do), so its template may hold anything
	route       string // method and path template: the quota's key
	idempotent  bool   // retried on any transient failure, not only when unsent
	// decode reads a 2xx body; nil ignores it. It must not keep body: the
	// buffer is reused after it returns.
	decode func(status int, body []byte, requestID string) error
}

// answer is what a call learned of the last answer it got.
type answer struct {
	status    int // 0 when none came
	header    http.Header
	requestID string
	attempts  int
}

// callState is what the attempt loop knows about one call so far.
type callState struct {
	sent       int               // attempts sent
	failures   int               // attempts that failed transiently
	spent      int               // retry-budget tokens taken
	waited     time.Duration     // waiting for the gateway's quota
	waitedAll  time.Duration     // waiting for anything
	stallStart time.Time         // when the call began waiting for the quota
	refresh    bool              // the one retry with fresh credentials was used
	resigned   bool              // the one retry signed on the gateway's clock was used
	last       error             // the last attempt's error
	answer     answer            // the last answer
	info       CallInfo          // the call, for the Observer; zero without one
	creds      credentials.Value // the credentials of the last attempt, or those info is scrubbed of
	pre        *prefetched       // the first attempt's credentials, fetched to scrub info; nil once used
}

// prefetched is what a credentials source handed out before the call's
// first attempt, for the attempt to use.
type prefetched struct {
	v      credentials.Value
	err    error
	ctx    context.Context // the attempt-bounded context it was fetched in
	cancel context.CancelFunc
}

// attemptResult is what one attempt produced.
type attemptResult struct {
	err        error
	status     int         // the answer's HTTP status; 0 when none came
	header     http.Header // the answer's headers
	verdict    verdict
	notSent    bool   // the request surely did not reach the service
	timedOut   bool   // the attempt ran out of its own time
	retryAfter bool   // the answer had a readable Retry-After header, 0 included
	requestID  string // of the answer
	answered   bool   // the service (or its gateway) answered with a status
	creds      credentials.Value
}

// do makes the call, retrying as the policy allows, and tells the
// Observer (see telling).
func (c *Client) do(ctx context.Context, cl *call) (answer, error) {
	if ctx == nil {
		return answer{}, &ValidationError{Field: "ctx", Reason: "must not be nil; use context.Background()"}
	}
	var st callState
	var err error
	if c.obs == nil {
		err = c.attempts(ctx, cl, &st)
	} else {
		err = c.cfg.tell.call(ctx, c, cl, &st)
	}
	return st.answer, err
}

// attempts is the attempt loop: wait for the quota, make an attempt, then
// do what retry.go decides.
func (c *Client) attempts(ctx context.Context, cl *call, st *callState) error {
	q := c.quotas.get(cl.route)
	sc := quotaScope{ctx: ctx}
	for {
		if err := ctx.Err(); err != nil {
			return c.stopped(ctx, cl, st, err)
		}
		sc.key = c.quotaKey(ctx, cl.route)
		ticket, err := c.waitToSend(ctx, cl, q, sc, st)
		if err != nil {
			return err
		}
		res := c.attempt(ctx, cl, st)
		st.sent++
		if res.answered {
			st.answer = answer{status: res.status, header: res.header, requestID: res.requestID}
		}
		st.answer.attempts = st.sent
		now := c.cfg.clock.Now()
		switch {
		case !res.answered:
			q.released(sc, now, ticket)
		case res.verdict != throttled:
			q.passed(sc, now, ticket)
		}
		if res.err == nil {
			c.budget.succeeded(st.spent)
			return nil
		}
		st.last = res.err
		if ctx.Err() != nil {
			return c.stopped(ctx, cl, st, ctx.Err())
		}
		var apiErr *APIError
		if res.verdict == throttled && errors.As(st.last, &apiErr) {
			// The whole Client learns, whatever this call does; a call
			// that gives up now says when the quota lets it in.
			apiErr.RetryAfter = max(apiErr.RetryAfter, q.throttled(sc, now, ticket, apiErr, res.retryAfter).Sub(now))
		}
		d := c.decide(ctx, cl, res, st)
		switch d.next {
		case refresh, resign, throttled:
			// Sent again at once, within the quota (waitToSend).
		case transient:
			if err := pastDeadline(deadlineOf(ctx), c.cfg.clock.Now(), d.delay, "retrying"); err != nil {
				return c.stopped(ctx, cl, st, err)
			}
			c.wait(ctx, st, WaitBackoff, d.delay, st.last)
			start := c.cfg.clock.Now()
			err := c.cfg.clock.Sleep(ctx, d.delay)
			st.waitedAll += c.cfg.clock.Now().Sub(start)
			if err != nil {
				return c.stopped(ctx, cl, st, err)
			}
		default:
			return d.err
		}
	}
}

// stopped is the error of a call that stopped because of cause (the end
// of its context, or a wait that would pass its deadline).
func (c *Client) stopped(ctx context.Context, cl *call, st *callState, cause error) error {
	creds := st.creds
	if creds == (credentials.Value{}) {
		creds = c.lastCredentials()
	}
	e := &RequestError{Method: cl.method, Path: c.scrubber(creds, nil).String(cl.u.EscapedPath()), Err: cause, Last: st.last, Attempts: st.sent}
	if errors.Is(st.last, cause) || errors.Is(st.last, context.Cause(ctx)) {
		e.Last = nil // the last attempt only saw the same end of the context
	}
	return e
}

// attempt makes attempt number st.sent+1 of cl: build the request,
// authenticate it, send it, read the answer. It tells the Observer.
func (c *Client) attempt(ctx context.Context, cl *call, st *callState) attemptResult {
	if c.obs != nil {
		return c.cfg.tell.attempt(ctx, c, cl, st)
	}
	res := c.attemptOnce(ctx, cl, nil)
	st.creds = res.creds
	return res
}

// attemptOnce is one attempt, stage by stage; pre, when not nil, holds the
// credentials fetched for it.
func (c *Client) attemptOnce(ctx context.Context, cl *call, pre *prefetched) attemptResult {
	actx, cancel := c.attemptContext(ctx)
	defer cancel()
	req := c.newRequest(actx, cl)
	var (
		v   credentials.Value
		err error
	)
	if pre != nil && pre.err == nil && pre.v.Expired(c.cfg.clock.Now()) {
		pre = nil // they expired while the call waited for its turn
	}
	if pre != nil {
		v, err = pre.v, pre.err
		if err != nil {
			defer pre.cancel()
			return c.credentialsFailed(ctx, pre.ctx, cl, err)
		}
	} else if v, err = c.credentials(actx); err != nil {
		return c.credentialsFailed(ctx, actx, cl, err)
	}
	used, err := c.authorize(req, v)
	if err != nil {
		return c.credentialsFailed(ctx, actx, cl, err)
	}
	if v.AccessKey != "" && c.signer != nil {
		req = c.signer.attach(req, v) // for a redirect to sign again
	}
	resp, err := c.cfg.hc.Do(req)
	if err != nil {
		res := c.transportFailed(ctx, actx, cl, req, v, err)
		res.creds = v
		return res
	}
	res := c.readAnswer(ctx, actx, cl, resp, v, req.Header, used)
	res.creds, res.answered, res.status, res.header = v, true, resp.StatusCode, resp.Header
	return res
}

// wait tells the Observer, if any, that the call waits d, and why.
func (c *Client) wait(ctx context.Context, st *callState, why WaitReason, d time.Duration, cause error) {
	if c.obs != nil {
		c.cfg.tell.wait(ctx, c, st, why, d, cause)
	}
}
