// Secrets: tokens, keys, signatures and passwords reach no error, log line or printed value, however a server echoes them.
package hss_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/internal/secret"
	"github.com/hsskit/hss/sign"
)

// secFiller returns n characters that read like a secret: letters, digits
// and now and then a character JSON or URL escaping changes.
func secFiller(seed uint64, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	const special = `+/="<>&\`
	rng := rand.New(rand.NewPCG(seed, 99))
	b := make([]byte, n)
	for i := range b {
		if rng.IntN(9) == 0 {
			b[i] = special[rng.IntN(len(special))]
		} else {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
	}
	return string(b)
}

// The secrets the tests hand out. Each has characters that JSON and URL
// escaping change, the first of them after more than 8 plain characters
// (so that an echo whose unchanged start is scrubbed cannot hide the rest
// of it), and no 12-character window of any of them occurs in ordinary
// output. The token is long enough for the prefix and 1 MiB cut echoes.
var (
	secToken         = "MIIsecTOKENq7Zp" + `"\<>&/+=` + secFiller(1, 1500)
	secSK            = "secSKq7Zp8vW" + `&+"/\=<>` + secFiller(2, 30)
	secSecurityToken = "secSTSq7Zp8vW" + `+/="<>&\` + secFiller(3, 800)
	secPassword      = "secPWq7Zp8vW" + `<"&\>=/+` + "Zx9Qw"
	secIssuedToken   = "MIIsecISSUEDq7Zp" + `=/"+&\<>` + secFiller(4, 400)
)

const (
	secAK      = "SECTESTAK0000000001"
	secProject = "0123456789abcdef0123456789abcdef"
	secWindow  = 12 // an echo of a secret is looked for in windows this long
)

// secEscapeAll is how some JSON encoders (System.Text.Json among them)
// escape: every character but letters and digits as \u00XX, upper-case hex.
func secEscapeAll(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, `\u%04X`, r)
		}
	}
	return b.String()
}

// secJSON is the body of s as a JSON string, with or without HTML escaping.
func secJSON(s string, html bool) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	out := strings.TrimSpace(buf.String())
	return out[1 : len(out)-1]
}

func secLowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = bytes.ToLower(b[i+1 : i+2])[0], bytes.ToLower(b[i+2 : i+3])[0]
			i += 2
		}
	}
	return string(b)
}

// secEchoForms are the ways a server echoes a secret it was sent.
var secEchoForms = []struct {
	name string
	form func(string) string
}{
	{"raw", func(s string) string { return s }},
	{"JSON", func(s string) string { return secJSON(s, true) }},
	{"JSON without HTML escaping", func(s string) string { return secJSON(s, false) }},
	{"JSON with escaped slashes", func(s string) string { return strings.ReplaceAll(secJSON(s, true), "/", `\/`) }},
	{`JSON with \u00XX`, secEscapeAll},
	{"query-escaped", url.QueryEscape},
	{"path-escaped", url.PathEscape},
	{"query-escaped lower-case hex", func(s string) string { return secLowerHex(url.QueryEscape(s)) }},
	{"first 100 characters", func(s string) string { return s[:min(len(s), 100)] }},
	{"JSON, first 100 characters", func(s string) string { return secJSON(s, true)[:min(len(secJSON(s, true)), 100)] }},
}

// secLeaks finds echoes of secrets in texts: any window of secWindow bytes
// of any form of a secret (every echo form, and hex for fmt's %x).
type secLeaks map[string]string // window -> the secret's name

func newSecLeaks(secrets map[string]string) secLeaks {
	l := secLeaks{}
	for name, s := range secrets {
		forms := []string{hex.EncodeToString([]byte(s)), strings.ToUpper(hex.EncodeToString([]byte(s)))}
		for _, f := range secEchoForms {
			forms = append(forms, f.form(s))
		}
		for _, f := range forms {
			for i := 0; i+secWindow <= len(f); i++ {
				l[f[i:i+secWindow]] = name
			}
		}
	}
	return l
}

// check reports every text in which a secret shows.
func (l secLeaks) check(t *testing.T, where, text string) {
	t.Helper()
	for i := 0; i+secWindow <= len(text); i++ {
		if name, ok := l[text[i:i+secWindow]]; ok {
			lo, hi := max(0, i-40), min(len(text), i+secWindow+40)
			t.Errorf("%s shows the %s: ...%s...", where, name, text[lo:hi])
			return
		}
	}
}

// secOneLine is how the hss command prints an error: on one line.
func secOneLine(err error) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if !strings.HasPrefix(msg, "hss") {
		msg = "hss: " + msg
	}
	return msg
}

// secCheckError checks every text err offers for secrets: its message,
// the CLI's line, fmt's renderings, and the fields of the SDK's error
// types it wraps. It also checks that request ids stay bounded.
func secCheckError(t *testing.T, leaks secLeaks, err error) {
	t.Helper()
	require.Error(t, err)
	leaks.check(t, "the error", err.Error())
	leaks.check(t, "the CLI's line", secOneLine(err))
	leaks.check(t, "%+v of the error", fmt.Sprintf("%+v", err))
	var ae *hss.APIError
	if errors.As(err, &ae) {
		leaks.check(t, "APIError.Body", string(ae.Body))
		leaks.check(t, "APIError.Message", ae.Message)
		leaks.check(t, "APIError.Code", ae.Code)
		leaks.check(t, "APIError.RequestID", ae.RequestID)
		secCheckRequestID(t, ae.RequestID)
	}
	var de *hss.DecodeError
	if errors.As(err, &de) {
		leaks.check(t, "DecodeError.RequestID", de.RequestID)
		secCheckRequestID(t, de.RequestID)
	}
	var re *hss.RequestError
	if errors.As(err, &re) {
		leaks.check(t, "RequestError.RequestID", re.RequestID)
		secCheckRequestID(t, re.RequestID)
	}
	var ce *credentials.Error
	if errors.As(err, &ce) {
		leaks.check(t, "credentials.Error.Message", ce.Message)
		leaks.check(t, "credentials.Error.Code", ce.Code)
		leaks.check(t, "credentials.Error.RequestID", ce.RequestID)
		secCheckRequestID(t, ce.RequestID)
	}
}

// secCheckRequestID: a request id taken from an answer is at most 128
// characters, with "..." when cut.
func secCheckRequestID(t *testing.T, id string) {
	t.Helper()
	assert.LessOrEqual(t, utf8.RuneCountInString(id), 128+len("..."), "request id %q", id)
}

// secKinds are the credentials a Client sends, with the secrets a request
// carries (as a hostile server sees them) for each.
var secKinds = []struct {
	name string
	opt  hss.Option
	sent func(r *http.Request) map[string]string
}{
	{"token", hss.WithToken(secToken), func(r *http.Request) map[string]string {
		return map[string]string{"token": r.Header.Get("X-Auth-Token")}
	}},
	{"access key", hss.WithAKSK(secAK, secSK), func(r *http.Request) map[string]string {
		return map[string]string{"signature": secSignature(r)}
	}},
	{"temporary access key", hss.WithTemporaryAKSK(secAK, secSK, secSecurityToken), func(r *http.Request) map[string]string {
		return map[string]string{"signature": secSignature(r), "security token": r.Header.Get("X-Security-Token")}
	}},
}

func secSignature(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	if i := strings.LastIndex(auth, "Signature="); i >= 0 {
		return auth[i+len("Signature="):]
	}
	return ""
}

// secShapes are the answers a hostile server echoes a secret in; echo is
// the secret in one of secEchoForms. Each returns the hook for the Handle
// of an hsstest.Server, and checks the error the call gave.
var secShapes = []struct {
	name  string
	hook  func(echo string) func(http.ResponseWriter, *http.Request) bool
	check func(t *testing.T, err error)
}{
	{"APIError, JSON body", func(echo string) func(http.ResponseWriter, *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("X-Request-Id", echo)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error_code":"HSS.0001","error_msg":"Invalid credential %s here","request_id":"%s"}`, echo, echo)
			return true
		}
	}, func(t *testing.T, err error) {
		var ae *hss.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, http.StatusBadRequest, ae.StatusCode)
		assert.Contains(t, ae.RequestID, "REDACTED")
	}},
	{"APIError, echoed code", func(echo string) func(http.ResponseWriter, *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"code":"%s","message":"%s"}`, echo, echo)
			return true
		}
	}, func(t *testing.T, err error) {
		var ae *hss.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, http.StatusForbidden, ae.StatusCode)
	}},
	{"APIError, HTML page", func(echo string) func(http.ResponseWriter, *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html><head><title>502 %s</title></head>\n<body>%s</body></html>", echo, echo)
			return true
		}
	}, func(t *testing.T, err error) {
		var ae *hss.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, http.StatusBadGateway, ae.StatusCode)
	}},
	{"APIError, cut by the 1 MiB cap", func(echo string) func(http.ResponseWriter, *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(bytes.Repeat([]byte("x"), hss.MaxErrorBodyBytes-len(echo)/2))
			_, _ = w.Write([]byte(echo + " and more"))
			return true
		}
	}, func(t *testing.T, err error) {
		var ae *hss.APIError
		require.ErrorAs(t, err, &ae)
		assert.LessOrEqual(t, len(ae.Body), hss.MaxErrorBodyBytes)
		assert.True(t, bytes.HasSuffix(ae.Body, []byte("REDACTED")), "the cut echo is scrubbed: ...%s", ae.Body[max(0, len(ae.Body)-40):])
	}},
	{"DecodeError", func(echo string) func(http.ResponseWriter, *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("X-Request-Id", echo)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"total_num":"%s"}`, echo)
			return true
		}
	}, func(t *testing.T, err error) {
		var de *hss.DecodeError
		require.ErrorAs(t, err, &de)
		assert.Contains(t, de.RequestID, "REDACTED")
	}},
	{"reading the answer", func(echo string) func(http.ResponseWriter, *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return false
			}
			defer conn.Close()
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nX-Request-Id: " + echo + "\r\n\r\n{\"total_num\":")
			_ = buf.Flush()
			return true
		}
	}, func(t *testing.T, err error) {
		var re *hss.RequestError
		require.ErrorAs(t, err, &re)
		assert.Contains(t, err.Error(), "reading the answer")
		assert.Contains(t, re.RequestID, "REDACTED")
	}},
}

// TestSecretEchoesNeverShow: a server that echoes the token, the signature
// or the security token it was sent, in any form, in X-Request-Id or in
// any kind of answer, gets none of it into the error, the CLI's line, or
// the debug and retry log lines.
func TestSecretEchoesNeverShow(t *testing.T) {
	clk := hsstest.NewClock(time.Date(2031, 3, 4, 5, 0, 0, 0, time.UTC))
	srv := hsstest.NewServer(hsstest.WithClock(clk))
	defer srv.Close()
	var logs teeLog
	ctx := context.Background()
	for _, kind := range secKinds {
		// No retry budget: every call here fails, and each must be retried.
		client := srv.Client(t, kind.opt, hss.WithLogger(logs.logger()), hss.WithRetryPolicy(hss.RetryPolicy{RetryBudget: -1}))
		var names []string
		for name := range kind.sent(httptest.NewRequest(http.MethodGet, "/", nil)) {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, secret := range names {
			for _, form := range secEchoForms {
				if secret == "signature" && form.name != "raw" && form.name != "first 100 characters" {
					continue // hex: every form is the raw one
				}
				for _, shape := range secShapes {
					t.Run(kind.name+"/"+secret+"/"+form.name+"/"+shape.name, func(t *testing.T) {
						var mu sync.Mutex
						var signatures []string
						var attempts atomic.Int32
						srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
							sent := kind.sent(r)
							mu.Lock()
							signatures = append(signatures, sent["signature"])
							mu.Unlock()
							echo := form.form(sent[secret])
							if attempts.Add(1) == 1 {
								// A retried answer first, for the retry log line.
								w.Header().Set("X-Request-Id", echo)
								w.WriteHeader(http.StatusServiceUnavailable)
								fmt.Fprintf(w, `{"error_code":"APIGW.0613","error_msg":"busy with %s"}`, echo)
								return true
							}
							return shape.hook(echo)(w, r)
						})
						logs.take()
						_, err := client.ListSyncTaskRegistries(ctx, "task-1", &hss.ListSyncTaskRegistriesOptions{Limit: 10})
						shape.check(t, err)
						mu.Lock()
						secrets := map[string]string{"token": secToken, "secret key": secSK, "security token": secSecurityToken}
						for i, s := range signatures {
							secrets[fmt.Sprintf("signature %d", i)] = s
						}
						mu.Unlock()
						leaks := newSecLeaks(secrets)
						secCheckError(t, leaks, err)
						logged := logs.take()
						assert.Contains(t, logged, "retrying", "the retry is logged")
						assert.Contains(t, logged, "hss: request", "the attempts are logged")
						leaks.check(t, "the log", logged)
					})
				}
			}
		}
	}
}

// TestSecretNeverInTransportErrors: a server that breaks the HTTP framing
// with an echo of the token (a header line without a colon, a status line
// that is the token) gets none of it into the error or the log: net/http
// quotes such lines in its errors.
func TestSecretNeverInTransportErrors(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	var logs teeLog
	client := srv.Client(t, hss.WithToken(secToken), hss.WithLogger(logs.logger()), hss.WithRetryPolicy(hss.NoRetries()))
	leaks := newSecLeaks(map[string]string{"token": secToken})
	for name, answer := range map[string]func(token string) string{
		"header line without a colon": func(tok string) string { return "HTTP/1.1 200 OK\r\nX-Echo " + tok + "\r\n\r\n" },
		"status line":                 func(tok string) string { return tok + "\r\n\r\n" },
		"status text":                 func(tok string) string { return "HTTP/1.1 2x0 " + tok + "\r\n\r\n" },
	} {
		t.Run(name, func(t *testing.T) {
			srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return false
				}
				defer conn.Close()
				_, _ = buf.WriteString(answer(r.Header.Get("X-Auth-Token")))
				_ = buf.Flush()
				return true
			})
			logs.take()
			_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
			var re *hss.RequestError
			require.ErrorAs(t, err, &re)
			secCheckError(t, leaks, err)
			leaks.check(t, "the log", logs.take())
		})
	}
}

// TestSecretRequestIDBounded: an over-long X-Request-Id is cut in every
// error that carries it.
func TestSecretRequestIDBounded(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	client := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()))
	long := strings.Repeat("r", 5000)
	for _, shape := range secShapes {
		if shape.name == "APIError, cut by the 1 MiB cap" {
			continue
		}
		t.Run(shape.name, func(t *testing.T) {
			srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("X-Request-Id", long)
				return shape.hook(long)(w, r)
			})
			_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
			require.Error(t, err)
			for _, target := range []any{new(*hss.APIError), new(*hss.DecodeError), new(*hss.RequestError)} {
				if errors.As(err, target) {
					var id string
					switch e := target.(type) {
					case **hss.APIError:
						id = (*e).RequestID
					case **hss.DecodeError:
						id = (*e).RequestID
					case **hss.RequestError:
						id = (*e).RequestID
					}
					if id != "" {
						secCheckRequestID(t, id)
						assert.True(t, strings.HasPrefix(id, "rrrr"), id)
					}
				}
			}
			assert.Less(t, len(err.Error()), 2000, "the message holds the whole request id")
		})
	}
}

// TestSecretRefusedRedirectShowsHostOnly: a redirect the client refuses
// (another host, or a loop) is named by host; the Location's path and query,
// which may carry the token, reach neither the error nor the log.
func TestSecretRefusedRedirectShowsHostOnly(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	var logs teeLog
	client := srv.Client(t, hss.WithToken(secToken), hss.WithLogger(logs.logger()), hss.WithRetryPolicy(hss.NoRetries()))
	leaks := newSecLeaks(map[string]string{"token": secToken})
	tail := func(r *http.Request) string {
		tok := r.Header.Get("X-Auth-Token")
		return "/steal/" + url.PathEscape(tok) + "?token=" + url.QueryEscape(tok) + "#" + url.QueryEscape(tok)
	}
	cases := []struct {
		name     string
		location func(r *http.Request) string
		to       string // the RedirectError's To; "" when the Location cannot be parsed
		loop     bool
	}{
		{"another host", func(r *http.Request) string { return "http://elsewhere.example:8443" + tail(r) }, "http://elsewhere.example:8443", false},
		{"https to another host", func(r *http.Request) string { return "https://elsewhere.example" + tail(r) }, "https://elsewhere.example", false},
		{"a loop on the same host", tail, strings.TrimSuffix(srv.URL(), "/"), true},
		{"a Location that does not parse", func(r *http.Request) string {
			return "/%zz/" + r.Header.Get("X-Auth-Token") + "?token=" + url.QueryEscape(r.Header.Get("X-Auth-Token"))
		}, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("Location", c.location(r))
				w.WriteHeader(http.StatusFound)
				return true
			})
			logs.take()
			_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
			require.Error(t, err)
			if c.to != "" {
				var rd *hss.RedirectError
				require.ErrorAs(t, err, &rd)
				assert.Equal(t, c.to, rd.To)
				assert.Equal(t, c.loop, rd.Loop)
			}
			logged := logs.take()
			for _, text := range []string{err.Error(), secOneLine(err), logged} {
				assert.NotContains(t, text, "steal")
				assert.NotContains(t, text, "%zz")
			}
			secCheckError(t, leaks, err)
			leaks.check(t, "the log", logged)
		})
	}

	// The host itself is server-supplied text: a token the server puts
	// there is scrubbed like any other echo.
	t.Run("the token as the host", func(t *testing.T) {
		hostSafe := "mii-hostsafe-token7q9zk2m4x8v"
		srv := hsstest.NewServer(hsstest.WithToken(hostSafe))
		defer srv.Close()
		client := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()), hss.WithLogger(logs.logger()))
		srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Location", "http://"+r.Header.Get("X-Auth-Token")+".example/")
			w.WriteHeader(http.StatusFound)
			return true
		})
		logs.take()
		_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
		var rd *hss.RedirectError
		require.ErrorAs(t, err, &rd)
		leaks := newSecLeaks(map[string]string{"token": hostSafe})
		secCheckError(t, leaks, err)
		leaks.check(t, "the log", logs.take())
	})
}

// TestSecretQueryNeverLogged: a secret-looking query parameter of Client.Do
// is logged as REDACTED.
func TestSecretQueryNeverLogged(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	srv.HandleFunc(http.MethodGet, "/v5/{project_id}/echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	})
	var logs teeLog
	client := srv.Client(t, hss.WithLogger(logs.logger()))
	q := url.Values{"limit": {"10"}, "token": {secToken}, "sk": {secSK}, "X-Security-Token": {secSecurityToken}, "task_id": {"t"}}
	_, err := client.Do(context.Background(), http.MethodGet, "/v5/{project_id}/echo", q, nil, nil)
	require.NoError(t, err)
	logged := logs.take()
	assert.Contains(t, logged, "REDACTED")
	assert.Contains(t, logged, "task_id=t", "a key that merely contains \"sk\" is not secret")
	newSecLeaks(map[string]string{"token": secToken, "secret key": secSK, "security token": secSecurityToken}).check(t, "the log", logged)
}

// secIAMOK answers an IAM password login with issued as the token.
func secIAMOK(w http.ResponseWriter, issued string, now time.Time) {
	w.Header().Set("X-Subject-Token", issued)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"token":{"expires_at":%q}}`, now.Add(24*time.Hour).UTC().Format(time.RFC3339))
}

// secIAM starts a fake IAM whose answers answer(n, w, r) writes (n counts
// requests from 1). It is a hand-made httptest server: hsstest fakes HSS,
// not IAM, and its routes all require HSS credentials.
func secIAM(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *credentials.TokenSource) {
	t.Helper()
	iam, ts, _ := secIAMOn(t, answer)
	return iam, ts
}

// secIAMOn is secIAM with the token source on a fake clock, which it
// returns.
func secIAMOn(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *credentials.TokenSource, *hsstest.Clock) {
	t.Helper()
	clk := hsstest.NewClock(time.Now())
	var n atomic.Int32
	iam := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer(int(n.Add(1)), w, r)
	}))
	t.Cleanup(iam.Close)
	ts, err := credentials.NewPasswordTokenSource(credentials.PasswordConfig{
		DomainName: "sec-domain", UserName: "sec-user", Password: secPassword, ProjectID: secProject, IAMEndpoint: iam.URL,
		Now: clk.Now,
	})
	require.NoError(t, err)
	return iam, ts, clk
}

// secPasswordEcho reads the password out of an IAM request body, as the
// server received it (JSON-escaped).
func secPasswordEcho(t *testing.T, r *http.Request) string {
	var body bytes.Buffer
	_, _ = body.ReadFrom(r.Body)
	_, after, ok := strings.Cut(body.String(), `"password":"`)
	require.True(t, ok, "no password in %s", body.String())
	i := 0
	for i < len(after) && after[i] != '"' {
		if after[i] == '\\' {
			i++
		}
		i++
	}
	return after[:i]
}

// TestSecretIAMErrorsHoldNoSecret: a hostile IAM that echoes the password
// it received (JSON-escaped, as it sits in the request body, or in any
// other form) and a token it issued, in X-Request-Id and its error body,
// gets none of them into the token source's errors or the Client's log.
func TestSecretIAMErrorsHoldNoSecret(t *testing.T) {
	leaks := newSecLeaks(map[string]string{"password": secPassword, "issued token": secIssuedToken})
	refuse := func(w http.ResponseWriter, requestID, message string) {
		w.Header().Set("X-Request-Id", requestID)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"code":"IAM.0004","message":"The password %s is wrong"},"request_id":"%s"}`, message, requestID)
	}
	for _, form := range secEchoForms {
		t.Run("password "+form.name, func(t *testing.T) {
			_, ts := secIAM(t, func(_ int, w http.ResponseWriter, r *http.Request) {
				echo := form.form(secPassword)
				refuse(w, echo, echo)
			})
			_, err := ts.Retrieve(context.Background())
			var ce *credentials.Error
			require.ErrorAs(t, err, &ce)
			assert.True(t, ce.Refused())
			assert.Equal(t, http.StatusUnauthorized, ce.StatusCode)
			secCheckError(t, leaks, err)
		})
	}

	t.Run("a token in X-Request-Id", func(t *testing.T) {
		// The refusal carries a token of its own, echoed in X-Request-Id
		// and the body: whatever IAM issues is a secret too.
		_, ts := secIAM(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Subject-Token", secIssuedToken)
			refuse(w, secIssuedToken, secJSON(secIssuedToken, true))
		})
		_, err := ts.Retrieve(context.Background())
		secCheckError(t, leaks, err)
	})

	t.Run("the previous token in X-Request-Id", func(t *testing.T) {
		// After the service refused the token (401 APIGW.0307), the new
		// login's refusal echoes the old token.
		now := time.Now()
		_, ts, clk := secIAMOn(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				secIAMOK(w, secIssuedToken, now)
				return
			}
			refuse(w, secIssuedToken, secIssuedToken)
		})
		v, err := ts.Retrieve(context.Background())
		require.NoError(t, err)
		clk.Advance(credentials.RefusalWindow) // a token is renewed at most once a window
		ts.Invalidate(v)
		_, err = ts.Retrieve(context.Background())
		secCheckError(t, leaks, err)
	})

	t.Run("through the Client, retried and logged", func(t *testing.T) {
		// IAM asks for a second's wait, which the Client waits, on the
		// token source's clock, before it asks for a token again.
		_, ts, clk := secIAMOn(t, func(n int, w http.ResponseWriter, r *http.Request) {
			echo := secPasswordEcho(t, r)
			assert.Equal(t, secJSON(secPassword, true), echo, "IAM reads the password JSON-escaped")
			if n == 1 {
				w.Header().Set("X-Request-Id", echo)
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintf(w, `{"error":{"code":"IAM.9999","message":"busy checking %s"}}`, echo)
				return
			}
			refuse(w, echo, echo)
		})
		srv := hsstest.NewServer(hsstest.WithClock(clk))
		defer srv.Close()
		var logs teeLog
		client := srv.Client(t, hss.WithCredentials(ts), hss.WithLogger(logs.logger()))
		_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
		require.Error(t, err)
		assert.True(t, hss.IsAuthError(err), "%v", err)
		assert.Contains(t, err.Error(), "IAM.0004")
		secCheckError(t, leaks, err)
		logged := logs.take()
		assert.Contains(t, logged, "IAM.9999", "the retried IAM failure is logged")
		leaks.check(t, "the log", logged)
		assert.Empty(t, srv.Requests(), "no request reaches HSS without a token")
	})

	t.Run("hostile framing", func(t *testing.T) {
		for name, answer := range map[string]func(w http.ResponseWriter, echo string){
			"a Location that does not parse": func(w http.ResponseWriter, echo string) {
				w.Header().Set("Location", "/%zz/"+url.PathEscape(secPassword)+"?p="+echo)
				w.WriteHeader(http.StatusFound)
			},
			"a header line without a colon": func(w http.ResponseWriter, echo string) {
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return
				}
				defer conn.Close()
				_, _ = buf.WriteString("HTTP/1.1 401 Unauthorized\r\nX-Echo " + secPassword + "\r\n\r\n")
				_ = buf.Flush()
			},
		} {
			t.Run(name, func(t *testing.T) {
				_, ts := secIAM(t, func(_ int, w http.ResponseWriter, r *http.Request) { answer(w, secPasswordEcho(t, r)) })
				_, err := ts.Retrieve(context.Background())
				secCheckError(t, leaks, err)
			})
		}
	})
}

// TestSecretCredentialsErrorNamesHostOnly: credentials.Error prints the
// host of the source's URL, never its path or query.
func TestSecretCredentialsErrorNamesHostOnly(t *testing.T) {
	e := &credentials.Error{Source: "IAM", URL: "https://iam.example.com/v3/auth/tokens?nocatalog=true&x=" + url.QueryEscape(secToken),
		StatusCode: 401, Code: "IAM.0004", Message: "wrong", RequestID: "r1"}
	assert.Equal(t, "credentials: IAM iam.example.com: 401 IAM.0004: wrong (request id r1)", e.Error())
	e = &credentials.Error{Source: "ECS metadata", URL: "http://169.254.169.254/openstack/latest/securitykey", Err: errors.New("dial failed")}
	assert.Equal(t, "credentials: ECS metadata 169.254.169.254: dial failed", e.Error())
	assert.Equal(t, "credentials: ECS metadata: failed", (&credentials.Error{Source: "ECS metadata"}).Error())
}

// secHolders builds one of every type that holds a secret, with its
// secrets in use (fetched, for the providers that fetch).
func secHolders(t *testing.T) map[string]any {
	t.Helper()
	ctx := context.Background()
	now := time.Now()

	client, err := hss.NewClient("https://hss.example.com", secProject, hss.WithTemporaryAKSK(secAK, secSK, secSecurityToken))
	require.NoError(t, err)
	tokenClient, err := hss.NewClient("https://hss.example.com", secProject, hss.WithToken(secToken))
	require.NoError(t, err)

	keyValue := credentials.Value{AccessKey: secAK, SecretKey: secSK, SecurityToken: secSecurityToken, Expires: now.Add(time.Hour), Source: "test"}
	tokenValue := credentials.Value{Token: secToken, Source: "test"}
	static, err := credentials.NewStatic(keyValue)
	require.NoError(t, err)

	path := filepath.Join(t.TempDir(), "credentials")
	require.NoError(t, os.WriteFile(path, []byte("[basic]\nak = "+secAK+"\nsk = "+secSK+"\nsecurity_token = "+secSecurityToken+"\nproject_id = "+secProject+"\n"), 0o600))
	profile, err := credentials.LoadProfile(path)
	require.NoError(t, err)
	v, err := profile.Retrieve(ctx)
	require.NoError(t, err)
	require.Equal(t, secSK, v.SecretKey, "the profile holds the secret key")

	cfg := credentials.PasswordConfig{DomainName: "sec-domain", UserName: "sec-user", Password: secPassword, ProjectID: secProject, Region: "cn-north-4"}
	_, ts := secIAM(t, func(_ int, w http.ResponseWriter, r *http.Request) { secIAMOK(w, secIssuedToken, now) })
	tok, err := ts.Token(ctx)
	require.NoError(t, err)
	require.Equal(t, secIssuedToken, tok)

	// A hand-made ECS metadata service: hsstest fakes HSS only.
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"credential": map[string]string{
			"access": secAK, "secret": secSK, "securitytoken": secSecurityToken,
			"expires_at": now.Add(time.Hour).UTC().Format(time.RFC3339)}})
	}))
	t.Cleanup(meta.Close)
	md := credentials.NewMetadata(credentials.MetadataConfig{URL: meta.URL})
	_, err = md.Retrieve(ctx)
	require.NoError(t, err)

	cache := credentials.NewCache(static, nil)
	_, err = cache.Retrieve(ctx)
	require.NoError(t, err)

	key := sign.Key{AccessKey: secAK, SecretKey: secSK, SecurityToken: secSecurityToken}
	transport := sign.Transport{Key: key, Base: secNoTransport{}, Now: time.Now}

	return map[string]any{
		"*hss.Client": client, "*hss.Client with a token": tokenClient,
		"credentials.Value (key)": keyValue, "*credentials.Value (key)": &keyValue,
		"credentials.Value (token)": tokenValue, "*credentials.Value (token)": &tokenValue,
		"credentials.Static": *static, "*credentials.Static": static,
		"credentials.Profile": *profile, "*credentials.Profile": profile,
		"credentials.PasswordConfig": cfg, "*credentials.PasswordConfig": &cfg,
		"credentials.TokenSource": *ts, "*credentials.TokenSource": ts,
		"credentials.Metadata": *md, "*credentials.Metadata": md,
		"credentials.Cache": *cache, "*credentials.Cache": cache,
		"sign.Key": key, "*sign.Key": &key,
		"sign.Transport": transport, "*sign.Transport": &transport,
	}
}

// secNoTransport is a Base for a sign.Transport that is only printed. It
// holds no state, so that printing it races with nothing.
type secNoTransport struct{}

func (secNoTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("secNoTransport sends nothing")
}

// secVerbs are the fmt verbs a log line or an error wrap might use.
var secVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%-v"}

// TestSecretHoldersNeverShowSecrets: every type that holds a secret prints
// (every fmt verb, as a value, a pointer, or inside a struct, slice or
// map), marshals (encoding/json) and logs (slog's JSON and text handlers)
// without it.
func TestSecretHoldersNeverShowSecrets(t *testing.T) {
	leaks := newSecLeaks(map[string]string{"token": secToken, "secret key": secSK, "security token": secSecurityToken,
		"password": secPassword, "issued token": secIssuedToken})
	var logs teeLog
	logger := logs.logger()
	for name, held := range secHolders(t) {
		t.Run(name, func(t *testing.T) {
			wrapped := map[string]any{
				"as is":       held,
				"in a struct": struct{ Held any }{held},
				"in a slice":  []any{held},
				"in a map":    map[string]any{"held": held},
			}
			for how, v := range wrapped {
				for _, verb := range secVerbs {
					out := fmt.Sprintf(verb, v)
					leaks.check(t, fmt.Sprintf("%s %s", verb, how), out)
					assert.NotContains(t, out, "PANIC", "%s %s", verb, how)
				}
				leaks.check(t, "Sprint "+how, fmt.Sprint(v))
				leaks.check(t, "Sprintln "+how, fmt.Sprintln(v))
				leaks.check(t, "a wrapped error "+how, fmt.Errorf("wrapped: %w", fmt.Errorf("%v", v)).Error())
				out, err := json.Marshal(v)
				require.NoError(t, err, how)
				leaks.check(t, "encoding/json "+how, string(out))
				logger.Info("holder", "held", v)
				logger.Info("holder", slog.Group("group", slog.Any("held", v)))
				logged := logs.take()
				leaks.check(t, "slog "+how, logged)
				assert.NotContains(t, logged, "panic", how)
			}
			if strings.Contains(name, "Value") || strings.Contains(name, "PasswordConfig") || strings.Contains(name, "sign.") {
				// Types whose secrets are exported fields show them as
				// REDACTED, so a reader knows one is there; the others
				// never reach their secrets.
				assert.Contains(t, fmt.Sprint(held)+fmt.Sprintf("%+v", held), "REDACTED")
			}
		})
	}
}

// TestSecretZeroHoldersPrintSafely: zero values and nil pointers of the
// secret-holding types print, marshal and log without panicking.
func TestSecretZeroHoldersPrintSafely(t *testing.T) {
	var logs teeLog
	logger := logs.logger()
	for name, v := range map[string]any{
		"hss.Client": hss.Client{}, "credentials.TokenSource": credentials.TokenSource{}, "credentials.Metadata": credentials.Metadata{},
		"credentials.Cache": credentials.Cache{}, "credentials.Profile": credentials.Profile{}, "credentials.Static": credentials.Static{},
		"credentials.Value": credentials.Value{}, "sign.Key": sign.Key{}, "sign.Transport": sign.Transport{},
		"credentials.PasswordConfig": credentials.PasswordConfig{},
	} {
		for _, verb := range secVerbs {
			assert.NotContains(t, fmt.Sprintf(verb, v), "PANIC", "%s %s", name, verb)
		}
		_, err := json.Marshal(v)
		assert.NoError(t, err, name)
		logger.Info("zero", "v", v)
		assert.NotContains(t, logs.take(), "panic", name)
	}
}

// TestSecretShortPrefixesScrubbed: an echo of the first 8 characters of a
// secret or more is scrubbed; 7 cannot be told from ordinary text and stay.
func TestSecretShortPrefixesScrubbed(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	client := srv.Client(t, hss.WithToken(secToken), hss.WithRetryPolicy(hss.NoRetries()))
	for n := 7; n <= 14; n++ {
		srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("X-Request-Id", r.Header.Get("X-Auth-Token")[:n]+"|id")
			w.WriteHeader(http.StatusBadRequest)
			return true
		})
		_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
		var ae *hss.APIError
		require.ErrorAs(t, err, &ae)
		want := "REDACTED|id"
		if n < 8 {
			want = secToken[:n] + "|id"
		}
		assert.Equal(t, want, ae.RequestID, "an echo of %d characters", n)
	}
}

// secIAMLikeToken is a token shaped like an IAM token: base64 with '+', '/' and
// '=' in it. No 12-character window of it occurs in ordinary output.
const secIAMLikeToken = "MIIsec7kQ+Zp3vWx9/Lm2Nb8Rt4Yq6Hs1Jd5Kf0Gh7Pa3Xc9Ve2Bn8Mw4Qz6Ty1Ur5Io3+Wq7Ek2Lr9=="

// secWindowLeak reports the first window of leakWindow bytes of secret that text
// holds, or "".
func secWindowLeak(text, secret string) string {
	const leakWindow = 12
	for i := 0; i+leakWindow <= len(secret); i++ {
		if w := secret[i : i+leakWindow]; strings.Contains(text, w) {
			return w
		}
	}
	return ""
}

// secCheckNoLeak fails the test when any text err offers (its message,
// %+v, %#v, and the fields of an *hss.APIError) or the log holds a window
// of secret.
func secCheckNoLeak(t *testing.T, err error, logged, secret string) {
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
		if w := secWindowLeak(text, secret); w != "" {
			i := strings.Index(text, w)
			t.Errorf("%s shows the secret (%q): ...%s...", where, w, text[max(0, i-30):min(len(text), i+len(w)+30)])
		}
	}
}

// TestDoDecodeErrorScrubsEchoedToken: a 2xx answer that echoes
// the token into a field Client.Do decodes into a type whose decoding
// error quotes the value (time.Time, json.Number, a ",string" int, a
// TextUnmarshaler such as netip.Addr) keeps the token out of the
// *DecodeError's text and the debug log line.
func TestDoDecodeErrorScrubsEchoedToken(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithToken(secIAMLikeToken))
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
			var logs teeLog // both slog handlers, JSON and text
			client := srv.Client(t, hss.WithToken(secIAMLikeToken), hss.WithLogger(logs.logger()))
			_, err := client.Do(context.Background(), http.MethodGet, "/v1/{project_id}/things", nil, nil, out)
			var de *hss.DecodeError
			require.ErrorAs(t, err, &de)
			secCheckNoLeak(t, err, logs.take(), secIAMLikeToken)
		})
	}
}

// TestPartlyEscapedEchoScrubbed: an echo whose encoder escapes
// some characters and not others (System.Text.Json, .NET's default, writes
// '+' as \u002B but leaves '/' and '=' alone) is scrubbed whole: no part
// of the token reaches APIError.Message, APIError.Body, the error text or
// the log.
func TestPartlyEscapedEchoScrubbed(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithToken(secIAMLikeToken))
	defer srv.Close()
	dotnet := strings.NewReplacer("+", `\u002B`, "<", `\u003C`, ">", `\u003E`, "&", `\u0026`).Replace
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: token %s is invalid"}`,
			dotnet(r.Header.Get("X-Auth-Token")))
		return true
	})
	var logs teeLog
	client := srv.Client(t, hss.WithToken(secIAMLikeToken), hss.WithLogger(logs.logger()), hss.WithRetryPolicy(hss.NoRetries()))
	_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
	var ae *hss.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusUnauthorized, ae.StatusCode)
	secCheckNoLeak(t, err, logs.take(), secIAMLikeToken)
}

// TestFaultsLeakNoAKSKSecrets runs fault scenarios with temporary AK/SK
// credentials and debug logging: no error or log line may carry the SK,
// the security token or any signature the client sent, even when the
// server echoes them.
func TestFaultsLeakNoAKSKSecrets(t *testing.T) {
	const ak, sk, secToken = "AKFAULTTEST", "fault-secret-key-value", "fault-security-token-value"
	scenarios := map[string]func(srv *hsstest.Server) func(w http.ResponseWriter, r *http.Request) bool{
		"503 always": func(srv *hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			srv.FailNext(10, http.StatusServiceUnavailable, "APIGW.0613", "unavailable")
			return nil
		},
		"401 echoing the request": func(*hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool {
				writeAPIError(w, http.StatusUnauthorized, "APIGW.0301", "verify aksk signature fail: "+r.Header.Get("Authorization")+" "+r.Header.Get("X-Security-Token"))
				return true
			}
		},
		"request id echoing the signature": func(*hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("X-Request-Id", r.Header.Get("Authorization"))
				writeAPIError(w, http.StatusInternalServerError, "APIGW.0601", "Internal server error.")
				return true
			}
		},
		"429 too long": func(srv *hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			srv.FailNext(10, http.StatusTooManyRequests, "APIGW.0308", "throttled", http.Header{"Retry-After": {"7200"}})
			return nil
		},
		"truncated": func(srv *hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			srv.TruncateNext(10)
			return nil
		},
		"reset": func(srv *hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			srv.ResetNext(10)
			return nil
		},
		"not json": func(srv *hsstest.Server) func(http.ResponseWriter, *http.Request) bool {
			srv.FailNextRaw(10, http.StatusOK, []byte("<html>oops</html>"))
			return nil
		},
	}
	for name, setup := range scenarios {
		t.Run(name, func(t *testing.T) {
			srv, _ := newTestServer(t, hsstest.WithTemporaryAKSK(ak, sk, secToken), hsstest.WithSeed(testTask, 200))
			var mu sync.Mutex
			var signatures []string
			fault := setup(srv)
			srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				if a := r.Header.Get("Authorization"); a != "" {
					mu.Lock()
					signatures = append(signatures, a[strings.LastIndex(a, "Signature=")+len("Signature="):])
					mu.Unlock()
				}
				return fault != nil && fault(w, r)
			})
			logs := &logBuffer{}
			logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c := srv.Client(t, hss.WithTemporaryAKSK(ak, sk, secToken), hss.WithLogger(logger))
			_, err := c.ListSyncTaskRegistries(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{RegistryName: "my reg", Limit: 200})
			require.Error(t, err)
			var ae *hss.APIError
			body := ""
			if errors.As(err, &ae) {
				body = string(ae.Body) + ae.Message + ae.RequestID
			}
			mu.Lock()
			secrets := append([]string{sk, secToken}, signatures...)
			mu.Unlock()
			require.NotEmpty(t, secrets[2:], "requests were signed")
			for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), body, logs.String()} {
				for _, s := range secrets {
					assert.NotContains(t, out, s)
				}
			}
		})
	}
}

// TestEchoedTokenIsScrubbed: a gateway that echoes the token in its error
// body, message or request id leaves no part of it in the error.
func TestEchoedTokenIsScrubbed(t *testing.T) {
	token := "MIIZ" + strings.Repeat("abcdefgh", 600) // a real IAM token is several KiB
	for _, tc := range []struct {
		body   string
		header http.Header
	}{
		{`{"error_code":"APIGW.0301","error_msg":"bad token ` + token + `"}`, nil},
		{`{"code":"APIGW.0301","message":"` + token[:100] + `","request_id":"` + token + `"}`, nil},
		{"<html><head><title>401 " + token + "</title></head></html>", nil},
		{`{"error_code":"APIGW.0301","error_msg":"x"}`, http.Header{"X-Request-Id": {token}}},
	} {
		c, _ := newMockClient(t, "https://hss.example.com", 401, tc.body, tc.header, hss.WithToken(token))
		_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
		var ae *hss.APIError
		require.ErrorAs(t, err, &ae)
		for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), string(ae.Body), ae.Message, ae.RequestID} {
			assert.NotContains(t, out, "abcdefghabcdefgh", "no part of the token survives")
		}
	}
}

// TestClientPrintsNoSecret: a Client needs no redaction methods: its
// credentials sit behind pointers, which fmt, encoding/json and slog do not
// follow past the top level, so no verb, encoder or handler shows them.
func TestClientPrintsNoSecret(t *testing.T) {
	const sk, securityToken = "core-secret-key-value", "core-security-token-value"
	for name, opt := range map[string]hss.Option{
		"token":         hss.WithToken(testToken),
		"temporary key": hss.WithTemporaryAKSK("AKCORETEST", sk, securityToken),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := hss.NewClient("https://gw.example.com/hss/", testProject, opt)
			require.NoError(t, err)
			var outs []string
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
				outs = append(outs, fmt.Sprintf(verb, c))
			}
			type holder struct{ Client *hss.Client }
			for _, verb := range []string{"%v", "%+v", "%s", "%q", "%d", "%x", "%t"} {
				outs = append(outs, fmt.Sprintf(verb, holder{c}), fmt.Sprintf(verb, []any{c}))
			}
			//lint:ignore SA9005 what a Client marshals to is what this checks
			b, err := json.Marshal(c)
			require.NoError(t, err)
			assert.JSONEq(t, `{}`, string(b))
			var js, text bytes.Buffer
			slog.New(slog.NewJSONHandler(&js, nil)).Info("made", "client", c)
			slog.New(slog.NewTextHandler(&text, nil)).Info("made", "client", c)
			outs = append(outs, js.String(), text.String())
			for _, out := range outs {
				for _, s := range []string{testToken, sk, securityToken} {
					assert.NotContains(t, out, s)
					assert.NotContains(t, out, s[:8], "not even a piece")
				}
			}
		})
	}
}

// TestSuccessBuildsNoScrubber: a 2xx answer whose X-Request-Id has the
// gateway's shape (32 hex digits, a UUID) is read without building the
// index of the credentials' forms, for a token and for a signed request;
// an id that may hold a piece of a secret still gets one, and is scrubbed.
func TestSuccessBuildsNoScrubber(t *testing.T) {
	const ak, sk = "AKSUCCESS0000000001", "sk-success-without-scrubber-0123456789"
	for name, opt := range map[string]hss.Option{"token": nil, "AK/SK": hss.WithAKSK(ak, sk)} {
		t.Run(name, func(t *testing.T) {
			srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 1), hsstest.WithAKSK(ak, sk))
			c := srv.Client(t, opt)
			page, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
			require.NoError(t, err)
			assert.Len(t, page.RequestID, 32)
			assert.False(t, hss.ScrubberBuilt(c), "a clean success built the scrubber")
		})
	}
	for _, id := range []string{"0a1b2c3d4e5f60718293a4b5c6d7e8f9", "7f3e0c7a-3b7e-4c4e-9a55-21b0c5d6e7f8", "r-1"} {
		c, _ := newMockClient(t, "https://hss.example.com", 200, onePageJSON, http.Header{"X-Request-Id": {id}})
		page, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
		require.NoError(t, err)
		assert.Equal(t, id, page.RequestID)
		assert.False(t, hss.ScrubberBuilt(c), "id %s built the scrubber", id)
	}

	// A token with hex digits in it, echoed in the id's shape.
	const token = "MIIE-0123456789abcdef-fedcba9876543210-token"
	c, _ := newMockClient(t, "https://hss.example.com", 200, onePageJSON, http.Header{"X-Request-Id": {"00000000-0123456789abcdef-fedcba98"}},
		hss.WithToken(token))
	page, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.True(t, hss.ScrubberBuilt(c))
	assert.Contains(t, page.RequestID, "REDACTED")
	assert.NotContains(t, page.RequestID, "0123456789abcdef")
}

// TestRequestIDFilterMissesNoEcho: whatever the secrets, an id of hex
// digits and dashes that the Client reads as clear without a scrubber is
// one the scrubber would leave as it is. The ids hold pieces of every
// form a server echoes a secret in, between random hex digits; the
// secrets are rich in hex digits and dashes, so that the pieces often
// have the ids' shape.
func TestRequestIDFilterMissesNoEcho(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 6))
	const alphabet = "0123456789abcdefABCDEF-----ghxyzGHXYZ+/=\"<>&\\ \u00e9\u4e16\x01"
	runes := []rune(alphabet)
	randomText := func(n int, from []rune) string {
		b := make([]rune, n)
		for i := range b {
			b[i] = from[rng.IntN(len(from))]
		}
		return string(b)
	}
	hexRunes := []rune("0123456789abcdef-")
	escapeAll := func(s string, digits string) string { // every character as \uXXXX
		var b strings.Builder
		for _, r := range utf16.Encode([]rune(s)) {
			b.WriteString(`\u`)
			for shift := 12; shift >= 0; shift -= 4 {
				b.WriteByte(digits[r>>shift&0xf])
			}
		}
		return b.String()
	}
	forms := append([]func(string) string{
		func(s string) string { return escapeAll(s, "0123456789abcdef") },
		func(s string) string { return escapeAll(s, "0123456789ABCDEF") },
	}, func() (fs []func(string) string) {
		for _, f := range secEchoForms {
			fs = append(fs, f.form)
		}
		return fs
	}()...)
	checked, cleared := 0, 0
	for range 300 {
		v := credentials.Value{Token: randomText(8+rng.IntN(60), runes), SecurityToken: randomText(8+rng.IntN(60), runes)}
		scrub, isClear := secret.NewScrubber(v.Token, v.SecurityToken), hss.RequestIDFilter(v)
		for _, s := range []string{v.Token, v.SecurityToken} {
			for _, form := range forms {
				f := form(s)
				for range 20 {
					start := rng.IntN(len(f))
					piece := f[start:min(len(f), start+8+rng.IntN(24))]
					id := randomText(rng.IntN(8), hexRunes) + piece + randomText(rng.IntN(8), hexRunes)
					if !isClear(id) {
						continue
					}
					checked++
					if scrub.String(id) == id {
						cleared++
						continue
					}
					t.Fatalf("id %q read as clear, but the scrubber finds a secret in it: %q", id, scrub.String(id))
				}
			}
		}
	}
	t.Logf("%d ids read as clear", checked)
	assert.Greater(t, checked, 1000, "too few ids of the gateway's shape to tell anything")

	// The test's own secrets leave the usual ids clear.
	isClear := hss.RequestIDFilter(credentials.Value{Token: secToken, SecurityToken: secSecurityToken, SecretKey: secSK})
	assert.True(t, isClear("0a1b2c3d4e5f60718293a4b5c6d7e8f9"))
	assert.True(t, isClear("7f3e0c7a-3b7e-4c4e-9a55-21b0c5d6e7f8"))
	assert.False(t, isClear("request 0001"), "not the gateway's shape")
	assert.True(t, isClear("req 1"), "shorter than any piece a scrubber finds")
	assert.False(t, hss.RequestIDFilter(credentials.Value{Token: "abc"})("0a1b2c3d"), "a secret shorter than 8 bytes is scrubbed whole: no shortcut")
}

// secInfoRecorder is an Observer that keeps every CallInfo it is told, and
// every error, as text.
type secInfoRecorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *secInfoRecorder) add(call hss.CallInfo, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, fmt.Sprintf("%+v", call))
	if err != nil {
		r.seen = append(r.seen, err.Error(), fmt.Sprintf("%+v", err))
	}
}

func (r *secInfoRecorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.seen, "\n")
}

func (r *secInfoRecorder) CallStart(ctx context.Context, call hss.CallInfo) context.Context {
	r.add(call, nil)
	return ctx
}

func (r *secInfoRecorder) AttemptStart(ctx context.Context, call hss.CallInfo, _ int) context.Context {
	r.add(call, nil)
	return ctx
}

func (r *secInfoRecorder) AttemptEnd(_ context.Context, call hss.CallInfo, a hss.AttemptOutcome) {
	r.add(call, a.Err)
}

func (r *secInfoRecorder) Wait(_ context.Context, call hss.CallInfo, w hss.WaitInfo) {
	r.add(call, w.Cause)
}

func (r *secInfoRecorder) CallEnd(_ context.Context, call hss.CallInfo, o hss.CallOutcome) {
	r.add(call, o.Err)
}

// TestSecretNeverInPaths: a path that holds the Client's token, because
// the caller put it in a Do path or a hostile server redirected to it,
// shows as REDACTED in every error (answers, decoding, broken bodies, the
// caller's context, the transport), in CallInfo and in the log.
func TestSecretNeverInPaths(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithToken(secToken))
	defer srv.Close()
	project := srv.ProjectID()
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		rest, ok := strings.CutPrefix(r.URL.Path, "/v5/"+project+"/")
		if !ok {
			return false
		}
		kind, _, _ := strings.Cut(rest, "/")
		switch kind {
		case "to":
			// A redirect to a path that holds the token the request carried.
			to, _, _ := strings.Cut(strings.TrimPrefix(rest, "to/"), "/")
			http.Redirect(w, r, "/v5/"+project+"/"+to+"/"+url.PathEscape(r.Header.Get("X-Auth-Token")), http.StatusFound)
		case "refuse":
			writeAPIError(w, http.StatusBadRequest, "HSS.0001", "Invalid parameter.")
		case "garbled":
			_, _ = w.Write([]byte(`{"a":`))
		case "cut":
			w.Header().Set("Content-Length", "100")
			_, _ = w.Write([]byte(`{"a":`))
		default:
			return false
		}
		return true
	})
	leaks := newSecLeaks(map[string]string{"token": secToken})
	var logs teeLog
	rec := &secInfoRecorder{}
	client := srv.Client(t, hss.WithLogger(logs.logger()), hss.WithObserver(rec),
		hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 1}))
	inPath := "/" + url.PathEscape(secToken)
	ctx := context.Background()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	var out map[string]any
	for name, do := range map[string]func() error{
		"an answer to a path the caller gave": func() error {
			_, err := client.Do(ctx, http.MethodPost, "/v5/{project_id}/refuse"+inPath, nil, nil, nil)
			return err
		},
		"an answer after a redirect": func() error {
			_, err := client.Do(ctx, http.MethodPost, "/v5/{project_id}/to/refuse", nil, nil, nil)
			return err
		},
		"a body not JSON after a redirect": func() error {
			_, err := client.Do(ctx, http.MethodPost, "/v5/{project_id}/to/garbled", nil, nil, &out)
			return err
		},
		"a body cut short after a redirect": func() error {
			_, err := client.Do(ctx, http.MethodPost, "/v5/{project_id}/to/cut", nil, nil, &out)
			return err
		},
		"the caller's context": func() error {
			_, err := client.Do(canceled, http.MethodPost, "/v5/{project_id}/refuse"+inPath, nil, nil, nil)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := do()
			require.Error(t, err)
			secCheckError(t, leaks, err)
			assert.Contains(t, err.Error(), "REDACTED", "the path is named, scrubbed")
		})
	}
	closed := hsstest.NewServer(hsstest.WithToken(secToken))
	gone := closed.Client(t, hss.WithLogger(logs.logger()), hss.WithObserver(rec), hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 1}))
	closed.Close()
	_, err := gone.Do(ctx, http.MethodPost, "/v5/{project_id}/refuse"+inPath, nil, nil, nil)
	require.Error(t, err)
	secCheckError(t, leaks, err)
	leaks.check(t, "the log", logs.take())
	leaks.check(t, "what the Observer was told", rec.text())
}

// TestSecretRedirectToSignatureScrubbed: a hostile server that redirects a
// signed request to a path holding its signature gets the signature into
// no error: the path it redirected to is named scrubbed.
func TestSecretRedirectToSignatureScrubbed(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithAKSK(secAK, secSK), hsstest.WithoutTokenAuth())
	defer srv.Close()
	var sig atomic.Value
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/old") {
			return false
		}
		auth := r.Header.Get("Authorization")
		s := auth[strings.LastIndex(auth, "Signature=")+len("Signature="):]
		sig.Store(s)
		http.Redirect(w, r, "/v5/"+srv.ProjectID()+"/gone/"+s, http.StatusFound)
		return true
	})
	client := srv.Client(t, hss.WithAKSK(secAK, secSK))
	_, err := client.Do(context.Background(), http.MethodGet, "/v5/{project_id}/old", nil, nil, nil)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	s, _ := sig.Load().(string)
	require.NotEmpty(t, s)
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		assert.NotContains(t, text, s)
		assert.NotContains(t, text, s[:16])
	}
	assert.Contains(t, apiErr.RedirectedTo, "/gone/REDACTED")
}

// secRotating hands out the token in tok.
type secRotating struct{ tok atomic.Value }

func (p *secRotating) Retrieve(context.Context) (credentials.Value, error) {
	return credentials.Value{Token: p.tok.Load().(string), Source: "rotating"}, nil
}

// TestSecretCallInfoKnowsFetchedCredentials: the first call with
// credentials a provider fetches, and the first after they change, scrub
// what they report (CallInfo, the log) with the credentials the request
// carries, not with those of an earlier call.
func TestSecretCallInfoKnowsFetchedCredentials(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithToken(secToken))
	defer srv.Close()
	require.NoError(t, srv.HandleFunc(http.MethodGet, "/v5/{project_id}/echo/{token}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{}`))
	}))
	p := &secRotating{}
	p.tok.Store(secToken)
	var logs teeLog
	rec := &secInfoRecorder{}
	client := srv.Client(t, hss.WithCredentials(p), hss.WithLogger(logs.logger()), hss.WithObserver(rec))
	for _, tok := range []string{secToken, secIssuedToken} {
		p.tok.Store(tok)
		_, err := client.Do(context.Background(), http.MethodGet, "/v5/{project_id}/echo/"+url.PathEscape(tok), url.Values{"q": {tok}}, nil, nil)
		if tok == secToken {
			require.NoError(t, err)
		}
		leaks := newSecLeaks(map[string]string{"token": tok})
		if err != nil {
			secCheckError(t, leaks, err)
		}
		leaks.check(t, "the log", logs.take())
		leaks.check(t, "what the Observer was told", rec.text())
	}
}
