package hss

import (
	"net/http"
	"strings"
)

// CredentialsError reports that a credential source (IAM for a
// TokenSource, the ECS metadata service for MetadataCredentials) could not
// give credentials. It never holds a secret: not the password, token, SK or
// security token, nor the body of a successful answer. A Client call that
// fails this way returns an error that errors.As reaches it through.
type CredentialsError struct {
	// Source names the credential source: "IAM" or "ECS metadata".
	Source string
	// URL is where the source was asked, without query.
	URL string
	// StatusCode is the HTTP status of the answer; 0 when none came.
	StatusCode int
	// Code and Message are the source's error code and explanation, when
	// its error body had them.
	Code, Message string
	// RequestID is the answer's X-Request-Id, when it had one.
	RequestID string
	// Err is the transport or decoding error, when there was one.
	Err error
}

// Error reads like
// "hss: IAM https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens: 401 IAM.0004: ...".
func (e *CredentialsError) Error() string {
	s := "hss: " + e.Source
	if e.URL != "" {
		s += " " + e.URL
	}
	if e.StatusCode == 0 {
		if e.Err == nil {
			return s + ": failed"
		}
		return s + ": " + e.Err.Error()
	}
	// The status part reads as an APIError does.
	api := &APIError{StatusCode: e.StatusCode, Code: e.Code, Message: e.Message, RequestID: e.RequestID}
	s += ": " + strings.TrimPrefix(api.Error(), "hss: ")
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the transport or decoding error.
func (e *CredentialsError) Unwrap() error { return e.Err }

// NonRetryable reports whether asking again cannot help: the source
// answered 400, 401, 403 or 404. The Client then does not retry, which
// also keeps a wrong password from locking the IAM user.
func (e *CredentialsError) NonRetryable() bool {
	switch e.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	}
	return false
}

// credentialsErrorFrom builds the error for a non-2xx answer. It reads the
// code and message of a JSON error body (in any of the shapes APIError
// knows) but, unlike APIError, never quotes a body that is not such JSON:
// a proxy echoing the request would otherwise put a password in the error.
//
// secrets (a password, say) are scrubbed from every field before it is
// cleaned and shortened.
func credentialsErrorFrom(source, u string, resp *http.Response, body []byte, secrets ...string) *CredentialsError {
	e := &CredentialsError{Source: source, URL: u, StatusCode: resp.StatusCode}
	code, msg, reqID, _ := parseJSONError(body)
	e.Code, e.Message, e.RequestID = clean(scrub(code, secrets), 64), clean(scrub(msg, secrets), 512), clean(scrub(reqID, secrets), 128)
	if id := resp.Header.Get("X-Request-Id"); id != "" {
		e.RequestID = clean(id, 128)
	}
	return e
}
