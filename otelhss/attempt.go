package otelhss

import (
	"context"

	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/hsskit/hss"
)

// attemptSpanKey keys the span of an attempt in the attempt's context.
type attemptSpanKey struct{}

// AttemptStart starts the attempt's span, a child of the call's, of kind
// Internal: the HTTP client span, if any, is the instrumented transport's,
// beneath it.
func (o *observer) AttemptStart(ctx context.Context, call hss.CallInfo, attempt int) context.Context {
	attrs := append(callAttributes(call, 2), attemptKey.Int(attempt))
	if attempt > 1 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(attempt-1))
	}
	ctx, span := o.tracer.Start(ctx, callSpanName(call)+" attempt", trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(attrs...))
	return context.WithValue(ctx, attemptSpanKey{}, span)
}

// AttemptEnd counts the attempt, and the throttling answer it got if it
// did, records its duration, and ends its span, with status Error and the
// error recorded when it failed.
func (o *observer) AttemptEnd(ctx context.Context, call hss.CallInfo, a hss.AttemptOutcome) {
	if o.attempts.Enabled(ctx) || o.attemptDuration.Enabled(ctx) {
		opt := metric.WithAttributes(outcomeAttributes(callAttributes(call, 2), a.StatusCode, a.Class)...)
		o.attempts.Add(ctx, 1, opt)
		o.attemptDuration.Record(ctx, a.Duration.Seconds(), opt)
	}
	if a.Class == hss.ClassThrottled && o.throttled.Enabled(ctx) {
		o.throttled.Add(ctx, 1, metric.WithAttributes(callAttributes(call, 0)...))
	}

	span, ok := ctx.Value(attemptSpanKey{}).(trace.Span)
	if !ok {
		return
	}
	if span.IsRecording() {
		if a.StatusCode != 0 {
			span.SetAttributes(semconv.HTTPResponseStatusCode(a.StatusCode))
		}
		if a.RequestID != "" {
			span.SetAttributes(requestIDKey.String(a.RequestID))
		}
		failed(span, a.Class, a.Err)
	}
	span.End()
}
