// What stderr shows of the SDK's work: --verbose (on hss.Observer), --debug, and long waits on a terminal.

package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// TestVerbose: --verbose shows each request with its status, attempt,
// duration and request id, and every retry and wait, one readable line
// each, from the SDK's Observer events; the token never shows.
func TestVerbose(t *testing.T) {
	f := newFixture(t)
	f.srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "unavailable")
	r := f.run(f.args("registries", "--task-id", "task-1", "--verbose", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	reqs := f.srv.Requests()
	require.Len(t, reqs, 2)
	path := reqs[0].Path
	got := lines(r.stderr)
	require.Len(t, got, 4, r.stderr)
	assert.Regexp(t, "^hss: quota shared through ", got[0])
	got = got[1:]
	assert.Regexp(t, "^hss: GET "+regexp.QuoteMeta(path+"?limit=200")+": 503 APIGW.0613: unavailable \\(attempt 1, \\S+, request id "+reqs[0].RequestID+"\\)$", got[0])
	assert.Regexp(t, "^hss: retrying; waiting \\S+ \\(GET "+regexp.QuoteMeta(path)+": 503 APIGW.0613: unavailable \\(request id "+reqs[0].RequestID+"\\)\\)$", got[1])
	assert.Regexp(t, "^hss: GET "+regexp.QuoteMeta(path+"?limit=200")+": 200 \\(attempt 2, \\S+, request id "+reqs[1].RequestID+"\\)$", got[2])
	assert.NotContains(t, r.stderr, f.srv.Token())

	// Throttling answers show, and the quota's waits name them.
	f.srv.SetQuota(hsstest.Quota{Limit: 1, Window: 90 * time.Second})
	_, err := f.srv.Seed("paged", 25)
	require.NoError(t, err)
	r = f.run(f.args("registries", "--task-id", "paged", "--verbose", "--output", "jsonl", "--limit", "10")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^hss: GET /v5/\S+/registries\?limit=10&offset=10: 429 APIGW.0308: .*\(retry after 1m30s\) \(attempt 1, \S+, request id \w+\)$`, r.stderr)
	assert.Regexp(t, `(?m)^hss: throttled; waiting 1m30s \(GET /v5/\S+/registries: 429 APIGW.0308: .*\(request id \w+\)\)$`, r.stderr)
	assert.Len(t, lines(r.stdout), 25)
}

// TestVerboseRoundsDurations: a wait the SDK reports to the nanosecond
// reads rounded.
func TestVerboseRoundsDurations(t *testing.T) {
	var screen strings.Builder
	o := lineObserver{con: &console{w: &screen}, mode: logVerbose}
	call := hss.CallInfo{Method: "GET", Path: "/v5/p/x"}
	o.Wait(context.Background(), call, hss.WaitInfo{Reason: hss.WaitRateLimit, Duration: 59999998504 * time.Nanosecond})
	o.AttemptEnd(context.Background(), call, hss.AttemptOutcome{Attempt: 1, StatusCode: 200, Duration: 31234567 * time.Nanosecond, RequestID: "r1"})
	o.Wait(context.Background(), call, hss.WaitInfo{Reason: hss.WaitQuota, Duration: 2345678901 * time.Nanosecond})
	assert.Equal(t, "hss: paced by --rate-limit; waiting 1m0s (GET /v5/p/x)\n"+
		"hss: GET /v5/p/x: 200 (attempt 1, 31ms, request id r1)\n"+
		"hss: the gateway's quota is used up; waiting 2.3s (GET /v5/p/x)\n", screen.String(),
		"a quota wait with no answer of its own (a shared quota) says so")
}

// TestVerboseRequestsAreObserved: --verbose is built on hss.WithObserver,
// not on the SDK's log: the SDK gets a logger that passes warnings only,
// and an Observer.
func TestVerboseRequestsAreObserved(t *testing.T) {
	con := &console{w: io.Discard}
	opts := diagnostics(con, true, false)
	require.Len(t, opts, 2, "a logger and an observer")
	assert.False(t, newLogger(con, false).Enabled(context.Background(), slog.LevelInfo), "the log passes warnings only")
	assert.True(t, newLogger(con, false).Enabled(context.Background(), slog.LevelWarn))
	assert.Len(t, diagnostics(con, false, false), 1, "quiet, not a terminal: no observer")
	assert.Len(t, diagnostics(con, true, true), 1, "--debug is the SDK's own log")
}

// TestDebug: --debug writes the SDK's own debug records as slog text.
func TestDebug(t *testing.T) {
	f := newFixture(t)
	r := f.run(f.args("registries", "--task-id", "task-1", "--debug", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, `level=DEBUG msg="hss: request" method=GET`)
	assert.Contains(t, r.stderr, "request_id="+f.srv.Requests()[0].RequestID)
	assert.NotContains(t, r.stderr, f.srv.Token())
}

// TestLongWaitsOnTerminal: without --verbose, a wait of a second or more
// shows on stderr when it is a terminal, and nothing else does.
func TestLongWaitsOnTerminal(t *testing.T) {
	f := newFixture(t, hsstest.WithQuota(hsstest.Quota{Limit: 1, Window: 2 * time.Second}))
	require.Equal(t, exitOK, f.run(f.args("registries", "--task-id", "task-1")...).code)

	f.terminal = true
	r := f.run(f.args("registries", "--task-id", "task-1", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `^hss: throttled; waiting [12]s \(GET \S+: 429 APIGW.0308: `, r.stderr)
	assert.Len(t, lines(r.stderr), 1)

	f.terminal = false
	r = f.run(f.args("registries", "--task-id", "task-1", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr, "not a terminal: quiet")

	// A short retry wait is for --verbose only.
	f.terminal = true
	f.srv.SetQuota(hsstest.Quota{})
	f.srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "unavailable")
	r = f.run(f.args("registries", "--task-id", "task-1", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr)
}
