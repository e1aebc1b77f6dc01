package hss_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// TestAdversarialThrottledIAMIsWaitedFor: IAM (or the gateway in front of
// it) throttles the token request with 429 and Retry-After: 30. The Client
// waits the Retry-After, not its backoff, so no retry lands inside the
// throttled window: once it has passed, one more login succeeds.
func TestAdversarialThrottledIAMIsWaitedFor(t *testing.T) {
	// The clock starts at the wall clock's time: the client compares the
	// hang guard's deadline with it.
	clk := hsstest.NewClock(time.Now())
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 3))
	defer srv.Close()

	// IAM, on a second fake server: the hook answers before hsstest's
	// HSS authentication, which an IAM login does not carry.
	iam := hsstest.NewServer(hsstest.WithClock(clk))
	defer iam.Close()
	throttledUntil := clk.Now().Add(30 * time.Second)
	var logins atomic.Int32
	iam.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != "/v3/auth/tokens" {
			return false
		}
		logins.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if clk.Now().Before(throttledUntil) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached: policy ip over ratelimit,limit:5,time:1 minute"}`))
			return true
		}
		w.Header().Set("X-Subject-Token", srv.Token())
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token":{"expires_at":%q}}`, clk.Now().Add(24*time.Hour).Format(time.RFC3339))
		return true
	})
	ts, err := credentials.NewPasswordTokenSource(credentials.PasswordConfig{
		DomainName: "my-domain", UserName: "reader", Password: "adv-Passw0rd-SECRET", ProjectID: srv.ProjectID(),
		IAMEndpoint: iam.URL(), HTTPClient: iam.HTTPClient(), Now: clk.Now,
	})
	require.NoError(t, err)
	client := srv.Client(t, hss.WithCredentials(ts))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard only
	defer cancel()
	resp, err := client.ListSyncTaskRegistries(ctx, "task", nil)
	require.NoError(t, err, "IAM asked for 30 s; the default throttle budget is 5 minutes")
	assert.Len(t, resp.DataList, 3)
	assert.Equal(t, int32(2), logins.Load(), "one throttled login, one after Retry-After")
	assert.Contains(t, clk.Sleeps(), 30*time.Second, "IAM's Retry-After was waited for")
}
