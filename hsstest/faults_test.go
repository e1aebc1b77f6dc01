// Queued faults: FailNext, DelayNext, SetLatency, HangNext, ResetNext, TruncateNext and Handle, in order, as the SDK sees them.
package hsstest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFailNext(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	srv.FailNext(2, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable", http.Header{"Retry-After": {"7"}})
	assert.Equal(t, 2, srv.PendingFaults())

	for range 2 {
		a := get(t, srv, "task-1", "")
		requireError(t, a, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
		assert.Equal(t, "7", a.Header.Get("Retry-After"))
		assert.Equal(t, "application/json;charset=UTF-8", a.Header.Get("Content-Type"))
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

	// What Faults refuses with an *ArgError, the Server's methods, which
	// have no error to return, do not queue either, and never panic on.
	srv.FailNextRaw(1, 42, nil)
	srv.FailNextRaw(1, 1000, []byte("x"))
	srv.FailNext(1, 199, "x", "y")
	srv.FailNext(0, 500, "x", "y")
	srv.FailNext(-3, 500, "x", "y")
	srv.DelayNext(0, time.Hour)
	srv.DelayNext(1, -time.Second)
	srv.HangNext(-1)
	srv.ResetNext(0)
	srv.TruncateNext(0)
	assert.Zero(t, srv.PendingFaults())
	assert.Equal(t, http.StatusOK, get(t, srv, "task-1", "").Status)

	var faults []hsstest.FaultKind
	for _, r := range srv.Requests() {
		faults = append(faults, r.Fault)
	}
	assert.Equal(t, []hsstest.FaultKind{"fail", "fail", "", "fail", "fail", ""}, faults)
}

func TestFaultQueueOrder(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	srv.FailNext(1, 500, "A", "a")
	srv.FailNext(2, 503, "B", "b")
	srv.TruncateNext(1)
	srv.FailNext(1, 504, "C", "c")
	assert.Equal(t, 5, srv.PendingFaults())

	assert.Equal(t, 500, get(t, srv, "task-1", "").Status)
	assert.Equal(t, 4, srv.PendingFaults())
	assert.Equal(t, 503, get(t, srv, "task-1", "").Status)
	assert.Equal(t, 503, get(t, srv, "task-1", "").Status)
	resp, err := srv.HTTPClient().Do(newRequest(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", tokenHeader(srv), nil))
	require.NoError(t, err) // the truncated one: headers arrive
	resp.Body.Close()
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
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithSeed("task-1", 3), hsstest.WithClock(clk))
	ctx := context.Background()

	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	_, err := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries())).ListSyncTaskRegistries(ctx, "task-1", nil)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	assert.Equal(t, "APIGW.0613", apiErr.Code)
	assert.Equal(t, "IAM service unavailable", apiErr.Message)
	assert.Equal(t, srv.Requests()[0].RequestID, apiErr.RequestID)

	// The default policy retries a 503, backing off on the shared clock.
	srv.FailNext(2, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	resp, err := srv.Client(t).ListSyncTaskRegistries(ctx, "task-1", nil)
	require.NoError(t, err)
	assert.Equal(t, 3, resp.TotalNum)
	assert.Len(t, srv.Requests(), 4)
	assert.Len(t, clk.Sleeps(), 2, "one backoff per retry")

	srv.FailNextRaw(1, http.StatusBadGateway, []byte("<html><head><title>502 Bad Gateway</title></head></html>"))
	_, err = srv.Client(t, hss.WithRetryPolicy(hss.NoRetries())).ListSyncTaskRegistries(ctx, "task-1", nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
	assert.Equal(t, "502 Bad Gateway", apiErr.Message)

	// A 200 whose body is not the documented JSON.
	srv.FailNextRaw(1, http.StatusOK, []byte(`[1,2,3]`))
	_, err = srv.Client(t).ListSyncTaskRegistries(ctx, "task-1", nil)
	var decErr *hss.DecodeError
	require.ErrorAs(t, err, &decErr)
}

func TestDelayNext(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))

	// A short delay, then the API answers as usual (401 without a token).
	srv.DelayNext(2, time.Millisecond)
	decodePage(t, get(t, srv, "task-1", ""))
	requireError(t, do(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", nil), http.StatusUnauthorized, "APIGW.0301", "")
	reqs := srv.Requests()
	assert.Equal(t, []hsstest.FaultKind{hsstest.FaultDelay, hsstest.FaultDelay}, []hsstest.FaultKind{reqs[0].Fault, reqs[1].Fault})
	assert.Equal(t, []int{200, 401}, statuses(srv))
	assert.Zero(t, srv.PendingFaults())

	// A client that gives up gets its own error, and the request ends
	// without an answer.
	srv2 := hsstest.NewServer(hsstest.WithSeed("task-1", 3))
	defer srv2.Close()
	srv2.DelayNext(1, time.Hour)
	arrived := arrivals(srv2)
	ctx, cancel := context.WithCancel(context.Background())
	errc := listAsync(ctx, srv2.Client(t), "task-1") // retries on: still one request
	<-arrived
	cancel()
	err := <-errc
	require.ErrorIs(t, err, context.Canceled)
	closeWithin(t, srv2) // waits for the handler, so the log is complete
	reqs = srv2.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, hsstest.FaultDelay, reqs[0].Fault)
	assert.Zero(t, reqs[0].Status, "no answer was sent")
}

func TestSetLatency(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))

	// Latency comes before everything else: the queued fault still answers
	// after it, and the hook runs after it.
	srv.SetLatency(time.Millisecond)
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "busy")
	var hooked atomic.Int32
	srv.Handle(func(http.ResponseWriter, *http.Request) bool { hooked.Add(1); return false })
	assert.Equal(t, http.StatusServiceUnavailable, get(t, srv, "task-1", "").Status)
	decodePage(t, get(t, srv, "task-1", ""))
	assert.Equal(t, int32(2), hooked.Load())
	srv.SetLatency(0)
	decodePage(t, get(t, srv, "task-1", ""))

	// A request held by latency is let go, unanswered, by Close.
	srv2 := hsstest.NewServer(hsstest.WithSeed("task-1", 3))
	srv2.SetLatency(time.Hour)
	wrote := make(chan struct{})
	var once sync.Once
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { once.Do(func() { close(wrote) }) },
	})
	errc := listAsync(ctx, srv2.Client(t, hss.WithRetryPolicy(hss.NoRetries())), "task-1")
	<-wrote
	closeWithin(t, srv2)
	err := <-errc
	require.Error(t, err, "the connection closed without an answer")
	var apiErr *hss.APIError
	assert.False(t, errors.As(err, &apiErr), "no status was sent: %v", err)
	for _, r := range srv2.Requests() { // the request may or may not have reached the handler
		assert.Zero(t, r.Status)
	}
}

func TestHangNext(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithSeed("task-1", 3))
	defer srv.Close()
	srv.HangNext(1)
	arrived := arrivals(srv)

	ctx, cancel := context.WithCancel(context.Background())
	errc := listAsync(ctx, srv.Client(t), "task-1")
	<-arrived
	cancel()
	require.ErrorIs(t, <-errc, context.Canceled)
	closeWithin(t, srv)
	reqs := srv.Requests()
	require.Len(t, reqs, 1, "a cancelled call is not retried")
	assert.Equal(t, hsstest.FaultHang, reqs[0].Fault)
	assert.Zero(t, reqs[0].Status)
	assert.Zero(t, srv.PendingFaults())
}

func TestResetNext(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithSeed("task-1", 3), hsstest.WithClock(clk))
	req := func() *http.Request {
		return newRequest(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", tokenHeader(srv), nil)
	}
	// Leave a keep-alive connection in the pool first: the reset must still
	// reach the caller rather than be retried away by net/http.
	decodePage(t, get(t, srv, "task-1", ""))

	srv.ResetNext(1)
	_, err := srv.HTTPClient().Do(req())
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
	assert.ErrorIs(t, err, syscall.ECONNRESET)

	srv.ResetNext(2)
	resp, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err, "the SDK retries resets")
	assert.Equal(t, 3, resp.TotalNum)
	assert.Zero(t, srv.PendingFaults())
	assert.Len(t, clk.Sleeps(), 2)

	// Once no reset is queued, connections are kept alive again.
	decodePage(t, get(t, srv, "task-1", ""))
}

func TestTruncateNext(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithSeed("task-1", 30), hsstest.WithClock(clk))
	full := get(t, srv, "task-1", "limit=30")

	srv.TruncateNext(1)
	resp, err := srv.HTTPClient().Do(newRequest(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "limit=30", nil, nil))
	require.NoError(t, err)
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no token: the truncated answer is the 401")

	srv.TruncateNext(1)
	resp, err = srv.HTTPClient().Do(newRequest(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "limit=30", tokenHeader(srv), nil))
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
	page, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "task-1", &hss.ListSyncTaskRegistriesOptions{Limit: 30})
	require.NoError(t, err, "the SDK retries a cut body")
	assert.Len(t, page.DataList, 30)
}

func TestHandleHook(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	srv.FailNext(1, 500, "X", "queued")
	var sawID atomic.Bool
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.RawQuery, "teapot") {
			return false
		}
		sawID.Store(w.Header().Get("X-Request-Id") != "")
		w.WriteHeader(http.StatusTeapot)
		return true
	})
	assert.Equal(t, http.StatusTeapot, get(t, srv, "task-1", "teapot=1").Status)
	assert.True(t, sawID.Load(), "the hook sees the request id already set")
	assert.Equal(t, 1, srv.PendingFaults(), "a request the hook answered takes no queued fault")
	assert.Equal(t, 500, get(t, srv, "task-1", "").Status, "false lets the request go on")
	srv.Handle(nil)
	decodePage(t, get(t, srv, "task-1", "teapot=1"))

	reqs := srv.Requests()
	assert.Equal(t, hsstest.FaultHook, reqs[0].Fault)
	assert.Equal(t, http.StatusTeapot, reqs[0].Status)
	assert.Equal(t, hsstest.FaultFail, reqs[1].Fault)
	assert.Equal(t, hsstest.FaultNone, reqs[2].Fault)

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
