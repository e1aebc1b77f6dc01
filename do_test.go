// Client.Do: any method and path, signing, validation before sending, which calls are retried, and quotas learned per route.
package hss_test

import (
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// doServer serves POST .../image-sync/tasks, echoing what it got.
func doServer(t *testing.T, opts ...hsstest.Option) (*hsstest.Server, *hsstest.Clock) {
	t.Helper()
	clk := hsstest.NewClock(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	srv := hsstest.NewServer(append([]hsstest.Option{hsstest.WithClock(clk)}, opts...)...)
	t.Cleanup(srv.Close)
	srv.HandleFunc(http.MethodPost, "/v5/{project_id}/image/image-sync/tasks", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"task_id": "task-new", "project": r.PathValue("project_id"), "query": r.URL.RawQuery,
			"content_type": r.Header.Get("Content-Type"), "body": string(body),
		})
	})
	return srv, clk
}

func TestDoSendsAnyCall(t *testing.T) {
	srv, _ := doServer(t)
	client := srv.Client(t)
	var out map[string]string
	resp, err := client.Do(context.Background(), http.MethodPost, "/v5/{project_id}/image/image-sync/tasks",
		url.Values{"b": {"x y"}, "a": {"1", "2"}}, map[string]any{"registry_ids": []string{"r1"}}, &out)
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, reqs[0].RequestID, resp.RequestID)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 1, resp.Attempts)
	assert.Equal(t, reqs[0].RequestID, resp.Header.Get("X-Request-Id"))
	assert.Equal(t, "task-new", out["task_id"])
	assert.Equal(t, srv.ProjectID(), out["project"], "{project_id} is the Client's project")
	assert.Equal(t, "a=1&a=2&b=x%20y", out["query"], "sorted, strict %20")
	assert.Equal(t, "application/json;charset=UTF-8", out["content_type"])
	assert.JSONEq(t, `{"registry_ids":["r1"]}`, out["body"])
	assert.Equal(t, "/v5/"+srv.ProjectID()+"/image/image-sync/tasks", reqs[0].Path)

	// out may be nil; an unknown route is an *APIError like any other.
	_, err = client.Do(context.Background(), http.MethodPost, "/v5/{project_id}/image/image-sync/tasks", nil, nil, nil)
	require.NoError(t, err)
	_, err = client.Do(context.Background(), http.MethodGet, "/v5/{project_id}/nothing", nil, nil, nil)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "APIGW.0101", apiErr.Code)
	assert.Equal(t, 1, strings.Count(err.Error(), "GET /v5/"), "%v", err)
}

func TestDoSignsWithAKSK(t *testing.T) {
	srv, _ := doServer(t, hsstest.WithAKSK("AKDOTEST0123", "do-secret-key-0123"), hsstest.WithoutTokenAuth())
	client := srv.Client(t, hss.WithAKSK("AKDOTEST0123", "do-secret-key-0123"))
	var out map[string]string
	_, err := client.Do(context.Background(), http.MethodPost, "/v5/{project_id}/image/image-sync/tasks", nil, map[string]int{"n": 1}, &out)
	require.NoError(t, err, "the body is signed and verified")
	assert.Equal(t, hsstest.AuthAKSK, srv.Requests()[0].Auth)
}

func TestDoValidatesBeforeSending(t *testing.T) {
	srv, _ := doServer(t)
	client := srv.Client(t)
	cases := []struct{ method, path, field string }{
		{"post", "/v5/x", "method"},
		{"", "/v5/x", "method"},
		{"GET", "v5/x", "path"},
		{"GET", "//evil.example.com/v5", "path"},
		{"GET", "https://evil.example.com/v5", "path"},
		{"GET", "/v5/../admin", "path"},
		{"GET", "/v5/%2e%2e/admin", "path"},
		{"GET", "/v5/./x", "path"},
		{"GET", "/v5/x?y=1", "path"},
		{"GET", "/v5/x#f", "path"},
		{"GET", "/v5/a b", "path"},
		{"GET", "/v5/%zz", "path"},
		{"GET", "/v5/\x00", "path"},
	}
	for _, tc := range cases {
		_, err := client.Do(context.Background(), tc.method, tc.path, nil, nil, nil)
		var ve *hss.ValidationError
		if assert.ErrorAs(t, err, &ve, "%s %q", tc.method, tc.path) {
			assert.Equal(t, tc.field, ve.Field)
		}
	}
	_, err := client.Do(context.Background(), http.MethodPost, "/v5/x", nil, func() {}, nil)
	var ve *hss.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "body", ve.Field)
	assert.Empty(t, srv.Requests(), "nothing was sent")
}

// TestDoRetriesOnlyWhatSurelyWasNotSent: a POST is not retried after a
// 5xx or a broken connection, since the service may have acted on it; it
// is after a 429 and when the connection could not be opened.
func TestDoRetriesOnlyWhatSurelyWasNotSent(t *testing.T) {
	srv, clk := doServer(t)
	client := srv.Client(t)
	ctx := context.Background()
	post := func() error {
		_, err := client.Do(ctx, http.MethodPost, "/v5/{project_id}/image/image-sync/tasks", nil, map[string]int{}, nil)
		return err
	}

	sent := 0
	for _, status := range []int{408, 500, 502, 503, 504} {
		srv.FailNext(1, status, "APIGW.0613", "IAM service unavailable")
		var apiErr *hss.APIError
		require.ErrorAs(t, post(), &apiErr)
		assert.Equal(t, status, apiErr.StatusCode)
		sent++
		assert.Len(t, srv.Requests(), sent, "a %d is not retried", status)
	}

	srv.ResetNext(1)
	require.Error(t, post())
	sent++
	assert.Len(t, srv.Requests(), sent, "a connection broken after sending is not retried")

	srv.FailNext(1, http.StatusTooManyRequests, "APIGW.0308", "The throttling threshold has been reached.", http.Header{"Retry-After": {"2"}})
	require.NoError(t, post())
	sent += 2
	assert.Len(t, srv.Requests(), sent, "a 429 is retried after its Retry-After")
	assert.Contains(t, clk.Sleeps(), 2*time.Second)

	// GET is retried after a 5xx, as the typed operation is.
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	srv.HandleFunc(http.MethodGet, "/v5/{project_id}/image/image-sync/tasks", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{}`))
	})
	_, err := client.Do(ctx, http.MethodGet, "/v5/{project_id}/image/image-sync/tasks", nil, nil, nil)
	require.NoError(t, err)
	sent += 2
	assert.Len(t, srv.Requests(), sent)

	// The connection is refused before anything is sent, so even a POST
	// is retried, with backoff.
	refused := &countingTransport{inject: func(int64, *http.Request) (*http.Response, bool, error) {
		return nil, true, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}}
	before := len(clk.Sleeps())
	c2 := srv.Client(t, hss.WithHTTPClient(&http.Client{Transport: refused}))
	_, err = c2.Do(ctx, http.MethodPost, "/v5/{project_id}/image/image-sync/tasks", nil, map[string]int{}, nil)
	var attempts *hss.AttemptsError
	require.ErrorAs(t, err, &attempts)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Equal(t, hss.DefaultMaxAttempts, attempts.Attempts)
	assert.Equal(t, hss.DefaultMaxAttempts, refused.Calls())
	assert.Len(t, clk.Sleeps()[before:], hss.DefaultMaxAttempts-1)
}

// TestDoPostNotRetriedAfterTimeout: a POST whose attempt timed out after
// it reached the service is not sent again, since the service may have
// acted on it; a GET in the same plight is.
func TestDoPostNotRetriedAfterTimeout(t *testing.T) {
	clk := hsstest.NewClock(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	srv := hsstest.NewServer(hsstest.WithClock(clk))
	defer srv.Close()
	srv.HandleFunc(http.MethodPost, "/v5/{project_id}/things", func(w http.ResponseWriter, r *http.Request) {})
	srv.HandleFunc(http.MethodGet, "/v5/{project_id}/things", func(w http.ResponseWriter, r *http.Request) {})
	// The request reaches the service; then reading the answer times out
	// (the http.Client's Timeout, reported at once).
	tr := &countingTransport{next: srv.HTTPClient().Transport}
	tr.inject = func(n int64, r *http.Request) (*http.Response, bool, error) {
		resp, err := tr.next.RoundTrip(r)
		if err == nil {
			resp.Body.Close()
		}
		return nil, true, &net.OpError{Op: "read", Net: "tcp", Err: timeoutError{}}
	}
	c := srv.Client(t, hss.WithHTTPClient(&http.Client{Transport: tr, Timeout: time.Hour}))
	_, err := c.Do(context.Background(), http.MethodPost, "/v5/{project_id}/things", nil, map[string]int{}, nil)
	require.ErrorIs(t, err, hss.ErrAttemptTimeout)
	var attempts *hss.AttemptsError
	assert.False(t, errors.As(err, &attempts), "one attempt, not retried: %v", err)
	assert.Len(t, srv.Requests(), 1, "the POST reached the service once")
	assert.Empty(t, clk.Sleeps())

	_, err = c.Do(context.Background(), http.MethodGet, "/v5/{project_id}/things", nil, nil, nil)
	require.ErrorAs(t, err, &attempts)
	assert.Equal(t, hss.DefaultMaxAttempts, attempts.Attempts)
	assert.Len(t, srv.Requests(), 1+hss.DefaultMaxAttempts, "the GET is retried")
}

// TestDoLearnsQuotasPerRoute: a throttled write route does not hold back
// the listing, which has a quota of its own.
func TestDoLearnsQuotasPerRoute(t *testing.T) {
	srv, clk := doServer(t, hsstest.WithSeed("task", 3))
	var posts atomic.Int64
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || posts.Add(1) > 1 {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 minute"}`))
		return true
	})
	client := srv.Client(t)
	ctx := context.Background()
	_, err := client.Do(ctx, http.MethodPost, "/v5/{project_id}/image/image-sync/tasks", nil, map[string]int{}, nil)
	require.NoError(t, err, "waited a window, then succeeded")
	// Throttled before its first call got through, the Client shares the
	// quota: it comes back within the window, at a random moment of its
	// second half, so that Clients throttled together do not come back
	// together.
	require.Len(t, clk.Sleeps(), 1)
	assert.GreaterOrEqual(t, clk.Sleeps()[0], time.Minute/2)
	assert.LessOrEqual(t, clk.Sleeps()[0], time.Minute)
	_, err = client.ListSyncTaskRegistries(ctx, "task", nil)
	require.NoError(t, err)
	assert.Len(t, clk.Sleeps(), 1, "the listing did not wait for the write route's quota")
}

// TestWithDoHeaderRefusesWhatNetHTTPWouldNot: a header name that is not an
// HTTP token, or a value with a control character, is a *ValidationError
// naming the header, before anything is sent, instead of a request net/http
// refuses and the Client retries.
func TestWithDoHeaderRefusesWhatNetHTTPWouldNot(t *testing.T) {
	srv, clk := doServer(t)
	client := srv.Client(t)
	for _, h := range []http.Header{
		{"X-Badé": {"v"}},
		{"X(": {"v"}},
		{"X Y": {"v"}},
		{"X-Note": {"a\x01b"}},
		{"X-Note": {"a\x7fb"}},
		{"X-Note": {"ok", "a\nb"}},
	} {
		_, err := client.Do(context.Background(), http.MethodGet, doTasks, nil, nil, nil, hss.WithDoHeader(h))
		var ve *hss.ValidationError
		require.ErrorAs(t, err, &ve, "%q", h)
		assert.Equal(t, "WithDoHeader", ve.Field)
		for k := range h {
			assert.Contains(t, ve.Reason, k, "the header is named")
		}
	}
	assert.Empty(t, srv.Requests(), "nothing sent")
	assert.Empty(t, clk.Sleeps(), "nothing retried")

	_, err := client.Do(context.Background(), http.MethodPost, doTasks, nil, nil, nil,
		hss.WithDoHeader(http.Header{"X-Note": {"tab\tand obs-text \xe9"}}))
	require.NoError(t, err, "a tab and bytes above 0x7f are allowed in values")
}

// TestDoCallersAcceptWins: an Accept header given with WithDoHeader is sent
// instead of the default application/json.
func TestDoCallersAcceptWins(t *testing.T) {
	srv, _ := doServer(t)
	var accept atomic.Value
	srv.Handle(func(_ http.ResponseWriter, r *http.Request) bool {
		accept.Store(r.Header.Values("Accept"))
		return false
	})
	client := srv.Client(t)
	_, err := client.Do(context.Background(), http.MethodPost, doTasks, nil, nil, nil, hss.WithDoHeader(http.Header{"Accept": {"text/csv"}}))
	require.NoError(t, err)
	assert.Equal(t, []string{"text/csv"}, accept.Load())
	_, err = client.Do(context.Background(), http.MethodPost, doTasks, nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"application/json"}, accept.Load())
}

// TestDoDocNamesTheContentTypeSent: the Content-Type Do's godoc and the
// README promise for a body is the one it sends.
func TestDoDocNamesTheContentTypeSent(t *testing.T) {
	srv, _ := doServer(t)
	var out map[string]string
	_, err := srv.Client(t).Do(context.Background(), http.MethodPost, doTasks, nil, []byte(`{}`), &out)
	require.NoError(t, err)
	sent := out["content_type"]
	require.NotEmpty(t, sent)

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "do.go", nil, parser.ParseComments)
	require.NoError(t, err)
	var doc string
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "Do" && fn.Recv != nil {
			doc = fn.Doc.Text()
		}
	}
	require.NotEmpty(t, doc)
	promised := regexp.MustCompile(`"Content-Type: ([^"]+)"`).FindAllStringSubmatch(strings.Join(strings.Fields(doc), " "), -1)
	require.NotEmpty(t, promised, "the godoc names the Content-Type")
	for _, m := range promised {
		assert.Equal(t, sent, m[1], "Do's godoc")
	}
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, m := range regexp.MustCompile("`Content-Type: ([^`]+)`").FindAllSubmatch(readme, -1) {
		assert.Equal(t, sent, string(m[1]), "the README")
	}
}
