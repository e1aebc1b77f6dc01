// The call the span and metric tests look at: a listing whose first
// attempt gets a 503 (retried after a backoff), whose second is throttled
// (waited out for the quota) and whose third gets a final 400.
package otelhss_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// troubledListing is what troubledCall leaves to assert on.
type troubledListing struct {
	srv    *hsstest.Server
	clk    *hsstest.Clock
	err    error
	waits  []time.Duration // the backoff, then the quota wait, as the client slept them
	reqIDs []string        // the X-Request-Id of each attempt's answer
}

// troubledCall makes the listing of troubledListing, reporting to tm.
func troubledCall(t *testing.T, tm *telemetry) troubledListing {
	t.Helper()
	srv, clk, client := fakeHSS(t, tm)
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "backend unavailable", http.Header{"Retry-After": {"2"}})
	srv.FailNext(1, http.StatusTooManyRequests, "APIGW.0308",
		"The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 minute",
		http.Header{"Retry-After": {"7"}})
	srv.FailNext(1, http.StatusBadRequest, "HSS.0001", "Invalid parameter.")

	_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.Error(t, err)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusBadRequest, apiErr.StatusCode, "the call ends on the 400")

	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	l := troubledListing{srv: srv, clk: clk, err: err, waits: clk.Sleeps()}
	for _, r := range reqs {
		require.NotEmpty(t, r.RequestID)
		l.reqIDs = append(l.reqIDs, r.RequestID)
	}
	require.Len(t, l.waits, 2, "a backoff after the 503, a quota wait after the 429")
	require.Equal(t, 2*time.Second, l.waits[0], "the 503's Retry-After")
	require.GreaterOrEqual(t, l.waits[1], 7*time.Second, "the 429's Retry-After at least")
	return l
}
