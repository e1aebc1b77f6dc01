package hss_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// coreResetConn closes conn with a TCP RST rather than a FIN.
func coreResetConn(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func TestConnectionResetMidBodyThenSuccess(t *testing.T) {
	srv, clk := coreServer(t, hsstest.WithSeed(coreTask, 3))
	var n atomic.Int64
	srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
		if n.Add(1) != 1 {
			return false
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return true
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{\"total_num\":3,\"data_list\":[")
		coreResetConn(conn)
		return true
	})
	c, tr, logs := coreClient(t, srv)
	resp, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
	require.NoError(t, err)
	assert.Len(t, resp.DataList, 3)
	assert.Equal(t, 2, tr.Calls())
	assert.Len(t, clk.Sleeps(), 1)
	assert.Contains(t, logs.String(), "reading the answer")
}

func TestTruncatedBody(t *testing.T) {
	t.Run("then success", func(t *testing.T) {
		srv, clk := coreServer(t, hsstest.WithSeed(coreTask, 200))
		srv.TruncateNext(1)
		c, tr, _ := coreClient(t, srv)
		resp, err := c.ListSyncTaskRegistries(context.Background(), coreTask, &hss.ListSyncTaskRegistriesOptions{Limit: 200})
		require.NoError(t, err)
		assert.Len(t, resp.DataList, 200)
		assert.Equal(t, 2, tr.Calls())
		assert.Len(t, clk.Sleeps(), 1)
	})
	t.Run("always", func(t *testing.T) {
		srv, _ := coreServer(t, hsstest.WithSeed(coreTask, 200))
		srv.TruncateNext(10)
		c, tr, _ := coreClient(t, srv)
		_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, &hss.ListSyncTaskRegistriesOptions{Limit: 200})
		require.Error(t, err)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		coreNoSecret(t, err, srv.Token())
		var at *hss.AttemptsError
		require.ErrorAs(t, err, &at)
		assert.Equal(t, hss.DefaultMaxAttempts, at.Attempts)
		assert.Equal(t, hss.DefaultMaxAttempts, tr.Calls())
		var re *hss.RequestError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, srv.Requests()[3].RequestID, re.RequestID, "the headers had arrived, with the request id")
		assert.Equal(t, 1, coreOpCount(err.Error()))
	})
}

// TestHugeBodyIsAnErrorNotOOM: a body past WithMaxBodyBytes is
// ErrBodyTooLarge, whether declared or streamed, and is not retried.
func TestHugeBodyIsAnErrorNotOOM(t *testing.T) {
	const limit = 64 << 10
	for _, declared := range []bool{true, false} {
		t.Run(fmt.Sprintf("content-length=%v", declared), func(t *testing.T) {
			srv, _ := coreServer(t)
			srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
				const size = 16 * limit
				if declared {
					w.Header().Set("Content-Length", strconv.Itoa(size))
				}
				_, _ = io.WriteString(w, `{"total_num":1,"data_list":[{"registry_name":"`)
				chunk := bytes.Repeat([]byte("x"), limit)
				for range 15 {
					if _, err := w.Write(chunk); err != nil {
						return true // the client hung up, as it should
					}
				}
				return true
			})
			c, tr, _ := coreClient(t, srv, hss.WithMaxBodyBytes(limit))
			_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
			require.ErrorIs(t, err, hss.ErrBodyTooLarge)
			coreNoSecret(t, err, srv.Token())
			assert.Equal(t, 1, tr.Calls(), "an over-long body is not retried")
			assert.Equal(t, 1, coreOpCount(err.Error()))
			var at *hss.AttemptsError
			assert.False(t, errors.As(err, &at))
		})
	}
}

// TestMaxBodyBytesBound: a body of exactly WithMaxBodyBytes is read; one
// byte more is ErrBodyTooLarge.
func TestMaxBodyBytesBound(t *testing.T) {
	const limit = 1024
	page := `{"total_num":0,"data_list":[]}`
	for _, tc := range []struct {
		size int
		ok   bool
	}{{limit, true}, {limit + 1, false}} {
		t.Run(strconv.Itoa(tc.size), func(t *testing.T) {
			srv, _ := coreServer(t)
			body := page + strings.Repeat(" ", tc.size-len(page))
			srv.FailNextRaw(1, http.StatusOK, []byte(body))
			c, _, _ := coreClient(t, srv, hss.WithMaxBodyBytes(limit))
			_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, hss.ErrBodyTooLarge)
		})
	}
}

// TestSwitchingProtocolsEndsTheCall: a 101 with Upgrade headers hands the
// raw connection over as the body; the call must end at once with an
// error, with no deadline and no attempt timeout to save it, and close
// the connection.
func TestSwitchingProtocolsEndsTheCall(t *testing.T) {
	srv, _ := coreServer(t)
	testDone := make(chan struct{})
	t.Cleanup(func() { close(testDone) }) // runs before srv.Close
	closedByClient := make(chan struct{})
	var closeOnce sync.Once
	srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return true
		}
		defer conn.Close()
		_, _ = io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		eof := make(chan struct{})
		go func() { _, _ = io.Copy(io.Discard, conn); close(eof) }()
		select { // keep the connection open until the client lets go
		case <-eof:
			closeOnce.Do(func() { close(closedByClient) })
		case <-testDone:
		}
		return true
	})
	c, tr, _ := coreClient(t, srv, hss.WithAttemptTimeout(0))
	done := make(chan error, 1)
	go func() {
		_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute): // a fail-safe only: the call returns at once when correct
		t.Fatal("the call hangs on a 101 answer")
	}
	var ae *hss.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusSwitchingProtocols, ae.StatusCode)
	assert.Contains(t, err.Error(), "101")
	assert.Equal(t, 1, tr.Calls(), "not retried")
	select {
	case <-closedByClient:
	case <-time.After(time.Minute): // a fail-safe only
		t.Fatal("the client kept the upgraded connection open")
	}
}

// TestRedirectToAnotherHostRefused: the client never follows a redirect to
// another host, and its error and logs name hosts only, never the
// Location's path or query.
func TestRedirectToAnotherHostRefused(t *testing.T) {
	const leak = "TOKENLIKE-9f8e7d6c5b4a"
	other, _ := coreServer(t)
	srv, clk := coreServer(t)
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, other.URL()+"/v5/"+leak+"/x?token="+leak+"&X-Auth-Token="+leak, http.StatusFound)
		return true
	})
	c, tr, logs := coreClient(t, srv)
	_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
	require.Error(t, err)
	var re *hss.RedirectError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, srv.URL(), re.From)
	assert.Equal(t, other.URL(), re.To)
	assert.False(t, re.Loop)
	assert.Contains(t, err.Error(), "refused redirect from "+srv.URL()+" to "+other.URL())
	for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), logs.String()} {
		assert.NotContains(t, out, leak)
	}
	coreNoSecret(t, err, srv.Token())
	assert.Empty(t, other.Requests(), "nothing reached the other host")
	assert.Equal(t, 1, tr.Calls(), "a refused redirect is not retried")
	assert.Empty(t, clk.Sleeps())
}

// TestRedirectHTTPSToHTTPRefused: a redirect that drops TLS is refused,
// even to the same host and port.
func TestRedirectHTTPSToHTTPRefused(t *testing.T) {
	clk := hsstest.NewClock(coreEpoch)
	srv := hsstest.NewTLSServer(hsstest.WithClock(clk))
	t.Cleanup(srv.Close)
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, "http://"+strings.TrimPrefix(srv.URL(), "https://")+r.URL.RequestURI(), http.StatusMovedPermanently)
		return true
	})
	c, tr, _ := coreClient(t, srv)
	_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
	var re *hss.RedirectError
	require.ErrorAs(t, err, &re)
	assert.True(t, strings.HasPrefix(re.To, "http://"), re.To)
	assert.Equal(t, 1, tr.Calls())
}

// TestRedirectLoopIsFinal: a redirect loop ends after 10 redirects with a
// *RedirectError, and is not retried (10 requests, not 40).
func TestRedirectLoopIsFinal(t *testing.T) {
	srv, clk := coreServer(t)
	var hits atomic.Int64
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		hits.Add(1)
		http.Redirect(w, r, r.URL.RequestURI(), http.StatusFound)
		return true
	})
	c, tr, _ := coreClient(t, srv)
	_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
	var re *hss.RedirectError
	require.ErrorAs(t, err, &re)
	assert.True(t, re.Loop)
	assert.Contains(t, err.Error(), "more than 10 redirects")
	var at *hss.AttemptsError
	assert.False(t, errors.As(err, &at), "a loop is final")
	assert.Equal(t, int64(10), hits.Load())
	assert.Equal(t, 10, tr.Calls(), "one attempt of 10 hops: the transport sees each hop")
	assert.Empty(t, clk.Sleeps())
	assert.Equal(t, 1, coreOpCount(err.Error()))
}

func TestRedirectSameHostFollowed(t *testing.T) {
	srv, _ := coreServer(t, hsstest.WithSeed(coreTask, 2))
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if p, ok := strings.CutPrefix(r.URL.Path, "/old"); ok {
			http.Redirect(w, r, p+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
			return true
		}
		return false
	})
	tr := &coreTransport{next: srv.HTTPClient().Transport}
	c, err := hss.NewClient(srv.URL()+"/old", srv.ProjectID(), hss.WithToken(srv.Token()), hss.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	resp, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
	require.NoError(t, err)
	assert.Len(t, resp.DataList, 2)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, hsstest.AuthToken, reqs[1].Auth, "the token went along to the same host")
}

// TestCallerRedirectPolicyRefusalIsFinal: a redirect the caller's own
// CheckRedirect refuses is a refused redirect: it is not retried.
func TestCallerRedirectPolicyRefusalIsFinal(t *testing.T) {
	srv, clk := coreServer(t)
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
		return true
	})
	errNoRedirects := errors.New("this program follows no redirects")
	tr := &coreTransport{next: srv.HTTPClient().Transport}
	hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return errNoRedirects }}
	c := srv.Client(t, hss.WithHTTPClient(hc))
	_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
	require.ErrorIs(t, err, errNoRedirects)
	assert.Equal(t, 1, tr.Calls(), "a refused redirect is not retried")
	assert.Empty(t, clk.Sleeps())
}

// TestTLSCertificateErrorNotRetried: a server whose certificate the
// client does not trust fails at once; retrying cannot help.
func TestTLSCertificateErrorNotRetried(t *testing.T) {
	srv := hsstest.NewTLSServer()
	t.Cleanup(srv.Close)
	clk := hsstest.NewClock(coreEpoch)
	tr := &coreTransport{next: &http.Transport{}} // trusts the system roots only, and no proxy
	c, err := hss.NewClient(srv.URL(), srv.ProjectID(), hss.WithToken(srv.Token()), hss.WithClock(clk),
		hss.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
	require.Error(t, err)
	coreNoSecret(t, err, srv.Token())
	assert.Contains(t, err.Error(), "certificate")
	assert.Equal(t, 1, tr.Calls())
	assert.Empty(t, clk.Sleeps(), "a bad certificate is not retried")
	var at *hss.AttemptsError
	assert.False(t, errors.As(err, &at))
	var re *hss.RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, coreOpCount(err.Error()))
}

func TestConnectionRefusedRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	clk := hsstest.NewClock(coreEpoch)
	tr := &coreTransport{next: &http.Transport{}}
	c, err := hss.NewClient("http://"+addr, coreProject, hss.WithToken(coreToken), hss.WithClock(clk), hss.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
	require.Error(t, err)
	coreNoSecret(t, err, coreToken)
	assert.Len(t, clk.Sleeps(), hss.DefaultMaxAttempts-1)
	assert.Equal(t, hss.DefaultMaxAttempts, tr.Calls())
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, hss.DefaultMaxAttempts, at.Attempts)
	var op *net.OpError
	assert.ErrorAs(t, err, &op)
}

// TestBodyStallsPastTheAttemptTimeout: a body that stops mid-way ends the
// attempt when its time runs out, with an error that says so once.
func TestBodyStallsPastTheAttemptTimeout(t *testing.T) {
	srv, _ := coreServer(t)
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Length", "100")
		_, _ = w.Write([]byte(`{"total_num":`))
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
		return true
	})
	c, _, _ := coreClient(t, srv, hss.WithAttemptTimeout(50*time.Millisecond), hss.WithRetryPolicy(hss.NoRetries()))
	_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
	require.ErrorIs(t, err, hss.ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end")
	assert.Contains(t, err.Error(), "registries: reading the answer: attempt timed out after 50ms (request id ")
	assert.NotContains(t, err.Error(), "deadline exceeded", "said once, in its own words")
}

// TestServerNeverAnswers: a server that holds every request makes each
// attempt run out of its own time (1ns here: past before anything is
// sent, so no real time is waited on). The test asserts only what the
// client observed, never the server's count of requests, which races the
// client giving up.
func TestServerNeverAnswers(t *testing.T) {
	srv, clk := coreServer(t)
	srv.HangNext(100)
	c, tr, _ := coreClient(t, srv, hss.WithAttemptTimeout(time.Nanosecond))
	_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, nil)
	require.Error(t, err)
	coreNoSecret(t, err, srv.Token())
	assert.ErrorIs(t, err, hss.ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end")
	assert.Contains(t, err.Error(), "attempt timed out after 1ns")
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, hss.DefaultMaxAttempts, at.Attempts)
	assert.Equal(t, hss.DefaultMaxAttempts, tr.Calls())
	assert.Len(t, clk.Sleeps(), hss.DefaultMaxAttempts-1)
	assert.Equal(t, 1, coreOpCount(err.Error()))
}

// TestIntegrationConnectionFaults: a listing survives a reset connection,
// a truncated body and an attempt that timed out, each on its own
// attempt, and lists every registry once. The timeout is reported by the
// transport at once, so no real time is waited on; the counts are the
// client's own.
func TestIntegrationConnectionFaults(t *testing.T) {
	srv, _ := coreServer(t, hsstest.WithSeed(coreTask, 450))
	srv.ResetNext(1)
	srv.TruncateNext(1)
	tr := &coreTransport{next: srv.HTTPClient().Transport, inject: func(n int64, _ *http.Request) (*http.Response, bool, error) {
		if n == 4 { // the first attempt of the second page
			return nil, true, &net.OpError{Op: "read", Net: "tcp", Err: coreTimeoutError{}}
		}
		return nil, false, nil
	}}
	logger, logs := coreLogger()
	c := srv.Client(t, hss.WithHTTPClient(&http.Client{Transport: tr, Timeout: time.Hour}), hss.WithLogger(logger))
	got, _, err := coreCollect(c.ListSyncTaskRegistriesIter(context.Background(), coreTask, nil))
	require.NoError(t, err)
	assert.Equal(t, coreInfos(srv.Registries(coreTask)), got)
	assert.Equal(t, 6, tr.Calls(), "3 pages and 3 failed attempts")
	out := logs.String()
	assert.Contains(t, out, "connection reset by peer")
	assert.Contains(t, out, "unexpected EOF")
	assert.Contains(t, out, "attempt timed out after 1h0m0s")
	faults := map[hsstest.FaultKind]int{}
	for _, r := range srv.Requests() {
		faults[r.Fault]++ // reset and truncate log before they cut the connection
	}
	assert.Equal(t, map[hsstest.FaultKind]int{hsstest.FaultReset: 1, hsstest.FaultTruncate: 1, hsstest.FaultNone: 3}, faults)
	assert.Zero(t, srv.PendingFaults())
}

// TestIntegrationListingThroughThrottleAndFailures: 4 calls per 5 s on the
// server's clock, which is the client's, and every third request failing
// before it reaches the API: the listing still holds every registry once.
func TestIntegrationListingThroughThrottleAndFailures(t *testing.T) {
	srv, clk := coreServer(t, hsstest.WithSeed(coreTask, 2000), hsstest.WithThrottle(4, 5*time.Second))
	var n atomic.Int64
	srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
		if n.Add(1)%3 == 0 {
			w.WriteHeader(http.StatusBadGateway)
			return true
		}
		return false
	})
	start := clk.Now()
	c, _, _ := coreClient(t, srv, hss.WithRetryPolicy(hss.RetryPolicy{RetryBudget: -1}))
	seen := map[string]int{}
	for reg, err := range c.ListSyncTaskRegistriesIter(context.Background(), coreTask, nil) {
		require.NoError(t, err)
		seen[reg.RegistryID]++
	}
	require.Len(t, seen, 2000)
	for id, c := range seen {
		require.Equal(t, 1, c, id)
	}
	statuses := map[int]int{}
	for _, r := range srv.Requests() {
		statuses[r.Status]++
	}
	assert.Equal(t, 10, statuses[http.StatusOK], "ceil(2000/200) pages answered")
	assert.Positive(t, statuses[http.StatusBadGateway])
	assert.GreaterOrEqual(t, clk.Now().Sub(start), 10*time.Second, "10 pages at 4 per 5 s take two windows at least")
}

// TestIntegrationAKSKRetriedRequestsAreSignedAgain: a retry 20 minutes
// later is signed anew; a reused signature date would be outside the
// gateway's 15-minute window.
func TestIntegrationAKSKRetriedRequestsAreSignedAgain(t *testing.T) {
	const ak, sk, st = "AKINTEGRATION", "integration-secret-key", "integration-security-token"
	srv, _ := coreServer(t, hsstest.WithSeed(coreTask, 30), hsstest.WithTemporaryAKSK(ak, sk, st), hsstest.WithoutTokenAuth())
	srv.FailNext(1, http.StatusServiceUnavailable, "", "", http.Header{"Retry-After": {"1200"}})
	c, _, logs := coreClient(t, srv, hss.WithTemporaryAKSK(ak, sk, st), hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 2, MaxDelay: time.Hour}))
	resp, err := c.ListSyncTaskRegistries(context.Background(), coreTask, &hss.ListSyncTaskRegistriesOptions{Limit: 50})
	require.NoError(t, err)
	assert.Len(t, resp.DataList, 30)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, hsstest.AuthAKSK, r.Auth)
		assert.Equal(t, ak, r.AK)
	}
	assert.Empty(t, reqs[1].AuthError)
	assert.NotContains(t, logs.String(), sk)
	assert.NotContains(t, logs.String(), st)
}

// TestConcurrentUseOfOneClient: 50 goroutines list through one client
// while every 7th request fails and a rate limit is shared; run with
// -race.
func TestConcurrentUseOfOneClient(t *testing.T) {
	srv, _ := coreServer(t, hsstest.WithSeed(coreTask, 450))
	want := coreInfos(srv.Registries(coreTask))
	var n atomic.Int64
	srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
		if n.Add(1)%7 == 0 {
			coreWriteError(w, http.StatusServiceUnavailable, "APIGW.0613", "busy")
			return true
		}
		return false
	})
	// Every 7th request fails, whoever sent it; 20 attempts make running
	// out (a goroutine meeting 20 multiples of 7 in a row) impossible.
	c, _, _ := coreClient(t, srv, hss.WithRateLimit(1e6, 100), hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 20, RetryBudget: -1}))
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, _, err := coreCollect(c.ListSyncTaskRegistriesIter(context.Background(), coreTask, nil))
			if err != nil {
				errs <- err
				return
			}
			if len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
				errs <- fmt.Errorf("goroutine saw %d registries", len(got))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestFaultsLeakNoAKSKSecrets runs fault scenarios with temporary AK/SK
// credentials and debug logging: no error or log line may carry the SK,
// the security token or any signature the client sent, even when the
// server echoes them.
func TestFaultsLeakNoAKSKSecrets(t *testing.T) {
	const ak, sk, secToken = "AKFAULTTEST", "fault-secret-key-value", "fault-security-token-value"
	scenarios := map[string]func(srv *hsstest.Server) func(w http.ResponseWriter, r *http.Request) bool{
		"503 always": func(srv *hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			srv.FailNext(10, http.StatusServiceUnavailable, "APIGW.0613", "unavailable")
			return nil
		},
		"401 echoing the request": func(*hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool {
				coreWriteError(w, http.StatusUnauthorized, "APIGW.0301", "verify aksk signature fail: "+r.Header.Get("Authorization")+" "+r.Header.Get("X-Security-Token"))
				return true
			}
		},
		"request id echoing the signature": func(*hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("X-Request-Id", r.Header.Get("Authorization"))
				coreWriteError(w, http.StatusInternalServerError, "APIGW.0601", "Internal server error.")
				return true
			}
		},
		"429 too long": func(srv *hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			srv.FailNext(10, http.StatusTooManyRequests, "APIGW.0308", "throttled", http.Header{"Retry-After": {"7200"}})
			return nil
		},
		"truncated": func(srv *hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			srv.TruncateNext(10)
			return nil
		},
		"reset": func(srv *hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			srv.ResetNext(10)
			return nil
		},
		"not json": func(srv *hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			srv.FailNextRaw(10, http.StatusOK, []byte("<html>oops</html>"))
			return nil
		},
	}
	for name, setup := range scenarios {
		t.Run(name, func(t *testing.T) {
			srv, _ := coreServer(t, hsstest.WithTemporaryAKSK(ak, sk, secToken), hsstest.WithSeed(coreTask, 200))
			var mu sync.Mutex
			var signatures []string
			fault := setup(srv)
			srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				if a := r.Header.Get("Authorization"); a != "" {
					mu.Lock()
					signatures = append(signatures, a[strings.LastIndex(a, "Signature=")+len("Signature="):])
					mu.Unlock()
				}
				return fault != nil && fault(w, r)
			})
			logs := &coreLog{}
			logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c := srv.Client(t, hss.WithTemporaryAKSK(ak, sk, secToken), hss.WithLogger(logger))
			_, err := c.ListSyncTaskRegistries(context.Background(), coreTask, &hss.ListSyncTaskRegistriesOptions{RegistryName: "my reg", Limit: 200})
			require.Error(t, err)
			var ae *hss.APIError
			body := ""
			if errors.As(err, &ae) {
				body = string(ae.Body) + ae.Message + ae.RequestID
			}
			mu.Lock()
			secrets := append([]string{sk, secToken}, signatures...)
			mu.Unlock()
			require.NotEmpty(t, secrets[2:], "requests were signed")
			for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), body, logs.String()} {
				for _, s := range secrets {
					assert.NotContains(t, out, s)
				}
			}
		})
	}
}
