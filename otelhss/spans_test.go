// Spans: one of kind Client per call, named after the operation (or the
// method and path template for Do), a child span per attempt, waits as
// events, semantic-convention attributes and statuses.
package otelhss_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/hsskit/hss"
)

func TestSpansOfARetriedThrottledFailedListing(t *testing.T) {
	tm := newTelemetry(t)
	l := troubledCall(t, tm)

	ended := tm.spans.Ended()
	require.Len(t, ended, 4, "one call span and three attempt spans")
	calls := named(ended, "HSS.ListSyncTaskRegistries")
	require.Len(t, calls, 1)
	call := calls[0]
	assert.Equal(t, trace.SpanKindClient, call.SpanKind())
	assert.False(t, call.Parent().IsValid(), "the call is a root span: the caller's context had none")
	assert.Equal(t, codes.Error, call.Status().Code)
	assert.Contains(t, call.Status().Description, "HSS.0001")
	host, port := serverOf(t, l.srv.URL())
	assert.Equal(t, map[string]any{
		"hss.operation":             "ListSyncTaskRegistries",
		"http.request.method":       "GET",
		"server.address":            host,
		"server.port":               port,
		"url.template":              registriesRoute,
		"url.path":                  "/v5/" + l.srv.ProjectID() + "/image/image-sync/tasks/task-1/registries",
		"url.full":                  l.srv.URL() + "/v5/" + l.srv.ProjectID() + "/image/image-sync/tasks/task-1/registries",
		"hss.attempts":              int64(3),
		"hss.wait.duration":         seconds(l.waits[0] + l.waits[1]),
		"http.response.status_code": int64(400),
		"hss.request_id":            l.reqIDs[2],
		"error.type":                string(hss.ClassClient),
	}, attrs(call.Attributes()))

	// Events: the two waits, then the error.
	events := call.Events()
	require.Len(t, events, 3)
	assert.Equal(t, "hss.wait", events[0].Name)
	assert.Equal(t, map[string]any{"hss.wait.reason": "backoff", "hss.wait.duration": seconds(l.waits[0]), "hss.attempts": int64(1)},
		attrs(events[0].Attributes))
	assert.Equal(t, "hss.wait", events[1].Name)
	assert.Equal(t, map[string]any{"hss.wait.reason": "quota", "hss.wait.duration": seconds(l.waits[1]), "hss.attempts": int64(2)},
		attrs(events[1].Attributes))
	assert.Equal(t, "exception", events[2].Name)
	assert.Equal(t, l.err.Error(), attrs(events[2].Attributes)["exception.message"])

	// Attempts: children of the call, in order, each with its answer.
	attempts := named(ended, "HSS.ListSyncTaskRegistries attempt")
	require.Len(t, attempts, 3)
	want := []struct {
		status int
		class  hss.ErrorClass
		code   string
	}{
		{http.StatusServiceUnavailable, hss.ClassServer, "APIGW.0613"},
		{http.StatusTooManyRequests, hss.ClassThrottled, "APIGW.0308"},
		{http.StatusBadRequest, hss.ClassClient, "HSS.0001"},
	}
	for i, a := range attempts {
		assert.Equal(t, call.SpanContext().SpanID(), a.Parent().SpanID(), "attempt %d is a child of the call", i+1)
		assert.Equal(t, call.SpanContext().TraceID(), a.SpanContext().TraceID())
		assert.Equal(t, trace.SpanKindInternal, a.SpanKind())
		assert.Equal(t, codes.Error, a.Status().Code)
		assert.Contains(t, a.Status().Description, want[i].code)
		got := attrs(a.Attributes())
		wantAttrs := map[string]any{
			"hss.operation":             "ListSyncTaskRegistries",
			"http.request.method":       "GET",
			"server.address":            host,
			"server.port":               port,
			"url.template":              registriesRoute,
			"hss.attempt":               int64(i + 1),
			"http.response.status_code": int64(want[i].status),
			"hss.request_id":            l.reqIDs[i],
			"error.type":                string(want[i].class),
		}
		if i > 0 {
			wantAttrs["http.request.resend_count"] = int64(i)
		}
		assert.Equal(t, wantAttrs, got, "attempt %d", i+1)
		require.Len(t, a.Events(), 1, "attempt %d records its error: why it was retried", i+1)
		assert.Equal(t, "exception", a.Events()[0].Name)
		assert.True(t, a.EndTime().Before(call.EndTime()) || a.EndTime().Equal(call.EndTime()))
	}
}

func TestSpansOfASuccessfulListing(t *testing.T) {
	tm := newTelemetry(t)
	srv, _, client := fakeHSS(t, tm)

	page, err := client.ListSyncTaskRegistries(context.Background(), "task-1", &hss.ListSyncTaskRegistriesOptions{Limit: 20})
	require.NoError(t, err)

	ended := tm.spans.Ended()
	require.Len(t, ended, 2)
	call := named(ended, "HSS.ListSyncTaskRegistries")[0]
	attempt := named(ended, "HSS.ListSyncTaskRegistries attempt")[0]
	assert.Equal(t, codes.Unset, call.Status().Code)
	assert.Equal(t, codes.Unset, attempt.Status().Code)
	assert.Empty(t, call.Events(), "no wait, no error")
	got := attrs(call.Attributes())
	assert.Equal(t, page.RequestID, got["hss.request_id"])
	assert.Equal(t, srv.Requests()[0].RequestID, got["hss.request_id"])
	assert.Equal(t, int64(200), got["http.response.status_code"])
	assert.Equal(t, int64(1), got["hss.attempts"])
	assert.Equal(t, 0.0, got["hss.wait.duration"])
	assert.Equal(t, "limit=20", got["url.query"])
	assert.Equal(t, srv.URL()+"/v5/"+srv.ProjectID()+"/image/image-sync/tasks/task-1/registries?limit=20", got["url.full"])
	assert.NotContains(t, got, "error.type")
	gotAttempt := attrs(attempt.Attributes())
	assert.NotContains(t, gotAttempt, "error.type")
	assert.NotContains(t, gotAttempt, "http.request.resend_count", "the first attempt is no resend")
	assert.Equal(t, page.RequestID, gotAttempt["hss.request_id"])
}

func TestSpanOfDoIsNamedAfterMethodAndPathTemplate(t *testing.T) {
	tm := newTelemetry(t)
	srv, _, client := fakeHSS(t, tm)
	srv.HandleFunc(http.MethodPost, "/v5/{project_id}/image/image-sync/tasks/{task_id}/retry", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})

	_, err := client.Do(context.Background(), http.MethodPost, "/v5/{project_id}/image/image-sync/tasks/8f3e2a10/retry", nil, nil, nil)
	require.NoError(t, err)

	const name = "HSS POST /v5/{project_id}/image/image-sync/tasks/{id}/retry"
	calls := named(tm.spans.Ended(), name)
	require.Len(t, calls, 1, "spans: %v", spanNames(tm))
	assert.Equal(t, trace.SpanKindClient, calls[0].SpanKind())
	got := attrs(calls[0].Attributes())
	assert.Equal(t, "Do", got["hss.operation"])
	assert.Equal(t, "POST", got["http.request.method"])
	assert.Equal(t, "/v5/{project_id}/image/image-sync/tasks/{id}/retry", got["url.template"])
	assert.Equal(t, int64(204), got["http.response.status_code"])
	assert.Len(t, named(tm.spans.Ended(), name+" attempt"), 1)
}

func TestCallSpanIsAChildOfTheCallersSpan(t *testing.T) {
	tm := newTelemetry(t)
	_, _, client := fakeHSS(t, tm)
	ctx, parent := tm.tp.Tracer("caller").Start(context.Background(), "sync report")

	_, err := client.ListSyncTaskRegistries(ctx, "task-1", nil)
	require.NoError(t, err)
	parent.End()

	call := named(tm.spans.Ended(), "HSS.ListSyncTaskRegistries")
	require.Len(t, call, 1)
	assert.Equal(t, parent.SpanContext().SpanID(), call[0].Parent().SpanID())
	assert.Equal(t, parent.SpanContext().TraceID(), call[0].SpanContext().TraceID())
}

// serverOf is the server.address and server.port of a base URL.
func serverOf(t *testing.T, base string) (string, int64) {
	t.Helper()
	u, err := url.Parse(base)
	require.NoError(t, err)
	port, err := strconv.Atoi(u.Port())
	require.NoError(t, err)
	return u.Hostname(), int64(port)
}

// The server of a call is its endpoint's host, with the scheme's port when
// the endpoint names none, as the HTTP client conventions ask.
func TestServerAttributesDefaultThePort(t *testing.T) {
	tm := newTelemetry(t)
	client, err := hss.NewClient("https://hss.cn-north-4.myhuaweicloud.com", "proj", hss.WithToken(echoToken), hss.WithObserver(tm.observer),
		hss.WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusNoContent, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
		})}))
	require.NoError(t, err)
	_, err = client.Do(context.Background(), http.MethodGet, "/v5/{project_id}/x", url.Values{"a": {"1"}}, nil, nil)
	require.NoError(t, err)
	call := named(tm.spans.Ended(), "HSS GET /v5/{project_id}/x")
	require.Len(t, call, 1)
	got := attrs(call[0].Attributes())
	assert.Equal(t, "hss.cn-north-4.myhuaweicloud.com", got["server.address"])
	assert.Equal(t, int64(443), got["server.port"])
	assert.Equal(t, "https://hss.cn-north-4.myhuaweicloud.com/v5/proj/x?a=1", got["url.full"])
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func spanNames(tm *telemetry) []string {
	var names []string
	for _, s := range tm.spans.Ended() {
		names = append(names, s.Name())
	}
	return names
}
