// Authentication: keys refused before anything is sent, requests signed on the Client's clock and signed again when retried, and a throttled IAM login waited for.
package hss_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// TestBadKeysRefusedBeforeSending: WithAKSK and WithTemporaryAKSK refuse a
// key the SDK cannot use with a *ValidationError that never quotes it.
func TestBadKeysRefusedBeforeSending(t *testing.T) {
	cases := []struct {
		opt   hss.Option
		field string
	}{
		{hss.WithAKSK("", "secret-key-12345"), "ak"},
		{hss.WithAKSK("AK with space", "secret-key-12345"), "ak"},
		{hss.WithAKSK("AKGOOD", " secret-key-12345"), "sk"},
		{hss.WithAKSK("AKGOOD", "secret\x00key-12345"), "sk"},
		{hss.WithTemporaryAKSK("AKGOOD", "secret-key-12345", ""), "X-Security-Token"},
		{hss.WithTemporaryAKSK("AKGOOD", "secret-key-12345", "tok\nen-12345"), "X-Security-Token"},
	}
	for _, tc := range cases {
		_, err := hss.NewClient("https://hss.example.com", "p", tc.opt)
		var ve *hss.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, tc.field, ve.Field)
		assert.NotContains(t, err.Error(), "secret")
	}
}

// fixedKeys is a provider (not a credentials.Static) of one access key.
type fixedKeys struct{ v credentials.Value }

func (f fixedKeys) Retrieve(context.Context) (credentials.Value, error) { return f.v, nil }

// TestProviderKeysAreDatedByTheClientClock: keys a provider hands out are
// signed with the Client's clock, whatever gave them: the fake server, on
// the same fake clock years from the wall clock, accepts the signature.
func TestProviderKeysAreDatedByTheClientClock(t *testing.T) {
	clk := hsstest.NewClock(time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC))
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 1),
		hsstest.WithAKSK("AKPROVIDER0001", "provider-secret-1"), hsstest.WithoutTokenAuth())
	defer srv.Close()
	c := srv.Client(t, hss.WithCredentials(fixedKeys{credentials.Value{AccessKey: "AKPROVIDER0001", SecretKey: "provider-secret-1", Source: "test"}}))
	_, err := c.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.NoError(t, err)
	assert.Empty(t, srv.Requests()[0].AuthError)

	// A provider handing out something unusable fails the call before
	// anything is sent, and is not retried.
	bad := srv.Client(t, hss.WithCredentials(fixedKeys{credentials.Value{Token: "tok\nen", Source: "test"}}))
	_, err = bad.ListSyncTaskRegistries(context.Background(), "task", nil)
	var ce *credentials.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Len(t, srv.Requests(), 1)
	assert.Empty(t, clk.Sleeps())
}

// TestKeyCheckedOncePerValue: a Client checks an access key when it first
// signs with it, and signs every later attempt with the same key through
// the sign.Signer made then, without checking it again; a provider's new
// key gets a Signer of its own.
func TestKeyCheckedOncePerValue(t *testing.T) {
	const ak, sk = "AKONCE0000000001", "once-secret-key-0123456789"
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 1), hsstest.WithAKSK(ak, sk), hsstest.WithoutTokenAuth())
	var keys atomic.Pointer[credentials.Value]
	keys.Store(&credentials.Value{AccessKey: ak, SecretKey: sk, Source: "test"})
	c := srv.Client(t, hss.WithCredentials(providerFunc(func(context.Context) (credentials.Value, error) { return *keys.Load(), nil })))
	assert.Nil(t, hss.KeySigner(c))

	srv.FailNext(2, http.StatusServiceUnavailable, "APIGW.0613", "busy", http.Header{"Retry-After": {"0"}})
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	first := hss.KeySigner(c)
	require.NotNil(t, first)
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Same(t, first, hss.KeySigner(c), "four attempts, one key, one Signer")

	keys.Store(&credentials.Value{AccessKey: ak, SecretKey: sk, Source: "renewed"})
	_, err = c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.NotSame(t, first, hss.KeySigner(c), "a new value, a new Signer")
}

// TestSignedRequestUsesClientClock: an AK/SK request is dated by the
// Client's clock, not the wall clock, and carries the security token.
func TestSignedRequestUsesClientClock(t *testing.T) {
	clk := hsstest.NewClock(testEpoch)
	c, seen := newMockClient(t, "https://hss.example.com", 200, onePageJSON, nil,
		hss.WithTemporaryAKSK("AKCORETEST", "core-secret-key-value", "core-security-token-value"), hss.WithClock(clk))
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	r := seen.Last()
	assert.Equal(t, "20260301T080000Z", r.Header.Get("X-Sdk-Date"))
	assert.Equal(t, "core-security-token-value", r.Header.Get("X-Security-Token"))
	assert.True(t, strings.HasPrefix(r.Header.Get("Authorization"), "SDK-HMAC-SHA256 Access=AKCORETEST, SignedHeaders="), r.Header.Get("Authorization"))
	assert.Empty(t, r.Header.Get("X-Auth-Token"))
}

// TestIntegrationAKSKRetriedRequestsAreSignedAgain: a retry 20 minutes
// later is signed anew; a reused signature date would be outside the
// gateway's 15-minute window.
func TestIntegrationAKSKRetriedRequestsAreSignedAgain(t *testing.T) {
	const ak, sk, st = "AKINTEGRATION", "integration-secret-key", "integration-security-token"
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 30), hsstest.WithTemporaryAKSK(ak, sk, st), hsstest.WithoutTokenAuth())
	srv.FailNext(1, http.StatusServiceUnavailable, "", "", http.Header{"Retry-After": {"1200"}})
	c, _, logs := newTestClient(t, srv, hss.WithTemporaryAKSK(ak, sk, st), hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 2, MaxDelay: time.Hour}))
	resp, err := c.ListSyncTaskRegistries(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{Limit: 50})
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

// TestThrottledIAMIsWaitedFor: IAM (or the gateway in front of
// it) throttles the token request with 429 and Retry-After: 30. The Client
// waits the Retry-After, not its backoff, so no retry lands inside the
// throttled window: once it has passed, one more login succeeds.
func TestThrottledIAMIsWaitedFor(t *testing.T) {
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
