// Package otelhss reports what an hss.Client does to OpenTelemetry: a span
// for each call with a child span for each attempt, its waits as span
// events, and metrics of calls, attempts, waits and throttling.
//
// Give the Observer to the Client:
//
//	client, err := hss.NewClient(endpoint, projectID, hss.WithToken(token),
//		hss.WithObserver(otelhss.NewObserver(tracerProvider, meterProvider)))
//
// Nil providers stand for the global ones (otel.GetTracerProvider and
// otel.GetMeterProvider), read when NewObserver is called; OpenTelemetry's
// global providers forward to the ones a program sets later. The tracer and
// the meter are named ScopeName.
//
// # Spans
//
// A call is a span of kind Client named after what was called:
// "HSS.ListSyncTaskRegistries" for a typed operation, and
// "HSS GET /v5/{project_id}/..." (the method and the path template) for
// Client.Do. It carries
//
//   - hss.operation: "ListSyncTaskRegistries", or "Do";
//   - http.request.method and url.template (the path template, ids
//     replaced by placeholders);
//   - server.address and server.port: the endpoint's host and port (443 or
//     80 when the endpoint names none);
//   - url.path, url.query and url.full (scheme, host, path and query) as
//     sent, with secrets replaced by REDACTED;
//   - when it ends: hss.attempts (attempts sent), hss.wait.duration (seconds
//     spent waiting), http.response.status_code and hss.request_id of the
//     last answer, and, when it failed, error.type (an hss.ErrorClass such
//     as "throttled" or "server_error"), status Error and the error
//     recorded as an exception event.
//
// Each attempt is a child span of kind Internal, named after the call with
// " attempt" added ("HSS.ListSyncTaskRegistries attempt"). It carries
// hss.attempt (from 1), http.request.resend_count (from the second attempt
// on), http.request.method, server.address, server.port, url.template
// and, when it ends,
// http.response.status_code, hss.request_id, and for a failed attempt
// error.type, status Error and the error: why it was retried. The attempt's
// span is in the context of its http.Request, so the span of an
// instrumented transport (otelhttp) is its child, and the trace context
// propagates from there.
//
// Each wait of the call is an event "hss.wait" on the call's span, with
// hss.wait.reason ("backoff", "quota" or "rate_limit"), hss.wait.duration
// in seconds and hss.attempts, the attempts sent so far.
//
// The errors recorded are the Client's own, which hold no secret, even when
// a server echoes one back.
//
// # Metrics
//
// All carry hss.operation, http.request.method, server.address,
// server.port and url.template, never an id, a path or a request id, so
// their cardinality stays low:
//
//   - client.call.duration (s, histogram): how long a call took, waits
//     included, with error.type when it failed and the last
//     http.response.status_code;
//   - client.call.attempts ({attempt}, counter): attempts sent, each with its
//     own error.type and http.response.status_code, so that attempts per call
//     is client.call.attempts over the count of client.call.duration, and the
//     reasons of retries are the error.type of the attempts;
//   - client.call.attempt_duration (s, histogram): how long an attempt took,
//     from sending to the end of its answer;
//   - hss.client.wait.duration (s, histogram): each wait, by hss.wait.reason:
//     backoff before a retry, the gateway's quota, the Client's own rate
//     limit;
//   - hss.client.throttled_answers ({answer}, counter): answers in which the
//     gateway throttled the call (429, APIGW.0308).
//
// The first three have the names and units aws-sdk-go-v2 gives the same
// measures, so that one dashboard reads both SDKs. Durations come from the
// Client's clock (hss.WithClock), the wall clock unless a test fakes it.
package otelhss
