// Errors: the messages of Error and ConfigError, refusals, the sentinels, and a source's malformed answer kept short.
package credentials_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An Error names the source's host only: a URL's path, query or user
// info may carry a secret (a redirect target, a signed URL).
func TestErrorMessages(t *testing.T) {
	cases := []struct {
		err  *credentials.Error
		want string
	}{
		{&credentials.Error{Source: "IAM", URL: "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens", StatusCode: 401, Code: "IAM.0004", Message: "The password is wrong.", RequestID: "r1"},
			"credentials: IAM iam.cn-north-4.myhuaweicloud.com: 401 IAM.0004: The password is wrong. (request id r1)"},
		{&credentials.Error{Source: "IAM", URL: "https://user:pa55word@iam.example.com:8443/v3/auth/tokens?token=secret-query#frag", StatusCode: 503},
			"credentials: IAM iam.example.com:8443: 503"},
		{&credentials.Error{Source: "IAM", URL: "https://iam.example.com/x", StatusCode: 500, Err: errors.New("reading the answer: EOF")},
			"credentials: IAM iam.example.com: 500: reading the answer: EOF"},
		{&credentials.Error{Source: "ECS metadata", URL: "http://169.254.169.254/openstack/latest/securitykey", Err: errors.New("connection refused")},
			"credentials: ECS metadata 169.254.169.254: connection refused"},
		{&credentials.Error{Source: "ECS metadata"}, "credentials: ECS metadata: failed"},
		{&credentials.Error{Source: "ECS metadata", URL: "::not a url"}, "credentials: ECS metadata: failed"},
		{&credentials.Error{Source: "IAM", StatusCode: 400, Message: "bad"}, "credentials: IAM: 400: bad"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.err.Error())
	}

	inner := errors.New("x")
	assert.ErrorIs(t, &credentials.Error{Source: "IAM", Err: inner}, inner)
	assert.Nil(t, (&credentials.Error{}).Unwrap())
}

// Refused is true for 400, 401, 403 and 404 answers: asking again cannot
// help, and asking IAM again with a wrong password locks the user.
func TestErrorRefused(t *testing.T) {
	for code, want := range map[int]bool{
		0: false, 200: false, 307: false, 400: true, 401: true, 403: true, 404: true,
		408: false, 409: false, 429: false, 500: false, 502: false, 503: false,
	} {
		assert.Equal(t, want, (&credentials.Error{StatusCode: code}).Refused(), code)
	}
}

func TestConfigErrorMessages(t *testing.T) {
	cause := &fs.PathError{Op: "open", Path: "/home/me/.huaweicloud/credentials", Err: fs.ErrPermission}
	cases := []struct {
		err  *credentials.ConfigError
		want string
	}{
		{&credentials.ConfigError{Source: "/home/me/.huaweicloud/credentials", Field: "line 3", Reason: "expected key = value"},
			"credentials: /home/me/.huaweicloud/credentials: line 3: expected key = value"},
		{&credentials.ConfigError{Source: "environment", Reason: "$A is set but $B is not"}, "credentials: environment: $A is set but $B is not"},
		{&credentials.ConfigError{Reason: "broken"}, "credentials: broken"},
		{&credentials.ConfigError{Source: "/p", Reason: "cannot read the credentials file", Err: cause},
			"credentials: /p: cannot read the credentials file: open /home/me/.huaweicloud/credentials: permission denied"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.err.Error())
	}
	assert.ErrorIs(t, cases[3].err, fs.ErrPermission)
	assert.Nil(t, cases[0].err.Unwrap())
}

func TestSentinels(t *testing.T) {
	assert.Equal(t, "credentials: no credentials found", credentials.ErrNoCredentials.Error())
	wrapped := fmt.Errorf("%w; looked at: x", credentials.ErrNoCredentials)
	assert.ErrorIs(t, wrapped, credentials.ErrNoCredentials)
	assert.NotErrorIs(t, wrapped, credentials.ErrExpired)
}

// TestSourceProtocolErrorsBounded: an IAM or metadata endpoint (or a
// proxy in front of it) that answers a malformed status line, which
// net/http quotes whole in its error (up to its 10 MiB header limit), gets
// a *credentials.Error of a few kilobytes at most, which every hss error
// and log line then carries. Every other text a server supplies (codes,
// messages, request ids) is cut short the same way.
func TestSourceProtocolErrorsBounded(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	junk := strings.Repeat("A", 1<<20)
	// Bytes that are not HTTP: no handler can send them.
	malformed := func(w http.ResponseWriter) bool {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return false
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 2" + junk + " Created\r\n\r\n")
		_ = buf.Flush()
		return true
	}

	t.Run("IAM", func(t *testing.T) {
		is := newIAMServer(t, clk)
		is.answer = func(_ int, w http.ResponseWriter, _ *http.Request) bool { return malformed(w) }
		_, err := is.tokenSource(t).Retrieve(context.Background())
		var ce *credentials.Error
		require.ErrorAs(t, err, &ce)
		assert.Less(t, len(err.Error()), 4096, "the error holds %d bytes", len(err.Error()))
	})
	t.Run("ECS metadata", func(t *testing.T) {
		ms := newMetadataServer(t, clk)
		ms.answer = func(_ int, w http.ResponseWriter, _ *http.Request) bool { return malformed(w) }
		_, err := credentials.NewMetadata(ms.config()).Retrieve(context.Background())
		var ce *credentials.Error
		require.ErrorAs(t, err, &ce)
		assert.Less(t, len(err.Error()), 4096, "the error holds %d bytes", len(err.Error()))
	})
}
