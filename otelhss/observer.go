package otelhss

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"

	"github.com/hsskit/hss"
)

// ScopeName names the tracer and the meter of the Observers of this
// package: the instrumentation scope of their spans and metrics.
const ScopeName = "github.com/hsskit/hss/otelhss"

// NewObserver returns an hss.Observer that reports to tp and mp; give it to
// hss.WithObserver. A nil tp or mp stands for OpenTelemetry's global
// provider. The Observer is safe for concurrent use and may serve any
// number of Clients.
func NewObserver(tp trace.TracerProvider, mp metric.MeterProvider) hss.Observer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	o := &observer{tracer: tp.Tracer(ScopeName, trace.WithInstrumentationVersion(hss.Version))}
	o.newInstruments(mp.Meter(ScopeName, metric.WithInstrumentationVersion(hss.Version)))
	return o
}

// observer is the hss.Observer of NewObserver. Its fields are set once, so
// it is safe for concurrent use.
type observer struct {
	tracer          trace.Tracer
	callDuration    metric.Float64Histogram
	attempts        metric.Int64Counter
	attemptDuration metric.Float64Histogram
	waitDuration    metric.Float64Histogram
	throttled       metric.Int64Counter
}

// Bucket boundaries, in seconds. An attempt lasts milliseconds to its
// timeout (30 s by default); a call and a wait can last up to the throttle
// budget, which may be hours.
var (
	attemptBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60}
	callBuckets    = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120, 300, 600, 1800, 3600}
	waitBuckets    = []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}
)

// newInstruments creates the instruments on m. An instrument m cannot
// create (the SDK refuses only invalid names or units, and these are
// valid) is reported to otel.Handle and replaced by one that records
// nothing, so that a call never fails for its telemetry.
func (o *observer) newInstruments(m metric.Meter) {
	var fallback noop.Meter
	histogram := func(name, desc string, buckets []float64) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(buckets...))
		if err != nil {
			otel.Handle(err)
			h, _ = fallback.Float64Histogram(name)
		}
		return h
	}
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		if err != nil {
			otel.Handle(err)
			c, _ = fallback.Int64Counter(name)
		}
		return c
	}
	o.callDuration = histogram("client.call.duration",
		"How long an HSS call took, its waits included.", callBuckets)
	o.attempts = counter("client.call.attempts", "{attempt}",
		"Attempts sent by HSS calls, each with its own outcome.")
	o.attemptDuration = histogram("client.call.attempt_duration",
		"How long one attempt of an HSS call took, from sending to the end of its answer.", attemptBuckets)
	o.waitDuration = histogram("hss.client.wait.duration",
		"How long an HSS call waited before an attempt, by hss.wait.reason: backoff, quota or rate_limit.", waitBuckets)
	o.throttled = counter("hss.client.throttled_answers", "{answer}",
		"Answers in which API Gateway throttled an HSS call (429, APIGW.0308).")
}
