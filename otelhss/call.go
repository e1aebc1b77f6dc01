package otelhss

import (
	"context"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/hsskit/hss"
)

// callSpanKey keys the span of a call in the call's context. The Observer
// finds its own span there, whatever span another Observer or the caller
// put in the context since.
type callSpanKey struct{}

// callSpanName names the span of a call: "HSS.ListSyncTaskRegistries" for
// a typed operation, "HSS GET /v5/{project_id}/..." for Client.Do.
func callSpanName(call hss.CallInfo) string {
	if call.Operation == "" || call.Operation == "Do" {
		return "HSS " + call.Method + " " + call.Route
	}
	return "HSS." + call.Operation
}

// CallStart starts the call's span, of kind Client, as a child of the span
// in ctx, if any. Its url.path, url.query and url.full come scrubbed in
// call.
func (o *observer) CallStart(ctx context.Context, call hss.CallInfo) context.Context {
	attrs := callAttributes(call, 4)
	if _, original := method(call.Method); original != nil {
		attrs = append(attrs, original...)
	}
	if call.Path != "" {
		attrs = append(attrs, semconv.URLPath(call.Path))
	}
	if call.Query != "" {
		attrs = append(attrs, semconv.URLQuery(call.Query))
	}
	if full := fullURL(call); full != "" {
		attrs = append(attrs, semconv.URLFull(full))
	}
	ctx, span := o.tracer.Start(ctx, callSpanName(call), trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return context.WithValue(ctx, callSpanKey{}, span)
}

// CallEnd records the call's duration and ends its span, with status
// Error and the error recorded when the call failed.
func (o *observer) CallEnd(ctx context.Context, call hss.CallInfo, out hss.CallOutcome) {
	if o.callDuration.Enabled(ctx) {
		attrs := outcomeAttributes(callAttributes(call, 2), out.StatusCode, out.Class)
		o.callDuration.Record(ctx, out.Duration.Seconds(), metric.WithAttributes(attrs...))
	}

	span, ok := ctx.Value(callSpanKey{}).(trace.Span)
	if !ok {
		return
	}
	if span.IsRecording() {
		span.SetAttributes(attemptsKey.Int(out.Attempts), waitDurationKey.Float64(out.Waited.Seconds()))
		if out.StatusCode != 0 {
			span.SetAttributes(semconv.HTTPResponseStatusCode(out.StatusCode))
		}
		if out.RequestID != "" {
			span.SetAttributes(requestIDKey.String(out.RequestID))
		}
		failed(span, out.Class, out.Err)
	}
	span.End()
}

// failed marks span as failed with err, sorted as class, when err is not
// nil.
func failed(span trace.Span, class hss.ErrorClass, err error) {
	if err == nil {
		return
	}
	if class == "" {
		class = hss.ClassOther
	}
	span.SetAttributes(semconv.ErrorTypeKey.String(string(class)))
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
}
