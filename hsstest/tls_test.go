package hsstest_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"strings"
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

	// A client that does not trust the test certificate is refused.
	plain, err := hss.NewClient(srv.URL(), srv.ProjectID(), hss.WithToken(srv.Token()))
	require.NoError(t, err)
	_, err = plain.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	var verifyErr *tls.CertificateVerificationError
	require.ErrorAs(t, err, &verifyErr)
	var unknownCA x509.UnknownAuthorityError
	assert.ErrorAs(t, err, &unknownCA)
	assert.Len(t, srv.Requests(), 1, "the refused handshake never became a request")

	// Connection faults work over TLS as well.
	srv.TruncateNext(1)
	_, err = srv.Client(t, hss.WithRetryPolicy(hss.NoRetries())).ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	srv.ResetNext(1)
	_, err = srv.Client(t, hss.WithRetryPolicy(hss.NoRetries())).ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.ErrorIs(t, err, syscall.ECONNRESET)
	srv.FailNext(1, http.StatusTooManyRequests, "APIGW.0308", "The throttling threshold has been reached.")
	_, err = srv.Client(t, hss.WithRetryPolicy(hss.NoRetries())).ListSyncTaskRegistries(context.Background(), "task-1", nil)
	assert.True(t, hss.IsThrottled(err), "%v", err)
}

func TestClientOptionsOverrideDefaults(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 1))
	client := srv.Client(t, hss.WithToken("other"), hss.WithRetryPolicy(hss.NoRetries()))
	_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	assert.True(t, hss.IsAuthError(err), "a later WithToken replaces the server's token: %v", err)

	_, err = srv.NewClient(hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 1000}))
	require.Error(t, err, "NewClient reports bad options instead of failing a test")
}
