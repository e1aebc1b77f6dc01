// Secrets: a server that echoes the credentials back in its answers (the
// body, the request id, escaped or cut short) leaves none of them in any
// span, event, status or metric.
package otelhss_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// Secrets with characters that JSON and URL escaping change.
const (
	echoToken = "MIIechoTOKENq7Zp" + `"\<>&/+=` + "Tq81LmZx0Pw3Kd7Vb2Ns6Hy4Rc9Gf5Ja1Ue8Oi"
	echoAK    = "ECHOTESTAK000000001"
	echoSK    = "echoSKq7Zp8vW" + `&+"/\=<>` + "Xc3Vb5Nm7Qw9Er2Ty4"
)

// echoForms are the ways a server echoes a secret.
var echoForms = []func(string) string{
	func(s string) string { return s },
	func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) },
	url.QueryEscape,
	url.PathEscape,
	func(s string) string { return s[:len(s)/2] },
}

// echoingServer answers the first request 503, the second 429 and every
// later one 400, each echoing secret (in every form) in its error body and
// its X-Request-Id.
func echoingServer(secret func(*http.Request) string) func(http.ResponseWriter, *http.Request) bool {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) bool {
		var echoes []string
		for _, form := range echoForms {
			echoes = append(echoes, form(secret(r)))
		}
		echo := strings.Join(echoes, " | ")
		status, code := http.StatusBadRequest, "HSS.0001"
		switch n.Add(1) {
		case 1:
			status, code = http.StatusServiceUnavailable, "APIGW.0613"
			w.Header().Set("Retry-After", "1")
		case 2:
			status, code = http.StatusTooManyRequests, "APIGW.0308"
			w.Header().Set("Retry-After", "1")
		}
		w.Header().Set("X-Request-Id", url.QueryEscape(secret(r)))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		body, _ := json.Marshal(map[string]string{"error_code": code, "error_msg": "bad credential " + echo, "request_id": echo})
		_, _ = w.Write(body)
		return true
	}
}

func TestNoSecretInTelemetryWhenTheServerEchoesIt(t *testing.T) {
	for _, tc := range []struct {
		name    string
		server  []hsstest.Option
		client  []hss.Option
		secrets func(*http.Request) []string // what the request carried that must not show
		echo    func(*http.Request) string
	}{
		{
			name:    "token",
			server:  []hsstest.Option{hsstest.WithToken(echoToken)},
			secrets: func(*http.Request) []string { return []string{echoToken} },
			echo:    func(r *http.Request) string { return r.Header.Get("X-Auth-Token") },
		},
		{
			name:   "AK/SK signature",
			server: []hsstest.Option{hsstest.WithAKSK(echoAK, echoSK)},
			client: []hss.Option{hss.WithAKSK(echoAK, echoSK)},
			secrets: func(r *http.Request) []string {
				_, sig, _ := strings.Cut(r.Header.Get("Authorization"), "Signature=")
				return []string{echoSK, sig}
			},
			echo: func(r *http.Request) string { return echoSK + " " + r.Header.Get("Authorization") },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := newTelemetry(t)
			srv, _, _ := fakeHSS(t, tm, tc.server...)
			var secrets atomic.Pointer[[]string]
			echo := echoingServer(tc.echo)
			srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				s := tc.secrets(r)
				secrets.Store(&s)
				return echo(w, r)
			})
			client := srv.Client(t, append(tc.client, hss.WithObserver(tm.observer))...)

			_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", &hss.ListSyncTaskRegistriesOptions{})
			require.Error(t, err)
			require.Len(t, srv.Requests(), 3, "the 503 and the 429 were retried: their errors reached the telemetry too")

			texts := telemetryTexts(t, tm)
			all := strings.Join(texts, "\n")
			require.Contains(t, all, "bad credential", "the echoing errors were recorded")
			require.Contains(t, all, "REDACTED", "with the echoes scrubbed")
			for _, secret := range *secrets.Load() {
				require.GreaterOrEqual(t, len(secret), 16)
				for _, form := range echoForms {
					f := form(secret)
					for i := 0; i+12 <= len(f); i++ {
						window := f[i : i+12]
						for _, text := range texts {
							if strings.Contains(text, window) {
								t.Fatalf("%q of a secret shows in the telemetry: %s", window, text)
							}
						}
					}
				}
			}
		})
	}
}

// telemetryTexts is every text the telemetry holds: span names, attribute
// values, events, statuses, and metric attributes.
func telemetryTexts(t *testing.T, tm *telemetry) []string {
	t.Helper()
	var texts []string
	addAttrs := func(kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			texts = append(texts, string(kv.Key)+"="+kv.Value.String())
		}
	}
	for _, s := range tm.spans.Ended() {
		texts = append(texts, s.Name(), s.Status().Description)
		addAttrs(s.Attributes())
		for _, e := range s.Events() {
			texts = append(texts, e.Name)
			addAttrs(e.Attributes)
		}
	}
	for name, m := range tm.metrics(t) {
		texts = append(texts, name)
		switch data := m.Data.(type) {
		case metricdata.Histogram[float64]:
			for _, p := range data.DataPoints {
				addAttrs(p.Attributes.ToSlice())
			}
		case metricdata.Sum[int64]:
			for _, p := range data.DataPoints {
				addAttrs(p.Attributes.ToSlice())
			}
		default:
			t.Fatalf("%s: unexpected data %T", name, m.Data)
		}
	}
	return texts
}

// A path that holds the Client's token, because the caller put it in a Do
// path or a hostile server redirected to it, shows in no span, event,
// status or metric: url.path, url.full, the recorded errors and their
// statuses carry it scrubbed.
func TestNoSecretInTelemetryFromPaths(t *testing.T) {
	tm := newTelemetry(t)
	srv, _, _ := fakeHSS(t, tm, hsstest.WithToken(echoToken))
	project := srv.ProjectID()
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case strings.HasSuffix(r.URL.Path, "/old"):
			http.Redirect(w, r, "/v5/"+project+"/gone/"+url.PathEscape(r.Header.Get("X-Auth-Token")), http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/v5/"+project+"/refuse/"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error_code":"HSS.0001","error_msg":"Invalid parameter."}`))
		default:
			return false
		}
		return true
	})
	client := srv.Client(t, hss.WithObserver(tm.observer))
	ctx := context.Background()
	_, err := client.Do(ctx, http.MethodPost, "/v5/{project_id}/refuse/"+url.PathEscape(echoToken), url.Values{"q": {echoToken}}, nil, nil)
	require.Error(t, err)
	_, err = client.Do(ctx, http.MethodGet, "/v5/{project_id}/old", nil, nil, nil)
	require.Error(t, err)

	texts := telemetryTexts(t, tm)
	all := strings.Join(texts, "\n")
	require.Contains(t, all, "redirected to", "the redirect's error was recorded")
	require.Contains(t, all, "url.full=", "the full URL was recorded")
	for _, form := range echoForms {
		f := form(echoToken)
		for i := 0; i+12 <= len(f); i++ {
			for _, text := range texts {
				if strings.Contains(text, f[i:i+12]) {
					t.Fatalf("%q of the token shows in the telemetry: %s", f[i:i+12], text)
				}
			}
		}
	}
}
