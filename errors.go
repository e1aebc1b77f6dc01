package hss

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/internal/status"
)

// Sentinel errors, reached with errors.Is.
var (
	// ErrBodyTooLarge: an answer's body is longer than the client reads
	// (see WithMaxBodyBytes and MaxErrorBodyBytes).
	ErrBodyTooLarge = errors.New("response body too large")
	// ErrAttemptTimeout: an attempt ran out of its own time
	// (WithAttemptTimeout, or the http.Client's Timeout) while the caller's
	// context still had time. context.DeadlineExceeded is kept for the
	// caller's own deadline.
	ErrAttemptTimeout = errors.New("attempt timed out")
	// ErrWaitPastDeadline: the client would have to wait (for the rate
	// limit, the gateway's quota, or a backoff) past the context's
	// deadline, so it returns at once instead of sleeping in vain. The
	// context has not ended: this is not context.DeadlineExceeded.
	ErrWaitPastDeadline = errors.New("the wait would pass the context's deadline")
	// ErrIncompletePage: a page held fewer registries than the limit sent
	// while total_num promised more, so paging on could skip registries or
	// never end. The iterators stop with it (resume at the offset the
	// message gives), and WaitSyncTask with a *DecodeError wrapping it.
	ErrIncompletePage = errors.New("page holds fewer registries than asked for while total_num promises more")
)

// APIError is returned for every answer with a non-2xx status. Reach it with
// errors.As:
//
//	var apiErr *hss.APIError
//	if errors.As(err, &apiErr) && apiErr.Code == "HSS.0001" { ... }
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the service's error code, such as "HSS.0001" or "APIGW.0308",
	// read from error_code, code or error.code; empty when the body had none.
	Code string
	// Message is the service's explanation, read from error_msg, message or
	// error.message; for a non-JSON body, its first line.
	Message string
	// RequestID is the X-Request-Id header, else request_id in the body.
	RequestID string
	// Body is the raw body, at most MaxErrorBodyBytes of it, with every
	// echo of the request's credentials replaced by REDACTED. A call that
	// gives up waiting for the quota before an answer of its own reports
	// the route's last throttling answer, with the first 4 KiB of its body.
	Body []byte
	// RetryAfter is the wait the service asked for with Retry-After. When a
	// throttled call gives up (the throttle budget or the context's deadline
	// comes first) it is at least the wait the client reckons the quota
	// needs. A Retry-After beyond MaxRetryAfter reads as MaxRetryAfter, a
	// wait no call makes.
	RetryAfter time.Duration
	// Method is the request's HTTP method.
	Method string
	// Path is the escaped path of the request, without its query, with
	// every echo of the request's credentials replaced by REDACTED.
	Path string
	// RedirectedTo is the escaped path of the answer, scrubbed as Path,
	// when the Client followed a redirect to the same host; empty
	// otherwise.
	RedirectedTo string
	// hint says what the Client knows of the cause that the answer does
	// not: why it did not sign again after a refusal of the signature's
	// date.
	hint string
}

// MaxErrorBodyBytes is how much of an error body is read and kept.
const MaxErrorBodyBytes = 1 << 20

// Error reads like
// "hss: GET /v5/p/image/image-sync/tasks/t/registries: 400 HSS.0001: Invalid parameter. (request id abc)".
// A nil *APIError reads "<nil>", as fmt prints it.
func (e *APIError) Error() string {
	if e == nil {
		return nilError
	}
	return "hss: " + opPrefix(e.Method, e.Path, e.RedirectedTo) + e.detail()
}

// nilError is the message of a nil pointer of every error type of the
// package: what fmt prints for a nil pointer whose Error panics.
const nilError = "<nil>"

// detail is the message without the operation.
func (e *APIError) detail() string {
	msg := strconv.Itoa(e.StatusCode)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	} else if e.Code == "" {
		msg += " " + http.StatusText(e.StatusCode)
	}
	if e.hint != "" {
		msg += " (" + e.hint + ")"
	}
	switch {
	case e.RetryAfter >= MaxRetryAfter:
		msg += " (retry after " + MaxRetryAfter.String() + " or more)"
	case e.RetryAfter > 0:
		msg += " (retry after " + roundDuration(e.RetryAfter).String() + ")"
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

// ValidationError reports an argument or option that breaks the API's
// rules, or a Client that no constructor made. It is returned before any
// request is sent.
type ValidationError struct {
	// Field names what is wrong, and is one of these:
	//
	//   - for a value that goes on the wire, the wire name: "task_id",
	//     "project_id", "limit", "offset", "registry_name",
	//     "registry_type", "sync_status", "enterprise_project_id",
	//     "X-Auth-Token", "User-Agent", and for Client.Do "method", "path"
	//     and "body"; for the parts of an access key "ak", "sk" and
	//     "X-Security-Token";
	//   - "endpoint" for NewClient's endpoint, and "region" for
	//     RegionEndpoint's region;
	//   - for an option, its name: "WithMaxBodyBytes",
	//     "WithAttemptTimeout", "WithRateLimit", "WithHTTPClient",
	//     "WithClock", "WithCredentials", "WithGetenv", "WithObserver",
	//     "WithQuotaStore", "WithDoHeader", "RetryPolicy.<field>" (such as
	//     "RetryPolicy.MaxDelay") and "WaitOptions.Interval";
	//   - "out" for Client.Do's out;
	//   - for NewClientFromEnv, the variable a value came from
	//     ("$HSS_REGION", "$HUAWEICLOUD_SDK_REGION");
	//   - "credentials" when none were given, "ctx" for a nil context, and
	//     "Client" for a Client no constructor made.
	Field string
	// Reason says what is allowed, and for a value that is not secret,
	// what was given.
	Reason string
}

// Error reads like "hss: invalid limit: must be 0 or 10-200, got 5".
func (e *ValidationError) Error() string {
	if e == nil {
		return nilError
	}
	return "hss: invalid " + e.Field + ": " + e.Reason
}

// DecodeError reports a 2xx answer whose body is not the JSON the API
// documents, holds more registries than a page can, or (for a poll of
// WaitSyncTask) a count that cannot be.
type DecodeError struct {
	Method, Path string // the request; Path scrubbed as APIError.Path
	RedirectedTo string // the path that answered after a redirect, as APIError.RedirectedTo
	StatusCode   int    // HTTP status of the answer
	RequestID    string // X-Request-Id of the answer
	Err          error  // what the decoder found
}

// Error says the body was not the expected JSON.
func (e *DecodeError) Error() string {
	if e == nil {
		return nilError
	}
	return "hss: " + opPrefix(e.Method, e.Path, e.RedirectedTo) + e.detail()
}

func (e *DecodeError) detail() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d answer is not the expected JSON: %v", e.StatusCode, e.Err)
	writeRequestID(&b, e.RequestID)
	return b.String()
}

// Unwrap returns the decoder's error.
func (e *DecodeError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// RequestError reports a call that got no usable answer: the connection
// failed or broke off, the credentials could not be had, a wait would pass
// the context's deadline, the caller's context ended, or the answers broke
// paging (ErrIncompletePage, from the iterators).
//
// errors.Is and errors.As reach both Err, the cause (a *net.OpError,
// context.Canceled, ErrAttemptTimeout, ErrWaitPastDeadline, a
// *credentials.Error, ...), and Last, the error of the last attempt when
// the call stopped after one (often an *APIError).
type RequestError struct {
	Method, Path string // the request; Path scrubbed as APIError.Path
	RedirectedTo string // the path that answered after a redirect, as APIError.RedirectedTo
	RequestID    string // X-Request-Id, when an answer started to arrive
	Err          error  // the cause
	Last         error  // the last attempt's error, when the call stopped after it
	Attempts     int    // attempts sent
}

// Error reads like
// "hss: GET /v5/...: context deadline exceeded (after 2 attempts; last error: 503 APIGW.0613: ...)".
func (e *RequestError) Error() string {
	if e == nil {
		return nilError
	}
	return "hss: " + opPrefix(e.Method, e.Path, e.RedirectedTo) + e.detail()
}

func (e *RequestError) detail() string {
	var b strings.Builder
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	writeRequestID(&b, e.RequestID)
	if e.Last != nil {
		fmt.Fprintf(&b, " (after %d attempt%s; last error: %s)", e.Attempts, plural(e.Attempts), describe(e.Last))
	}
	return b.String()
}

// Unwrap returns the cause and the last attempt's error.
func (e *RequestError) Unwrap() []error {
	if e == nil {
		return nil
	}
	if e.Last == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Last}
}

// AttemptsError wraps the last error of a call that gave up: its attempts
// (RetryPolicy.MaxAttempts) or the Client's retry budget ran out, the
// service asked to wait longer than RetryPolicy.MaxDelay, or its throttle
// budget (RetryPolicy.MaxThrottleWait) would be passed. errors.As reaches
// the *APIError or *RequestError inside.
type AttemptsError struct {
	Attempts int           // attempts sent; 0 when the quota kept the call from being sent
	Throttle time.Duration // time spent waiting for the gateway's quota
	Err      error         // the last attempt's error
	why      string        // why the call gave up, when not the attempt count
}

// Error appends why the call gave up to the last error.
func (e *AttemptsError) Error() string {
	if e == nil {
		return nilError
	}
	msg := fmt.Sprintf("%v (gave up after %d attempt%s", e.Err, e.Attempts, plural(e.Attempts))
	if e.Attempts == 0 {
		msg = fmt.Sprintf("%v (not sent", e.Err)
	}
	if e.why != "" {
		msg += ": " + e.why
	}
	return msg + ")"
}

// Unwrap returns the last attempt's error.
func (e *AttemptsError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// RedirectError is the cause of a *RequestError when the service redirects
// to another host, from https to http, or in a loop, or the http.Client's
// own CheckRedirect refuses: the SDK does not follow, so credentials never
// leave the endpoint the caller chose, and does not retry. (A redirect to
// the same host is followed, signed again for its method, path and query
// when the Client signs; an error of the answer then names the path asked
// for and the path that answered, scrubbed: see APIError.RedirectedTo.) It
// names both sides by scheme and host only: the rest of a Location is the
// server's to write, and may hold anything.
type RedirectError struct {
	From, To string // scheme://host of each side
	Loop     bool   // too many redirects
	Err      error  // the refusal of the http.Client's own CheckRedirect, if it refused
}

// Error names both hosts.
func (e *RedirectError) Error() string {
	switch {
	case e == nil:
		return nilError
	case e.Loop:
		return "refused redirect from " + e.From + " to " + e.To + ": more than 10 redirects"
	case e.Err != nil:
		return "refused redirect from " + e.From + " to " + e.To + ": " + e.Err.Error()
	}
	return "refused redirect from " + e.From + " to " + e.To + " (credentials are only sent to the configured endpoint)"
}

// Unwrap returns the refusal of the http.Client's own CheckRedirect.
func (e *RedirectError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// IsNotFound reports whether err says the task or resource does not exist:
// HSS answers 400 HSS.0011 for that. A 404 (APIGW.0101, "API does not
// exist") is not counted: it means a wrong endpoint or path prefix.
func IsNotFound(err error) bool {
	e := apiErrorIn(err)
	return e != nil && status.Of(e.StatusCode, e.Code) == status.NotFound
}

// apiErrorIn is the first *APIError in err's chain, or nil: a nil
// *APIError in the chain is no answer to read.
func apiErrorIn(err error) *APIError {
	var e *APIError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// IsThrottled reports whether err is, or gave up after, the gateway's
// throttling answer (429, or APIGW.0308).
func IsThrottled(err error) bool {
	e := apiErrorIn(err)
	return e != nil && status.Of(e.StatusCode, e.Code) == status.Throttled
}

// IsAuthError reports whether err is an authentication or authorisation
// failure: 401, 403, an APIGW.03xx code other than throttling, HSS.0010 or
// HSS.0013 from the service, or a credential source (IAM, ECS metadata)
// refusing with 400, 401, 403 or 404. The same table decides what is
// retried, so an error IsAuthError reports is never retried.
func IsAuthError(err error) bool {
	var ce *credentials.Error
	if errors.As(err, &ce) && ce.Refused() {
		return true
	}
	e := apiErrorIn(err)
	if e == nil {
		return false
	}
	c := status.Of(e.StatusCode, e.Code)
	return c == status.Auth || c == status.TokenExpired
}

// opPrefix is "METHOD PATH: ", "METHOD PATH (redirected to TO): " after
// a redirect, or "" when the error has no request.
func opPrefix(method, path, to string) string {
	switch {
	case method == "":
		return ""
	case to != "":
		return method + " " + path + " (redirected to " + to + "): "
	}
	return method + " " + path + ": "
}

// describe is an error's message without the operation, for nesting.
func describe(err error) string {
	switch e := err.(type) {
	case *APIError:
		if e != nil {
			return e.detail()
		}
	case *DecodeError:
		if e != nil {
			return e.detail()
		}
	case *RequestError:
		if e != nil {
			return e.detail()
		}
	}
	return err.Error()
}

func writeRequestID(b *strings.Builder, id string) {
	if id != "" {
		b.WriteString(" (request id ")
		b.WriteString(id)
		b.WriteByte(')')
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// notConstructed is what a Client that no constructor made (a zero value
// or a nil pointer) returns, instead of panicking.
func notConstructed() error {
	return &ValidationError{Field: "Client", Reason: "not created by NewClient or NewClientFromEnv"}
}
