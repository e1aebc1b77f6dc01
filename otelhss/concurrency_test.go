// Concurrency: one Observer shared by concurrent calls keeps each call's
// attempts and waits with that call, in spans and metrics (run with -race).
package otelhss_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/hsskit/hss"
)

func TestConcurrentCallsKeepTheirOwnSpans(t *testing.T) {
	const goroutines, calls, failures = 8, 5, 10
	tm := newTelemetry(t)
	srv, _, _ := fakeHSS(t, tm)
	// Any call may meet every failure: the goroutines take them in any order.
	client := srv.Client(t, hss.WithObserver(tm.observer), hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: failures + 1}))
	srv.FailNext(failures, http.StatusServiceUnavailable, "APIGW.0613", "backend unavailable", http.Header{"Retry-After": {"1"}})

	var wg sync.WaitGroup
	errs := make(chan error, goroutines*calls)
	for range goroutines {
		wg.Go(func() {
			for range calls {
				_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	ended := tm.spans.Ended()
	callSpans := named(ended, "HSS.ListSyncTaskRegistries")
	attemptSpans := named(ended, "HSS.ListSyncTaskRegistries attempt")
	require.Len(t, callSpans, goroutines*calls)
	require.Len(t, attemptSpans, goroutines*calls+failures)

	children := map[trace.SpanID]int{}
	for _, a := range attemptSpans {
		children[a.Parent().SpanID()]++
	}
	for _, c := range callSpans {
		got := attrs(c.Attributes())
		n := children[c.SpanContext().SpanID()]
		assert.Equal(t, int64(n), got["hss.attempts"], "a call has as many attempt spans as it sent attempts")
		waits := 0
		for _, e := range c.Events() {
			if e.Name == "hss.wait" {
				waits++
			}
		}
		assert.Equal(t, n-1, waits, "one backoff before each retry")
	}

	ms := tm.metrics(t)
	var attempts int64
	for _, p := range counterPoints(t, ms["client.call.attempts"]) {
		attempts += p.Value
	}
	assert.Equal(t, int64(len(attemptSpans)), attempts)
	var callCount uint64
	for _, p := range histogramPoints(t, ms["client.call.duration"]) {
		callCount += p.Count
	}
	assert.Equal(t, uint64(goroutines*calls), callCount)
}
