package hss

import (
	"context"
	"fmt"
	"net/http"
	"unicode/utf8"
)

// Credentials authenticate the requests a Client sends. The token, AK/SK and
// token-source kinds in this package implement it; a wrapping SDK can bring
// its own through WithCredentials.
//
// Implementations must be safe for concurrent use and must never put a
// secret in an error message or in fmt output.
type Credentials interface {
	// Authenticate adds authentication to req just before it is sent. The
	// Client calls it once per attempt, after every other header is set, so
	// a signer sees the final request and a retried request is signed anew.
	Authenticate(ctx context.Context, req *http.Request) error
}

// Invalidator is implemented by Credentials that cache a token the service
// may reject before its stated expiry. When the service answers 401
// APIGW.0307 ("the token must be updated"), the Client calls Invalidate and
// retries the request once with fresh credentials.
type Invalidator interface {
	Invalidate()
}

// redacted is what every secret prints as.
const redacted = "REDACTED"

// maxTokenLen is the longest X-Auth-Token the API accepts.
const maxTokenLen = 32768

// tokenCredentials sends a fixed IAM token as X-Auth-Token.
type tokenCredentials struct {
	token string
}

// NewTokenCredentials returns Credentials that send token as X-Auth-Token.
// The token must be 1-32,768 characters with no control characters.
func NewTokenCredentials(token string) (Credentials, error) {
	if err := checkToken(token); err != nil {
		return nil, err
	}
	return &tokenCredentials{token: token}, nil
}

func checkToken(token string) error {
	// The reason never quotes the token: it is a secret.
	if n := utf8.RuneCountInString(token); n == 0 || n > maxTokenLen {
		return &ValidationError{Field: "X-Auth-Token", Reason: fmt.Sprintf("must be 1-%d characters, got %d", maxTokenLen, n)}
	}
	if hasControl(token) {
		return &ValidationError{Field: "X-Auth-Token", Reason: "must not contain control characters"}
	}
	return nil
}

// Authenticate sets X-Auth-Token.
func (t *tokenCredentials) Authenticate(_ context.Context, req *http.Request) error {
	req.Header["X-Auth-Token"] = []string{t.token}
	return nil
}

// Format keeps the token out of every fmt verb.
func (t *tokenCredentials) Format(f fmt.State, _ rune) {
	fmt.Fprint(f, "hss.TokenCredentials{token: "+redacted+"}")
}

// WithToken authenticates every request with an IAM user token sent as
// X-Auth-Token. An empty or over-long token makes NewClient fail.
func WithToken(token string) Option {
	return func(c *Client) error {
		cr, err := NewTokenCredentials(token)
		if err != nil {
			return err
		}
		c.creds = cr
		return nil
	}
}

// WithCredentials authenticates every request with cr. It replaces any
// credentials set by an earlier option.
func WithCredentials(cr Credentials) Option {
	return func(c *Client) error {
		if cr == nil {
			return &ValidationError{Field: "credentials", Reason: "must not be nil"}
		}
		c.creds = cr
		return nil
	}
}
