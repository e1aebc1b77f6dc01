// Helpers of the tests: the OpenTelemetry SDK with an in-memory span
// recorder and metric reader, a fake HSS on a fake clock, and lookups of
// recorded spans, attributes and metric points.
package otelhss_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/otelhss"
)

// registriesRoute is the path template of ListSyncTaskRegistries.
const registriesRoute = "/v5/{project_id}/image/image-sync/tasks/{task_id}/registries"

// telemetry is the real OpenTelemetry SDK, recording in memory.
type telemetry struct {
	spans    *tracetest.SpanRecorder
	reader   *sdkmetric.ManualReader
	tp       *sdktrace.TracerProvider
	mp       *sdkmetric.MeterProvider
	observer hss.Observer
}

func newTelemetry(t testing.TB) *telemetry {
	t.Helper()
	tm := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tm.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tm.spans))
	tm.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tm.reader))
	t.Cleanup(func() {
		ctx := context.Background()
		_ = tm.tp.Shutdown(ctx)
		_ = tm.mp.Shutdown(ctx)
	})
	tm.observer = otelhss.NewObserver(tm.tp, tm.mp)
	return tm
}

// fakeHSS starts the fake HSS on a fake clock, with 5 registries in
// task-1, and returns it with a Client that reports to tm.
func fakeHSS(t testing.TB, tm *telemetry, opts ...hsstest.Option) (*hsstest.Server, *hsstest.Clock, *hss.Client) {
	t.Helper()
	clk := hsstest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := hsstest.NewServer(append([]hsstest.Option{hsstest.WithClock(clk), hsstest.WithSeed("task-1", 5)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, clk, srv.Client(t, hss.WithObserver(tm.observer))
}

// metrics collects every metric point, by instrument name.
func (tm *telemetry) metrics(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tm.reader.Collect(context.Background(), &rm))
	byName := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, otelhss.ScopeName, sm.Scope.Name)
		require.Equal(t, hss.Version, sm.Scope.Version)
		for _, m := range sm.Metrics {
			byName[m.Name] = m
		}
	}
	return byName
}

// named returns the ended spans called name, in the order they ended.
func named(spans []sdktrace.ReadOnlySpan, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// attrs turns attributes into a map, for assertions.
func attrs(kvs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// histogramPoints returns the points of a float64 histogram.
func histogramPoints(t *testing.T, m metricdata.Metrics) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	h, ok := m.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a float64 histogram, got %T", m.Name, m.Data)
	return h.DataPoints
}

// counterPoints returns the points of an int64 counter.
func counterPoints(t *testing.T, m metricdata.Metrics) []metricdata.DataPoint[int64] {
	t.Helper()
	s, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is an int64 sum, got %T", m.Name, m.Data)
	require.True(t, s.IsMonotonic, "%s is a counter", m.Name)
	return s.DataPoints
}

// seconds is d in seconds, as the metrics and attributes hold it.
func seconds(d time.Duration) float64 { return d.Seconds() }
