// Benchmarks: what the Observer adds to a call of three attempts with two
// waits, with the SDK recording and with no-op providers.
package otelhss_test

import (
	"context"
	"errors"
	"testing"
	"time"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/otelhss"
)

// observeCall tells o what a Client tells it for a call whose first
// attempt is retried after a backoff and whose second is throttled.
func observeCall(o hss.Observer) {
	call := hss.CallInfo{Operation: "ListSyncTaskRegistries", Method: "GET", Route: registriesRoute,
		Path: "/v5/p/image/image-sync/tasks/t/registries", Query: "limit=200"}
	failure := errors.New("503")
	ctx := o.CallStart(context.Background(), call)
	for n, status := range []int{503, 429, 200} {
		actx := o.AttemptStart(ctx, call, n+1)
		out := hss.AttemptOutcome{Attempt: n + 1, StatusCode: status, RequestID: "0123456789abcdef0123456789abcdef", Duration: 40 * time.Millisecond}
		switch status {
		case 503:
			out.Class, out.Err = hss.ClassServer, failure
		case 429:
			out.Class, out.Err = hss.ClassThrottled, failure
		}
		o.AttemptEnd(actx, call, out)
		if status != 200 {
			o.Wait(ctx, call, hss.WaitInfo{Reason: hss.WaitBackoff, Duration: time.Second, Attempts: n + 1, Cause: failure})
		}
	}
	o.CallEnd(ctx, call, hss.CallOutcome{Attempts: 3, StatusCode: 200, RequestID: "0123456789abcdef0123456789abcdef",
		Duration: 2 * time.Second, Waited: 2 * time.Second})
}

func BenchmarkObserverSDK(b *testing.B) {
	tm := newTelemetry(b)
	b.ReportAllocs()
	for b.Loop() {
		observeCall(tm.observer)
		tm.spans.Reset()
	}
}

func BenchmarkObserverNoop(b *testing.B) {
	o := otelhss.NewObserver(tracenoop.NewTracerProvider(), metricnoop.NewMeterProvider())
	b.ReportAllocs()
	for b.Loop() {
		observeCall(o)
	}
}
