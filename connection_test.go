// Broken connections: a reset or truncated body, a refused connection, an untrusted certificate and a 101 answer, and which of them are retried.
package hss_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// resetConn closes conn with a TCP RST rather than a FIN.
func resetConn(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func TestConnectionResetMidBodyThenSuccess(t *testing.T) {
	srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 3))
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
		resetConn(conn)
		return true
	})
	c, tr, logs := newTestClient(t, srv)
	resp, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Len(t, resp.DataList, 3)
	assert.Equal(t, 2, tr.Calls())
	assert.Len(t, clk.Sleeps(), 1)
	assert.Contains(t, logs.String(), "reading the answer")
}

func TestTruncatedBody(t *testing.T) {
	t.Run("then success", func(t *testing.T) {
		srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 200))
		srv.TruncateNext(1)
		c, tr, _ := newTestClient(t, srv)
		resp, err := c.ListSyncTaskRegistries(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{Limit: 200})
		require.NoError(t, err)
		assert.Len(t, resp.DataList, 200)
		assert.Equal(t, 2, tr.Calls())
		assert.Len(t, clk.Sleeps(), 1)
	})
	t.Run("always", func(t *testing.T) {
		srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 200))
		srv.TruncateNext(10)
		c, tr, _ := newTestClient(t, srv)
		_, err := c.ListSyncTaskRegistries(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{Limit: 200})
		require.Error(t, err)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assertNoSecret(t, err, srv.Token())
		var at *hss.AttemptsError
		require.ErrorAs(t, err, &at)
		assert.Equal(t, hss.DefaultMaxAttempts, at.Attempts)
		assert.Equal(t, hss.DefaultMaxAttempts, tr.Calls())
		var re *hss.RequestError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, srv.Requests()[3].RequestID, re.RequestID, "the headers had arrived, with the request id")
		assert.Equal(t, 1, countOps(err.Error()))
	})
}

// TestSwitchingProtocolsEndsTheCall: a 101 with Upgrade headers hands the
// raw connection over as the body; the call must end at once with an
// error, with no deadline and no attempt timeout to save it, and close
// the connection.
func TestSwitchingProtocolsEndsTheCall(t *testing.T) {
	srv, _ := newTestServer(t)
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
	c, tr, _ := newTestClient(t, srv, hss.WithAttemptTimeout(0))
	done := make(chan error, 1)
	go func() {
		_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
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

// TestTLSCertificateErrorNotRetried: a server whose certificate the
// client does not trust fails at once; retrying cannot help.
func TestTLSCertificateErrorNotRetried(t *testing.T) {
	srv := hsstest.NewTLSServer()
	t.Cleanup(srv.Close)
	clk := hsstest.NewClock(testEpoch)
	tr := &countingTransport{next: &http.Transport{}} // trusts the system roots only, and no proxy
	c, err := hss.NewClient(srv.URL(), srv.ProjectID(), hss.WithToken(srv.Token()), hss.WithClock(clk),
		hss.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.Error(t, err)
	assertNoSecret(t, err, srv.Token())
	assert.Contains(t, err.Error(), "certificate")
	assert.Equal(t, 1, tr.Calls())
	assert.Empty(t, clk.Sleeps(), "a bad certificate is not retried")
	var at *hss.AttemptsError
	assert.False(t, errors.As(err, &at))
	var re *hss.RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, countOps(err.Error()))
}

func TestConnectionRefusedRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	clk := hsstest.NewClock(testEpoch)
	tr := &countingTransport{next: &http.Transport{}}
	c, err := hss.NewClient("http://"+addr, testProject, hss.WithToken(testToken), hss.WithClock(clk), hss.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.Error(t, err)
	assertNoSecret(t, err, testToken)
	assert.Len(t, clk.Sleeps(), hss.DefaultMaxAttempts-1)
	assert.Equal(t, hss.DefaultMaxAttempts, tr.Calls())
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, hss.DefaultMaxAttempts, at.Attempts)
	var op *net.OpError
	assert.ErrorAs(t, err, &op)
}

// TestIntegrationConnectionFaults: a listing survives a reset connection,
// a truncated body and an attempt that timed out, each on its own
// attempt, and lists every registry once. The timeout is reported by the
// transport at once, so no real time is waited on; the counts are the
// client's own.
func TestIntegrationConnectionFaults(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 450))
	srv.ResetNext(1)
	srv.TruncateNext(1)
	tr := &countingTransport{next: srv.HTTPClient().Transport, inject: func(n int64, _ *http.Request) (*http.Response, bool, error) {
		if n == 4 { // the first attempt of the second page
			return nil, true, &net.OpError{Op: "read", Net: "tcp", Err: timeoutError{}}
		}
		return nil, false, nil
	}}
	logger, logs := newDebugLogger()
	c := srv.Client(t, hss.WithHTTPClient(&http.Client{Transport: tr, Timeout: time.Hour}), hss.WithLogger(logger))
	got, _, err := collectRegistries(c.ListSyncTaskRegistriesIter(context.Background(), testTask, nil))
	require.NoError(t, err)
	assert.Equal(t, infosOf(srv.Registries(testTask)), got)
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
