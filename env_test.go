package hss_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// envLookup is a WithGetenv map lookup.
func envLookup(m map[string]string) hss.Option {
	return hss.WithGetenv(func(k string) string { return m[k] })
}

func TestNewClientFromEnv(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithSeed("task", 3), hsstest.WithAKSK("AKENVTEST0001", "env-secret-key-1"))
	defer srv.Close()
	ctx := context.Background()

	// A token from the map, nothing read from the process environment.
	c, err := hss.NewClientFromEnv(ctx, envLookup(map[string]string{
		credentials.EnvEndpoint: srv.URL(), credentials.EnvProjectID: srv.ProjectID(), credentials.EnvToken: srv.Token(),
	}), hss.WithHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	page, err := c.ListSyncTaskRegistries(ctx, "task", nil)
	require.NoError(t, err)
	assert.Equal(t, 3, page.TotalNum)

	// Keys and the project from a credentials file under the map's HOME.
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".huaweicloud"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".huaweicloud", "credentials"),
		[]byte("[basic]\nak = AKENVTEST0001\nsk = env-secret-key-1\nproject_id = "+srv.ProjectID()+"\n"), 0o600))
	c, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvEndpoint: srv.URL(), "HOME": home}),
		hss.WithHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(ctx, "task", nil)
	require.NoError(t, err)
	reqs := srv.Requests()
	assert.Equal(t, hsstest.AuthAKSK, reqs[len(reqs)-1].Auth)

	// An option's credentials win: the chain is not searched (the map has none).
	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvEndpoint: srv.URL(), credentials.EnvProjectID: "p"}),
		hss.WithToken("token-from-an-option"))
	require.NoError(t, err)
}

func TestNewClientFromEnvErrors(t *testing.T) {
	ctx := context.Background()
	var ve *hss.ValidationError

	//lint:ignore SA1012 a nil context is what this checks
	_, err := hss.NewClientFromEnv(nil, envLookup(nil)) //nolint:staticcheck
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "ctx", ve.Field)

	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvToken: "t"}))
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "endpoint", ve.Field)
	assert.Contains(t, ve.Reason, "$HSS_REGION")

	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvRegion: "Mars"}))
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "$HSS_REGION", ve.Field, "names the variable the value came from")

	// A bad endpoint is reported before credentials are looked for (the
	// map has none).
	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvEndpoint: "http://hss.example.com", credentials.EnvProjectID: "p"}))
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "endpoint", ve.Field)
	assert.False(t, errors.Is(err, credentials.ErrNoCredentials))

	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvEndpoint: "https://hss.example.com"}))
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "project_id", ve.Field)

	// A broken credentials file is a *credentials.ConfigError naming it.
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".huaweicloud"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".huaweicloud", "credentials"), []byte("[basic]\nnot a pair\n"), 0o600))
	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvEndpoint: "https://hss.example.com", "HOME": home}))
	var ce *credentials.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "line 2")

	// Nothing anywhere: ErrNoCredentials, naming the places looked at.
	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvEndpoint: "https://hss.example.com", credentials.EnvProjectID: "p"}))
	require.ErrorIs(t, err, credentials.ErrNoCredentials)
	assert.Contains(t, err.Error(), "$HSS_TOKEN")
}

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
	tr := &coreTransport{next: srv.HTTPClient().Transport}
	tr.inject = func(n int64, r *http.Request) (*http.Response, bool, error) {
		resp, err := tr.next.RoundTrip(r)
		if err == nil {
			resp.Body.Close()
		}
		return nil, true, &net.OpError{Op: "read", Net: "tcp", Err: coreTimeoutError{}}
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
