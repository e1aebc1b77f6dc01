package hss

import (
	"context"
	"errors"
	"time"

	"github.com/hsskit/hss/credentials"
)

// Observer is told what a Client does on a caller's behalf: each call, each
// attempt of it, and each wait between attempts. Give one to WithObserver to
// feed traces and metrics; package github.com/hsskit/hss/otelhss is one for
// OpenTelemetry, and WithLogger's log is built on the same events.
//
// Every method gets the context of the call. CallStart and AttemptStart
// return the context to use from then on: the call's waits and attempts
// carry what CallStart returns, and an attempt's http.Request carries what
// AttemptStart returns, so that a span started there is the parent of what
// an instrumented transport (otelhttp) records and propagates. Return ctx
// itself to add nothing; a nil context is taken for ctx.
//
// The methods are called from the goroutine that makes the call, in order:
// CallStart; then, for each attempt, any Wait before it, AttemptStart and
// AttemptEnd; then CallEnd. Wait is told of a wait as it begins, with the
// length planned; a wait the call declines (it would pass the context's
// deadline, or the throttle budget) is not told, and the call ends with
// the error that says so.
// A Client calls them concurrently for concurrent calls, so an Observer
// must be safe for concurrent use. It must not keep the errors it is given
// past the call, and should return quickly: it runs on the call's path.
// The errors it is given hold no secret, like every error of the Client.
type Observer interface {
	// CallStart is told that a call begins.
	CallStart(ctx context.Context, call CallInfo) context.Context
	// AttemptStart is told that attempt number attempt (from 1) is about
	// to be sent.
	AttemptStart(ctx context.Context, call CallInfo, attempt int) context.Context
	// AttemptEnd is told how an attempt ended.
	AttemptEnd(ctx context.Context, call CallInfo, attempt AttemptOutcome)
	// Wait is told that the call is about to wait, and why.
	Wait(ctx context.Context, call CallInfo, wait WaitInfo)
	// CallEnd is told how the call ended.
	CallEnd(ctx context.Context, call CallInfo, outcome CallOutcome)
}

// CallInfo names a call for an Observer.
type CallInfo struct {
	// Operation is the SDK's name for what is called:
	// "ListSyncTaskRegistries", or "Do" for Client.Do.
	Operation string
	// Method is the HTTP method.
	Method string
	// Route is the path template, the same for every call of one API:
	// "/v5/{project_id}/image/image-sync/tasks/{task_id}/registries". For
	// Do it is the path given, with ids replaced by "{id}" (see Client.Do)
	// and every echo of the credentials scrubbed as in Path.
	Route string
	// Scheme is the endpoint's scheme: "https", or "http".
	Scheme string
	// Host is the endpoint's host, with its port when it has one.
	Host string
	// Path is the escaped path sent, and Query the query, with the value
	// of every secret-looking key and every echo of the credentials the
	// call's requests carry replaced by REDACTED. Those credentials are
	// fetched before CallStart when the Client's source is not static;
	// when an attempt gets others (the source renewed them), the events
	// from its AttemptEnd on carry a CallInfo scrubbed of them too.
	Path, Query string
}

// AttemptOutcome is how one attempt ended.
type AttemptOutcome struct {
	// Attempt numbers the attempt, from 1.
	Attempt int
	// StatusCode is the HTTP status of the answer; 0 when none came.
	StatusCode int
	// RequestID is the answer's X-Request-Id, when it had one.
	RequestID string
	// Class sorts a failed attempt; it is empty when the attempt succeeded.
	Class ErrorClass
	// Err is the attempt's error; nil when it succeeded.
	Err error
	// Duration is the time from sending to the end of the answer, on the
	// Client's clock.
	Duration time.Duration
}

// WaitReason says why a call waits.
type WaitReason string

// Why a call waits.
const (
	// WaitBackoff: a transient failure is retried after a backoff, or the
	// Retry-After of the answer.
	WaitBackoff WaitReason = "backoff"
	// WaitQuota: the gateway's quota (learned from its throttling answers,
	// or shared through WithQuotaStore) holds the call back.
	WaitQuota WaitReason = "quota"
	// WaitRateLimit: the Client's own WithRateLimit paces the call.
	WaitRateLimit WaitReason = "rate_limit"
)

// WaitInfo is one wait of a call.
type WaitInfo struct {
	// Reason says why the call waits.
	Reason WaitReason
	// Duration is how long it waits.
	Duration time.Duration
	// Attempts is the number of attempts sent so far.
	Attempts int
	// Cause is the error that made the call wait (the throttling or
	// failed answer); nil when the call waits for its turn.
	Cause error
	// Class sorts Cause; empty when Cause is nil.
	Class ErrorClass
}

// CallOutcome is how a call ended.
type CallOutcome struct {
	// Attempts is the number of attempts sent.
	Attempts int
	// StatusCode is the HTTP status of the last answer; 0 when none came.
	StatusCode int
	// RequestID is the X-Request-Id of the last answer, when it had one.
	RequestID string
	// Class sorts the error; it is empty when the call succeeded.
	Class ErrorClass
	// Err is the error the call returns; nil when it succeeded.
	Err error
	// Duration is the time the call took, waits included, on the Client's
	// clock.
	Duration time.Duration
	// Waited is the part of Duration spent waiting: for the quota, the rate
	// limit and backoffs, as long as the waits lasted (one cut short by the
	// end of the context counts what it lasted).
	Waited time.Duration
}

// ErrorClass sorts errors into a few kinds, for metrics and logs. It is
// the same for every error of one kind, whatever its message.
type ErrorClass string

// Kinds of error.
const (
	// ClassThrottled: the gateway's quota (429, APIGW.0308).
	ClassThrottled ErrorClass = "throttled"
	// ClassAuth: authentication or permission (see IsAuthError).
	ClassAuth ErrorClass = "auth"
	// ClassNotFound: no such task or resource (see IsNotFound).
	ClassNotFound ErrorClass = "not_found"
	// ClassClient: another 4xx answer, such as 400 HSS.0001.
	ClassClient ErrorClass = "client_error"
	// ClassServer: a 5xx answer.
	ClassServer ErrorClass = "server_error"
	// ClassTimeout: an attempt ran out of its own time (ErrAttemptTimeout).
	ClassTimeout ErrorClass = "timeout"
	// ClassConnection: the connection failed or broke off, or a redirect
	// was refused.
	ClassConnection ErrorClass = "connection"
	// ClassCredentials: the credentials could not be had.
	ClassCredentials ErrorClass = "credentials"
	// ClassDecode: a 2xx answer that is not the documented JSON
	// (*DecodeError), or a body over its cap.
	ClassDecode ErrorClass = "decode"
	// ClassCanceled: the caller's context ended, or a wait would pass its
	// deadline (ErrWaitPastDeadline).
	ClassCanceled ErrorClass = "canceled"
	// ClassInvalid: a bad argument (*ValidationError), before anything
	// was sent.
	ClassInvalid ErrorClass = "invalid"
	// ClassOther: anything else.
	ClassOther ErrorClass = "other"
)

// WithObserver reports every call, attempt and wait to o; see Observer.
// Given more than once, it adds: every Observer given is told each event,
// in the order the options came, and the context one returns is passed to
// the next. Given with WithLogger, the log is told first. A nil o, or a nil
// pointer in o, is a *ValidationError.
func WithObserver(o Observer) Option {
	return func(c *config) error {
		if isNil(o) {
			return &ValidationError{Field: "WithObserver", Reason: "must not be nil"}
		}
		c.observers, c.tell = append(c.observers, o), tell{}
		return nil
	}
}

// telling is how a Client tells its Observer of a call, its attempts and
// its waits. WithObserver and WithLogger set it, so that a program that
// uses neither links none of what it takes: CallInfo and its scrubbing,
// the outcomes, the sorting of errors.
type telling interface {
	call(ctx context.Context, c *Client, cl *call, st *callState) error
	attempt(ctx context.Context, c *Client, cl *call, st *callState) attemptResult
	wait(ctx context.Context, c *Client, st *callState, why WaitReason, d time.Duration, cause error)
}

// tell is the telling of every Client that has an Observer.
type tell struct{}

// call makes the call between CallStart and CallEnd. What the Observer is
// told is scrubbed of the credentials the requests carry: those of an
// earlier call may be others, or none yet, so a source that is not static
// is asked for them first, and the first attempt uses what it handed out.
func (tell) call(ctx context.Context, c *Client, cl *call, st *callState) error {
	if c.static {
		st.creds = c.lastCredentials()
	} else {
		pctx, cancel := c.attemptContext(ctx)
		defer cancel()
		v, err := c.credentials(pctx)
		st.pre = &prefetched{v: v, err: err, ctx: pctx, cancel: cancel}
		st.creds = v
		if err != nil {
			st.creds = c.lastCredentials()
		}
	}
	st.info = c.callInfo(cl, st.creds)
	start := c.cfg.clock.Now()
	ctx = orGiven(c.obs.CallStart(ctx, st.info), ctx)
	err := c.attempts(ctx, cl, st)
	c.obs.CallEnd(ctx, st.info, CallOutcome{Attempts: st.sent, StatusCode: st.answer.status, RequestID: st.answer.requestID,
		Class: classify(err), Err: err, Duration: c.cfg.clock.Now().Sub(start), Waited: st.waitedAll})
	return err
}

// attempt makes an attempt between AttemptStart and AttemptEnd.
func (tell) attempt(ctx context.Context, c *Client, cl *call, st *callState) attemptResult {
	n := st.sent + 1
	ctx = orGiven(c.obs.AttemptStart(ctx, st.info, n), ctx)
	start := c.cfg.clock.Now()
	pre := st.pre
	st.pre = nil
	res := c.attemptOnce(ctx, cl, pre)
	if res.creds != st.creds && res.creds != (credentials.Value{}) {
		// Credentials fetched since the call began: what the Observer is
		// told from now on is scrubbed of them.
		st.creds = res.creds
		st.info = c.callInfo(cl, res.creds)
	}
	c.obs.AttemptEnd(ctx, st.info, AttemptOutcome{Attempt: n, StatusCode: res.status, RequestID: res.requestID,
		Class: classify(res.err), Err: res.err, Duration: c.cfg.clock.Now().Sub(start)})
	return res
}

// wait tells of a wait.
func (tell) wait(ctx context.Context, c *Client, st *callState, why WaitReason, d time.Duration, cause error) {
	c.obs.Wait(ctx, st.info, WaitInfo{Reason: why, Duration: d, Attempts: st.sent, Cause: cause, Class: classify(cause)})
}

// callInfo names cl for Observers, with the secrets of v, and the values
// of secret-looking query keys, redacted from its route, path and query.
func (c *Client) callInfo(cl *call, v credentials.Value) CallInfo {
	scrub := c.scrubber(v, nil)
	route := cl.template
	if cl.given {
		route = scrub.String(route)
	}
	return CallInfo{Operation: cl.op, Method: cl.method, Route: route, Scheme: c.endpoint.Scheme, Host: c.endpoint.Host,
		Path: scrub.String(cl.u.EscapedPath()), Query: scrub.String(redactQuery(cl.u.RawQuery))}
}

// observers tells several Observers the same events, in order; the context
// one returns is passed to the next.
type observers []Observer

func (os observers) CallStart(ctx context.Context, call CallInfo) context.Context {
	for _, o := range os {
		ctx = orGiven(o.CallStart(ctx, call), ctx)
	}
	return ctx
}

func (os observers) AttemptStart(ctx context.Context, call CallInfo, attempt int) context.Context {
	for _, o := range os {
		ctx = orGiven(o.AttemptStart(ctx, call, attempt), ctx)
	}
	return ctx
}

// orGiven is the context an Observer returned, or the one it was given
// when it returned nil.
func orGiven(returned, given context.Context) context.Context {
	if returned == nil {
		return given
	}
	return returned
}

func (os observers) AttemptEnd(ctx context.Context, call CallInfo, a AttemptOutcome) {
	for _, o := range os {
		o.AttemptEnd(ctx, call, a)
	}
}

func (os observers) Wait(ctx context.Context, call CallInfo, w WaitInfo) {
	for _, o := range os {
		o.Wait(ctx, call, w)
	}
}

func (os observers) CallEnd(ctx context.Context, call CallInfo, outcome CallOutcome) {
	for _, o := range os {
		o.CallEnd(ctx, call, outcome)
	}
}

// classify sorts an error for Observers.
func classify(err error) ErrorClass {
	if err == nil {
		return ""
	}
	var (
		api *APIError
		dec *DecodeError
		ve  *ValidationError
	)
	switch {
	case errors.As(err, &ve):
		return ClassInvalid
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, ErrWaitPastDeadline):
		if !errors.As(err, &api) || !IsThrottled(api) {
			return ClassCanceled
		}
	}
	switch {
	case IsThrottled(err):
		return ClassThrottled
	case IsAuthError(err):
		return ClassAuth
	case IsNotFound(err):
		return ClassNotFound
	case errors.As(err, &api):
		if api.StatusCode >= 500 {
			return ClassServer
		}
		return ClassClient
	case errors.As(err, &dec), errors.Is(err, ErrBodyTooLarge):
		return ClassDecode
	case errors.Is(err, ErrAttemptTimeout):
		return ClassTimeout
	case fromCredentials(err):
		return ClassCredentials
	case errors.Is(err, ErrIncompletePage):
		return ClassOther
	}
	var re *RequestError
	if errors.As(err, &re) {
		return ClassConnection
	}
	return ClassOther
}
