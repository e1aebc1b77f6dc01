package hss

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every fmt verb a log line or an error wrap might use.
var fmtVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%-v"}

// credentialKinds builds one value of every kind that holds a secret, with
// its secrets in use (fetched where it fetches), and the secrets it holds.
func credentialKinds(t *testing.T) map[string]struct {
	value   any
	secrets []string
} {
	t.Helper()
	clk := newAuthClock(authEpoch)
	ctx := context.Background()

	tok, err := NewTokenCredentials("x-auth-token-SECRET")
	require.NoError(t, err)
	perm, err := NewAKSKCredentials(testAK, testSK, "")
	require.NoError(t, err)
	temp, err := NewAKSKCredentials(testAK, testSK, testToken)
	require.NoError(t, err)

	ms := newMetadataServer(t, clk, time.Hour)
	meta := newMetadataCredentials(ms.url(), nil, clk)
	require.NoError(t, meta.Authenticate(ctx, httptest.NewRequest("GET", "https://h/x", nil)))

	is := newIAMServer(t, clk)
	ts := newTestTokenSource(t, is, clk)
	_, err = ts.Token(ctx)
	require.NoError(t, err)
	cfg := is.config(clk)

	prof, err := LoadProfile(writeProfile(t, t.TempDir(), profileText))
	require.NoError(t, err)

	client, err := NewClient("https://hss.example.com", testProject, WithTemporaryAKSK(testAK, testSK, testToken))
	require.NoError(t, err)

	metaSecrets := []string{"tmp-sk-secret-1", "tmp-token-secret-1"}
	iamSecrets := []string{iamPassword, "iam-token-secret-1"}
	return map[string]struct {
		value   any
		secrets []string
	}{
		"token":              {tok, []string{"x-auth-token-SECRET"}},
		"aksk":               {perm, []string{testSK}},
		"temporary aksk":     {temp, []string{testSK, testToken}},
		"metadata":           {meta, metaSecrets},
		"token source":       {ts, iamSecrets},
		"token config":       {cfg, []string{iamPassword}},
		"token config ptr":   {&cfg, []string{iamPassword}},
		"token config field": {struct{ Config PasswordTokenConfig }{cfg}, []string{iamPassword}},
		"profile":            {prof, []string{testSK, testToken}},
		"profile value":      {*prof, []string{testSK, testToken}},
		"token source value": {*ts, iamSecrets},
		"metadata value":     {*meta, metaSecrets},
		"client value":       {*client, []string{testSK, testToken}},
		"client":             {client, []string{testSK, testToken}},
		"client in a slice":  {[]any{client, ts, meta}, append(append([]string{testSK, testToken}, metaSecrets...), iamSecrets...)},
	}
}

func TestSecretsNeverFormatted(t *testing.T) {
	for name, k := range credentialKinds(t) {
		t.Run(name, func(t *testing.T) {
			for _, verb := range fmtVerbs {
				out := fmt.Sprintf(verb, k.value)
				assertNoSecrets(t, out, k.secrets...)
				assert.NotContains(t, out, "%!", "verb %s: %s", verb, out)
			}
			assertNoSecrets(t, fmt.Sprint(k.value), k.secrets...)
			assertNoSecrets(t, fmt.Sprintln(k.value), k.secrets...)
			assertNoSecrets(t, fmt.Errorf("wrapped: %w", fmt.Errorf("%v", k.value)).Error(), k.secrets...)
		})
	}
}

// The redacted forms say what they are, so a log reader knows a secret
// was there.
func TestSecretsFormatReadably(t *testing.T) {
	tok, _ := NewTokenCredentials("t")
	perm, _ := NewAKSKCredentials(testAK, testSK, "")
	temp, _ := NewAKSKCredentials(testAK, testSK, testToken)
	assert.Equal(t, "hss.TokenCredentials{token: REDACTED}", fmt.Sprint(tok))
	assert.Equal(t, "hss.AKSKCredentials{ak: "+testAK+", sk: REDACTED, security_token: none}", fmt.Sprint(perm))
	assert.Equal(t, "hss.AKSKCredentials{ak: "+testAK+", sk: REDACTED, security_token: REDACTED}", fmt.Sprintf("%#v", temp))
	cfg := PasswordTokenConfig{DomainName: "d", UserName: "u", Password: "p", ProjectID: "pr", Region: "cn-north-4"}
	assert.Equal(t, "hss.PasswordTokenConfig{domain: d, user: u, password: REDACTED, project_id: pr, region: cn-north-4, iam_endpoint: }", fmt.Sprint(cfg))
	ts, err := NewPasswordTokenSource(cfg)
	require.NoError(t, err)
	assert.Equal(t, "hss.TokenSource{iam: https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens, domain: d, user: u, project_id: pr, password: REDACTED, token: REDACTED}", fmt.Sprint(ts))
}

// Failure paths of every kind, logged at debug level by a Client: neither
// the errors nor the log lines carry a secret.
func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	clk := newAuthClock(authEpoch)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	// HSS answers 503 once, then 401 with the request's own headers in the
	// body, as a misconfigured gateway might.
	var hssCalls atomic.Int32
	hss := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hssCalls.Add(1)%2 == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		echo, _ := json.Marshal(r.Header.Get("X-Auth-Token") + " " + r.Header.Get("X-Security-Token") + " " + r.Header.Get("Authorization"))
		io.WriteString(w, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: `+strings.Trim(string(echo), `"`)+`"}`)
	}))
	defer hss.Close()

	// IAM is down once (a retried, logged failure), then refuses; both
	// times its message quotes the password.
	is := newIAMServer(t, clk)
	is.fail = func(n int, w http.ResponseWriter) bool {
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":{"code":"IAM.9999","message":"busy checking `+iamPassword+`"}}`)
			return true
		}
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"code":"IAM.0004","message":"password `+iamPassword+` is wrong"}}`)
		return true
	}
	// Metadata hands out keys the Client's validation refuses.
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"credential":{"access":"AK","secret":"meta-secret-SK ","securitytoken":"meta-token-SECRET","expires_at":"2031-03-04T06:00:00Z"}}`)
	}))
	defer meta.Close()

	tok, err := NewTokenCredentials("x-auth-token-SECRET")
	require.NoError(t, err)
	secrets := []string{"x-auth-token-SECRET", testSK, testToken, iamPassword, "meta-secret-SK", "meta-token-SECRET"}
	opts := map[string]Option{
		"token":          WithCredentials(tok),
		"aksk":           WithAKSK(testAK, testSK),
		"temporary aksk": WithTemporaryAKSK(testAK, testSK, testToken),
		"token source":   WithCredentials(newTestTokenSource(t, is, clk)),
		"metadata":       WithCredentials(newMetadataCredentials(meta.URL, nil, clk)),
	}
	for name, opt := range opts {
		client, err := NewClient(hss.URL, testProject, opt, WithClock(clk), WithLogger(logger))
		require.NoError(t, err, name)
		_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", &ListSyncTaskRegistriesOptions{RegistryName: "n"})
		require.Error(t, err, name)
		if name == "token source" {
			assert.Contains(t, err.Error(), "IAM.0004")
		}
		assertNoSecrets(t, err.Error(), secrets...)
		assertNoSecrets(t, fmt.Sprintf("%+v", err), secrets...)
		var ae *APIError
		if errors.As(err, &ae) { // the 401 that echoed the request's headers
			assertNoSecrets(t, string(ae.Body)+ae.Message, secrets...)
			assert.NotRegexp(t, `Signature=[0-9a-f]{64}`, string(ae.Body)+ae.Message, name)
			assert.Contains(t, ae.Message, "REDACTED", name)
		}
	}
	assert.Contains(t, logs.String(), "IAM.9999", "the retried IAM failure is logged")
	assert.Contains(t, logs.String(), "status\":401", "HSS attempts are logged")
	assertNoSecrets(t, logs.String(), secrets...)
}

// Errors of the chain, on every path that handles a secret.
func TestSecretsNeverInChainErrors(t *testing.T) {
	home := clearAuthEnv(t)
	t.Setenv(EnvRegion, "cn-north-4")
	t.Setenv(EnvProjectID, testProject)
	check := func(setup func()) {
		t.Helper()
		setup()
		_, err := NewClientFromEnv()
		require.Error(t, err)
		assertNoSecrets(t, err.Error(), testSK, testToken, "bad\nsecret")
	}
	check(func() { t.Setenv(EnvToken, "bad\nsecret") })
	check(func() { t.Setenv(EnvToken, ""); t.Setenv(EnvAK, testAK); t.Setenv(EnvSK, "bad\nsecret") })
	check(func() { t.Setenv(EnvSK, ""); t.Setenv(EnvSecurityToken, testToken) })
	check(func() {
		t.Setenv(EnvAK, "")
		t.Setenv(EnvSecurityToken, "")
		path := filepath.Join(home, ".huaweicloud", "credentials")
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
		require.NoError(t, os.WriteFile(path, []byte("[basic]\nak = "+testAK+"\nsk = "+testSK+"\t\x01\nsecurity_token = "+testToken+"\n"), 0o600))
	})
	// The last case is a validation error of the profile's sk.
	_, err := NewClientFromEnv()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "sk", ve.Field)
	assert.False(t, strings.Contains(err.Error(), testSK))
}

// Values not made by the constructors fail politely instead of panicking.
func TestZeroAndNilCredentials(t *testing.T) {
	ctx := context.Background()
	req := httptest.NewRequest("GET", "https://h/x", nil)
	var nilTS *TokenSource
	var nilMeta *MetadataCredentials
	var nilProf *Profile
	for _, cr := range []Credentials{&TokenSource{}, nilTS, &MetadataCredentials{}, nilMeta} {
		assert.NotPanics(t, func() {
			require.Error(t, cr.Authenticate(ctx, req))
			cr.(Invalidator).Invalidate()
			_ = fmt.Sprintf("%+v", cr)
		}, "%T", cr)
	}
	_, err := nilTS.Token(ctx)
	require.Error(t, err)
	assert.NotPanics(t, func() {
		_, err := nilProf.Credentials()
		require.Error(t, err)
		assert.False(t, nilProf.HasKeys())
		_ = fmt.Sprint(nilProf)
	})
}
