// Providers: nil providers stand for OpenTelemetry's global ones, and
// no-op providers record nothing and put no span in the request.
package otelhss_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/otelhss"
)

// useGlobal makes tm's providers OpenTelemetry's global ones for the test.
// Tests that call it must not run in parallel.
func useGlobal(t *testing.T, tm *telemetry) {
	otel.SetTracerProvider(tm.tp)
	otel.SetMeterProvider(tm.mp)
	t.Cleanup(func() {
		otel.SetTracerProvider(tracenoop.NewTracerProvider())
		otel.SetMeterProvider(metricnoop.NewMeterProvider())
	})
}

func TestNilProvidersAreTheGlobalOnes(t *testing.T) {
	global := newTelemetry(t)
	useGlobal(t, global)
	tm := &telemetry{observer: otelhss.NewObserver(nil, nil)}
	_, _, client := fakeHSS(t, tm)

	_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)

	assert.Len(t, named(global.spans.Ended(), "HSS.ListSyncTaskRegistries"), 1)
	assert.Len(t, named(global.spans.Ended(), "HSS.ListSyncTaskRegistries attempt"), 1)
	assert.Contains(t, global.metrics(t), "client.call.duration")
}

func TestNoopProvidersRecordNothing(t *testing.T) {
	global := newTelemetry(t)
	useGlobal(t, global) // to show that a no-op provider is not replaced by the global one
	tm := &telemetry{observer: otelhss.NewObserver(tracenoop.NewTracerProvider(), metricnoop.NewMeterProvider())}
	srv, _, _ := fakeHSS(t, tm)
	tt := &tracingTransport{base: srv.HTTPClient().Transport, tracer: tracenoop.NewTracerProvider().Tracer("")}
	client := srv.Client(t, hss.WithObserver(tm.observer), hss.WithHTTPClient(&http.Client{Transport: tt}))
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "backend unavailable")
	srv.FailNext(1, http.StatusBadRequest, "HSS.0001", "Invalid parameter.")

	_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.Error(t, err, "the call fails as it would without the observer")
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "HSS.0001", apiErr.Code)

	require.Len(t, tt.parents, 2)
	for _, sc := range tt.parents {
		assert.False(t, sc.IsValid(), "no span in the request's context")
	}
	assert.Empty(t, global.spans.Started())
	assert.Empty(t, global.metrics(t))
}
