package hss

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
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
	// error.message; for a non-JSON body, its first line (trimmed).
	Message string
	// RequestID is the X-Request-Id header, else request_id in the body.
	RequestID string
	// Body is the raw body, at most MaxErrorBodyBytes of it.
	Body []byte
	// RetryAfter is the wait the service asked for with Retry-After, zero
	// when it asked for none. When the client gave up because the wait was
	// longer than RetryPolicy.MaxDelay, this tells the caller when to come back.
	RetryAfter time.Duration

	// Method and Path name the request in Error(); Path has no query, so
	// no filter values or secrets.
	Method string
	Path   string
}

// MaxErrorBodyBytes is how much of an error body is read and kept.
const MaxErrorBodyBytes = 1 << 20

// Error reads like
// "hss: GET /v5/p/image/image-sync/tasks/t/registries: 400 HSS.0001: Invalid parameter. (request id abc)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("hss: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Code != "" {
		b.WriteByte(' ')
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	} else if e.Code == "" {
		b.WriteByte(' ')
		b.WriteString(http.StatusText(e.StatusCode))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	return b.String()
}

// ValidationError reports an argument that breaks the API's rules. It is
// returned before any request is sent.
type ValidationError struct {
	// Field is the wire name of the argument: "limit", "task_id",
	// "project_id", "X-Auth-Token", ...
	Field string
	// Reason says what is allowed (and, for non-secret fields, what was given).
	Reason string
}

// Error reads like "hss: invalid limit: must be 0 or 10-200, got 5".
func (e *ValidationError) Error() string {
	return "hss: invalid " + e.Field + ": " + e.Reason
}

// DecodeError reports a 2xx answer whose body is not the JSON the API
// documents.
type DecodeError struct {
	StatusCode int    // HTTP status of the answer
	RequestID  string // X-Request-Id of the answer
	Err        error  // what the decoder found
}

// Error says the body was not the expected JSON.
func (e *DecodeError) Error() string {
	s := fmt.Sprintf("hss: %d answer is not the expected JSON: %v", e.StatusCode, e.Err)
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// Unwrap returns the decoder's error.
func (e *DecodeError) Unwrap() error { return e.Err }

// ErrBodyTooLarge is wrapped by the error returned when an answer's body is
// longer than the client reads (see WithMaxBodyBytes).
var ErrBodyTooLarge = errors.New("hss: response body too large")

// IsNotFound reports whether err says the task or resource does not exist:
// HSS answers 400 HSS.0011 for that. A 404 (APIGW.0101, "API does not
// exist") is not counted: it means a wrong endpoint or path prefix, not a
// missing task.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == "HSS.0011"
}

// IsThrottled reports whether err is the gateway's throttling answer
// (429, or APIGW.0308).
func IsThrottled(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	return e.StatusCode == http.StatusTooManyRequests || e.Code == "APIGW.0308"
}

// IsAuthError reports whether err is an authentication or authorisation
// failure: 401, 403, an APIGW.03xx code, or HSS.0010 / HSS.0013 from the
// service, or a credential source (IAM, ECS metadata) refusing with 400,
// 401 or 403, such as a wrong IAM password.
func IsAuthError(err error) bool {
	var ce *CredentialsError
	if errors.As(err, &ce) {
		switch ce.StatusCode {
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
			return true
		}
	}
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	if e.Code == "APIGW.0308" { // throttling shares the 03xx range
		return false
	}
	switch {
	case e.StatusCode == http.StatusUnauthorized, e.StatusCode == http.StatusForbidden:
		return true
	case strings.HasPrefix(e.Code, "APIGW.03"):
		return true
	case e.Code == "HSS.0010", e.Code == "HSS.0013":
		return true
	}
	return false
}
