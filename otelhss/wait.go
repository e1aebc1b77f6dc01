package otelhss

import (
	"context"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/hsskit/hss"
)

// Wait records the wait's length by its reason, and adds an event
// "hss.wait" to the call's span.
func (o *observer) Wait(ctx context.Context, call hss.CallInfo, w hss.WaitInfo) {
	reason := waitReasonKey.String(string(w.Reason))
	if o.waitDuration.Enabled(ctx) {
		o.waitDuration.Record(ctx, w.Duration.Seconds(), metric.WithAttributes(append(callAttributes(call, 1), reason)...))
	}
	if span, ok := ctx.Value(callSpanKey{}).(trace.Span); ok && span.IsRecording() {
		span.AddEvent(waitEvent, trace.WithAttributes(reason,
			waitDurationKey.Float64(w.Duration.Seconds()), attemptsKey.Int(w.Attempts)))
	}
}
