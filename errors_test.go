// Errors: the APIError of any answer, the Is helpers and their agreement with retries, which error type a call ends with, and the messages.
package hss_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// newErrorClient answers every request with status, body and header,
// without retries.
func newErrorClient(t *testing.T, status int, body string, header http.Header) *hss.Client {
	t.Helper()
	c, _ := newMockClient(t, "https://hss.example.com", status, body, header, hss.WithRetryPolicy(hss.NoRetries()))
	return c
}

func TestAPIErrorShapes(t *testing.T) {
	rid := http.Header{"X-Request-Id": {"abc"}}
	cases := []struct {
		name                     string
		status                   int
		body                     string
		header                   http.Header
		code, msg, reqID, errStr string
	}{
		{"hss shape", 400, `{"error_code":"HSS.0001","error_msg":"Invalid parameter."}`, rid,
			"HSS.0001", "Invalid parameter.", "abc",
			"hss: GET /v5/" + testProject + "/image/image-sync/tasks/t/registries: 400 HSS.0001: Invalid parameter. (request id abc)"},
		{"code/message shape", 401, `{"code":"APIGW.0301","message":"Incorrect IAM authentication information: x-auth-token not found"}`, rid,
			"APIGW.0301", "Incorrect IAM authentication information: x-auth-token not found", "abc", "401 APIGW.0301: Incorrect IAM"},
		{"nested error shape", 403, `{"error":{"code":"APIGW.0302","message":"The IAM user is not authorized."}}`, nil,
			"APIGW.0302", "The IAM user is not authorized.", "", "403 APIGW.0302: The IAM user is not authorized."},
		{"numeric code", 500, `{"code":500,"message":"boom"}`, nil, "500", "boom", "", "500 500: boom"},
		{"request id in body", 400, `{"error_code":"HSS.0011","error_msg":"Requested resource not found.","request_id":"body-rid"}`, nil,
			"HSS.0011", "Requested resource not found.", "body-rid", "(request id body-rid)"},
		{"header request id wins", 400, `{"error_code":"HSS.0011","error_msg":"x","request_id":"body-rid"}`, rid,
			"HSS.0011", "x", "abc", "(request id abc)"},
		{"html gateway page", 502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", rid,
			"", "502 Bad Gateway", "abc", "502: 502 Bad Gateway (request id abc)"},
		{"plain text", 503, "service unavailable\nmore lines", nil, "", "service unavailable", "", "503: service unavailable"},
		{"empty body", 404, "", nil, "", "", "", "404 Not Found"},
		{"json array", 400, `[1,2]`, nil, "", "[1,2]", "", "400: [1,2]"},
		{"broken json", 400, `{"error_code":`, nil, "", `{"error_code":`, "", `400: {"error_code":`},
		{"odd field types", 400, `{"error_code":"HSS.0011","error_msg":"Requested resource not found.","error":"bad","request_id":123}`, nil,
			"HSS.0011", "Requested resource not found.", "123", "400 HSS.0011"},
		{"numeric error_code", 400, `{"error_code":1234,"error_msg":"m"}`, nil, "1234", "m", "", "400 1234: m"},
		{"control chars", 400, "{\"error_code\":\"HSS.0001\",\"error_msg\":\"bad\\r\\ninjected\"}", nil, "HSS.0001", "bad  injected", "", "bad  injected"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newErrorClient(t, tc.status, tc.body, tc.header)
			_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
			var ae *hss.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.status, ae.StatusCode)
			assert.Equal(t, tc.code, ae.Code)
			assert.Equal(t, tc.msg, ae.Message)
			assert.Equal(t, tc.reqID, ae.RequestID)
			assert.Equal(t, tc.body, string(ae.Body))
			assert.Equal(t, http.MethodGet, ae.Method)
			assert.Equal(t, "/v5/"+testProject+"/image/image-sync/tasks/t/registries", ae.Path)
			assert.Contains(t, err.Error(), tc.errStr)
			assert.NotContains(t, err.Error(), "\n")
			assert.Equal(t, 1, countOps(err.Error()))
		})
	}
}

func TestAPIErrorBodyCapped(t *testing.T) {
	big := `{"error_code":"HSS.0001","error_msg":"` + strings.Repeat("x", 2<<20) + `"}`
	c := newErrorClient(t, 400, big, nil)
	_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	var ae *hss.APIError
	require.ErrorAs(t, err, &ae)
	assert.Len(t, ae.Body, hss.MaxErrorBodyBytes)
	assert.LessOrEqual(t, cap(ae.Body), hss.MaxErrorBodyBytes+4<<10, "the error keeps the body, not the buffer it grew in")
	assert.Empty(t, ae.Code, "a cut body is not parsed as JSON")
	assert.Less(t, len(err.Error()), 1024, "the message stays short")
}

// TestErrorHelpers: the Is* helpers read one status table, through any
// wrapping the Client applies.
func TestErrorHelpers(t *testing.T) {
	cases := []struct {
		status                  int
		code                    string
		notFound, thrott, authz bool
	}{
		{400, "HSS.0011", true, false, false},
		{404, "APIGW.0101", false, false, false}, // wrong endpoint, not a missing task
		{404, "", false, false, false},
		{429, "APIGW.0308", false, true, false},
		{429, "", false, true, false},
		{403, "APIGW.0308", false, true, false}, // the code decides
		{401, "APIGW.0301", false, false, true},
		{401, "APIGW.0307", false, false, true},
		{401, "", false, false, true},
		{403, "APIGW.0302", false, false, true},
		{403, "APIGW.0310", false, false, true},
		{400, "HSS.0010", false, false, true},
		{400, "HSS.0013", false, false, true},
		{400, "HSS.0001", false, false, false},
		{500, "APIGW.0601", false, false, false},
		{503, "APIGW.0613", false, false, false},
	}
	for _, tc := range cases {
		err := error(&hss.APIError{StatusCode: tc.status, Code: tc.code})
		for _, e := range []error{
			err,
			&hss.AttemptsError{Attempts: 2, Err: err},
			&hss.RequestError{Err: context.Canceled, Last: err},
			fmt.Errorf("listing: %w", err),
		} {
			assert.Equal(t, tc.notFound, hss.IsNotFound(e), "%d %s: %T", tc.status, tc.code, e)
			assert.Equal(t, tc.thrott, hss.IsThrottled(e), "%d %s: %T", tc.status, tc.code, e)
			assert.Equal(t, tc.authz, hss.IsAuthError(e), "%d %s: %T", tc.status, tc.code, e)
		}
	}
	for _, e := range []error{nil, errors.New("x"), &hss.ValidationError{Field: "limit"}, context.DeadlineExceeded, hss.ErrBodyTooLarge} {
		assert.False(t, hss.IsNotFound(e) || hss.IsThrottled(e) || hss.IsAuthError(e), "%v", e)
	}
	// A credential source refusing is an auth error; one that is down is not.
	for _, code := range []int{400, 401, 403, 404} {
		assert.True(t, hss.IsAuthError(fmt.Errorf("x: %w", &credentials.Error{Source: "IAM", StatusCode: code})), "%d", code)
	}
	for _, code := range []int{0, 408, 429, 500, 503} {
		assert.False(t, hss.IsAuthError(&credentials.Error{Source: "IAM", StatusCode: code}), "%d", code)
	}
}

// TestErrorHelpersAgreeWithRetries: what IsAuthError or IsNotFound reports
// is never retried; what is retried is neither.
func TestErrorHelpersAgreeWithRetries(t *testing.T) {
	cases := []struct {
		status  int
		code    string
		retried bool
	}{
		{400, "HSS.0001", false},
		{400, "HSS.0011", false},
		{400, "HSS.0010", false},
		{400, "HSS.0013", false},
		{401, "APIGW.0301", false},
		{401, "APIGW.0307", false}, // static credentials cannot be renewed
		{403, "APIGW.0302", false},
		{404, "APIGW.0101", false},
		{409, "", false},
		{501, "", false},
		{408, "", true},
		{429, "APIGW.0308", true},
		{500, "APIGW.0601", true},
		{502, "", true},
		{503, "APIGW.0613", true},
		{504, "", true},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d %s", tc.status, tc.code), func(t *testing.T) {
			srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1))
			srv.FailNext(1, tc.status, tc.code, "failing", http.Header{"Retry-After": {"1"}})
			c, tr, _ := newTestClient(t, srv)
			_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
			if tc.retried {
				require.NoError(t, err)
				assert.Equal(t, 2, tr.Calls())
				assert.NotEmpty(t, clk.Sleeps())
				// The error the retry recovered from reads as neither.
				first := &hss.APIError{StatusCode: tc.status, Code: tc.code}
				assert.False(t, hss.IsAuthError(first) || hss.IsNotFound(first))
				return
			}
			require.Error(t, err)
			assert.Equal(t, 1, tr.Calls(), "not retried")
			assert.Empty(t, clk.Sleeps())
			assert.False(t, hss.IsThrottled(err))
			var ae *hss.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.status, ae.StatusCode)
			var at *hss.AttemptsError
			assert.False(t, errors.As(err, &at), "a final answer is reported bare")
		})
	}
}

// failingCredentials hands out err on every Retrieve and counts the
// calls.
type failingCredentials struct {
	err   error
	calls atomic.Int64
}

func (f *failingCredentials) Retrieve(context.Context) (credentials.Value, error) {
	f.calls.Add(1)
	return credentials.Value{}, f.err
}

// TestCredentialErrorsAgreeWithRetries: a credential source that refuses
// (IAM answering 400, 401, 403 or 404) is an auth error and is asked once;
// one that is down is retried and is not an auth error.
func TestCredentialErrorsAgreeWithRetries(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		retried bool
		auth    bool
	}{
		{"IAM 404", &credentials.Error{Source: "IAM", URL: "https://iam.example.com/v3/auth/tokens", StatusCode: 404, Code: "IAM.0000"}, false, true},
		{"IAM 401", &credentials.Error{Source: "IAM", StatusCode: 401, Code: "IAM.0004", Message: "The password is wrong."}, false, true},
		{"IAM 403", &credentials.Error{Source: "IAM", StatusCode: 403}, false, true},
		{"IAM 400", &credentials.Error{Source: "IAM", StatusCode: 400}, false, true},
		{"IAM 503", &credentials.Error{Source: "IAM", StatusCode: 503}, true, false},
		{"IAM 429", &credentials.Error{Source: "IAM", StatusCode: 429}, true, false},
		{"IAM unreachable", &credentials.Error{Source: "IAM", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}, true, false},
		{"metadata 404", &credentials.Error{Source: "ECS metadata", StatusCode: 404}, false, true},
		{"config", &credentials.ConfigError{Source: "$HSS_TOKEN", Reason: "must not be empty"}, false, false},
		{"no credentials", credentials.ErrNoCredentials, false, false},
		{"expired", credentials.ErrExpired, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 1))
			creds := &failingCredentials{err: tc.err}
			c, tr, _ := newTestClient(t, srv, hss.WithCredentials(creds))
			_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.err)
			assert.Zero(t, tr.Calls(), "nothing is sent without credentials")
			assert.Equal(t, tc.auth, hss.IsAuthError(err))
			assert.False(t, hss.IsNotFound(err) || hss.IsThrottled(err))
			assert.Equal(t, 1, countOps(err.Error()), err.Error())
			assert.NotContains(t, err.Error(), "credentials: credentials:", "the prefix is said once")
			var at *hss.AttemptsError
			if tc.retried {
				assert.Equal(t, int64(hss.DefaultMaxAttempts), creds.calls.Load())
				assert.Len(t, clk.Sleeps(), hss.DefaultMaxAttempts-1)
				require.ErrorAs(t, err, &at)
				assert.Equal(t, hss.DefaultMaxAttempts, at.Attempts)
				return
			}
			assert.Equal(t, int64(1), creds.calls.Load(), "asked once")
			assert.Empty(t, clk.Sleeps())
			assert.False(t, errors.As(err, &at))
		})
	}
}

// TestFinalAnswerAfterRetryIsBare: a 400 after a 503 is the 400, not "gave
// up after 2 attempts": the attempts did not run out.
func TestFinalAnswerAfterRetryIsBare(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 1))
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	srv.FailNext(1, http.StatusBadRequest, "HSS.0001", "Invalid parameter.")
	c, tr, _ := newTestClient(t, srv)
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.Error(t, err)
	ae, ok := err.(*hss.APIError)
	require.True(t, ok, "the error is the bare *APIError, got %T: %v", err, err)
	assert.Equal(t, 400, ae.StatusCode)
	assert.Equal(t, "HSS.0001", ae.Code)
	assert.Equal(t, srv.Requests()[1].RequestID, ae.RequestID)
	assert.NotContains(t, err.Error(), "gave up")
	assert.Equal(t, 1, countOps(err.Error()))
	assert.Contains(t, err.Error(), "(request id "+ae.RequestID+")")
	assert.Equal(t, 2, tr.Calls())
}

// TestAttemptsErrorOnlyWhenABudgetRanOut: *AttemptsError appears when the
// attempts, the Retry-After cap or the throttle budget ran out, and says
// which, with the operation once and the request id.
func TestAttemptsErrorOnlyWhenABudgetRanOut(t *testing.T) {
	t.Run("attempts", func(t *testing.T) {
		srv, _ := newTestServer(t)
		srv.FailNext(10, http.StatusBadGateway, "APIGW.0201", "backend unavailable")
		c, tr, _ := newTestClient(t, srv)
		_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
		var at *hss.AttemptsError
		require.ErrorAs(t, err, &at)
		assert.Equal(t, hss.DefaultMaxAttempts, at.Attempts)
		assert.Equal(t, hss.DefaultMaxAttempts, tr.Calls())
		var ae *hss.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 502, ae.StatusCode)
		assert.Equal(t, srv.Requests()[3].RequestID, ae.RequestID, "the last attempt's answer")
		assert.True(t, strings.HasSuffix(err.Error(), "(gave up after 4 attempts)"), err.Error())
		assert.Contains(t, err.Error(), "(request id "+ae.RequestID+")")
		assert.Equal(t, 1, countOps(err.Error()))
	})
	t.Run("one attempt allowed", func(t *testing.T) {
		srv, _ := newTestServer(t)
		srv.FailNext(10, http.StatusBadGateway, "APIGW.0201", "backend unavailable")
		c, tr, _ := newTestClient(t, srv, hss.WithRetryPolicy(hss.NoRetries()))
		_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
		_, ok := err.(*hss.APIError)
		assert.True(t, ok, "a single attempt is reported bare: %T", err)
		assert.Equal(t, 1, tr.Calls())
	})
	t.Run("retry-after past MaxDelay", func(t *testing.T) {
		srv, clk := newTestServer(t)
		srv.FailNext(10, http.StatusServiceUnavailable, "APIGW.0613", "busy", http.Header{"Retry-After": {"3600"}})
		c, tr, _ := newTestClient(t, srv)
		_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
		var at *hss.AttemptsError
		require.ErrorAs(t, err, &at)
		assert.Equal(t, 1, at.Attempts)
		var ae *hss.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, time.Hour, ae.RetryAfter)
		assert.Contains(t, err.Error(), "(retry after 1h0m0s)")
		assert.Contains(t, err.Error(), "the service asked to wait 1h0m0s, more than RetryPolicy.MaxDelay (30s)")
		assert.Equal(t, 1, countOps(err.Error()))
		assert.Equal(t, 1, tr.Calls())
		assert.Empty(t, clk.Sleeps(), "never sleeps past MaxDelay")
	})
	t.Run("throttle budget", func(t *testing.T) {
		srv, clk := newTestServer(t)
		srv.FailNext(10, http.StatusTooManyRequests, "APIGW.0308", "The throttling threshold has been reached", http.Header{"Retry-After": {"600"}})
		c, tr, _ := newTestClient(t, srv)
		_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
		var at *hss.AttemptsError
		require.ErrorAs(t, err, &at)
		assert.Equal(t, 1, at.Attempts)
		assert.True(t, hss.IsThrottled(err))
		var ae *hss.APIError
		require.ErrorAs(t, err, &ae)
		assert.GreaterOrEqual(t, ae.RetryAfter, 10*time.Minute)
		assert.Equal(t, srv.Requests()[0].RequestID, ae.RequestID)
		assert.Contains(t, err.Error(), "throttle budget (RetryPolicy.MaxThrottleWait)")
		assert.Equal(t, 1, countOps(err.Error()))
		assert.Equal(t, 1, tr.Calls())
		assert.Empty(t, clk.Sleeps())
	})
}

// TestDeadlineDuringBackoff: a backoff or a wait for the gateway's quota
// that would pass the context's deadline returns at once with
// ErrWaitPastDeadline, naming the operation once and the last answer's
// request id. It is not context.DeadlineExceeded: the caller's context has
// not ended.
func TestDeadlineDuringBackoff(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		code   string
		says   string
	}{
		{"backoff", http.StatusServiceUnavailable, "APIGW.0613", "retrying in 2m0s"},
		{"throttle wait", http.StatusTooManyRequests, "APIGW.0308", "the gateway's quota clears in 2m0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, clk := newTestServerAt(t, time.Now())
			srv.FailNext(1, tc.status, tc.code, "busy", http.Header{"Retry-After": {"120"}})
			c, tr, logs := newTestClient(t, srv, hss.WithRetryPolicy(hss.RetryPolicy{MaxDelay: 10 * time.Minute}))
			ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(time.Minute))
			defer cancel()
			_, err := c.ListSyncTaskRegistries(ctx, testTask, nil)
			require.Error(t, err)
			assert.ErrorIs(t, err, hss.ErrWaitPastDeadline)
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
			assert.NoError(t, ctx.Err(), "the context is still alive")
			var re *hss.RequestError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 1, re.Attempts)
			var ae *hss.APIError
			require.ErrorAs(t, err, &ae, "the last answer stays reachable")
			assert.Equal(t, tc.status, ae.StatusCode)
			msg := err.Error()
			assert.Equal(t, 1, strings.Count(msg, "GET /v5/"), msg)
			assert.Contains(t, msg, "(request id "+srv.Requests()[0].RequestID+")")
			assert.Contains(t, msg, tc.says)
			assert.Equal(t, 1, tr.Calls())
			assert.Empty(t, clk.Sleeps(), "nothing slept in vain")
			assert.NotContains(t, logs.String(), "context deadline exceeded")
		})
	}
}

// TestCallerDeadlineIsDeadlineExceeded: the one case that is
// context.DeadlineExceeded is the caller's own context ending.
func TestCallerDeadlineIsDeadlineExceeded(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 1))
	c, _, _ := newTestClient(t, srv)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := c.ListSyncTaskRegistries(ctx, testTask, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, hss.ErrAttemptTimeout)
	assert.NotErrorIs(t, err, hss.ErrWaitPastDeadline)
	assert.Equal(t, 1, countOps(err.Error()))
}

// TestTransportErrorChain: a connection that cannot be opened leaves the
// *net.OpError reachable, under a *RequestError naming the operation once.
func TestTransportErrorChain(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	c, err := hss.NewClient("http://"+addr, testProject, hss.WithToken(testToken), hss.WithRetryPolicy(hss.NoRetries()))
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	var re *hss.RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.MethodGet, re.Method)
	assert.Equal(t, "/v5/"+testProject+"/image/image-sync/tasks/"+testTask+"/registries", re.Path)
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	assert.Equal(t, "dial", op.Op)
	assert.Equal(t, 1, countOps(err.Error()))
	assert.NotContains(t, err.Error(), "http://"+addr+"/v5", "the URL is not repeated")
	assertNoSecret(t, err, testToken)
}

func TestErrorMessages(t *testing.T) {
	ve := &hss.ValidationError{Field: "limit", Reason: "must be 0 (server default, 10) or 10-200, got 5"}
	assert.Equal(t, "hss: invalid limit: must be 0 (server default, 10) or 10-200, got 5", ve.Error())

	ae := &hss.APIError{StatusCode: 429, Code: "APIGW.0308", Message: "throttled", RetryAfter: hss.MaxRetryAfter, RequestID: "r1", Method: "GET", Path: "/v5/p/x"}
	assert.Equal(t, "hss: GET /v5/p/x: 429 APIGW.0308: throttled (retry after 24h0m0s or more) (request id r1)", ae.Error())
	assert.Equal(t, "hss: 503 Service Unavailable", (&hss.APIError{StatusCode: 503}).Error())
	for ra, want := range map[time.Duration]string{
		1234892949 * time.Nanosecond:                 "1.235s",
		59*time.Minute + 58073605053*time.Nanosecond: "59m58.074s",
		999 * time.Microsecond:                       "999µs",
		2 * time.Second:                              "2s",
		hss.MaxRetryAfter - time.Nanosecond:          "24h0m0s",
		hss.MaxRetryAfter - 1600*time.Microsecond:    "23h59m59.998s",
	} {
		ae := &hss.APIError{StatusCode: 429, Code: "APIGW.0308", RetryAfter: ra}
		assert.Equal(t, "hss: 429 APIGW.0308 (retry after "+want+")", ae.Error(), "durations are rounded as the log rounds them")
	}

	de := &hss.DecodeError{Method: "GET", Path: "/v5/p/x", StatusCode: 200, RequestID: "r2", Err: errors.New("bad")}
	assert.Equal(t, "hss: GET /v5/p/x: 200 answer is not the expected JSON: bad (request id r2)", de.Error())
	assert.Equal(t, de.Err, errors.Unwrap(de))

	re := &hss.RequestError{Method: "GET", Path: "/v5/p/x", Err: context.Canceled, Last: ae, Attempts: 2}
	assert.Equal(t, "hss: GET /v5/p/x: context canceled (after 2 attempts; last error: 429 APIGW.0308: throttled (retry after 24h0m0s or more) (request id r1))", re.Error())
	assert.ErrorIs(t, re, context.Canceled)
	var got *hss.APIError
	require.ErrorAs(t, re, &got)
	assert.Same(t, ae, got)

	at := &hss.AttemptsError{Attempts: 1, Err: ae}
	assert.Equal(t, ae.Error()+" (gave up after 1 attempt)", at.Error())
	assert.Same(t, error(ae), errors.Unwrap(at))

	rd := &hss.RedirectError{From: "https://a.example.com", To: "https://b.example.com"}
	assert.Contains(t, rd.Error(), "refused redirect from https://a.example.com to https://b.example.com")
	assert.Contains(t, (&hss.RedirectError{From: "https://a", To: "https://a", Loop: true}).Error(), "more than 10 redirects")
}

// FuzzResponse feeds arbitrary answers (status, Retry-After, body) to a
// real Client through hsstest: it returns a response or a typed error,
// never panics, never lets the token into the error, and keeps every
// field of an APIError bounded and on one line. Its seed corpus is in
// testdata/fuzz/FuzzResponse, next to the seeds below.
func FuzzResponse(f *testing.F) {
	const token = "MIIfuzz-secret-token-0123456789"
	f.Add(200, "", []byte(`{"total_num":1,"data_list":[{"registry_id":"a","registry_type":"Harbor"}]}`))
	f.Add(200, "", []byte(`null`))
	f.Add(400, "", []byte(`{"error_code":"HSS.0001","error_msg":"Invalid parameter."}`))
	f.Add(401, "", []byte(`{"code":"APIGW.0301","message":"bad token `+token+`"}`))
	f.Add(403, "", []byte(`{"error":{"code":7,"message":"m"}}`))
	f.Add(429, "2", []byte(`{"error_code":"APIGW.0308"}`))
	f.Add(503, "Wed, 21 Oct 2015 07:28:00 GMT", []byte("<html><title>down "+token+"</title></html>"))
	f.Add(302, "", []byte{})
	f.Add(999, "-1", []byte("\xff\xfe"))
	clk := hsstest.NewClock(time.Date(2031, 3, 4, 5, 0, 0, 0, time.UTC))
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithToken(token))
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		// A Client per answer: one learns the gateway's quota from a 429.
		client, err := srv.NewClient(hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 2, RetryBudget: -1, MaxThrottleWait: -1}))
		if err != nil {
			t.Fatal(err)
		}
		if status < 200 || status > 999 {
			status = 200 + (status%800+800)%800 // net/http sends 200-999
		}
		// Only bytes a header value may hold: a control character breaks
		// the framing, which TestSecretNeverInTransportErrors covers.
		retryAfter = strings.Map(func(r rune) rune {
			if r < 0x20 || r > 0x7e {
				return -1
			}
			return r
		}, retryAfter)
		var header http.Header
		if retryAfter != "" {
			header = http.Header{"Retry-After": {retryAfter}}
		}
		srv.ClearFaults()
		srv.FailNextRaw(2, status, body, header) // both attempts
		resp, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
		if err == nil {
			if status > 299 || resp == nil {
				t.Fatalf("status %d gave no error", status)
			}
			return
		}
		if strings.Contains(err.Error(), token) {
			t.Fatalf("the token is in the error: %v", err)
		}
		var ae *hss.APIError
		var de *hss.DecodeError
		switch {
		case errors.As(err, &ae):
			if ae.StatusCode != status || len(ae.Body) > hss.MaxErrorBodyBytes || ae.RetryAfter < 0 || ae.RetryAfter > hss.MaxRetryAfter {
				t.Fatalf("bad APIError for %d: %+v", status, ae)
			}
			for _, s := range []string{ae.Code, ae.Message, ae.RequestID, err.Error()} {
				if strings.ContainsAny(s, "\r\n\x00\x1b") || !utf8.ValidString(s) {
					t.Fatalf("unsafe text %q", s)
				}
			}
			if strings.Contains(string(ae.Body), token) {
				t.Fatalf("the token is in APIError.Body")
			}
		case errors.As(err, &de):
			if status > 299 {
				t.Fatalf("a %d answer gave a DecodeError: %v", status, err)
			}
		default:
			t.Fatalf("untyped error %T: %v", err, err)
		}
	})
}

// TestValidationErrorFieldsAreDocumented: every Field the package gives a
// *ValidationError (a literal in its source, a name checkText is given, a
// part of an access key) is listed, quoted, in the documentation of
// ValidationError.Field.
func TestValidationErrorFieldsAreDocumented(t *testing.T) {
	src, err := os.ReadFile("errors.go")
	require.NoError(t, err)
	doc := string(src)
	start := strings.Index(doc, "type ValidationError struct")
	require.GreaterOrEqual(t, start, 0)
	doc = doc[start : start+strings.Index(doc[start:], "\tField string")]

	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	uses := regexp.MustCompile(`ValidationError\{Field: "([^"]+)"[,}]|checkText\("([^"]+)"|"(?:AccessKey|SecretKey|SecurityToken)": "([^"]+)"`)
	prefixes := regexp.MustCompile(`ValidationError\{Field: "([^"]+)" \+`) // "RetryPolicy." + field
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		code, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range uses.FindAllStringSubmatch(string(code), -1) {
			field := m[1] + m[2] + m[3]
			seen[field] = true
			assert.Contains(t, doc, `"`+field+`"`, "%s gives Field %q, which ValidationError.Field's doc does not list", f, field)
		}
		for _, m := range prefixes.FindAllStringSubmatch(string(code), -1) {
			seen[m[1]] = true
			assert.Contains(t, doc, `"`+m[1], "%s gives Fields starting %q, which ValidationError.Field's doc does not show", f, m[1])
		}
	}
	for _, field := range []string{"task_id", "out", "WithObserver", "WithQuotaStore", "WithDoHeader", "region", "ak", "RetryPolicy."} {
		assert.True(t, seen[field], "the search found no use of %q: the pattern is stale", field)
	}
}
