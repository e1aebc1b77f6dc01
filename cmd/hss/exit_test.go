// Exit codes: one case per documented code, signals, and the one-line, escaped, secret-free error on stderr.

package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// TestExitCodes runs one case per documented exit code (2 has its own
// table in TestFlagErrors, 6 and 7 of wait are in wait_test.go) and checks
// that each error is one line of stderr that never holds the token.
func TestExitCodes(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fixture) []string // prepares the server, returns the arguments
		code  int
		want  []string // in stderr
	}{
		{"ok", func(f *fixture) []string {
			return f.args("registries", "--task-id", "task-1")
		}, exitOK, nil},
		{"server keeps failing", func(f *fixture) []string {
			f.srv.FailNext(4, http.StatusInternalServerError, "APIGW.0601", "Internal server error")
			return f.args("registries", "--task-id", "task-1")
		}, exitError, []string{"500 APIGW.0601", "gave up after 4 attempts"}},
		{"fewer attempts", func(f *fixture) []string {
			f.srv.FailNext(2, http.StatusServiceUnavailable, "APIGW.0613", "unavailable")
			return f.args("registries", "--task-id", "task-1", "--max-attempts", "2")
		}, exitError, []string{"gave up after 2 attempts"}},
		{"every attempt timed out", func(f *fixture) []string {
			return f.args("registries", "--task-id", "task-1", "--attempt-timeout", "1ns", "--max-attempts", "2")
		}, exitError, []string{"attempt timed out after 1ns", "gave up after 2 attempts"}},
		{"half-set key pair", func(f *fixture) []string {
			f.vars[credentials.EnvAK] = "AKONLY"
			return []string{"registries", "--task-id", "task-1", "--endpoint", f.srv.URL(), "--project-id", f.srv.ProjectID()}
		}, exitUsage, []string{"$HUAWEICLOUD_SDK_AK is set but $HUAWEICLOUD_SDK_SK is not"}},
		{"malformed credentials file", func(f *fixture) []string {
			path := filepath.Join(f.t.TempDir(), "credentials")
			require.NoError(f.t, os.WriteFile(path, []byte("[basic]\nak = AKFILE\nthis line is not a setting\n"), 0o600))
			f.vars[credentials.EnvCredentialsFile] = path
			return []string{"registries", "--task-id", "task-1", "--endpoint", f.srv.URL(), "--project-id", f.srv.ProjectID()}
		}, exitUsage, []string{"credentials"}},
		{"named credentials file missing", func(f *fixture) []string {
			f.vars[credentials.EnvCredentialsFile] = filepath.Join(f.t.TempDir(), "absent")
			return []string{"registries", "--task-id", "task-1", "--endpoint", f.srv.URL(), "--project-id", f.srv.ProjectID()}
		}, exitUsage, []string{"absent: cannot read the credentials file; $HUAWEICLOUD_SDK_CREDENTIALS_FILE names it"}},
		{"wrong token", func(f *fixture) []string {
			return []string{"registries", "--task-id", "task-1", "--endpoint", f.srv.URL(), "--project-id", f.srv.ProjectID(), "--token", "wrong-token"}
		}, exitAuth, []string{"401 APIGW.0301"}},
		{"project of another account", func(f *fixture) []string {
			return []string{"registries", "--task-id", "task-1", "--endpoint", f.srv.URL(), "--project-id", "other", "--token", f.srv.Token()}
		}, exitAuth, []string{"403 APIGW.0302"}},
		{"no credentials anywhere", func(f *fixture) []string {
			return []string{"registries", "--task-id", "task-1", "--endpoint", f.srv.URL(), "--project-id", f.srv.ProjectID()}
		}, exitAuth, []string{"no credentials found", "$HSS_TOKEN", ".huaweicloud/credentials (not found)", "ECS metadata", "pass --token"}},
		{"throttled, no waiting allowed", func(f *fixture) []string {
			f.srv.FailNext(1, http.StatusTooManyRequests, "APIGW.0308", "The throttling threshold has been reached.")
			return f.args("registries", "--task-id", "task-1", "--max-throttle-wait", "none")
		}, exitThrottled, []string{"429 APIGW.0308"}},
		{"throttled, --max-throttle-wait 0 waits the default", func(f *fixture) []string {
			f.srv.SetQuota(hsstest.Quota{Limit: 1, Window: 4 * time.Minute})
			require.Equal(f.t, exitOK, f.run(f.args("registries", "--task-id", "task-1")...).code)
			return f.args("registries", "--task-id", "task-1", "--max-throttle-wait", "0")
		}, exitOK, nil},
		{"throttled past the default budget with --max-throttle-wait 0", func(f *fixture) []string {
			f.srv.SetQuota(hsstest.Quota{Limit: 1, Window: 6 * time.Minute})
			require.Equal(f.t, exitOK, f.run(f.args("registries", "--task-id", "task-1")...).code)
			return f.args("registries", "--task-id", "task-1", "--max-throttle-wait", "0")
		}, exitThrottled, []string{"past the 5m0s throttle budget (--max-throttle-wait)"}},
		{"throttled past the budget", func(f *fixture) []string {
			f.srv.SetQuota(hsstest.Quota{Limit: 1, Window: time.Hour})
			require.Equal(f.t, exitOK, f.run(f.args("registries", "--task-id", "task-1")...).code)
			return f.args("registries", "--task-id", "task-1")
		}, exitThrottled, []string{"429 APIGW.0308", "throttle budget (--max-throttle-wait)"}},
		{"throttled past --timeout", func(f *fixture) []string {
			f.srv.SetQuota(hsstest.Quota{Limit: 1, Window: time.Hour})
			require.Equal(f.t, exitOK, f.run(f.args("registries", "--task-id", "task-1")...).code)
			return f.args("registries", "--task-id", "task-1", "--timeout", "10m", "--max-throttle-wait", "2h")
		}, exitTimeout, []string{"the next wait would pass --timeout: throttled, and the gateway's quota clears in 1h0m0s", "429 APIGW.0308"}},
		{"deadline passed", func(f *fixture) []string {
			return f.args("registries", "--task-id", "task-1", "--timeout", "1ns")
		}, exitTimeout, []string{"hss: --timeout passed: GET /v5/", "registries: stopped"}},
		{"task not found", func(f *fixture) []string {
			return f.args("registries", "--task-id", "nope")
		}, exitNotFound, []string{"400 HSS.0011", "(request id "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			args := tc.setup(f)
			r := f.run(args...)
			assert.Equal(t, tc.code, r.code, r.stderr)
			for _, w := range tc.want {
				assert.Contains(t, r.stderr, w)
			}
			if tc.code == exitOK {
				assert.Empty(t, r.stderr)
				assert.NotEmpty(t, r.stdout)
				return
			}
			assert.Empty(t, r.stdout)
			assert.Len(t, lines(r.stderr), 1, "one line: %q", r.stderr)
			assert.True(t, strings.HasPrefix(r.stderr, "hss: "), r.stderr)
			assert.NotContains(t, r.stderr, f.srv.Token())
		})
	}
}

// TestRequestIDReachesStderr: a failure names the request id of the
// answer, for support tickets.
func TestRequestIDReachesStderr(t *testing.T) {
	f := newFixture(t)
	r := f.run(f.args("registries", "--task-id", "nope")...)
	reqs := f.srv.Requests()
	require.NotEmpty(t, reqs)
	assert.Contains(t, r.stderr, "(request id "+reqs[len(reqs)-1].RequestID+")")
}

// TestSignals: SIGINT exits 130 and SIGTERM 143, also in the middle of a
// request, and stderr says so.
func TestSignals(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		name string
	}{{syscall.SIGINT, exitSIGINT, "SIGINT"}, {syscall.SIGTERM, exitSIGTERM, "SIGTERM"}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			arrived := make(chan struct{}, 1)
			f.srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				arrived <- struct{}{}
				<-r.Context().Done() // hold the request until the client gives up
				return true
			})
			sigs := make(chan os.Signal, 1)
			released := make(chan struct{})
			ctx, cancel := cancelOnSignal(context.Background(), sigs, func() { close(released) })
			defer cancel()
			f.ctx = ctx
			done := make(chan result, 1)
			go func() { done <- f.run(f.args("registries", "--task-id", "task-1", "--output", "jsonl")...) }()
			<-arrived
			sigs <- tc.sig
			r := <-done
			<-released // the signal handler was released, so a second signal kills
			assert.Equal(t, tc.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, "hss: interrupted ("+tc.name+"): GET /v5/")
			assert.Contains(t, r.stderr, "registries: stopped")
			assert.NotContains(t, r.stderr, "context canceled", "no Go terms")
			assert.NotContains(t, r.stderr, "interrupted by", "the signal is said once")
			assert.Len(t, lines(r.stderr), 1)
			assert.Empty(t, r.stdout)
		})
	}

	// A signal that arrives while nothing runs ends the next request at once.
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(&interrupted{sig: syscall.SIGTERM})
	f := newFixture(t)
	f.ctx = ctx
	r := f.run(f.args("registries", "--task-id", "task-1")...)
	assert.Equal(t, exitSIGTERM, r.code, r.stderr)
}

// TestExitCodeOrder: an interrupt is not reported as the throttling or
// authentication answer of the last attempt, and a timeout is only a
// timeout when --timeout was set.
func TestExitCodeOrder(t *testing.T) {
	throttled := &hss.APIError{StatusCode: http.StatusTooManyRequests, Code: "APIGW.0308"}
	interruptedCtx, cancel := context.WithCancelCause(context.Background())
	cancel(&interrupted{sig: syscall.SIGINT})
	err := &hss.RequestError{Err: context.Canceled, Last: throttled}
	assert.Equal(t, exitSIGINT, outcome{ctx: interruptedCtx}.exitCode(err))
	assert.Equal(t, exitThrottled, outcome{ctx: context.Background()}.exitCode(err))

	waitErr := &hss.RequestError{Err: hss.ErrWaitPastDeadline, Last: throttled}
	assert.Equal(t, exitTimeout, outcome{timeoutSet: true}.exitCode(waitErr))
	assert.Equal(t, exitThrottled, outcome{}.exitCode(waitErr))
	assert.Equal(t, exitTimeout, outcome{timeoutSet: true}.exitCode(&hss.RequestError{Err: context.DeadlineExceeded}))
	assert.Equal(t, exitError, outcome{}.exitCode(&hss.RequestError{Err: hss.ErrAttemptTimeout}))
	assert.Equal(t, exitUsage, outcome{}.exitCode(&credentials.ConfigError{Reason: "x"}))
	assert.Equal(t, exitUsage, outcome{}.exitCode(&hss.ValidationError{Field: "limit", Reason: "x"}))
	assert.Equal(t, "hss: invalid --limit: x", outcome{}.message(&hss.ValidationError{Field: "limit", Reason: "x"}))
}

// TestErrorTextIsEscaped: the service's text in an error cannot drive the
// terminal either.
func TestErrorTextIsEscaped(t *testing.T) {
	f := newFixture(t)
	f.srv.FailNext(1, http.StatusBadRequest, "HSS.0001", "bad\x1b[2J\u202eparameter")
	r := f.run(f.args("registries", "--task-id", "task-1")...)
	assert.Equal(t, exitError, r.code)
	assert.NotContains(t, r.stderr, "\x1b")
	assert.NotContains(t, r.stderr, "\u202e")
	assert.Len(t, lines(r.stderr), 1)
}
