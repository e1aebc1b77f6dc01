package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/hsskit/hss"
)

// logMode says what stderr shows of the SDK's work.
type logMode int

const (
	logQuiet   logMode = iota // warnings only
	logWaits                  // and waits of a second or more (stderr is a terminal)
	logVerbose                // and every wait and every request, with request ids (--verbose)
)

// lineObserver is the hss.Observer behind --verbose and the waits shown
// on a terminal: one line on the console for each attempt (--verbose), and
// for each wait (every wait with --verbose; one of a second or more on a
// terminal):
//
//	hss: GET /v5/.../registries?limit=200: 200 (attempt 1, 31ms, request id 0a1b...)
//	hss: GET /v5/.../registries?limit=200: 503 APIGW.0613: unavailable (attempt 1, 12ms, request id 0a1c...)
//	hss: retrying; waiting 250ms (GET /v5/.../registries: 503 APIGW.0613: unavailable (request id 0a1c...))
//	hss: throttled; waiting 12s (GET /v5/.../registries: 429 APIGW.0308: ...)
//	hss: paced by --rate-limit; waiting 10s (GET /v5/.../registries)
//
// It keeps no state, so it is safe for concurrent use.
type lineObserver struct {
	con  *console
	mode logMode
}

// CallStart adds nothing.
func (o lineObserver) CallStart(ctx context.Context, _ hss.CallInfo) context.Context { return ctx }

// AttemptStart adds nothing.
func (o lineObserver) AttemptStart(ctx context.Context, _ hss.CallInfo, _ int) context.Context {
	return ctx
}

// AttemptEnd prints the request line, with --verbose.
func (o lineObserver) AttemptEnd(_ context.Context, call hss.CallInfo, a hss.AttemptOutcome) {
	if o.mode < logVerbose {
		return
	}
	var b strings.Builder
	b.WriteString("hss: " + call.Method + " " + call.Path)
	if call.Query != "" {
		b.WriteString("?" + call.Query)
	}
	requestID := a.RequestID
	var apiErr *hss.APIError
	if errors.As(a.Err, &apiErr) && requestID == "" {
		requestID = apiErr.RequestID
	}
	switch {
	case a.Err != nil:
		b.WriteString(": " + strings.Replace(detail(call, a.Err), " (request id "+requestID+")", "", 1))
	default:
		b.WriteString(": " + strconv.Itoa(a.StatusCode))
	}
	b.WriteString(" (attempt " + strconv.Itoa(a.Attempt) + ", " + roundDuration(a.Duration).String())
	if requestID != "" {
		b.WriteString(", request id " + requestID)
	}
	b.WriteString(")")
	o.con.println(b.String())
}

// waitLines are the openings of the wait lines, by reason.
var waitLines = map[hss.WaitReason]string{
	hss.WaitBackoff:   "hss: retrying; waiting ",
	hss.WaitQuota:     "hss: throttled; waiting ",
	hss.WaitRateLimit: "hss: paced by --rate-limit; waiting ",
}

// Wait prints the wait line: every wait with --verbose, and one of a
// second or more on a terminal.
func (o lineObserver) Wait(_ context.Context, call hss.CallInfo, w hss.WaitInfo) {
	if o.mode < logVerbose && (o.mode < logWaits || w.Duration < time.Second) {
		return
	}
	opening := waitLines[w.Reason]
	switch {
	case opening == "":
		opening = "hss: waiting (" + string(w.Reason) + ") "
	case w.Reason == hss.WaitQuota && w.Cause == nil:
		opening = "hss: the gateway's quota is used up; waiting " // learned from earlier answers, or shared
	}
	line := opening + roundDuration(w.Duration).String() + " (" + call.Method + " " + call.Path
	if w.Cause != nil {
		line += ": " + detail(call, w.Cause)
	}
	o.con.println(line + ")")
}

// CallEnd prints nothing: the last attempt said it.
func (o lineObserver) CallEnd(context.Context, hss.CallInfo, hss.CallOutcome) {}

// detail is an attempt's error without the "hss: GET /path: " its message
// starts with, durations rounded.
func detail(call hss.CallInfo, err error) string {
	msg := strings.TrimPrefix(err.Error(), "hss: ")
	if method, rest, ok := strings.Cut(msg, " "); ok && method == call.Method {
		if _, d, ok := strings.Cut(rest, ": "); ok {
			msg = d
		}
	}
	return roundDurations(goNames.Replace(msg))
}
