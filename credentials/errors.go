package credentials

import (
	"errors"
	"io/fs"
	"net/url"
	"strconv"
	"time"

	"github.com/hsskit/hss/internal/status"
)

// ErrNoCredentials is wrapped by the error a Chain returns when no source
// held credentials; the message lists every place it looked.
var ErrNoCredentials = errors.New("credentials: no credentials found")

// ErrExpired is wrapped by the error for credentials that arrived already
// expired (an IAM token or metadata keys whose expires_at has passed),
// which usually means the machine's clock is wrong.
var ErrExpired = errors.New("credentials arrived already expired")

// ConfigError reports credentials that are set up wrong: a variable set
// without its pair, a malformed or unreadable credentials file, a key with
// characters keys do not have, an invalid configuration. Asking again
// cannot help. It never quotes a secret.
type ConfigError struct {
	// Source names where the problem is: "$HUAWEICLOUD_SDK_AK", a file's
	// path, "PasswordConfig", ...
	Source string
	// Field names the setting at fault, when there is one: "sk",
	// "line 3", "Password", ...
	Field string
	// Reason says what is wrong or what is allowed.
	Reason string
	// Err is the underlying error, such as the *fs.PathError of a file
	// that could not be opened.
	Err error
}

// Error reads like "credentials: /home/me/.huaweicloud/credentials: line 3: expected key = value".
//
// A nil *ConfigError reads "<nil>", as fmt prints it.
func (e *ConfigError) Error() string {
	if e == nil {
		return nilError
	}
	msg := "credentials: "
	if e.Source != "" {
		msg += e.Source + ": "
	}
	if e.Field != "" {
		msg += e.Field + ": "
	}
	msg += e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *ConfigError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// nilError is the message of a nil *ConfigError or *Error: what fmt
// prints for a nil pointer whose Error panics.
const nilError = "<nil>"

// Error reports that a credential source (IAM, the ECS metadata service)
// could not give credentials: it answered with an error, or could not be
// reached, or its answer was unusable. It never holds a secret: not the
// password, token, secret key or security token, nor the body of a
// successful answer.
type Error struct {
	// Source names the credential source: "IAM" or "ECS metadata".
	Source string
	// URL is where the source was asked, without query. Error prints its
	// host only.
	URL string
	// StatusCode is the HTTP status of the answer; 0 when none came.
	StatusCode int
	// Code and Message are the source's error code and explanation, when
	// its error body had them (scrubbed of secrets and shortened).
	Code, Message string
	// RequestID is the answer's X-Request-Id, when it had one.
	RequestID string
	// RetryAfter is the wait the source asked for with Retry-After (IAM
	// throttling a login, say), at most 24 hours; zero when it asked none.
	RetryAfter time.Duration
	// Err is the transport or decoding error, when there was one.
	Err error
}

// Error reads like
// "credentials: IAM iam.cn-north-4.myhuaweicloud.com: 401 IAM.0004: The password is wrong. (request id 5c1...)".
func (e *Error) Error() string {
	if e == nil {
		return nilError
	}
	msg := "credentials: " + e.Source
	if host := hostOf(e.URL); host != "" {
		msg += " " + host
	}
	msg += ": "
	if e.StatusCode != 0 {
		msg += strconv.Itoa(e.StatusCode)
		if e.Code != "" {
			msg += " " + e.Code
		}
		if e.Message != "" {
			msg += ": " + e.Message
		}
		if e.Err != nil {
			msg += ": "
		}
	}
	switch {
	case e.Err != nil:
		msg += e.Err.Error()
	case e.StatusCode == 0:
		msg += "failed"
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

// Unwrap returns the transport or decoding error.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// Refused reports whether the source refused (it answered 400, 401, 403
// or 404): asking again cannot help, and asking IAM again with a wrong
// password would lock the user. A nil *Error refused nothing.
func (e *Error) Refused() bool {
	return e != nil && e.StatusCode != 0 && status.OfSource(e.StatusCode) == status.Auth
}

// hostOf returns the host of a URL, or "" when there is none.
func hostOf(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// refusal reports whether err means the source will refuse again: a
// refusal answer, credentials that arrive expired, or a configuration error.
func refusal(err error) bool {
	var se *Error
	var ce *ConfigError
	return errors.As(err, &ce) || errors.Is(err, ErrExpired) || errors.As(err, &se) && se.Refused()
}

// isNotExist reports a credentials file that is not there.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
