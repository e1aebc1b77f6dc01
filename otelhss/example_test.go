// Examples: a Client reporting to a service's OpenTelemetry providers.
package otelhss_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/otelhss"
)

// A Client gets the Observer with hss.WithObserver. Here the providers
// record in memory, and the fake HSS answers the first attempt with a 503,
// so that the call is retried after a backoff.
func ExampleNewObserver() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))

	clk := hsstest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) // backoffs take no time
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task-1", 3))
	defer srv.Close()
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "backend unavailable", http.Header{"Retry-After": {"2"}})

	client, err := srv.NewClient(hss.WithObserver(otelhss.NewObserver(tp, mp)))
	if err != nil {
		panic(err)
	}
	page, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("registries:", len(page.DataList))

	for _, s := range spans.Ended() {
		fmt.Printf("span %q (%s), status %s\n", s.Name(), s.SpanKind(), s.Status().Code)
		for _, e := range s.Events() {
			if e.Name == "hss.wait" {
				fmt.Printf("  event %s %v\n", e.Name, e.Attributes)
			} else {
				fmt.Printf("  event %s\n", e.Name) // the error, as an exception
			}
		}
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	var names []string
	for _, m := range rm.ScopeMetrics[0].Metrics {
		names = append(names, m.Name+" ("+m.Unit+")")
	}
	slices.Sort(names)
	fmt.Println("metrics:", names)
	// Output:
	// registries: 3
	// span "HSS.ListSyncTaskRegistries attempt" (internal), status Error
	//   event exception
	// span "HSS.ListSyncTaskRegistries attempt" (internal), status Unset
	// span "HSS.ListSyncTaskRegistries" (client), status Unset
	//   event hss.wait [{"hss.wait.reason":"backoff"} {"hss.wait.duration":2} {"hss.attempts":1}]
	// metrics: [client.call.attempt_duration (s) client.call.attempts ({attempt}) client.call.duration (s) hss.client.wait.duration (s)]
}
