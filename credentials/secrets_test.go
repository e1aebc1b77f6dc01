// Secrets: no type of the package shows a secret when printed, marshalled or logged, however it is reached.
package credentials_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// The secrets of this file share no 8 bytes with any name, field or
// format the package prints, so that a piece of one found in an output
// can only have come from the secret.
const (
	printSK            = "Zq8WvN3kLr5TgY1pXc7HbM2dFs9JeQ4uAo6iRt0y"
	printSecurityToken = "QjV7mZ2xKp9RtL4wNc8YbH3sGf6DuE1aT5oIkWe0Vh2Lq9Xn"
	printToken         = "MIIZkQYJKoZIhvcNAQcCoIIZgjCCGX4CAQExDTALBglghkgBZQMEAgEwghfg"
	printPassword      = "Pw9vT2qLw7xRb4YkHs3N"
	printIssuedToken   = "MIIYvAYJKoZIhvcNAQcCoIIYrTCCGKkCAQExDTALBglghkgBZQMEAgEwggc3"
	printMetaSK        = "Hb5Nw2Qz8Lp3Vk7Tx1Mc9Rf4Gj6Ds0Ye2Ua8Wi5Ko"
	printMetaToken     = "Ty4Kd8Mq1Xv6Lz3Pn9Rb2Hw7Fc5Jg0Sa8Ne4Uo1Yi3Qe"
)

// printSecrets are every secret the holders below hold.
var printSecrets = []string{printSK, printSecurityToken, printToken, printPassword, printIssuedToken, printMetaSK, printMetaToken}

// printVerbs are the fmt verbs a log line or an error wrap might use, and
// verbs that do not apply to pointers, under which fmt prints what a
// pointer points to.
var printVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%-v", "%t", "%e", "%c", "%U"}

// secretPieces returns every 8-byte piece of the secrets, as they are and
// hex-encoded (as %x of a string prints them).
func secretPieces(secrets ...string) []string {
	var pieces []string
	for _, s := range secrets {
		for i := 0; i+8 <= len(s); i++ {
			pieces = append(pieces, s[i:i+8], hex.EncodeToString([]byte(s[i:i+8])))
		}
	}
	return pieces
}

// leak returns the first piece of a secret that out shows, or "".
func leak(out string, pieces []string) string {
	lower := strings.ToLower(out)
	for _, p := range pieces {
		if strings.Contains(out, p) || strings.Contains(lower, p) {
			return p
		}
	}
	return ""
}

// printHolder is a pointer to a value of a type that holds secrets, with
// them in use.
type printHolder struct {
	ptr any
	// redacts is set for the types whose secrets are exported fields, and
	// which therefore print, marshal and log themselves with the secrets
	// REDACTED. The others have no such methods: they are shown by
	// reflection, which never reaches their secrets.
	redacts bool
	// jsonFails is set for the one type encoding/json cannot write (a
	// Chain has a func field); its error must not show a secret either.
	jsonFails bool
}

// printHolders builds one of every type of the package that holds a
// secret, with the secret in use: fetched from a server, read from a
// file, or handed out by Retrieve.
func printHolders(t *testing.T) map[string]printHolder {
	t.Helper()
	clk := hsstest.NewClock(epoch)
	ctx := context.Background()

	keyValue := credentials.Value{AccessKey: testAK, SecretKey: printSK, SecurityToken: printSecurityToken, Expires: epoch, Source: "test"}
	tokenValue := credentials.Value{Token: printToken, Source: "test"}
	staticKey, err := credentials.NewStatic(keyValue)
	require.NoError(t, err)
	staticToken, err := credentials.NewStatic(tokenValue)
	require.NoError(t, err)
	require.Equal(t, printSK, retrieve(t, staticKey).SecretKey)
	require.Equal(t, printToken, retrieve(t, staticToken).Token)

	path := writeFile(t, t.TempDir(), "credentials",
		"[basic]\nak = "+testAK+"\nsk = "+printSK+"\nsecurity_token = "+printSecurityToken+"\nproject_id = "+testProject+"\n")
	profile, err := credentials.LoadProfile(path)
	require.NoError(t, err)
	require.Equal(t, printSecurityToken, retrieve(t, profile).SecurityToken)

	is := newIAMServer(t, clk)
	is.answer = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("X-Subject-Token", printIssuedToken)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token":{"expires_at":%q}}`, epoch.Add(24*time.Hour).Format("2006-01-02T15:04:05Z"))
		return true
	}
	cfg := is.config()
	cfg.Password = printPassword
	ts, err := credentials.NewPasswordTokenSource(cfg)
	require.NoError(t, err)
	require.Equal(t, printIssuedToken, retrieve(t, ts).Token)
	is.mu.Lock()
	require.Contains(t, is.body, printPassword, "the password was sent")
	is.mu.Unlock()

	ms := newMetadataServer(t, clk)
	ms.answer = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		fmt.Fprintf(w, `{"credential":{"access":"TMPAK1","secret":%q,"securitytoken":%q,"expires_at":%q}}`,
			printMetaSK, printMetaToken, epoch.Add(time.Hour).Format("2006-01-02T15:04:05Z"))
		return true
	}
	meta := credentials.NewMetadata(ms.config())
	require.Equal(t, printMetaSK, retrieve(t, meta).SecretKey)

	cacheKey := credentials.NewCache(staticKey, nil)
	require.Equal(t, printSK, retrieve(t, cacheKey).SecretKey)
	cacheToken := credentials.NewCache(ts, &credentials.CacheOptions{Now: clk.Now})
	require.Equal(t, printIssuedToken, retrieve(t, cacheToken).Token)

	chain := &credentials.Chain{Getenv: lookup(map[string]string{credentials.EnvCredentialsFile: path})}
	p, err := chain.Provider(ctx)
	require.NoError(t, err)
	require.Equal(t, printSK, retrieve(t, p).SecretKey)
	remembered, err := chain.Profile()
	require.NoError(t, err)
	require.Same(t, p, remembered, "the Chain holds the profile and its keys")

	return map[string]printHolder{
		"Value with a key":       {ptr: &keyValue, redacts: true},
		"Value with a token":     {ptr: &tokenValue, redacts: true},
		"PasswordConfig":         {ptr: &cfg, redacts: true},
		"Static with a key":      {ptr: staticKey},
		"Static with a token":    {ptr: staticToken},
		"Profile":                {ptr: profile},
		"TokenSource":            {ptr: ts},
		"Metadata":               {ptr: meta},
		"Cache of a Static":      {ptr: cacheKey},
		"Cache of a TokenSource": {ptr: cacheToken},
		"Chain with a profile":   {ptr: chain, jsonFails: true},
	}
}

// TestSecretsNeverShown prints every secret holder of the package, as a
// value and as a pointer, alone and inside a struct, a slice and a map,
// with every fmt verb, encoding/json and both slog handlers, after it has
// fetched or read its secrets, and finds no 8 bytes of any secret in what
// comes out. Only Value and PasswordConfig, whose secrets are exported
// fields, have methods that redact; the other types are shown by
// reflection, which reaches their secrets nowhere (see sealed).
func TestSecretsNeverShown(t *testing.T) {
	pieces := secretPieces(printSecrets...)
	for name, h := range printHolders(t) {
		t.Run(name, func(t *testing.T) {
			value := reflect.ValueOf(h.ptr).Elem().Interface() // a copy, as a caller's struct would hold it
			for _, v := range []any{value, h.ptr} {
				_, formats := v.(fmt.Formatter)
				_, marshals := v.(json.Marshaler)
				_, logs := v.(slog.LogValuer)
				assert.Equal(t, h.redacts, formats, "%T is a fmt.Formatter", v)
				assert.Equal(t, h.redacts, marshals, "%T is a json.Marshaler", v)
				assert.Equal(t, h.redacts, logs, "%T is a slog.LogValuer", v)
			}
			reached := map[string]any{
				"value": value, "pointer": h.ptr,
				"value in a struct": struct{ Held any }{value}, "pointer in a struct": struct{ Held any }{h.ptr},
				"in a slice": []any{value, h.ptr}, "in a map": map[string]any{"value": value, "pointer": h.ptr},
			}
			for how, v := range reached {
				show := func(what, out string) {
					t.Helper()
					if p := leak(out, pieces); p != "" {
						t.Errorf("%s of the %s shows %q of a secret: %s", what, how, p, out)
					}
				}
				for _, verb := range printVerbs {
					show(verb, fmt.Sprintf(verb, v))
				}
				show("Sprint", fmt.Sprint(v))
				show("Sprintln", fmt.Sprintln(v))
				show("a wrapped error", fmt.Errorf("wrapped: %w", fmt.Errorf("%v", v)).Error())

				js, err := json.Marshal(v)
				if h.jsonFails {
					require.Error(t, err, how)
					show("the encoding/json error", err.Error())
				} else {
					require.NoError(t, err, how)
				}
				show("encoding/json", string(js))

				var logs bytes.Buffer
				slog.New(slog.NewJSONHandler(&logs, nil)).Info("held", slog.Any("held", v))
				slog.New(slog.NewTextHandler(&logs, nil)).Info("held", slog.Any("held", v))
				slog.New(slog.NewJSONHandler(&logs, nil)).Info("held", slog.Group("group", slog.Any("held", v)))
				slog.New(slog.NewTextHandler(&logs, nil)).Info("held", slog.Group("group", slog.Any("held", v)))
				show("log/slog", logs.String())
			}
		})
	}
}

// The check above would see a leak. A secret-holding value in an
// unexported field of a struct is printed field by field, since fmt cannot
// call its Format method there; so is one behind a pointer in such a
// field, under a verb that does not apply to pointers. This is why the
// types without redaction methods seal their secrets (see sealed).
func TestSecretsCheckSeesALeak(t *testing.T) {
	pieces := secretPieces(printSecrets...)
	v := credentials.Value{AccessKey: testAK, SecretKey: printSK}
	type byValue struct{ v credentials.Value }
	type byPointer struct{ v *credentials.Value }
	assert.Empty(t, leak(fmt.Sprintf("%+v", v), pieces), "Value redacts itself")
	assert.Equal(t, printSK[:8], leak(fmt.Sprintf("%+v", byValue{v}), pieces), "held by value in an unexported field, it does not")
	assert.Empty(t, leak(fmt.Sprintf("%v", byPointer{&v}), pieces), "%v prints a pointer in a field as an address")
	for _, verb := range []string{"%s", "%q", "%t"} {
		assert.Equal(t, printSK[:8], leak(fmt.Sprintf(verb, byPointer{&v}), pieces), "%s prints what it points to", verb)
	}
	assert.NotEmpty(t, leak("..."+printPassword[5:13]+"...", pieces), "8 bytes of a secret are found")
	assert.Empty(t, leak("..."+printPassword[5:12]+"...", pieces), "7 are not")
	assert.NotEmpty(t, leak(strings.ToUpper(hex.EncodeToString([]byte(printToken[3:11]))), pieces), "%X of 8 bytes is found")
}

// What the types without redaction methods show: their exported fields,
// and their secrets nowhere.
func TestSecretsHoldersShowExportedFieldsOnly(t *testing.T) {
	h := printHolders(t)
	js, err := json.Marshal(h["Profile"].ptr)
	require.NoError(t, err)
	prof := h["Profile"].ptr.(*credentials.Profile)
	assert.JSONEq(t, fmt.Sprintf(`{"Path":%q,"AccessKey":%q,"ProjectID":%q}`, prof.Path, testAK, testProject), string(js))
	for _, name := range []string{"Static with a key", "TokenSource", "Metadata", "Cache of a Static"} {
		js, err := json.Marshal(h[name].ptr)
		require.NoError(t, err)
		assert.Equal(t, "{}", string(js), name)
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
	js, err = json.Marshal(cfg)
	require.NoError(t, err)
	assert.JSONEq(t, `{"domain":"d","user":"u","password":"REDACTED","project_id":"pr","region":"cn-north-4","iam_endpoint":""}`, string(js))
}

// Zero values and nil pointers of the secret holders print, marshal and
// log without panicking.
func TestSecretsZeroHoldersPrint(t *testing.T) {
	zeros := []any{
		credentials.Value{}, credentials.PasswordConfig{}, credentials.Static{}, credentials.Profile{},
		credentials.TokenSource{}, credentials.Metadata{}, credentials.Cache{},
		(*credentials.Value)(nil), (*credentials.PasswordConfig)(nil), (*credentials.Static)(nil), (*credentials.Profile)(nil),
		(*credentials.TokenSource)(nil), (*credentials.Metadata)(nil), (*credentials.Cache)(nil), (*credentials.Chain)(nil),
		&credentials.Chain{},
	}
	for _, v := range zeros {
		assert.NotPanics(t, func() {
			for _, verb := range printVerbs {
				assert.NotContains(t, fmt.Sprintf(verb, v), "PANIC", "%s of %T", verb, v)
			}
			var logs bytes.Buffer
			slog.New(slog.NewJSONHandler(&logs, nil)).Info("zero", slog.Any("v", v))
			slog.New(slog.NewTextHandler(&logs, nil)).Info("zero", slog.Any("v", v))
			assert.NotContains(t, logs.String(), "PANIC", "%T", v)
			if _, chain := v.(*credentials.Chain); !chain || v == (*credentials.Chain)(nil) {
				_, err := json.Marshal(v)
				assert.NoError(t, err, "%T", v)
			}
		}, "%T", v)
	}
}
