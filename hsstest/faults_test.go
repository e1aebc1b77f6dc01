package hsstest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFailNextRaw(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	srv.FailNext(2, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable", http.Header{"Retry-After": {"7"}})
	assert.Equal(t, 2, srv.PendingFaults())

	for range 2 {
		a := get(t, srv, "task-1", "")
		requireError(t, a, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
		assert.Equal(t, "7", a.Header.Get("Retry-After"))
	}
	assert.Zero(t, srv.PendingFaults())
	decodePage(t, get(t, srv, "task-1", ""))

	// Faults apply whatever the request: no credentials, unknown path.
	srv.FailNext(1, http.StatusInternalServerError, "APIGW.0601", "Internal server error.")
	requireError(t, do(t, srv, http.MethodGet, "/anything", "", nil), http.StatusInternalServerError, "APIGW.0601", "")

	srv.FailNextRaw(1, http.StatusBadGateway, []byte("<html><title>502 Bad Gateway</title></html>"),
		http.Header{"Content-Type": {"text/html"}, "X-Request-Id": nil})
	a := get(t, srv, "task-1", "")
	assert.Equal(t, http.StatusBadGateway, a.Status)
	assert.Equal(t, "<html><title>502 Bad Gateway</title></html>", string(a.Body))
	assert.Equal(t, "text/html", a.Header.Get("Content-Type"))
	assert.Empty(t, a.Header.Values("X-Request-Id"), "a nil header value removes the header")

	srv.FailNextRaw(1, 42, nil) // an impossible status becomes 500 instead of a panic
	assert.Equal(t, http.StatusInternalServerError, get(t, srv, "task-1", "").Status)

	srv.FailNext(0, 500, "x", "y") // nothing queued
	srv.FailNext(-3, 500, "x", "y")
	assert.Zero(t, srv.PendingFaults())

	var faults []hsstest.FaultKind
	for _, r := range srv.Requests() {
		faults = append(faults, r.Fault)
	}
	assert.Equal(t, []hsstest.FaultKind{"fail", "fail", "", "fail", "fail", "fail"}, faults)
}

func TestFaultQueueOrder(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	srv.FailNext(1, 500, "A", "a")
	srv.FailNext(2, 503, "B", "b")
	srv.TruncateNext(1)
	srv.FailNext(1, 504, "C", "c")
	assert.Equal(t, 5, srv.PendingFaults())

	assert.Equal(t, 500, get(t, srv, "task-1", "").Status)
	assert.Equal(t, 503, get(t, srv, "task-1", "").Status)
	assert.Equal(t, 503, get(t, srv, "task-1", "").Status)
	_, err := srv.HTTPClient().Get(srv.URL() + regPath(srv.ProjectID(), "task-1"))
	require.NoError(t, err) // the truncated one: headers arrive
	assert.Equal(t, 504, get(t, srv, "task-1", "").Status)
	assert.Equal(t, 200, get(t, srv, "task-1", "").Status)

	srv.FailNext(3, 500, "A", "a")
	srv.SetLatency(time.Hour)
	srv.Handle(func(http.ResponseWriter, *http.Request) bool { return false })
	srv.ClearFaults()
	assert.Zero(t, srv.PendingFaults())
	assert.Equal(t, 200, get(t, srv, "task-1", "").Status, "ClearFaults drops queue, latency and hook")
}

func TestFailNextAsSeenByTheSDK(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	ctx := context.Background()

	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	_, err := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries())).ListSyncTaskRegistries(ctx, "task-1", nil)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	assert.Equal(t, "APIGW.0613", apiErr.Code)
	assert.Equal(t, "IAM service unavailable", apiErr.Message)
	assert.Equal(t, srv.Requests()[0].RequestID, apiErr.RequestID)

	// The default policy retries a 503 (on a fake clock: no real backoff).
	srv.FailNext(2, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	resp, err := srv.Client(t, hss.WithClock(newFakeClock())).ListSyncTaskRegistries(ctx, "task-1", nil)
	require.NoError(t, err)
	assert.Equal(t, 3, resp.TotalNum)
	assert.Len(t, srv.Requests(), 4)

	srv.FailNextRaw(1, http.StatusBadGateway, []byte("<html><head><title>502 Bad Gateway</title></head></html>"))
	_, err = srv.Client(t, hss.WithRetryPolicy(hss.NoRetries())).ListSyncTaskRegistries(ctx, "task-1", nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "502 Bad Gateway", apiErr.Message)

	// A 200 whose body is not the documented JSON.
	srv.FailNextRaw(1, http.StatusOK, []byte(`[1,2,3]`))
	_, err = srv.Client(t).ListSyncTaskRegistries(ctx, "task-1", nil)
	var decErr *hss.DecodeError
	require.ErrorAs(t, err, &decErr)
}

func TestDelayNext(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))

	srv.DelayNext(1, 20*time.Millisecond)
	start := time.Now()
	decodePage(t, get(t, srv, "task-1", ""))
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
	assert.Equal(t, hsstest.FaultDelay, srv.Requests()[0].Fault)
	assert.Equal(t, http.StatusOK, srv.Requests()[0].Status)

	// A client that gives up is not kept waiting, and the server lets go too.
	srv.DelayNext(1, time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start = time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+regPath(srv.ProjectID(), "task-1"), nil)
	req.Header = tokenHeader(srv)
	_, err := srv.HTTPClient().Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
	waitFor(t, func() bool { return len(srv.Requests()) == 2 }, "the delayed request to end")
	assert.Equal(t, 0, srv.Requests()[1].Status, "no answer was sent")

	// Through the SDK: its context error, even with retries on.
	srv.DelayNext(1, time.Hour)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	_, err = srv.Client(t).ListSyncTaskRegistries(ctx2, "task-1", nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestSetLatency(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	srv.SetLatency(15 * time.Millisecond)
	start := time.Now()
	_, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 15*time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	_, err = srv.Client(t).ListSyncTaskRegistries(ctx, "task-1", nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	srv.SetLatency(0)
	ctx3, cancel3 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel3()
	_, err = srv.Client(t).ListSyncTaskRegistries(ctx3, "task-1", nil)
	require.NoError(t, err)
}

func TestHangNext(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	srv.HangNext(1)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries())).ListSyncTaskRegistries(ctx, "task-1", nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	waitFor(t, func() bool { return len(srv.Requests()) == 1 }, "the hanging request to end")
	r := srv.Requests()[0]
	assert.Equal(t, hsstest.FaultHang, r.Fault)
	assert.Zero(t, r.Status)

	// The per-attempt timeout of an http.Client counts as giving up too.
	srv.HangNext(1)
	hc := *srv.HTTPClient()
	hc.Timeout = 20 * time.Millisecond
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+regPath(srv.ProjectID(), "task-1"), nil)
	_, err = hc.Do(req)
	require.Error(t, err)
	var ne interface{ Timeout() bool }
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
}

func TestCloseReleasesHangingRequests(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithSeed("task-1", 3))
	srv.HangNext(1)
	errc := make(chan error, 1)
	go func() {
		resp, err := srv.HTTPClient().Get(srv.URL() + regPath(srv.ProjectID(), "task-1"))
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	waitFor(t, func() bool { return srv.PendingFaults() == 0 }, "the request to reach the server")

	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited on a hanging request")
	}
	require.Error(t, <-errc, "the client sees the connection close, not an answer")
	srv.Close() // twice is fine
}

func TestResetNext(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	hc := srv.HTTPClient()
	url := srv.URL() + regPath(srv.ProjectID(), "task-1")
	// Leave a keep-alive connection in the pool first: the reset must still
	// reach the caller rather than be retried away by net/http.
	decodePage(t, get(t, srv, "task-1", ""))

	srv.ResetNext(1)
	_, err := hc.Get(url)
	require.Error(t, err)
	assert.ErrorIs(t, err, syscall.ECONNRESET, "a reset, not a clean close")
	assert.Equal(t, hsstest.FaultReset, srv.Requests()[1].Fault)
	assert.Zero(t, srv.Requests()[1].Status)
	decodePage(t, get(t, srv, "task-1", ""))

	srv.ResetNext(1)
	_, err = srv.Client(t, hss.WithRetryPolicy(hss.NoRetries())).ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.Error(t, err)
	var apiErr *hss.APIError
	assert.False(t, errors.As(err, &apiErr), "a transport error, not an answer: %v", err)

	srv.ResetNext(2)
	resp, err := srv.Client(t, hss.WithClock(newFakeClock())).ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err, "the SDK retries resets")
	assert.Equal(t, 3, resp.TotalNum)
	assert.Zero(t, srv.PendingFaults())
}

func TestTruncateNext(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 30))
	full := get(t, srv, "task-1", "limit=30")

	srv.TruncateNext(1)
	resp, err := srv.HTTPClient().Get(srv.URL() + regPath(srv.ProjectID(), "task-1") + "?limit=30")
	require.NoError(t, err)
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no token: the truncated answer is the 401")

	srv.TruncateNext(1)
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+regPath(srv.ProjectID(), "task-1")+"?limit=30", nil)
	req.Header = tokenHeader(srv)
	resp, err = srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, int64(len(full.Body)), resp.ContentLength, "declares the whole page")
	body, err := io.ReadAll(resp.Body)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, string(full.Body[:len(full.Body)/2]), string(body), "sends the first half")
	assert.NotEmpty(t, resp.Header.Get("X-Request-Id"))
	rec := srv.Requests()[2]
	assert.Equal(t, hsstest.FaultTruncate, rec.Fault)
	assert.Equal(t, http.StatusOK, rec.Status)
	assert.Equal(t, hsstest.AuthToken, rec.Auth)

	srv.TruncateNext(1)
	_, err = srv.Client(t, hss.WithRetryPolicy(hss.NoRetries())).ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)

	srv.TruncateNext(1)
	page, err := srv.Client(t, hss.WithClock(newFakeClock())).ListSyncTaskRegistries(context.Background(), "task-1", &hss.ListSyncTaskRegistriesOptions{Limit: 30})
	require.NoError(t, err, "the SDK retries a cut body")
	assert.Len(t, page.DataList, 30)
}

func TestHandleHook(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	srv.FailNext(1, 500, "X", "queued")
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.RawQuery, "teapot") {
			return false
		}
		assert.NotEmpty(t, w.Header().Get("X-Request-Id"), "the hook sees the request id already set")
		w.WriteHeader(http.StatusTeapot)
		return true
	})
	assert.Equal(t, http.StatusTeapot, get(t, srv, "task-1", "teapot=1").Status)
	assert.Equal(t, 1, srv.PendingFaults(), "a request the hook answered takes no queued fault")
	assert.Equal(t, 500, get(t, srv, "task-1", "").Status, "false lets the request go on")
	srv.Handle(nil)
	decodePage(t, get(t, srv, "task-1", "teapot=1"))

	reqs := srv.Requests()
	assert.Equal(t, hsstest.FaultHook, reqs[0].Fault)
	assert.Equal(t, http.StatusTeapot, reqs[0].Status)

	// A hook may take the connection over.
	srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return true
	})
	_, err := srv.HTTPClient().Get(srv.URL() + "/x")
	require.Error(t, err)
}
