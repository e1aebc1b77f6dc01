// Trace context in the HTTP request: an instrumented transport sees the
// attempt's span as its parent, and propagates the trace to the server.
package otelhss_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/hsskit/hss"
)

// tracingTransport does what an instrumented transport such as otelhttp's
// does: it starts a client span under the span of the request's context,
// and injects that span's trace context into the request's headers.
type tracingTransport struct {
	base   http.RoundTripper
	tracer trace.Tracer

	mu      sync.Mutex
	parents []trace.SpanContext // the span of each request's context
}

func (tt *tracingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tt.mu.Lock()
	tt.parents = append(tt.parents, trace.SpanContextFromContext(req.Context()))
	tt.mu.Unlock()
	ctx, span := tt.tracer.Start(req.Context(), "HTTP "+req.Method, trace.WithSpanKind(trace.SpanKindClient))
	defer span.End()
	req = req.Clone(ctx)
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
	return tt.base.RoundTrip(req)
}

func TestAttemptSpanIsInTheRequestContext(t *testing.T) {
	tm := newTelemetry(t)
	srv, _, _ := fakeHSS(t, tm)
	tt := &tracingTransport{base: srv.HTTPClient().Transport, tracer: tm.tp.Tracer("transport")}
	var (
		mu          sync.Mutex
		traceparent []string // what the server got
	)
	srv.Handle(func(_ http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		traceparent = append(traceparent, r.Header.Get("Traceparent"))
		mu.Unlock()
		return false
	})
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "backend unavailable")
	client := srv.Client(t, hss.WithObserver(tm.observer), hss.WithHTTPClient(&http.Client{Transport: tt}))

	_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)

	attempts := named(tm.spans.Ended(), "HSS.ListSyncTaskRegistries attempt")
	transport := named(tm.spans.Ended(), "HTTP GET")
	require.Len(t, attempts, 2)
	require.Len(t, transport, 2)
	require.Len(t, tt.parents, 2)
	require.Len(t, traceparent, 2)
	for i := range attempts {
		attempt := attempts[i].SpanContext()
		assert.True(t, tt.parents[i].Equal(attempt), "request %d carries attempt %d's span", i+1, i+1)
		assert.Equal(t, attempt.SpanID(), transport[i].Parent().SpanID(), "the transport's span %d is a child of attempt %d", i+1, i+1)
		sent := transport[i].SpanContext()
		assert.Equal(t, "00-"+sent.TraceID().String()+"-"+sent.SpanID().String()+"-01", traceparent[i],
			"the server gets the trace of request %d", i+1)
	}
}
