package main

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss/hsstest"
)

// TestVerbose: --verbose shows each request with its request id, and
// every retry and wait, one readable line each; the token never shows.
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
	assert.Regexp(t, "^hss: GET "+regexp.QuoteMeta(path+"?limit=200")+": 503 APIGW.0613: unavailable \\(request id "+reqs[0].RequestID+"\\) \\(attempt 1, \\S+\\)$", got[0])
	assert.Regexp(t, "^hss: retrying; waiting \\S+ \\(GET "+regexp.QuoteMeta(path)+": 503 APIGW.0613: unavailable", got[1])
	assert.Regexp(t, "^hss: GET "+regexp.QuoteMeta(path+"?limit=200")+": 200 \\(attempt 2, \\S+, request id "+reqs[1].RequestID+"\\)$", got[2])
	assert.NotContains(t, r.stderr, f.srv.Token())
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
