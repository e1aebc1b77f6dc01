package sign

import "strconv"

// KeyError reports an access key that cannot be used: a missing part,
// characters an access key does not have, control characters or
// surrounding white space. It never quotes a secret.
type KeyError struct {
	// Field is the part of the Key at fault: "AccessKey", "SecretKey" or
	// "SecurityToken".
	Field string
	// Reason says what is allowed.
	Reason string
}

// Error reads like "sign: invalid SecretKey: must not start or end with white space".
// A nil *KeyError reads "<nil>", as fmt prints it.
func (e *KeyError) Error() string {
	if e == nil {
		return nilError
	}
	return "sign: invalid " + e.Field + ": " + e.Reason
}

// nilError is the message of a nil pointer of every error type of the
// package: what fmt prints for a nil pointer whose Error panics.
const nilError = "<nil>"

// Error reports a request that cannot be signed, such as one whose path
// holds a malformed %-escape or whose body cannot be read. Signing it again
// would fail the same way.
type Error struct {
	// Reason says what is wrong with the request.
	Reason string
	// Err is the underlying error, such as the one reading the body.
	Err error
}

// Error reads like "sign: cannot sign the request: malformed %-escape in the path".
func (e *Error) Error() string {
	if e == nil {
		return nilError
	}
	if e.Err != nil {
		return "sign: cannot sign the request: " + e.Reason + ": " + e.Err.Error()
	}
	return "sign: cannot sign the request: " + e.Reason
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// HostError reports a host that net/http would not send as given: empty,
// not ASCII, or holding what a host cannot have, such as '/' or a space
// (net/http then sends an empty Host, or refuses the request). Request
// returns it wrapped in an *Error, so errors.As finds either.
type HostError struct {
	// Host is the host at fault, Request.Host or else URL.Host, as given.
	Host string
	// Reason says what is wrong with it.
	Reason string
}

// maxQuotedHost bounds how much of a host an error quotes.
const maxQuotedHost = 100

// Error reads like `host "h.example.com/x" holds '/', which a host cannot have`.
func (e *HostError) Error() string {
	if e == nil {
		return nilError
	}
	h := e.Host
	if len(h) > maxQuotedHost {
		h = h[:maxQuotedHost] + "..."
	}
	return "host " + strconv.Quote(h) + " " + e.Reason
}
