package hss

import (
	"context"
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	iamDomain   = "my-domain"
	iamUser     = "hss-reader"
	iamPassword = "iam-Passw0rd-SECRET"
)

// iamServer plays IAM: the n-th token is "iam-token-secret-n", valid for
// ttl from clk's time. fail, when set, answers instead for the calls it
// returns true on.
type iamServer struct {
	*httptest.Server
	calls   atomic.Int32
	clk     *authClock
	ttl     time.Duration
	gate    chan struct{} // when non-nil, each call waits for it to close
	arrived chan struct{} // gets a value as each call arrives
	fail    func(n int, w http.ResponseWriter) bool

	mu      sync.Mutex
	lastReq *http.Request
	body    string
}

func newIAMServer(t *testing.T, clk *authClock) *iamServer {
	t.Helper()
	is := &iamServer{clk: clk, ttl: 24 * time.Hour, arrived: make(chan struct{}, 100)}
	is.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(is.calls.Add(1))
		body, _ := io.ReadAll(r.Body)
		is.mu.Lock()
		is.lastReq, is.body = r, string(body)
		is.mu.Unlock()
		select {
		case is.arrived <- struct{}{}:
		default:
		}
		if is.gate != nil {
			<-is.gate
		}
		if is.fail != nil && is.fail(n, w) {
			return
		}
		w.Header().Set("X-Subject-Token", fmt.Sprintf("iam-token-secret-%d", n))
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token":{"expires_at":%q,"issued_at":%q,"methods":["password"]}}`,
			clk.Now().Add(is.ttl).Format("2006-01-02T15:04:05.000000Z"), clk.Now().Format(time.RFC3339))
	}))
	t.Cleanup(is.Close)
	return is
}

func (is *iamServer) config(clk Clock) PasswordTokenConfig {
	return PasswordTokenConfig{
		DomainName: iamDomain, UserName: iamUser, Password: iamPassword, ProjectID: testProject,
		IAMEndpoint: is.URL, Clock: clk,
	}
}

func newTestTokenSource(t *testing.T, is *iamServer, clk Clock) *TokenSource {
	t.Helper()
	ts, err := NewPasswordTokenSource(is.config(clk))
	require.NoError(t, err)
	return ts
}

func TestTokenSourceRequest(t *testing.T) {
	clk := newAuthClock(authEpoch)
	is := newIAMServer(t, clk)
	ts := newTestTokenSource(t, is, clk)
	tok, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "iam-token-secret-1", tok)

	is.mu.Lock()
	defer is.mu.Unlock()
	r := is.lastReq
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/v3/auth/tokens", r.URL.Path)
	assert.Equal(t, "true", r.URL.Query().Get("nocatalog"))
	assert.Contains(t, r.Header.Get("Content-Type"), "application/json")
	assert.JSONEq(t, `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"hss-reader","password":"iam-Passw0rd-SECRET","domain":{"name":"my-domain"}}}},"scope":{"project":{"id":"`+testProject+`"}}}}`, is.body)
}

func TestTokenSourceCachesAndRefreshesBeforeExpiry(t *testing.T) {
	clk := newAuthClock(authEpoch)
	is := newIAMServer(t, clk)
	ts := newTestTokenSource(t, is, clk)
	ctx := context.Background()

	for range 3 {
		tok, err := ts.Token(ctx)
		require.NoError(t, err)
		assert.Equal(t, "iam-token-secret-1", tok)
	}
	clk.advance(22*time.Hour + 59*time.Minute) // 61 minutes left: cached
	tok, err := ts.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "iam-token-secret-1", tok)
	assert.EqualValues(t, 1, is.calls.Load())

	clk.advance(2 * time.Minute) // 59 minutes left: refreshed
	tok, err = ts.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "iam-token-secret-2", tok)
	assert.EqualValues(t, 2, is.calls.Load())

	// The new token's own expiry counts from now.
	clk.advance(22 * time.Hour)
	tok, err = ts.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "iam-token-secret-2", tok)
}

func TestTokenSourceRefreshBefore(t *testing.T) {
	clk := newAuthClock(authEpoch)
	is := newIAMServer(t, clk)
	cfg := is.config(clk)
	cfg.RefreshBefore = 10 * time.Minute
	ts, err := NewPasswordTokenSource(cfg)
	require.NoError(t, err)
	_, err = ts.Token(context.Background())
	require.NoError(t, err)
	clk.advance(23*time.Hour + 49*time.Minute)
	_, err = ts.Token(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 1, is.calls.Load())
	clk.advance(2 * time.Minute)
	tok, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "iam-token-secret-2", tok)
}

// A refresh that fails leaves the old token in use until it expires.
func TestTokenSourceRefreshFailureKeepsValidToken(t *testing.T) {
	clk := newAuthClock(authEpoch)
	is := newIAMServer(t, clk)
	is.fail = func(n int, w http.ResponseWriter) bool {
		if n == 1 {
			return false
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}
	ts := newTestTokenSource(t, is, clk)
	_, err := ts.Token(context.Background())
	require.NoError(t, err)
	clk.advance(23*time.Hour + 30*time.Minute)
	tok, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "iam-token-secret-1", tok)
	clk.advance(31 * time.Minute)
	_, err = ts.Token(context.Background())
	var ce *CredentialsError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusServiceUnavailable, ce.StatusCode)
}

func TestTokenSourceSingleFlight(t *testing.T) {
	clk := newAuthClock(authEpoch)
	is := newIAMServer(t, clk)
	is.gate = make(chan struct{})
	ts := newTestTokenSource(t, is, clk)

	const n = 50
	var started, wg sync.WaitGroup
	started.Add(n)
	toks := make(chan string, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			req := httptest.NewRequest("GET", "https://h/x", nil)
			if err := ts.Authenticate(context.Background(), req); err != nil {
				toks <- "error: " + err.Error()
				return
			}
			toks <- req.Header.Get("X-Auth-Token")
		}()
	}
	started.Wait()
	close(is.gate)
	wg.Wait()
	close(toks)
	for tok := range toks {
		assert.Equal(t, "iam-token-secret-1", tok)
	}
	assert.EqualValues(t, 1, is.calls.Load())
}

// A 401 APIGW.0307 makes the Client invalidate the token, fetch a new one
// and retry once.
func TestTokenSourceForcedRefreshThroughClient(t *testing.T) {
	clk := newAuthClock(authEpoch)
	is := newIAMServer(t, clk)
	ts := newTestTokenSource(t, is, clk)

	var hssCalls atomic.Int32
	var mu sync.Mutex
	var seen []string
	hss := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hssCalls.Add(1)
		tok := r.Header.Get("X-Auth-Token")
		mu.Lock()
		seen = append(seen, tok)
		mu.Unlock()
		if tok == "iam-token-secret-1" { // the service has revoked the first token
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error_code":"APIGW.0307","error_msg":"The token must be updated."}`)
			return
		}
		io.WriteString(w, `{"total_num":0,"data_list":[]}`)
	}))
	defer hss.Close()

	client, err := NewClient(hss.URL, testProject, WithCredentials(ts), WithClock(clk), WithRetryPolicy(NoRetries()))
	require.NoError(t, err)
	_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)
	assert.EqualValues(t, 2, is.calls.Load())
	assert.EqualValues(t, 2, hssCalls.Load())
	assert.Equal(t, []string{"iam-token-secret-1", "iam-token-secret-2"}, seen)

	// The new token is cached for the next call.
	_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)
	assert.EqualValues(t, 2, is.calls.Load())
}

// Only one forced refresh per call: a service that keeps saying 0307 gets
// its error back, not a loop.
func TestTokenSourceForcedRefreshOnce(t *testing.T) {
	clk := newAuthClock(authEpoch)
	is := newIAMServer(t, clk)
	ts := newTestTokenSource(t, is, clk)
	hss := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error_code":"APIGW.0307","error_msg":"The token must be updated."}`)
	}))
	defer hss.Close()
	client, err := NewClient(hss.URL, testProject, WithCredentials(ts), WithClock(clk))
	require.NoError(t, err)
	_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "APIGW.0307", apiErr.Code)
	assert.EqualValues(t, 2, is.calls.Load())
}

// A wrong password is not retried (IAM locks users after failed logins);
// an IAM outage is.
func TestTokenSourceIAMErrorsThroughClient(t *testing.T) {
	hss := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"total_num":0,"data_list":[]}`)
	}))
	defer hss.Close()

	t.Run("wrong password", func(t *testing.T) {
		clk := newAuthClock(authEpoch)
		is := newIAMServer(t, clk)
		is.fail = func(n int, w http.ResponseWriter) bool {
			w.Header().Set("X-Request-Id", "iam-req-1")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"code":"IAM.0004","message":"The username or password is wrong.","title":"Unauthorized"}}`)
			return true
		}
		client, err := NewClient(hss.URL, testProject, WithCredentials(newTestTokenSource(t, is, clk)), WithClock(clk))
		require.NoError(t, err)
		_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
		var ce *CredentialsError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "IAM", ce.Source)
		assert.Equal(t, 401, ce.StatusCode)
		assert.Equal(t, "IAM.0004", ce.Code)
		assert.Equal(t, "iam-req-1", ce.RequestID)
		assert.True(t, ce.NonRetryable())
		assert.Contains(t, err.Error(), "The username or password is wrong.")
		assert.EqualValues(t, 1, is.calls.Load())
		assertNoSecrets(t, err.Error(), iamPassword)
	})
	t.Run("outage", func(t *testing.T) {
		clk := newAuthClock(authEpoch)
		is := newIAMServer(t, clk)
		is.fail = func(n int, w http.ResponseWriter) bool {
			if n > 1 {
				return false
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		client, err := NewClient(hss.URL, testProject, WithCredentials(newTestTokenSource(t, is, clk)), WithClock(clk))
		require.NoError(t, err)
		_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
		require.NoError(t, err)
		assert.EqualValues(t, 2, is.calls.Load())
	})
}

func TestTokenSourceBadAnswers(t *testing.T) {
	cases := []struct {
		name   string
		answer func(w http.ResponseWriter)
		want   string
	}{
		{"no token header", func(w http.ResponseWriter) {
			w.WriteHeader(201)
			io.WriteString(w, `{"token":{"expires_at":"2031-03-05T05:06:07.000000Z"}}`)
		}, "X-Subject-Token"},
		{"token with control characters", func(w http.ResponseWriter) {
			w.Header()["X-Subject-Token"] = []string{"abc\x01def"}
			w.WriteHeader(201)
			io.WriteString(w, `{"token":{"expires_at":"2031-03-05T05:06:07.000000Z"}}`)
		}, "X-Subject-Token"},
		{"no expiry", func(w http.ResponseWriter) {
			w.Header().Set("X-Subject-Token", "iam-token-secret-x")
			w.WriteHeader(201)
			io.WriteString(w, `{"token":{}}`)
		}, "expires_at"},
		{"not json", func(w http.ResponseWriter) {
			w.Header().Set("X-Subject-Token", "iam-token-secret-x")
			w.WriteHeader(201)
			io.WriteString(w, `<html>iam-token-secret-x`)
		}, "not the token JSON"},
		{"too long", func(w http.ResponseWriter) {
			w.Header().Set("X-Subject-Token", "iam-token-secret-x")
			w.WriteHeader(201)
			io.WriteString(w, `{"token":{"catalog":"`+strings.Repeat("x", maxIAMBody)+`"}}`)
		}, "longer than"},
		{"echoed password, not json", func(w http.ResponseWriter) {
			w.WriteHeader(400)
			io.WriteString(w, `bad request: {"password":"`+iamPassword+`"}`)
		}, "400 Bad Request"},
		{"echoed password in message", func(w http.ResponseWriter) {
			w.WriteHeader(400)
			io.WriteString(w, `{"error_code":"X","error_msg":"bad password `+iamPassword+`"}`)
		}, "bad password REDACTED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := newAuthClock(authEpoch)
			is := newIAMServer(t, clk)
			is.fail = func(_ int, w http.ResponseWriter) bool { c.answer(w); return true }
			_, err := newTestTokenSource(t, is, clk).Token(context.Background())
			var ce *CredentialsError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, err.Error(), c.want)
			assertNoSecrets(t, err.Error(), iamPassword, "iam-token-secret-x")
		})
	}
}

func TestTokenSourceContextCancel(t *testing.T) {
	clk := newAuthClock(authEpoch)
	is := newIAMServer(t, clk)
	is.gate = make(chan struct{})
	ts := newTestTokenSource(t, is, clk)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := ts.Token(ctx); done <- err }()
	<-is.arrived
	cancel()
	require.True(t, errors.Is(<-done, context.Canceled))
	close(is.gate)
	tok, err := ts.Token(context.Background()) // the fetch finished for everyone else
	require.NoError(t, err)
	assert.Equal(t, "iam-token-secret-1", tok)
	assert.EqualValues(t, 1, is.calls.Load())

	//lint:ignore SA1012 a nil context must be refused, not panic
	_, err = ts.Token(nil)
	require.Error(t, err)
}

func TestTokenSourceEndpoints(t *testing.T) {
	base := PasswordTokenConfig{DomainName: iamDomain, UserName: iamUser, Password: iamPassword, ProjectID: testProject}
	cases := []struct{ region, endpoint, want string }{
		{"cn-north-4", "", "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens"},
		{"eu-west-101", "", "https://iam.eu-west-101.myhuaweicloud.eu/v3/auth/tokens"},
		{"cn-north-4", "https://iam.myhuaweicloud.com/", "https://iam.myhuaweicloud.com/v3/auth/tokens"},
		{"", "https://gw.example.com/iam", "https://gw.example.com/iam/v3/auth/tokens"},
		{"", "http://127.0.0.1:8080", "http://127.0.0.1:8080/v3/auth/tokens"},
	}
	for _, c := range cases {
		cfg := base
		cfg.Region, cfg.IAMEndpoint = c.region, c.endpoint
		ts, err := NewPasswordTokenSource(cfg)
		require.NoError(t, err, c)
		assert.Equal(t, c.want, ts.tokenURL)
	}
}

func TestTokenSourceValidation(t *testing.T) {
	base := PasswordTokenConfig{DomainName: iamDomain, UserName: iamUser, Password: iamPassword, ProjectID: testProject, Region: "cn-north-4"}
	cases := []struct {
		name  string
		edit  func(c *PasswordTokenConfig)
		field string
	}{
		{"no domain", func(c *PasswordTokenConfig) { c.DomainName = "" }, "domain_name"},
		{"no user", func(c *PasswordTokenConfig) { c.UserName = "" }, "user_name"},
		{"user with newline", func(c *PasswordTokenConfig) { c.UserName = "u\n" }, "user_name"},
		{"no password", func(c *PasswordTokenConfig) { c.Password = "" }, "password"},
		{"long password", func(c *PasswordTokenConfig) { c.Password = strings.Repeat(iamPassword, 100) }, "password"},
		{"password not utf-8", func(c *PasswordTokenConfig) { c.Password = iamPassword + "\xff" }, "password"},
		{"no project", func(c *PasswordTokenConfig) { c.ProjectID = "" }, "project_id"},
		{"no region or endpoint", func(c *PasswordTokenConfig) { c.Region = "" }, "region"},
		{"bad region", func(c *PasswordTokenConfig) { c.Region = "Mars" }, "region"},
		{"plain http", func(c *PasswordTokenConfig) { c.IAMEndpoint = "http://iam.example.com" }, "iam_endpoint"},
		{"endpoint with query", func(c *PasswordTokenConfig) { c.IAMEndpoint = "https://iam.example.com?x=1" }, "iam_endpoint"},
		{"endpoint with user", func(c *PasswordTokenConfig) { c.IAMEndpoint = "https://u:" + iamPassword + "@iam.example.com" }, "iam_endpoint"},
		{"endpoint not a URL", func(c *PasswordTokenConfig) { c.IAMEndpoint = "://x" }, "iam_endpoint"},
		{"negative refresh", func(c *PasswordTokenConfig) { c.RefreshBefore = -time.Second }, "refresh_before"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			c.edit(&cfg)
			_, err := NewPasswordTokenSource(cfg)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.field, ve.Field)
			assertNoSecrets(t, err.Error(), iamPassword)
		})
	}
}

func TestTokenSourceAuthenticateErrors(t *testing.T) {
	ts, err := NewPasswordTokenSource(PasswordTokenConfig{DomainName: "d", UserName: "u", Password: "p", ProjectID: "p", Region: "cn-north-4"})
	require.NoError(t, err)
	require.Error(t, ts.Authenticate(context.Background(), nil))
	var _ Credentials = ts
	var _ Invalidator = ts
}
