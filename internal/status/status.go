// Package status is the one table that sorts HTTP answers: the root
// package's retry decisions and its Is* helpers read it, and so does the
// credentials cache, so they can never disagree.
package status

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Class is what an answer means for the caller.
type Class uint8

// Classes of answers.
const (
	// Other is a final answer of no special kind (a bad parameter, say).
	Other Class = iota
	// Auth is a refusal of the credentials or of the caller's rights.
	Auth
	// TokenExpired is 401 APIGW.0307: the token must be renewed; asking
	// again with fresh credentials can succeed.
	TokenExpired
	// Throttled is the gateway's quota answer: 429, or APIGW.0308.
	Throttled
	// NotFound is HSS.0011: the task or resource does not exist.
	NotFound
	// Transient may succeed when sent again: 408, 500, 502, 503, 504.
	Transient
)

// Of sorts an answer of HSS or API Gateway by status and error code.
func Of(code int, errorCode string) Class {
	switch {
	case code == http.StatusTooManyRequests, errorCode == "APIGW.0308":
		return Throttled
	case code == http.StatusUnauthorized && errorCode == "APIGW.0307":
		return TokenExpired
	case errorCode == "HSS.0011":
		return NotFound
	case code == http.StatusUnauthorized, code == http.StatusForbidden,
		strings.HasPrefix(errorCode, "APIGW.03"), errorCode == "HSS.0010", errorCode == "HSS.0013":
		return Auth
	}
	return transient(code)
}

// OfSource sorts an answer of a credential source (IAM, ECS metadata). A
// source that answers 400, 401, 403 or 404 refuses: a wrong password, a
// disabled user, a wrong IAM or metadata URL. Asking again cannot help, and
// asking IAM again with a wrong password locks the user.
func OfSource(code int) Class {
	switch code {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return Auth
	case http.StatusTooManyRequests:
		return Throttled
	}
	return transient(code)
}

func transient(code int) Class {
	switch code {
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return Transient
	}
	return Other
}

// RetryAfter reads a Retry-After value, delay-seconds or an HTTP date,
// relative to now. It returns 0 when the value is absent, unreadable or in
// the past. A wait longer than max, however it is written (a number too
// large for any integer type included), reads as max.
func RetryAfter(v string, now time.Time, max time.Duration) time.Duration {
	d, _ := ParseRetryAfter(v, now, max)
	return d
}

// ParseRetryAfter is RetryAfter that also reports whether v was a
// Retry-After value at all: "0", or a date already past, is one (the wait
// is over), while an absent or unreadable value is not.
func ParseRetryAfter(v string, now time.Time, max time.Duration) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		maxSecs := int64(max / time.Second)
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > maxSecs { // err: more digits than int64 holds
			return max, true
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		switch {
		case d <= 0:
			return 0, true
		case d > max:
			return max, true
		}
		return d, true
	}
	return 0, false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
