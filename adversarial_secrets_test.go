package hss_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// advToken is a token shaped like an IAM token: base64 with '+', '/' and
// '=' in it. No 12-character window of it occurs in ordinary output.
const advToken = "MIIsec7kQ+Zp3vWx9/Lm2Nb8Rt4Yq6Hs1Jd5Kf0Gh7Pa3Xc9Ve2Bn8Mw4Qz6Ty1Ur5Io3+Wq7Ek2Lr9=="

// advLeak reports the first window of advWindow bytes of secret that text
// holds, or "".
func advLeak(text, secret string) string {
	const advWindow = 12
	for i := 0; i+advWindow <= len(secret); i++ {
		if w := secret[i : i+advWindow]; strings.Contains(text, w) {
			return w
		}
	}
	return ""
}

// advCheckNoLeak fails the test when any text err offers (its message,
// %+v, %#v, and the fields of an *hss.APIError) or the log holds a window
// of secret.
func advCheckNoLeak(t *testing.T, err error, logged, secret string) {
	t.Helper()
	require.Error(t, err)
	texts := map[string]string{
		"the error": err.Error(),
		"%+v":       fmt.Sprintf("%+v", err),
		"%#v":       fmt.Sprintf("%#v", err),
		"the log":   logged,
	}
	var ae *hss.APIError
	if errors.As(err, &ae) {
		texts["APIError.Message"] = ae.Message
		texts["APIError.Body"] = string(ae.Body)
	}
	for where, text := range texts {
		if w := advLeak(text, secret); w != "" {
			i := strings.Index(text, w)
			t.Errorf("%s shows the secret (%q): ...%s...", where, w, text[max(0, i-30):min(len(text), i+len(w)+30)])
		}
	}
}

// TestAdversarialDoDecodeErrorScrubsEchoedToken: a 2xx answer that echoes
// the token into a field Client.Do decodes into a type whose decoding
// error quotes the value (time.Time, json.Number, a ",string" int, a
// TextUnmarshaler such as netip.Addr) keeps the token out of the
// *DecodeError's text and the debug log line.
func TestAdversarialDoDecodeErrorScrubsEchoedToken(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithToken(advToken))
	defer srv.Close()
	srv.HandleFunc(http.MethodGet, "/v1/{project_id}/things", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// A service (or a proxy) that reflects the caller's token.
		tok, _ := json.Marshal(r.Header.Get("X-Auth-Token"))
		fmt.Fprintf(w, `{"created":%s,"size":%s,"count":%s,"addr":%s}`, tok, tok, tok, tok)
	})
	for name, out := range map[string]any{
		"time.Time": &struct {
			Created time.Time `json:"created"`
		}{},
		"json.Number": &struct {
			Size json.Number `json:"size"`
		}{},
		",string int": &struct {
			Count int `json:"count,string"`
		}{},
		"netip.Addr": &struct {
			Addr netip.Addr `json:"addr"`
		}{},
	} {
		t.Run(name, func(t *testing.T) {
			var logs secLog // both slog handlers, JSON and text
			client := srv.Client(t, hss.WithToken(advToken), hss.WithLogger(logs.logger()))
			_, err := client.Do(context.Background(), http.MethodGet, "/v1/{project_id}/things", nil, nil, out)
			var de *hss.DecodeError
			require.ErrorAs(t, err, &de)
			advCheckNoLeak(t, err, logs.take(), advToken)
		})
	}
}

// TestAdversarialPartlyEscapedEchoScrubbed: an echo whose encoder escapes
// some characters and not others (System.Text.Json, .NET's default, writes
// '+' as \u002B but leaves '/' and '=' alone) is scrubbed whole: no part
// of the token reaches APIError.Message, APIError.Body, the error text or
// the log.
func TestAdversarialPartlyEscapedEchoScrubbed(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithToken(advToken))
	defer srv.Close()
	dotnet := strings.NewReplacer("+", `\u002B`, "<", `\u003C`, ">", `\u003E`, "&", `\u0026`).Replace
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: token %s is invalid"}`,
			dotnet(r.Header.Get("X-Auth-Token")))
		return true
	})
	var logs secLog
	client := srv.Client(t, hss.WithToken(advToken), hss.WithLogger(logs.logger()), hss.WithRetryPolicy(hss.NoRetries()))
	_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
	var ae *hss.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusUnauthorized, ae.StatusCode)
	advCheckNoLeak(t, err, logs.take(), advToken)
}
