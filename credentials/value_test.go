package credentials_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/sign"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValueValidate(t *testing.T) {
	valid := []credentials.Value{
		{Token: "t"},
		{Token: strings.Repeat("t", 32768)},
		{AccessKey: testAK, SecretKey: testSK},
		{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken, Expires: epoch},
	}
	for _, v := range valid {
		assert.NoError(t, v.Validate())
	}
	cases := []struct {
		name  string
		v     credentials.Value
		field string
	}{
		{"nothing", credentials.Value{Source: "src"}, ""},
		{"token and key", credentials.Value{Token: "token-value-SECRET", AccessKey: testAK, SecretKey: testSK}, ""},
		{"token and security token", credentials.Value{Token: "token-value-SECRET", SecurityToken: testToken}, ""},
		{"token with spaces", credentials.Value{Token: " " + testToken}, "token"},
		{"token too long", credentials.Value{Token: strings.Repeat("t", 32769)}, "token"},
		{"token of multi-byte characters too long", credentials.Value{Token: strings.Repeat("é", 16385)}, "token"},
		{"token not UTF-8", credentials.Value{Token: testToken + "\xff"}, "token"},
		{"ak without sk", credentials.Value{AccessKey: testAK}, "sk"},
		{"sk without ak", credentials.Value{SecretKey: testSK}, "ak"},
		{"security token alone", credentials.Value{SecurityToken: testToken}, "ak"},
		{"sk with newline", credentials.Value{AccessKey: testAK, SecretKey: testSK + "\n"}, "sk"},
		{"security token with CR", credentials.Value{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken + "\r"}, "security_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.v.Validate()
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, c.field, ce.Field)
			assert.Equal(t, c.v.Source, ce.Source)
			assertNoSecrets(t, err.Error(), testSK, testToken, c.v.Token)

			_, err = credentials.NewStatic(c.v)
			require.ErrorAs(t, err, &ce)
		})
	}
}

func TestValueHelpers(t *testing.T) {
	v := credentials.Value{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken, Expires: epoch}
	assert.Equal(t, sign.Key{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken}, v.Key())
	assert.False(t, v.Expired(epoch.Add(-time.Nanosecond)))
	assert.True(t, v.Expired(epoch))
	assert.False(t, credentials.Value{Token: "t"}.Expired(epoch.Add(100*365*24*time.Hour)), "no expiry")
}

func TestStatic(t *testing.T) {
	s, err := credentials.NewStatic(credentials.Value{Token: "tok-value", Source: "test"})
	require.NoError(t, err)
	assert.Equal(t, credentials.Value{Token: "tok-value", Source: "test"}, retrieve(t, s))

	var nilStatic *credentials.Static
	for _, s := range []*credentials.Static{nilStatic, {}} {
		assert.NotPanics(t, func() {
			_, err := s.Retrieve(context.Background())
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
		})
	}
}

// Every fmt verb a log line or an error wrap might use.
var fmtVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%-v"}

// secretHolders builds one value of every type that holds a secret, with
// its secrets in use (fetched where it fetches), and those secrets.
func secretHolders(t *testing.T) map[string]struct {
	value   any
	secrets []string
} {
	t.Helper()
	clk := hsstest.NewClock(epoch)
	static, err := credentials.NewStatic(credentials.Value{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken})
	require.NoError(t, err)
	token := credentials.Value{Token: "x-auth-token-SECRET", Expires: epoch, Source: "test"}

	ms := newMetadataServer(t, clk)
	meta := credentials.NewMetadata(ms.config())
	retrieve(t, meta)

	is := newIAMServer(t, clk)
	ts := is.tokenSource(t)
	retrieve(t, ts)
	cfg := is.config()

	path := writeFile(t, t.TempDir(), "credentials", profileText)
	prof, err := credentials.LoadProfile(path)
	require.NoError(t, err)

	cache := credentials.NewCache(static, nil)
	retrieve(t, cache)

	chain := &credentials.Chain{Getenv: lookup(map[string]string{credentials.EnvCredentialsFile: path})}
	_, err = chain.Provider(context.Background())
	require.NoError(t, err)

	keys := []string{testSK, testToken}
	metaSecrets := []string{"tmp-sk-secret-1", "tmp-token-secret-1"}
	iamSecrets := []string{iamPassword, "iam-token-secret-1"}
	return map[string]struct {
		value   any
		secrets []string
	}{
		"value with keys":   {credentials.Value{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken}, keys},
		"value with token":  {token, []string{"x-auth-token-SECRET"}},
		"*value":            {&token, []string{"x-auth-token-SECRET"}},
		"static":            {*static, keys},
		"*static":           {static, keys},
		"metadata":          {*meta, metaSecrets},
		"*metadata":         {meta, metaSecrets},
		"token source":      {*ts, iamSecrets},
		"*token source":     {ts, iamSecrets},
		"password config":   {cfg, []string{iamPassword}},
		"*password config":  {&cfg, []string{iamPassword}},
		"config in a field": {struct{ Config credentials.PasswordConfig }{cfg}, []string{iamPassword}},
		"profile":           {*prof, keys},
		"*profile":          {prof, keys},
		"cache":             {*cache, keys},
		"*cache":            {cache, keys},
		"chain":             {chain, keys},
		"all in a slice":    {[]any{static, &token, meta, ts, &cfg, prof, cache}, append(append(append(keys, metaSecrets...), iamSecrets...), "x-auth-token-SECRET")},
		"all in a struct": {struct {
			S *credentials.Static
			M *credentials.Metadata
			T *credentials.TokenSource
			P *credentials.Profile
			C *credentials.Cache
		}{static, meta, ts, prof, cache}, append(append(keys, metaSecrets...), iamSecrets...)},
	}
}

// No type of the package prints, marshals or logs a secret, however it is
// reached.
func TestSecretsNeverPrinted(t *testing.T) {
	for name, h := range secretHolders(t) {
		t.Run(name, func(t *testing.T) {
			for _, verb := range fmtVerbs {
				out := fmt.Sprintf(verb, h.value)
				assertNoSecrets(t, out, h.secrets...)
			}
			assertNoSecrets(t, fmt.Sprint(h.value), h.secrets...)
			assertNoSecrets(t, fmt.Errorf("wrapped: %w", fmt.Errorf("%v", h.value)).Error(), h.secrets...)

			if js, err := json.Marshal(h.value); err == nil {
				assertNoSecrets(t, string(js), h.secrets...)
			}
			var logs bytes.Buffer
			slog.New(slog.NewJSONHandler(&logs, nil)).Info("creds", "value", h.value)
			slog.New(slog.NewTextHandler(&logs, nil)).Info("creds", "value", h.value)
			assertNoSecrets(t, logs.String(), h.secrets...)
		})
	}
}

// The redacted forms say what they are, so a reader knows a secret was
// there.
func TestSecretsPrintReadably(t *testing.T) {
	v := credentials.Value{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken, Expires: epoch, Source: "ECS metadata"}
	want := "credentials.Value{kind: access key, token: none, access_key: " + testAK +
		", secret_key: REDACTED, security_token: REDACTED, expires: 2031-03-04T05:06:07Z, source: ECS metadata}"
	assert.Equal(t, want, fmt.Sprint(v))
	assert.Equal(t, want, fmt.Sprintf("%#v", v))
	assert.Equal(t, "credentials.Value{kind: token, token: REDACTED, access_key: none, secret_key: none, security_token: none, expires: none, source: none}",
		fmt.Sprint(credentials.Value{Token: "t"}))
	js, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"access key","access_key":"`+testAK+`","secret_key":"REDACTED","security_token":"REDACTED","expires":"2031-03-04T05:06:07Z","source":"ECS metadata"}`, string(js))

	cfg := credentials.PasswordConfig{DomainName: "d", UserName: "u", Password: "p", ProjectID: "pr", Region: "cn-north-4"}
	assert.Equal(t, "credentials.PasswordConfig{domain: d, user: u, password: REDACTED, project_id: pr, region: cn-north-4, iam_endpoint: }", fmt.Sprint(cfg))
	ts, err := credentials.NewPasswordTokenSource(cfg)
	require.NoError(t, err)
	assert.Equal(t, "credentials.TokenSource{domain: d, user: u, password: REDACTED, project_id: pr, region: cn-north-4, iam_endpoint: , token: REDACTED}", fmt.Sprint(ts))
	assert.Equal(t, "credentials.Cache{provider: *credentials.Static}", fmt.Sprint(credentials.NewCache(&credentials.Static{}, nil)))
}
