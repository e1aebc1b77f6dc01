package sign

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
func (e *KeyError) Error() string { return "sign: invalid " + e.Field + ": " + e.Reason }

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
	if e.Err != nil {
		return "sign: cannot sign the request: " + e.Reason + ": " + e.Err.Error()
	}
	return "sign: cannot sign the request: " + e.Reason
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }
