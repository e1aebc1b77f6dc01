package hsstest

import (
	"net/http"
	"strings"
	"time"
)

// AuthKind is how a request tried to authenticate.
type AuthKind string

// Authentication kinds seen in RecordedRequest.Auth.
const (
	AuthNone  AuthKind = "none"  // neither X-Auth-Token nor a signature
	AuthToken AuthKind = "token" // X-Auth-Token
	AuthAKSK  AuthKind = "aksk"  // Authorization: SDK-HMAC-SHA256 ...
)

// FaultKind names the injected behaviour that answered a request.
type FaultKind string

// Fault kinds seen in RecordedRequest.Fault.
const (
	FaultNone     FaultKind = ""         // the API answered normally
	FaultFail     FaultKind = "fail"     // FailNext or FailNextRaw
	FaultDelay    FaultKind = "delay"    // DelayNext (the answer came late, or never if the client left)
	FaultHang     FaultKind = "hang"     // HangNext
	FaultReset    FaultKind = "reset"    // ResetNext
	FaultTruncate FaultKind = "truncate" // TruncateNext
	FaultHook     FaultKind = "hook"     // the Handle hook answered
)

// RecordedRequest is what the server logged about one request. It never
// holds a secret: not the token, the SK, the signature or the security
// token, only which kind of credentials was used and the (public) AK.
type RecordedRequest struct {
	// Time is when the request arrived, on the server's clock (WithNow).
	Time time.Time
	// Method is the HTTP method.
	Method string
	// Path is the escaped path as sent: a task id "a/b" shows as a%2Fb.
	Path string
	// Query is the raw query as sent.
	Query string
	// Auth is the kind of credentials the request carried.
	Auth AuthKind
	// AK is the access key the request named, when Auth is AuthAKSK.
	AK string
	// AuthError says why the credentials were refused; empty when they
	// were accepted or never checked (a fault answered first).
	AuthError string
	// Status is the status answered; 0 when nothing was (connection reset,
	// client gone while the server waited, server closed).
	Status int
	// RequestID is the X-Request-Id the server sent, or would have.
	RequestID string
	// Fault is the injected behaviour that answered, if any.
	Fault FaultKind
}

// Requests returns a copy of the log, oldest first. A request appears once
// its handling is over, so a request still hanging is not in it yet.
func (s *Server) Requests() []RecordedRequest {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RecordedRequest(nil), s.log...)
}

// record appends one entry to the log.
func (s *Server) record(rec RecordedRequest) {
	s.mu.Lock()
	s.log = append(s.log, rec)
	s.mu.Unlock()
}

// maxLoggedAK bounds the AK copied from a request into the log.
const maxLoggedAK = 128

// newRecord starts the log entry of r: which credentials it carries, read
// from the headers only (checking them is authenticate's job).
func (s *Server) newRecord(r *http.Request, requestID string) RecordedRequest {
	rec := RecordedRequest{
		Time:      s.now(),
		Method:    r.Method,
		Path:      r.URL.EscapedPath(),
		Query:     r.URL.RawQuery,
		Auth:      AuthNone,
		RequestID: requestID,
	}
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, signPrefix) {
		rec.Auth = AuthAKSK
		if ak := claimedAK(auth); len(ak) <= maxLoggedAK {
			rec.AK = ak
		}
	} else if _, ok := r.Header["X-Auth-Token"]; ok {
		rec.Auth = AuthToken
	}
	return rec
}

// claimedAK reads Access=... from an SDK-HMAC-SHA256 Authorization header.
// The AK is public: it names the key, the SK is what signs.
func claimedAK(auth string) string {
	for _, part := range strings.Split(strings.TrimPrefix(auth, signPrefix), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Access="); ok {
			return v
		}
	}
	return ""
}
