// Starting and stopping a Server: NewTLSServer, Start, the Clients it builds, and Close.
package hsstest_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTLSServer(t *testing.T) {
	srv := hsstest.NewTLSServer(hsstest.WithSeed("task-1", 25))
	t.Cleanup(srv.Close)
	require.True(t, strings.HasPrefix(srv.URL(), "https://127.0.0.1:"), srv.URL())

	client := srv.Client(t)
	n := 0
	for _, err := range client.ListSyncTaskRegistriesIter(context.Background(), "task-1", nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 25, n)
	assert.Equal(t, srv.URL(), client.Endpoint())

	// HTTPClient trusts the generated certificate; a default client does not.
	decodePage(t, get(t, srv, "task-1", ""))
	resp, err := (&http.Client{}).Get(srv.URL() + regPath(srv.ProjectID(), "task-1"))
	if err == nil {
		resp.Body.Close()
	}
	var unknownCA x509.UnknownAuthorityError
	require.ErrorAs(t, err, &unknownCA, "a default http.Client refuses the self-signed certificate")

	plain, err := hss.NewClient(srv.URL(), srv.ProjectID(), hss.WithToken(srv.Token()))
	require.NoError(t, err)
	_, err = plain.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	var verifyErr *tls.CertificateVerificationError
	require.ErrorAs(t, err, &verifyErr)
	assert.ErrorAs(t, err, &unknownCA)
	assert.Len(t, srv.Requests(), 2, "the refused handshakes never became requests")

	// Connection faults work over TLS as well.
	once := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()))
	srv.TruncateNext(1)
	_, err = once.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	srv.ResetNext(1)
	_, err = once.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.ErrorIs(t, err, syscall.ECONNRESET)
	srv.FailNext(1, http.StatusTooManyRequests, "APIGW.0308", "The throttling threshold has been reached.")
	_, err = once.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	assert.True(t, hss.IsThrottled(err), "%v", err)
}

func TestStart(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		srv, err := hsstest.Start(useTLS, hsstest.WithSeed("task-1", 2), nil)
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		scheme := "http://"
		if useTLS {
			scheme = "https://"
		}
		assert.True(t, strings.HasPrefix(srv.URL(), scheme+"127.0.0.1:"), srv.URL())
		resp, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "task-1", nil)
		require.NoError(t, err)
		assert.Equal(t, 2, resp.TotalNum)
	}
}

func TestClientOptionsOverrideDefaults(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 1))
	client := srv.Client(t, hss.WithToken("other"), hss.WithRetryPolicy(hss.NoRetries()))
	_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	assert.True(t, hss.IsAuthError(err), "a later WithToken replaces the server's token: %v", err)

	_, err = srv.NewClient(hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 1000}))
	var ve *hss.ValidationError
	require.ErrorAs(t, err, &ve, "NewClient reports bad options instead of failing a test")

	// Client fails its TB instead.
	tb := &recordingTB{}
	assert.Nil(t, srv.Client(tb, hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 1000})))
	assert.True(t, tb.helper)
	assert.Contains(t, tb.fatal, "hsstest: building hss client")
}

// recordingTB is an hsstest.TB that records instead of failing.
type recordingTB struct {
	helper bool
	fatal  string
}

func (r *recordingTB) Helper() { r.helper = true }

func (r *recordingTB) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }

var _ hsstest.TB = (*testing.T)(nil)

func TestCloseReleasesHangingRequests(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithSeed("task-1", 3))
	srv.HangNext(1)
	arrived := arrivals(srv)
	errc := listAsync(context.Background(), srv.Client(t, hss.WithRetryPolicy(hss.NoRetries())), "task-1")
	<-arrived

	closeWithin(t, srv)
	err := <-errc
	require.Error(t, err, "the client sees the connection close, not an answer")
	var apiErr *hss.APIError
	assert.False(t, errors.As(err, &apiErr), "%v", err)
	reqs := srv.Requests()
	require.Len(t, reqs, 1, "Close logs the released request")
	assert.Equal(t, hsstest.FaultHang, reqs[0].Fault)
	assert.Zero(t, reqs[0].Status)
	srv.Close() // twice is fine
}

// Close waits for the handlers in progress, an extra route's included.
func TestCloseWaitsForHandlers(t *testing.T) {
	srv := hsstest.NewServer()
	started, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	srv.HandleFunc(http.MethodGet, "/slow", func(http.ResponseWriter, *http.Request) {
		close(started)
		<-release
		finished.Store(true)
	})
	req := newRequest(t, srv, http.MethodGet, "/slow", "", tokenHeader(srv), nil)
	go func() {
		resp, err := srv.HTTPClient().Do(req)
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	close(release)
	<-closed
	assert.True(t, finished.Load(), "Close returned before the handler did")
	require.Len(t, srv.Requests(), 1)
}
