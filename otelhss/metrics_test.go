// Metrics: call and attempt durations, attempts, waits by reason and
// throttled answers, with their units and low-cardinality attributes.
package otelhss_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// base are the attributes every metric point of a listing on srv carries.
func base(t *testing.T, srv *hsstest.Server) map[string]any {
	host, port := serverOf(t, srv.URL())
	return map[string]any{
		"hss.operation":       "ListSyncTaskRegistries",
		"http.request.method": "GET",
		"server.address":      host,
		"server.port":         port,
		"url.template":        registriesRoute,
	}
}

// with returns base plus kv, given as key, value pairs.
func with(t *testing.T, srv *hsstest.Server, kv ...any) map[string]any {
	m := base(t, srv)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func TestMetricsOfARetriedThrottledFailedListing(t *testing.T) {
	tm := newTelemetry(t)
	l := troubledCall(t, tm)
	ms := tm.metrics(t)

	units := map[string]string{
		"client.call.duration":         "s",
		"client.call.attempts":         "{attempt}",
		"client.call.attempt_duration": "s",
		"hss.client.wait.duration":     "s",
		"hss.client.throttled_answers": "{answer}",
	}
	for name, unit := range units {
		require.Contains(t, ms, name)
		assert.Equal(t, unit, ms[name].Unit, name)
		assert.NotEmpty(t, ms[name].Description, name)
	}
	assert.Len(t, ms, len(units), "no other instrument")

	// The call: its duration on the Client's clock is its waits, since the
	// fake clock does not move while an answer comes.
	calls := histogramPoints(t, ms["client.call.duration"])
	require.Len(t, calls, 1)
	assert.Equal(t, with(t, l.srv, "error.type", "client_error", "http.response.status_code", int64(400)), attrs(calls[0].Attributes.ToSlice()))
	assert.Equal(t, uint64(1), calls[0].Count)
	assert.Equal(t, seconds(l.waits[0]+l.waits[1]), calls[0].Sum)

	// Attempts: three, each sorted by its own answer.
	attempts := counterPoints(t, ms["client.call.attempts"])
	require.Len(t, attempts, 3)
	got := map[string]int64{}
	for _, p := range attempts {
		a := attrs(p.Attributes.ToSlice())
		got[a["error.type"].(string)] = p.Value
		assert.Equal(t, with(t, l.srv, "error.type", a["error.type"], "http.response.status_code", a["http.response.status_code"]), a)
	}
	assert.Equal(t, map[string]int64{"server_error": 1, "throttled": 1, "client_error": 1}, got)
	var attemptCount uint64
	for _, p := range histogramPoints(t, ms["client.call.attempt_duration"]) {
		attemptCount += p.Count
	}
	assert.Equal(t, uint64(3), attemptCount)

	// Waits, by reason.
	waits := histogramPoints(t, ms["hss.client.wait.duration"])
	require.Len(t, waits, 2)
	byReason := map[string]metricdata.HistogramDataPoint[float64]{}
	for _, p := range waits {
		a := attrs(p.Attributes.ToSlice())
		byReason[a["hss.wait.reason"].(string)] = p
		assert.Equal(t, with(t, l.srv, "hss.wait.reason", a["hss.wait.reason"]), a)
	}
	require.Contains(t, byReason, string(hss.WaitBackoff))
	require.Contains(t, byReason, string(hss.WaitQuota))
	assert.Equal(t, seconds(l.waits[0]), byReason["backoff"].Sum)
	assert.Equal(t, uint64(1), byReason["backoff"].Count)
	assert.Equal(t, seconds(l.waits[1]), byReason["quota"].Sum)
	assert.Equal(t, uint64(1), byReason["quota"].Count)

	// Throttled answers: the one 429.
	throttled := counterPoints(t, ms["hss.client.throttled_answers"])
	require.Len(t, throttled, 1)
	assert.Equal(t, int64(1), throttled[0].Value)
	assert.Equal(t, base(t, l.srv), attrs(throttled[0].Attributes.ToSlice()))
}

// TestMetricAttributesHoldNoIDs: request ids, paths and queries, which
// grow without bound, stay out of every metric point.
func TestMetricAttributesHoldNoIDs(t *testing.T) {
	tm := newTelemetry(t)
	l := troubledCall(t, tm)
	_, _, client := fakeHSS(t, tm)
	_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", &hss.ListSyncTaskRegistriesOptions{Offset: 2, Limit: 10})
	require.NoError(t, err)

	allowed := map[string]bool{"hss.operation": true, "http.request.method": true, "url.template": true, "server.address": true, "server.port": true,
		"http.response.status_code": true, "error.type": true, "hss.wait.reason": true}
	points := 0
	for name, m := range tm.metrics(t) {
		var sets []map[string]any
		switch data := m.Data.(type) {
		case metricdata.Histogram[float64]:
			for _, p := range data.DataPoints {
				sets = append(sets, attrs(p.Attributes.ToSlice()))
			}
		case metricdata.Sum[int64]:
			for _, p := range data.DataPoints {
				sets = append(sets, attrs(p.Attributes.ToSlice()))
			}
		default:
			t.Fatalf("%s: unexpected data %T", name, m.Data)
		}
		for _, set := range sets {
			points++
			for k, v := range set {
				assert.True(t, allowed[k], "%s carries %s=%v", name, k, v)
				for _, id := range append(l.reqIDs, "task-1", l.srv.ProjectID()) {
					assert.NotContains(t, fmt.Sprint(v), id, "%s: %s", name, k)
				}
			}
		}
	}
	assert.Greater(t, points, 5)
}
