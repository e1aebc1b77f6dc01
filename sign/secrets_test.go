// Secrets: Key, Transport and Signer never show a secret when printed, marshalled or logged, however they are reached.
package sign_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss/sign"
)

// The secrets of this file share no 8 bytes with any name, field or
// format the package prints, so that a piece of one found in an output
// can only have come from the secret.
const (
	printSK            = "Zq8WvN3kLr5TgY1pXc7HbM2dFs9JeQ4uAo6iRt0y"
	printSecurityToken = "QjV7mZ2xKp9RtL4wNc8YbH3sGf6DuE1aT5oIkWe0Vh2Lq9Xn"
)

// printVerbs are the fmt verbs a log line or an error wrap might use, and
// verbs that do not apply to pointers, under which fmt prints what a
// pointer points to.
var printVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%-v", "%t", "%e", "%c", "%U"}

// leak returns the first 8-byte piece of a secret that out shows, as it is
// or hex-encoded (as %x of a string prints it), or "".
func leak(out string) string {
	lower := strings.ToLower(out)
	for _, s := range []string{printSK, printSecurityToken} {
		for i := 0; i+8 <= len(s); i++ {
			if p := s[i : i+8]; strings.Contains(out, p) || strings.Contains(lower, hex.EncodeToString([]byte(p))) {
				return p
			}
		}
	}
	return ""
}

// TestSecretsNeverShown prints a Key, and a Transport and a Signer that
// have signed with it, as values and pointers, alone and inside a struct, a slice, a map
// and an http.Client, with every fmt verb, encoding/json and both slog
// handlers, and finds no 8 bytes of a secret in what comes out. Key,
// whose secrets are exported fields, redacts itself. Transport's only
// secrets are in its exported Key field, which encoding/json and log/slog
// write through Key's own methods, so it needs neither MarshalJSON nor
// LogValue; it keeps Format for the verbs under which fmt prints a
// *Transport field by field without calling Key's (see
// TestSecretsTransportNeedsFormat). Signer holds its key in a func, which
// fmt prints as an address, so it needs none of the three.
func TestSecretsNeverShown(t *testing.T) {
	key := sign.Key{AccessKey: testAK, SecretKey: printSK, SecurityToken: printSecurityToken}
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) { return ok(r), nil })
	tr := sign.Transport{Key: key, Base: base, Now: func() time.Time { return epoch }}
	req, err := http.NewRequest(http.MethodGet, "https://hss.example.com/v5/p/x", nil)
	require.NoError(t, err)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	require.NotEmpty(t, resp.Request.Header.Get("Authorization"), "the Transport signed with the key")
	signer, err := sign.NewSigner(key)
	require.NoError(t, err)
	require.NoError(t, signer.Sign(req, epoch))

	for _, h := range []struct {
		v                               any
		formats, marshals, logsItsValue bool
	}{{key, true, true, true}, {&key, true, true, true}, {tr, true, false, false}, {&tr, true, false, false}, {signer, false, false, false}} {
		_, formats := h.v.(fmt.Formatter)
		_, marshals := h.v.(json.Marshaler)
		_, logs := h.v.(slog.LogValuer)
		assert.Equal(t, h.formats, formats, "%T is a fmt.Formatter", h.v)
		assert.Equal(t, h.marshals, marshals, "%T is a json.Marshaler", h.v)
		assert.Equal(t, h.logsItsValue, logs, "%T is a slog.LogValuer", h.v)
	}

	reached := map[string]any{
		"key": key, "*key": &key, "transport": tr, "*transport": &tr,
		"key in a struct": struct{ K sign.Key }{key}, "*key in a struct": struct{ K *sign.Key }{&key},
		"transport in a struct": struct{ T sign.Transport }{tr}, "*transport in a struct": struct{ T *sign.Transport }{&tr},
		"in a slice": []any{key, &key, tr, &tr}, "in a map": map[string]any{"k": key, "t": &tr},
		"http.Client": &http.Client{Transport: &tr},
		"*signer":     signer, "signer": *signer, "*signer in a struct": struct{ S *sign.Signer }{signer},
		"signer in a struct": struct{ S sign.Signer }{*signer},
	}
	for how, v := range reached {
		t.Run(how, func(t *testing.T) {
			show := func(what, out string) {
				t.Helper()
				if p := leak(out); p != "" {
					t.Errorf("%s shows %q of a secret: %s", what, p, out)
				}
			}
			for _, verb := range printVerbs {
				show(verb, fmt.Sprintf(verb, v))
			}
			show("Sprint", fmt.Sprint(v))
			show("a wrapped error", fmt.Errorf("wrapped: %w", fmt.Errorf("%v", v)).Error())
			if js, err := json.Marshal(v); err == nil {
				show("encoding/json", string(js))
			} else {
				assert.Equal(t, "http.Client", how, "only an http.Client does not marshal: %v", err)
				show("the encoding/json error", err.Error())
			}
			var logs bytes.Buffer
			slog.New(slog.NewJSONHandler(&logs, nil)).Info("signing", slog.Any("held", v))
			slog.New(slog.NewTextHandler(&logs, nil)).Info("signing", slog.Any("held", v))
			show("log/slog", logs.String())
		})
	}
}

// What a Key and a Transport show: the access key, and REDACTED for each
// secret that is set.
func TestSecretsPrintReadably(t *testing.T) {
	key := sign.Key{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken}
	assert.Equal(t, "sign.Key{AccessKey: "+testAK+", SecretKey: REDACTED, SecurityToken: REDACTED}", fmt.Sprint(key))
	assert.Equal(t, "sign.Key{AccessKey: "+testAK+", SecretKey: REDACTED, SecurityToken: none}", fmt.Sprintf("%#v", sign.Key{AccessKey: testAK, SecretKey: testSK}))
	redacted := `{"access_key":"` + testAK + `","secret_key":"REDACTED","security_token":"REDACTED"}`
	js, err := json.Marshal(key)
	require.NoError(t, err)
	assert.JSONEq(t, redacted, string(js))

	tr := sign.Transport{Key: key, Base: http.DefaultTransport, Now: time.Now, Skew: new(sign.Skew)}
	js, err = json.Marshal(tr)
	require.NoError(t, err)
	assert.JSONEq(t, `{"key":`+redacted+`}`, string(js), "encoding/json writes the Key alone")
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "transport", tr)
	assert.Contains(t, logs.String(), `"transport":{"key":`+redacted+`}`)
	assert.Equal(t, "sign.Transport{Key: sign.Key{AccessKey: "+testAK+", SecretKey: REDACTED, SecurityToken: REDACTED}, BaseSet: true, NowSet: true}", fmt.Sprint(tr))
}

// Why Transport has a Format method although its secrets are in a Key,
// which has one: a struct with the same fields and no Format, held by
// pointer in a struct and printed with %s, shows the secret key. fmt
// prints the pointer's target field by field and, inside that fallback,
// calls no Format method.
func TestSecretsTransportNeedsFormat(t *testing.T) {
	type bareTransport struct {
		Base http.RoundTripper
		Key  sign.Key
		Now  func() time.Time
		Skew *sign.Skew
	}
	key := sign.Key{AccessKey: testAK, SecretKey: printSK}
	for _, verb := range []string{"%s", "%q", "%t"} {
		assert.Empty(t, leak(fmt.Sprintf(verb, struct{ T bareTransport }{bareTransport{Key: key}})), "%s: by value, Key's Format is called", verb)
		assert.Equal(t, printSK[:8], leak(fmt.Sprintf(verb, struct{ T *bareTransport }{&bareTransport{Key: key}})), "%s: by pointer, it is not", verb)
		assert.Empty(t, leak(fmt.Sprintf(verb, struct{ T *sign.Transport }{&sign.Transport{Key: key}})), "%s: Transport's Format is", verb)
	}
}

// Zero values and nil pointers print, marshal and log without panicking.
func TestSecretsZeroValuesPrint(t *testing.T) {
	for _, v := range []any{sign.Key{}, sign.Transport{}, sign.Signer{}, (*sign.Key)(nil), (*sign.Transport)(nil), (*sign.Signer)(nil)} {
		assert.NotPanics(t, func() {
			for _, verb := range printVerbs {
				assert.NotContains(t, fmt.Sprintf(verb, v), "PANIC", "%s of %T", verb, v)
			}
			_, err := json.Marshal(v)
			assert.NoError(t, err, "%T", v)
			var logs bytes.Buffer
			slog.New(slog.NewJSONHandler(&logs, nil)).Info("zero", slog.Any("v", v))
			slog.New(slog.NewTextHandler(&logs, nil)).Info("zero", slog.Any("v", v))
			assert.NotContains(t, logs.String(), "PANIC", "%T", v)
		}, "%T", v)
	}
}
