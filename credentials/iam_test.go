// TokenSource: IAM password logins, their errors without secrets, and PasswordConfig checks.
package credentials_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func token(t *testing.T, ts *credentials.TokenSource) string {
	t.Helper()
	tok, err := ts.Token(context.Background())
	require.NoError(t, err)
	return tok
}

// The login request is the documented one: a password login scoped to the
// project, asking for no service catalog.
func TestTokenSourceRequest(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	is := newIAMServer(t, clk)
	v := retrieve(t, is.tokenSource(t))
	assert.Equal(t, "iam-token-secret-1", v.Token)
	assert.Equal(t, "IAM", v.Source)
	assert.Equal(t, epoch.Add(24*time.Hour), v.Expires)
	assert.Empty(t, v.AccessKey)

	is.mu.Lock()
	defer is.mu.Unlock()
	r := is.last
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/v3/auth/tokens", r.URL.Path)
	assert.Equal(t, "nocatalog=true", r.URL.RawQuery)
	assert.Contains(t, r.Header.Get("Content-Type"), "application/json")
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.JSONEq(t, `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"hss-reader","password":"iam-Passw0rd-SECRET","domain":{"name":"my-domain"}}}},"scope":{"project":{"id":"`+testProject+`"}}}}`, is.body)
}

// A password JSON cannot carry as is travels escaped, and arrives whole.
func TestTokenSourcePasswordEncoding(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	is := newIAMServer(t, clk)
	cfg := is.config()
	cfg.Password = `p"a\s<s>&w'o/r d 任务`
	ts, err := credentials.NewPasswordTokenSource(cfg)
	require.NoError(t, err)
	token(t, ts)
	var body struct {
		Auth struct {
			Identity struct {
				Password struct {
					User struct {
						Password string `json:"password"`
					} `json:"user"`
				} `json:"password"`
			} `json:"identity"`
		} `json:"auth"`
	}
	is.mu.Lock()
	require.NoError(t, json.Unmarshal([]byte(is.body), &body))
	is.mu.Unlock()
	assert.Equal(t, cfg.Password, body.Auth.Identity.Password.User.Password)
}

// The token is cached and renewed RefreshBefore (an hour) ahead of its
// expiry, in the background while it is still valid.
func TestTokenSourceRefreshesAheadOfExpiry(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	is := newIAMServer(t, clk)
	ts := is.tokenSource(t)
	for range 3 {
		assert.Equal(t, "iam-token-secret-1", token(t, ts))
	}
	clk.Advance(22*time.Hour + 59*time.Minute)
	assert.Equal(t, "iam-token-secret-1", token(t, ts))
	assert.EqualValues(t, 1, is.logins.Load())

	clk.Advance(2 * time.Minute) // 59 minutes left
	assert.Equal(t, "iam-token-secret-1", token(t, ts))
	assert.Equal(t, 1, <-is.arrived)
	assert.Equal(t, 2, <-is.arrived)
	clk.Advance(time.Hour) // the first token has expired
	assert.Equal(t, "iam-token-secret-2", token(t, ts))
	assert.EqualValues(t, 2, is.logins.Load())
}

// While the cached token is valid, a login that hangs does not hold up
// any caller: they get the cached token at once.
func TestTokenSourceHangingRefreshDoesNotBlock(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	is := newIAMServer(t, clk)
	hang := newGate()
	t.Cleanup(hang.open) // before the server closes
	is.hold = func(n int) *gate {
		if n > 1 {
			return hang
		}
		return nil
	}
	ts := is.tokenSource(t)
	assert.Equal(t, "iam-token-secret-1", token(t, ts))
	<-is.arrived

	clk.Advance(23*time.Hour + 30*time.Minute)
	mustReturn(t, "Token while IAM hangs", func() {
		assert.Equal(t, "iam-token-secret-1", token(t, ts))
		<-is.arrived // the refresh has reached IAM, which holds it
		for range 20 {
			assert.Equal(t, "iam-token-secret-1", token(t, ts))
		}
	})
	assert.EqualValues(t, 2, is.logins.Load())

	hang.open()
	clk.Advance(time.Hour)
	assert.NotEqual(t, "iam-token-secret-1", token(t, ts), "the expired token is never handed out")
}

// A revocation (401 APIGW.0307) seen by 100 goroutines at once, each of
// which invalidates the token it sent and asks again, causes one login.
func TestTokenSourceOneLoginPerRevocation(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	is := newIAMServer(t, clk)
	relogin := newGate()
	t.Cleanup(relogin.open)
	is.hold = func(n int) *gate {
		if n == 2 {
			return relogin
		}
		return nil
	}
	ts := is.tokenSource(t)
	revoked := retrieve(t, ts)
	clk.Advance(credentials.RefusalWindow) // a token is renewed once it is that old

	const n = 100
	var invalidated, done sync.WaitGroup
	got := make([]string, n)
	for i := range n {
		invalidated.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ts.Invalidate(revoked)
			invalidated.Done()
			v, err := ts.Retrieve(context.Background())
			assert.NoError(t, err)
			got[i] = v.Token
		}()
	}
	invalidated.Wait() // every goroutine has invalidated before the new login ends
	relogin.open()
	done.Wait()
	for _, tok := range got {
		assert.Equal(t, "iam-token-secret-2", tok)
	}
	assert.EqualValues(t, 2, is.logins.Load())

	ts.Invalidate(revoked) // late: the new token stays
	assert.Equal(t, "iam-token-secret-2", token(t, ts))
	assert.EqualValues(t, 2, is.logins.Load())
}

// A token that arrives already expired (a wrong clock) is an error
// wrapping ErrExpired, and IAM is not asked again for 30 seconds.
func TestTokenSourceExpiredOnArrival(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	is := newIAMServer(t, clk)
	is.ttl = -time.Minute
	ts := is.tokenSource(t)
	for range 5 {
		_, err := ts.Retrieve(context.Background())
		require.ErrorIs(t, err, credentials.ErrExpired)
		var ce *credentials.Error
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "IAM", ce.Source)
		assertNoSecrets(t, err.Error(), "iam-token-secret-1", iamPassword)
	}
	clk.Advance(29 * time.Second)
	_, err := ts.Retrieve(context.Background())
	require.ErrorIs(t, err, credentials.ErrExpired)
	assert.EqualValues(t, 1, is.logins.Load())

	clk.Advance(time.Second)
	is.ttl = 24 * time.Hour // the clock was fixed
	assert.Equal(t, "iam-token-secret-2", token(t, ts))
}

// A refusal (a wrong password: 401) is an *Error that says so, and is not
// sent again for 30 seconds: IAM locks users after failed logins.
func TestTokenSourceRefusalRemembered(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			clk := hsstest.NewClock(epoch)
			is := newIAMServer(t, clk)
			is.answer = func(n int, w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("X-Request-Id", "iam-req-1")
				w.WriteHeader(status)
				io.WriteString(w, `{"error":{"code":"IAM.0004","message":"The username or password is wrong.","title":"Unauthorized"}}`)
				return true
			}
			ts := is.tokenSource(t)
			for range 3 {
				_, err := ts.Retrieve(context.Background())
				var ce *credentials.Error
				require.ErrorAs(t, err, &ce)
				assert.True(t, ce.Refused())
				assert.Equal(t, status, ce.StatusCode)
				assert.Equal(t, "IAM.0004", ce.Code)
				assert.Equal(t, "The username or password is wrong.", ce.Message)
				assert.Equal(t, "iam-req-1", ce.RequestID)
				assert.Equal(t, fmt.Sprintf("credentials: IAM %s: %d IAM.0004: The username or password is wrong. (request id iam-req-1)",
					strings.TrimPrefix(is.URL, "http://"), status), err.Error())
			}
			clk.Advance(29 * time.Second)
			_, err := ts.Retrieve(context.Background())
			require.Error(t, err)
			assert.EqualValues(t, 1, is.logins.Load())
			clk.Advance(time.Second)
			_, err = ts.Retrieve(context.Background())
			require.Error(t, err)
			assert.EqualValues(t, 2, is.logins.Load())
		})
	}
}

// An outage is not a refusal: the next caller logs in again.
func TestTokenSourceOutageRetried(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	is := newIAMServer(t, clk)
	is.answer = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n > 1 {
			return false
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}
	ts := is.tokenSource(t)
	_, err := ts.Retrieve(context.Background())
	var ce *credentials.Error
	require.ErrorAs(t, err, &ce)
	assert.False(t, ce.Refused())
	assert.Equal(t, http.StatusServiceUnavailable, ce.StatusCode)
	clk.Advance(time.Second) // past the backoff of a first failure
	assert.Equal(t, "iam-token-secret-2", token(t, ts))
}

func TestTokenSourceSingleFlight(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	is := newIAMServer(t, clk)
	g := newGate()
	t.Cleanup(g.open)
	is.hold = func(int) *gate { return g }
	ts := is.tokenSource(t)

	collect := concurrently(t, 50, func() (string, error) { return ts.Token(context.Background()) })
	<-is.arrived
	g.open()
	for _, tok := range collect() {
		assert.Equal(t, "iam-token-secret-1", tok)
	}
	assert.EqualValues(t, 1, is.logins.Load())
}

// A caller whose context ends stops waiting at once; the login goes on
// for everyone else.
func TestTokenSourceContextCancel(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	is := newIAMServer(t, clk)
	g := newGate()
	t.Cleanup(g.open)
	is.hold = func(int) *gate { return g }
	ts := is.tokenSource(t)

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := ts.Token(ctx); errc <- err }()
	<-is.arrived
	cancel()
	mustReturn(t, "a cancelled Token", func() { assert.ErrorIs(t, <-errc, context.Canceled) })
	g.open()
	assert.Equal(t, "iam-token-secret-1", token(t, ts))
	assert.EqualValues(t, 1, is.logins.Load())
}

// A Token without a context is refused, not a panic.
func TestTokenSourceNilContext(t *testing.T) {
	is := newIAMServer(t, hsstest.NewClock(epoch))
	ts := is.tokenSource(t)
	assert.NotPanics(t, func() {
		//lint:ignore SA1012 a nil context must be refused, not panic
		_, err := ts.Token(nil)
		assert.Error(t, err)
	})
}

// Answers that give no usable token are an *Error that names what is
// wrong and quotes neither the password nor any token.
func TestTokenSourceBadAnswers(t *testing.T) {
	const leaked = "iam-token-secret-x"
	expires := `{"token":{"expires_at":"2031-03-05T05:06:07.000000Z"}}`
	cases := []struct {
		name   string
		answer func(w http.ResponseWriter)
		want   string
	}{
		{"no token header", func(w http.ResponseWriter) {
			w.WriteHeader(201)
			io.WriteString(w, expires)
		}, "answer has no X-Subject-Token header"},
		{"token with a tab", func(w http.ResponseWriter) {
			w.Header()["X-Subject-Token"] = []string{"iam-token\tsecret-x"}
			w.WriteHeader(201)
			io.WriteString(w, expires)
		}, "X-Subject-Token is not a usable token"},
		{"header line net/http refuses", func(w http.ResponseWriter) {
			// net/http's error quotes the whole line, token and all.
			w.Header()["X-Subject-Token"] = []string{leaked + "\x01"}
			w.WriteHeader(201)
			io.WriteString(w, expires)
		}, ""},
		{"token too long", func(w http.ResponseWriter) {
			w.Header().Set("X-Subject-Token", leaked+strings.Repeat("x", 32768))
			w.WriteHeader(201)
			io.WriteString(w, expires)
		}, "X-Subject-Token is not a usable token"},
		{"no expiry", func(w http.ResponseWriter) {
			w.Header().Set("X-Subject-Token", leaked)
			w.WriteHeader(201)
			io.WriteString(w, `{"token":{}}`)
		}, "token.expires_at is missing or not an RFC 3339 time"},
		{"bad expiry", func(w http.ResponseWriter) {
			w.Header().Set("X-Subject-Token", leaked)
			w.WriteHeader(201)
			io.WriteString(w, `{"token":{"expires_at":"tomorrow `+leaked+`"}}`)
		}, "token.expires_at is missing or not an RFC 3339 time"},
		{"expiry of the wrong type", func(w http.ResponseWriter) {
			w.Header().Set("X-Subject-Token", leaked)
			w.WriteHeader(201)
			io.WriteString(w, `{"token":{"expires_at":1}}`)
		}, "answer is not the token JSON document"},
		{"not JSON", func(w http.ResponseWriter) {
			w.Header().Set("X-Subject-Token", leaked)
			w.WriteHeader(201)
			io.WriteString(w, `<html>`+leaked)
		}, "answer is not the token JSON document"},
		{"too long", func(w http.ResponseWriter) {
			w.Header().Set("X-Subject-Token", leaked)
			w.WriteHeader(201)
			io.WriteString(w, `{"token":{"catalog":"`+strings.Repeat("x", 1<<20)+`"}}`)
		}, "answer is longer than 1048576 bytes"},
		{"echoed password, not JSON", func(w http.ResponseWriter) {
			w.WriteHeader(400)
			io.WriteString(w, `bad request: {"password":"`+iamPassword+`"}`)
		}, "400"},
		{"echoed password in the message", func(w http.ResponseWriter) {
			w.WriteHeader(400)
			io.WriteString(w, `{"error_code":"X","error_msg":"bad password `+iamPassword+`"}`)
		}, "bad password REDACTED"},
		{"echoed password in X-Request-Id", func(w http.ResponseWriter) {
			w.Header().Set("X-Request-Id", "req-"+iamPassword)
			w.WriteHeader(500)
		}, "(request id req-REDACTED)"},
		{"control characters in the message", func(w http.ResponseWriter) {
			w.WriteHeader(403)
			io.WriteString(w, `{"error_code":"X","error_msg":"line1\nline2\u001b[31m\u202e"}`)
		}, "403 X: line1 line2 [31m"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := hsstest.NewClock(epoch)
			is := newIAMServer(t, clk)
			is.answer = func(_ int, w http.ResponseWriter, _ *http.Request) bool { c.answer(w); return true }
			_, err := is.tokenSource(t).Token(context.Background())
			var ce *credentials.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "IAM", ce.Source)
			assert.Contains(t, err.Error(), c.want)
			assertNoSecrets(t, err.Error(), iamPassword, leaked, "iam-token\tsecret-x")
			assertNoSecrets(t, fmt.Sprintf("%+v", ce), iamPassword, leaked)
		})
	}
}

// A password shorter than the scrubber's prefix length (IAM allows six
// characters) is scrubbed too, raw and JSON-escaped, when IAM echoes it.
func TestTokenSourceShortPasswordScrubbed(t *testing.T) {
	const short = `Ab1<&"`
	clk := hsstest.NewClock(epoch)
	is := newIAMServer(t, clk)
	is.answer = func(_ int, w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("X-Request-Id", "req-"+short)
		w.WriteHeader(http.StatusUnauthorized)
		// The password JSON-escaped both ways encoding/json writes it.
		io.WriteString(w, `{"error_code":"IAM.0004","error_msg":"wrong password Ab1<&\", sent Ab1\u003c\u0026\""}`)
		return true
	}
	cfg := is.config()
	cfg.Password = short
	ts, err := credentials.NewPasswordTokenSource(cfg)
	require.NoError(t, err)
	_, err = ts.Token(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `wrong password REDACTED, sent REDACTED`)
	assert.Contains(t, err.Error(), "(request id req-REDACTED)")
	assertNoSecrets(t, err.Error(), short)
	assertNoSecrets(t, fmt.Sprintf("%+v", err), short)
}

// switchingServer answers every request with 101 Switching Protocols and
// then holds the connection open. It is hand-made because no fake server
// of the project sends an informational answer.
func switchingServer(t *testing.T) string {
	t.Helper()
	hold := newGate()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		buf.Flush()
		<-hold.ch
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(hold.open)
	return srv.URL
}

// A 101 answer ends the login at once with an error, though the server
// keeps the connection open.
func TestTokenSourceSwitchingProtocols(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	cfg := credentials.PasswordConfig{DomainName: iamDomain, UserName: iamUser, Password: iamPassword,
		ProjectID: testProject, IAMEndpoint: switchingServer(t), Now: clk.Now}
	ts, err := credentials.NewPasswordTokenSource(cfg)
	require.NoError(t, err)
	mustReturn(t, "a login answered 101", func() {
		_, err = ts.Token(context.Background())
	})
	var ce *credentials.Error
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "unexpected 101 Switching Protocols answer")
}

// Redirects are never followed: the password must not reach another
// server, whatever the HTTPClient given would do; that client is left as
// it was.
func TestTokenSourceNeverFollowsRedirects(t *testing.T) {
	for _, status := range []int{301, 302, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var elsewhere atomic.Int32
			target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				elsewhere.Add(1)
			}))
			defer target.Close()
			clk := hsstest.NewClock(epoch)
			is := newIAMServer(t, clk)
			is.answer = func(_ int, w http.ResponseWriter, r *http.Request) bool {
				http.Redirect(w, r, target.URL+"/steal/v3/auth/tokens?key=location-secret", status)
				return true
			}
			hc := &http.Client{}
			cfg := is.config()
			cfg.HTTPClient = hc
			ts, err := credentials.NewPasswordTokenSource(cfg)
			require.NoError(t, err)

			_, err = ts.Token(context.Background())
			var ce *credentials.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, status, ce.StatusCode)
			assert.False(t, ce.Refused())
			assert.Zero(t, elsewhere.Load(), "the redirect was followed")
			assert.NotContains(t, err.Error(), "location-secret")
			assert.NotContains(t, err.Error(), "/steal")
			assert.NotContains(t, err.Error(), strings.TrimPrefix(target.URL, "http://"))
			assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
		})
	}
}

// The endpoint is derived from the region, or given; either way the login
// goes to its /v3/auth/tokens.
func TestTokenSourceEndpoints(t *testing.T) {
	cases := []struct{ region, endpoint, want string }{
		{"cn-north-4", "", "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens?nocatalog=true"},
		{"eu-west-101", "", "https://iam.eu-west-101.myhuaweicloud.eu/v3/auth/tokens?nocatalog=true"},
		{"cn-north-4", "https://iam.myhuaweicloud.com/", "https://iam.myhuaweicloud.com/v3/auth/tokens?nocatalog=true"},
		{"", "https://gw.example.com/iam//", "https://gw.example.com/iam/v3/auth/tokens?nocatalog=true"},
		{"", "http://127.0.0.1:8080", "http://127.0.0.1:8080/v3/auth/tokens?nocatalog=true"},
		{"", "http://localhost:8080", "http://localhost:8080/v3/auth/tokens?nocatalog=true"},
		{"", "http://[::1]:8080", "http://[::1]:8080/v3/auth/tokens?nocatalog=true"},
	}
	for _, c := range cases {
		var asked string
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			asked = r.URL.String()
			return nil, errors.New("offline")
		})}
		ts, err := credentials.NewPasswordTokenSource(credentials.PasswordConfig{
			DomainName: iamDomain, UserName: iamUser, Password: iamPassword, ProjectID: testProject,
			Region: c.region, IAMEndpoint: c.endpoint, HTTPClient: hc,
		})
		require.NoError(t, err, c)
		_, err = ts.Token(context.Background())
		require.Error(t, err)
		assert.Equal(t, c.want, asked)
		assert.NotContains(t, err.Error(), "/v3/auth/tokens", "an error names the host only")
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A bad configuration is a *ConfigError naming the field; it never quotes
// the password.
func TestTokenSourceValidation(t *testing.T) {
	base := credentials.PasswordConfig{DomainName: iamDomain, UserName: iamUser, Password: iamPassword, ProjectID: testProject, Region: "cn-north-4"}
	cases := []struct {
		name  string
		edit  func(c *credentials.PasswordConfig)
		field string
	}{
		{"no domain", func(c *credentials.PasswordConfig) { c.DomainName = "" }, "DomainName"},
		{"domain with slash", func(c *credentials.PasswordConfig) { c.DomainName = "a/b" }, "DomainName"},
		{"no user", func(c *credentials.PasswordConfig) { c.UserName = "" }, "UserName"},
		{"user with newline", func(c *credentials.PasswordConfig) { c.UserName = "u\n" }, "UserName"},
		{"user is a dot segment", func(c *credentials.PasswordConfig) { c.UserName = ".." }, "UserName"},
		{"no password", func(c *credentials.PasswordConfig) { c.Password = "" }, "Password"},
		{"long password", func(c *credentials.PasswordConfig) { c.Password = strings.Repeat(iamPassword, 60) }, "Password"},
		{"password not UTF-8", func(c *credentials.PasswordConfig) { c.Password = iamPassword + "\xff" }, "Password"},
		{"no project", func(c *credentials.PasswordConfig) { c.ProjectID = "" }, "ProjectID"},
		{"project with zero-width space", func(c *credentials.PasswordConfig) { c.ProjectID = testProject + "\u200b" }, "ProjectID"},
		{"no region or endpoint", func(c *credentials.PasswordConfig) { c.Region = "" }, "Region"},
		{"bad region", func(c *credentials.PasswordConfig) { c.Region = "Mars" }, "Region"},
		{"plain http", func(c *credentials.PasswordConfig) { c.IAMEndpoint = "http://iam.example.com" }, "IAMEndpoint"},
		{"other scheme", func(c *credentials.PasswordConfig) { c.IAMEndpoint = "ftp://iam.example.com" }, "IAMEndpoint"},
		{"endpoint with query", func(c *credentials.PasswordConfig) { c.IAMEndpoint = "https://iam.example.com?x=1" }, "IAMEndpoint"},
		{"endpoint with empty query", func(c *credentials.PasswordConfig) { c.IAMEndpoint = "https://iam.example.com?" }, "IAMEndpoint"},
		{"endpoint with fragment", func(c *credentials.PasswordConfig) { c.IAMEndpoint = "https://iam.example.com#" }, "IAMEndpoint"},
		{"endpoint with password", func(c *credentials.PasswordConfig) { c.IAMEndpoint = "https://u:" + iamPassword + "@iam.example.com" }, "IAMEndpoint"},
		{"endpoint without host", func(c *credentials.PasswordConfig) { c.IAMEndpoint = "https://:443" }, "IAMEndpoint"},
		{"endpoint not a URL", func(c *credentials.PasswordConfig) { c.IAMEndpoint = "://" + iamPassword }, "IAMEndpoint"},
		{"endpoint with control character", func(c *credentials.PasswordConfig) { c.IAMEndpoint = "https://iam.example.com/\n" + iamPassword }, "IAMEndpoint"},
		{"negative RefreshBefore", func(c *credentials.PasswordConfig) { c.RefreshBefore = -time.Second }, "RefreshBefore"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			c.edit(&cfg)
			ts, err := credentials.NewPasswordTokenSource(cfg)
			assert.Nil(t, ts)
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "PasswordConfig", ce.Source)
			assert.Equal(t, c.field, ce.Field)
			assertNoSecrets(t, err.Error(), iamPassword, cfg.Password)
		})
	}
}

// A TokenSource not made by NewPasswordTokenSource fails politely.
func TestTokenSourceZeroValues(t *testing.T) {
	var nilTS *credentials.TokenSource
	for _, ts := range []*credentials.TokenSource{nilTS, {}} {
		assert.NotPanics(t, func() {
			_, err := ts.Token(context.Background())
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
			ts.Invalidate(credentials.Value{Token: "x"})
		})
	}
	var _ credentials.Provider = nilTS
	var _ credentials.Invalidator = nilTS
}
