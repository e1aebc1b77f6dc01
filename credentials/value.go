package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hsskit/hss/internal/check"
	"github.com/hsskit/hss/internal/secret"
	"github.com/hsskit/hss/sign"
)

// Value is one set of credentials: an IAM token, or an access key. Exactly
// one of Token and AccessKey is set.
type Value struct {
	// Token is an IAM user token, sent as X-Auth-Token.
	Token string
	// AccessKey and SecretKey are an access key pair; requests are signed
	// with SDK-HMAC-SHA256 (see package sign).
	AccessKey, SecretKey string
	// SecurityToken comes with temporary keys.
	SecurityToken string
	// Expires is when the credentials stop working; zero means they do not
	// expire.
	Expires time.Time
	// Source names where the credentials came from ("$HSS_TOKEN", "ECS
	// metadata", "IAM", ...), for error messages. It is not a secret.
	Source string
}

// Key returns the access key of v for package sign.
func (v Value) Key() sign.Key {
	return sign.Key{AccessKey: v.AccessKey, SecretKey: v.SecretKey, SecurityToken: v.SecurityToken}
}

// Validate checks that v can authenticate a request: a token of 1-32,768
// bytes, or a key that sign.Key.Validate accepts, but not both. It returns
// a *ConfigError that never quotes a secret.
func (v Value) Validate() error {
	switch {
	case v.Token != "" && (v.AccessKey != "" || v.SecretKey != "" || v.SecurityToken != ""):
		return &ConfigError{Source: v.Source, Reason: "holds both a token and an access key; give one"}
	case v.Token != "":
		if reason := check.Token(v.Token); reason != "" {
			return &ConfigError{Source: v.Source, Field: "token", Reason: reason}
		}
		return nil
	case v.AccessKey == "" && v.SecretKey == "" && v.SecurityToken == "":
		return &ConfigError{Source: v.Source, Reason: "holds neither a token nor an access key"}
	}
	if err := v.Key().Validate(); err != nil {
		var ke *sign.KeyError
		if errors.As(err, &ke) {
			return &ConfigError{Source: v.Source, Field: fieldNames[ke.Field], Reason: ke.Reason}
		}
		return &ConfigError{Source: v.Source, Reason: "unusable access key", Err: err}
	}
	return nil
}

// fieldNames are the names the credentials file and variables use.
var fieldNames = map[string]string{"AccessKey": "ak", "SecretKey": "sk", "SecurityToken": "security_token"}

// Expired reports whether v has expired at now.
func (v Value) Expired(now time.Time) bool {
	return !v.Expires.IsZero() && !now.Before(v.Expires)
}

// sameAs reports whether v and o are the same credentials.
func (v Value) sameAs(o Value) bool {
	return v.Token == o.Token && v.AccessKey == o.AccessKey && v.SecretKey == o.SecretKey && v.SecurityToken == o.SecurityToken
}

// view is what a Value shows of itself.
type valueView struct {
	Kind          string `json:"kind"`
	Token         string `json:"token,omitempty"`
	AccessKey     string `json:"access_key,omitempty"`
	SecretKey     string `json:"secret_key,omitempty"`
	SecurityToken string `json:"security_token,omitempty"`
	Expires       string `json:"expires,omitempty"`
	Source        string `json:"source,omitempty"`
}

func (v Value) view() valueView {
	w := valueView{Kind: "none", AccessKey: v.AccessKey, Source: v.Source}
	switch {
	case v.Token != "":
		w.Kind, w.Token = "token", secret.Redacted
	case v.AccessKey != "":
		w.Kind = "access key"
	}
	if v.SecretKey != "" {
		w.SecretKey = secret.Redacted
	}
	if v.SecurityToken != "" {
		w.SecurityToken = secret.Redacted
	}
	if !v.Expires.IsZero() {
		w.Expires = v.Expires.UTC().Format(time.RFC3339)
	}
	return w
}

// Format prints the kind, the access key, the source and the expiry, and
// REDACTED for each secret, for every fmt verb.
func (v Value) Format(f fmt.State, _ rune) {
	w := v.view()
	fmt.Fprintf(f, "credentials.Value{kind: %s, token: %s, access_key: %s, secret_key: %s, security_token: %s, expires: %s, source: %s}",
		w.Kind, orNone(w.Token), orNone(w.AccessKey), orNone(w.SecretKey), orNone(w.SecurityToken), orNone(w.Expires), orNone(w.Source))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// MarshalJSON writes what Format prints, as JSON.
func (v Value) MarshalJSON() ([]byte, error) { return json.Marshal(v.view()) }

// LogValue shows what Format prints, as a group.
func (v Value) LogValue() slog.Value {
	w := v.view()
	return slog.GroupValue(slog.String("kind", w.Kind), slog.String("token", w.Token),
		slog.String("access_key", w.AccessKey), slog.String("secret_key", w.SecretKey),
		slog.String("security_token", w.SecurityToken), slog.String("expires", w.Expires), slog.String("source", w.Source))
}

// Provider hands out credentials. Every provider of this package
// implements it; a program brings its own (a vault, a parent SDK's
// session) by implementing Retrieve.
//
// A client (the Client of package hss, or any other) calls Retrieve before
// every attempt of every request, from many goroutines at once, so:
//
//   - Retrieve must be safe for concurrent use, and cheap while it holds
//     valid credentials: it caches what it fetches (NewCache adds caching,
//     background refresh and single-flight fetches to any Provider whose
//     values expire).
//   - It honours ctx: when ctx ends before it has credentials, it returns
//     promptly with an error that wraps ctx.Err().
//   - It returns credentials that have not expired and that pass
//     Value.Validate: the Client of package hss refuses ones that do not
//     pass, with a *ConfigError, before sending anything.
//   - Its errors never hold a secret (a token, secret key, security token
//     or password), not even one a server echoed back: clients print and
//     log them as they are.
//
// A client acts on the type of the error. The Client of package hss does
// not retry an error that wraps a *ConfigError, ErrNoCredentials or
// ErrExpired, nor an *Error whose StatusCode is other than 0, 408, 429,
// 500, 502, 503 or 504 (so not one whose source refused, see
// Error.Refused); it retries every other error, within its retry policy,
// like a failed connection, waiting the RetryAfter of an *Error when it
// gives one. Report settings that cannot work as a *ConfigError, so that a
// client does not ask again in vain.
//
// A provider that caches credentials the service may refuse before they
// expire (a revoked token) also implements Invalidator.
type Provider interface {
	// Retrieve returns credentials valid now; see Provider.
	Retrieve(ctx context.Context) (Value, error)
}

// Invalidator is the optional upgrade of a Provider that caches
// credentials the service may refuse before their stated expiry. When the
// service answers 401 APIGW.0307 ("the token must be updated"), the Client
// of package hss calls Invalidate with the credentials it sent, asks
// Retrieve again and sends the request once more, once per call. With a
// Provider that is not an Invalidator that answer ends the call.
//
// Invalidate is a hint, not an order. A provider drops its cached value
// only when it is still failed, so that one revocation seen by many
// goroutines causes one new login; and the providers of this package drop
// it only when it was obtained at least RefusalWindow ago, so that a
// service that keeps refusing fresh credentials causes at most one login
// per window. When Retrieve then returns the same credentials as failed,
// no new ones are to be had: the client should report the refusal rather
// than retry. Invalidate must be safe for concurrent use and return at
// once: the fetch it calls for happens in the next Retrieve.
//
// Cache, Metadata and TokenSource implement it; Static and Profile, whose
// credentials never change, do not.
type Invalidator interface {
	// Invalidate tells the provider that the service refused failed.
	Invalidate(failed Value)
}

// Static always hands out the same credentials. Create it with NewStatic;
// it is safe for concurrent use. Printing, marshalling or logging a Static
// never shows its credentials: fmt, encoding/json and log/slog do not
// reach them.
type Static struct {
	value sealed[Value]
}

// NewStatic returns a Provider of v, after v.Validate.
func NewStatic(v Value) (*Static, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	return &Static{value: seal(v)}, nil
}

// Retrieve returns the credentials. A Static not created with NewStatic
// returns a *ConfigError.
func (s *Static) Retrieve(context.Context) (Value, error) {
	if s == nil || s.value.empty() {
		return Value{}, &ConfigError{Source: "credentials.Static", Reason: "not created with NewStatic"}
	}
	return s.value.get(), nil
}
