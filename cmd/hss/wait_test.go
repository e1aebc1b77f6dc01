// hss wait: polling on the fake clock, exit codes 0, 6 and 7, progress, and the json document of every outcome.

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// settling is a task whose running registries settle a minute after they
// were added (WithSettle): one of them to failed, as it carries a reason.
func settling(failing bool) []hsstest.Registry {
	regs := []hsstest.Registry{
		{RegistryID: "r1", RegistryName: "done-already", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFinished},
		{RegistryID: "r2", RegistryName: "busy-1", RegistryType: hss.RegistryTypeJfrog, SyncStatus: hss.SyncStatusRunning},
		{RegistryID: "r3", RegistryName: "busy-2", RegistryType: hss.RegistryTypeOther, SyncStatus: hss.SyncStatusRunning},
	}
	if failing {
		regs[2].FailedReason = "image pull quota exceeded"
	}
	return regs
}

// TestWait runs "hss wait" on the fake clock: the task settles after a
// minute, polled every 15s, so the fifth poll finds nothing running.
func TestWait(t *testing.T) {
	t.Run("every registry finished: exit 0", func(t *testing.T) {
		f := newFixture(t, hsstest.WithSettle(time.Minute))
		f.srv.AddRegistries("t", settling(false)...)
		r := f.run(f.args("wait", "--task-id", "t", "--output", "json")...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Empty(t, r.stderr)
		var doc struct {
			TaskID         string                                `json:"task_id"`
			State          string                                `json:"state"`
			RunningNum     int                                   `json:"running_num"`
			TotalNum       int                                   `json:"total_num"`
			FinishedNum    int                                   `json:"finished_num"`
			FailedNum      int                                   `json:"failed_num"`
			Polls          int                                   `json:"polls"`
			ElapsedSeconds float64                               `json:"elapsed_seconds"`
			DataList       []hss.AssociateRegistriesResponseInfo `json:"data_list"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), r.stdout)
		assert.Equal(t, "t", doc.TaskID)
		assert.Equal(t, "finished", doc.State)
		assert.Equal(t, 0, doc.RunningNum)
		assert.Equal(t, 3, doc.TotalNum)
		assert.Equal(t, 3, doc.FinishedNum)
		assert.Equal(t, 0, doc.FailedNum)
		assert.Equal(t, 5, doc.Polls)
		assert.Equal(t, 60.0, doc.ElapsedSeconds)
		assert.Len(t, doc.DataList, 3)
		assert.Equal(t, []time.Duration{15 * time.Second, 15 * time.Second, 15 * time.Second, 15 * time.Second}, f.clk.Sleeps())

		// Each poll is one request for the running registries with the
		// smallest page; the summary lists every registry once.
		reqs := f.srv.Requests()
		require.Len(t, reqs, 6)
		for _, req := range reqs[:5] {
			assert.Equal(t, "limit=10&sync_status=running", req.Query)
		}
		assert.Equal(t, "limit=200", reqs[5].Query)
	})

	t.Run("some failed: exit 6, names and reasons printed", func(t *testing.T) {
		f := newFixture(t, hsstest.WithSettle(time.Minute))
		f.srv.AddRegistries("t", settling(true)...)
		r := f.run(f.args("wait", "--task-id", "t", "--interval", "30s")...)
		require.Equal(t, exitFailures, r.code, r.stderr)
		assert.Equal(t, "hss: task t finished with 1 of 3 registries failed: busy-2 (image pull quota exceeded)\n", r.stderr)
		assert.Equal(t, "REGISTRY ID  NAME          TYPE    STATUS    FAILED REASON\n"+
			"r1           done-already  Harbor  finished  -\n"+
			"r2           busy-1        Jfrog   finished  -\n"+
			"r3           busy-2        Other   failed    image pull quota exceeded\n"+
			"task t: 2 finished, 1 failed (3 polls, 1m0s)\n", r.stdout)
	})

	t.Run("a status this version does not know: exit 6", func(t *testing.T) {
		f := newFixture(t)
		f.srv.AddRegistries("t",
			hsstest.Registry{RegistryID: "r1", RegistryName: "done", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFinished},
			hsstest.Registry{RegistryID: "r2", RegistryName: "queued", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatus("pending")})
		r := f.run(f.args("wait", "--task-id", "t", "--output", "csv")...)
		require.Equal(t, exitFailures, r.code, r.stderr)
		assert.Equal(t, "hss: task t settled with 1 of 2 registries in a status this version does not know (pending)\n", r.stderr)
		assert.Len(t, lines(r.stdout), 3)

		// With failures too, both are said.
		f.srv.AddRegistries("t", hsstest.Registry{RegistryID: "r3", RegistryName: "broken", RegistryType: hss.RegistryTypeJfrog, SyncStatus: hss.SyncStatusFailed, FailedReason: "denied"})
		r = f.run(f.args("wait", "--task-id", "t", "--output", "csv")...)
		require.Equal(t, exitFailures, r.code, r.stderr)
		assert.Equal(t, "hss: task t finished with 1 of 3 registries failed: broken (denied); and 1 of 3 registries in a status this version does not know (pending)\n", r.stderr)
	})

	t.Run("many failed: stderr names three", func(t *testing.T) {
		f := newFixture(t)
		var failed []hsstest.Registry
		seeded, err := hsstest.SeedRegistries("t", 36)
		require.NoError(t, err)
		for _, reg := range seeded {
			if reg.SyncStatus == hss.SyncStatusFailed {
				failed = append(failed, reg)
			}
		}
		f.srv.AddRegistries("failures", failed...)
		r := f.run(f.args("wait", "--task-id", "failures", "--output", "csv")...)
		require.Equal(t, exitFailures, r.code, r.stderr)
		assert.Contains(t, r.stderr, "finished with 12 of 12 registries failed: ")
		assert.Contains(t, r.stderr, "; and 9 more in the output")
		assert.Len(t, lines(r.stdout), 13)
	})

	t.Run("--timeout first: exit 7", func(t *testing.T) {
		f := newFixture(t, hsstest.WithSettle(time.Hour))
		f.srv.AddRegistries("t", settling(false)...)
		r := f.run(f.args("wait", "--task-id", "t", "--timeout", "50s", "--output", "csv")...)
		require.Equal(t, exitTimeout, r.code, r.stderr)
		// Polls every 15 s, and a last one a second before --timeout (a
		// real deadline, set a moment after the fake clock started).
		assert.Contains(t, r.stderr, "waiting for the sync task: 2 registries still running after ")
		assert.Contains(t, r.stderr, " polls: the next wait would pass --timeout: next poll in 15s")
		sleeps := f.clk.Sleeps()
		require.NotEmpty(t, sleeps)
		assert.Less(t, sleeps[len(sleeps)-1], 15*time.Second, "the last poll came early")
		var slept time.Duration
		for _, d := range sleeps {
			slept += d
		}
		assert.GreaterOrEqual(t, slept, 49*time.Second, "the last poll came a second before --timeout")
		assert.Equal(t, "registry_id,registry_name,registry_type,sync_status,failed_reason\nr2,busy-1,Jfrog,running,\nr3,busy-2,Other,running,\n", r.stdout,
			"the registries still running, listed in the second left")
		assert.Len(t, lines(r.stderr), 1)
	})

	t.Run("unknown task: exit 5", func(t *testing.T) {
		f := newFixture(t)
		r := f.run(f.args("wait", "--task-id", "nope")...)
		assert.Equal(t, exitNotFound, r.code, r.stderr)
		assert.Contains(t, r.stderr, "400 HSS.0011")
		assert.Empty(t, f.clk.Sleeps(), "no polling after the task is known missing")
	})

	t.Run("empty task: exit 0 at once", func(t *testing.T) {
		f := newFixture(t)
		f.srv.AddTask("empty")
		r := f.run(f.args("wait", "--task-id", "empty", "--output", "jsonl")...)
		assert.Equal(t, exitOK, r.code, r.stderr)
		assert.Empty(t, r.stdout)
	})
}

// TestWaitProgress: progress shows on stderr as a status line when it is a
// terminal, as lines with request ids with --verbose, and not otherwise.
func TestWaitProgress(t *testing.T) {
	f := newFixture(t, hsstest.WithSettle(time.Minute))
	f.srv.AddRegistries("t", settling(false)...)
	f.terminal = true
	r := f.run(f.args("wait", "--task-id", "t", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "\r\033[Kwaiting for task t: 2 registries running (poll 1, 0s)")
	assert.Contains(t, r.stderr, "\r\033[Kwaiting for task t: 2 registries running (poll 4, 45s)")
	assert.True(t, strings.HasSuffix(r.stderr, "\r\033[K"), "the status line is cleared: %q", r.stderr)
	assert.Len(t, lines(r.stdout), 3)

	f = newFixture(t, hsstest.WithSettle(time.Minute))
	f.srv.AddRegistries("t", settling(false)...)
	r = f.run(f.args("wait", "--task-id", "t", "--verbose", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	reqs := f.srv.Requests()
	assert.Contains(t, r.stderr, "hss: waiting for task t: 2 registries running (poll 1, 0s), request id "+reqs[0].RequestID+"\n")
	assert.NotContains(t, r.stderr, "\r")

	f = newFixture(t, hsstest.WithSettle(time.Minute))
	f.srv.AddRegistries("t", settling(false)...)
	r = f.run(f.args("wait", "--task-id", "t", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr, "no progress when stderr is not a terminal")
}

// TestWaitDemo: the demo's task settles within seconds, so the demo wait
// ends at once on the fake clock, and --interval applies to it too.
func TestWaitDemo(t *testing.T) {
	clk := hsstest.NewClock(time.Now())
	r := runWith(t, nil, clk, false, nil, "wait", "--demo", "--task-id", "demo-task", "--output", "jsonl")
	assert.Equal(t, exitFailures, r.code, r.stderr)
	assert.Equal(t, []time.Duration{time.Second, time.Second, time.Second}, clk.Sleeps())

	clk = hsstest.NewClock(time.Now())
	r = runWith(t, nil, clk, false, nil, "wait", "--demo", "--task-id", "demo-large", "--interval", "2s", "--output", "jsonl")
	assert.Equal(t, exitFailures, r.code, r.stderr)
	assert.Len(t, lines(r.stdout), 1000)
	assert.Equal(t, []time.Duration{2 * time.Second, 2 * time.Second}, clk.Sleeps())
}

// waitDocument is the json document of hss wait, every member a pointer or
// raw, so that a test sees which are null.
type waitDocument struct {
	TaskID         string                                `json:"task_id"`
	State          string                                `json:"state"`
	TotalNum       *int                                  `json:"total_num"`
	FinishedNum    *int                                  `json:"finished_num"`
	FailedNum      *int                                  `json:"failed_num"`
	OtherNum       *int                                  `json:"other_num"`
	RunningNum     *int                                  `json:"running_num"`
	Polls          int                                   `json:"polls"`
	ElapsedSeconds float64                               `json:"elapsed_seconds"`
	ExitCode       int                                   `json:"exit_code"`
	Error          *string                               `json:"error"`
	DataList       []hss.AssociateRegistriesResponseInfo `json:"data_list"`
}

// waitKeys are the members of every wait document, in order.
var waitKeys = []string{"task_id", "state", "total_num", "finished_num", "failed_num", "other_num", "running_num", "polls", "elapsed_seconds", "exit_code", "error", "data_list"}

// decodeWait decodes a wait document, checking that it holds waitKeys in
// order and nothing else.
func decodeWait(t *testing.T, out string) waitDocument {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	_, err := dec.Token()
	require.NoError(t, err, out)
	var keys []string
	for dec.More() {
		key, err := dec.Token()
		require.NoError(t, err, out)
		keys = append(keys, key.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	assert.Equal(t, waitKeys, keys)
	var doc waitDocument
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	return doc
}

// TestWaitJSONDocument: --output json writes one document whatever the
// outcome (exit 0, 6 or 7), with the same members: the state, the counts,
// the polls, the time, and the registries (on a timeout, those still
// running, with the counts the polls do not give null).
func TestWaitJSONDocument(t *testing.T) {
	ptr := func(n int) *int { return &n }

	f := newFixture(t, hsstest.WithSettle(time.Minute))
	f.srv.AddRegistries("ok", settling(false)...)
	r := f.run(f.args("wait", "--task-id", "ok", "--output", "json")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	doc := decodeWait(t, r.stdout)
	assert.Equal(t, "finished", doc.State)
	assert.Equal(t, []*int{ptr(3), ptr(3), ptr(0), ptr(0), ptr(0)}, []*int{doc.TotalNum, doc.FinishedNum, doc.FailedNum, doc.OtherNum, doc.RunningNum})
	assert.Equal(t, 5, doc.Polls)

	f = newFixture(t, hsstest.WithSettle(time.Minute))
	f.srv.AddRegistries("bad", settling(true)...)
	r = f.run(f.args("wait", "--task-id", "bad", "--output", "json")...)
	require.Equal(t, exitFailures, r.code, r.stderr)
	doc = decodeWait(t, r.stdout)
	assert.Equal(t, "failed", doc.State)
	assert.Equal(t, []*int{ptr(3), ptr(2), ptr(1), ptr(0), ptr(0)}, []*int{doc.TotalNum, doc.FinishedNum, doc.FailedNum, doc.OtherNum, doc.RunningNum})
	assert.Equal(t, "busy-2", doc.DataList[2].RegistryName, "failed ones last")

	f = newFixture(t, hsstest.WithSettle(time.Hour))
	f.srv.AddRegistries("slow", settling(false)...)
	r = f.run(f.args("wait", "--task-id", "slow", "--output", "json", "--timeout", "50s")...)
	require.Equal(t, exitTimeout, r.code, r.stderr)
	doc = decodeWait(t, r.stdout)
	assert.Equal(t, "timeout", doc.State)
	assert.Equal(t, []*int{nil, nil, nil, nil, ptr(2)}, []*int{doc.TotalNum, doc.FinishedNum, doc.FailedNum, doc.OtherNum, doc.RunningNum},
		"the polls count running registries only")
	assert.Equal(t, 5, doc.Polls, "at 0s, 15s, 30s, 45s and a second before --timeout")
	assert.InDelta(t, 49, doc.ElapsedSeconds, 1)
	require.Len(t, doc.DataList, 2)
	for _, reg := range doc.DataList {
		assert.Equal(t, hss.SyncStatusRunning, reg.SyncStatus)
	}
	reqs := f.srv.Requests()
	assert.Equal(t, "limit=200&sync_status=running", reqs[len(reqs)-1].Query, "one listing of the running registries, in the time left")

	// When they cannot be listed, the count of the last poll stands.
	f = newFixture(t, hsstest.WithSettle(time.Hour))
	f.srv.AddRegistries("slow", settling(false)...)
	f.srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.RawQuery, "limit=200") {
			return false
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	})
	r = f.run(f.args("wait", "--task-id", "slow", "--output", "json", "--timeout", "50s", "--max-attempts", "1")...)
	require.Equal(t, exitTimeout, r.code, r.stderr)
	doc = decodeWait(t, r.stdout)
	assert.Equal(t, "timeout", doc.State)
	assert.Equal(t, ptr(2), doc.RunningNum)
	assert.Empty(t, doc.DataList)

}

// TestWaitJSONDocumentOnEveryExit: --output json writes the document on
// every exit once the flags are accepted, with the state, what the polls
// told so far, the exit code and the error: exit 0, 6 and 7 as their
// states, other failures (exit 1-5) as "error", a signal as "interrupted".
// A flag refused writes none; other formats write nothing on a failure.
func TestWaitJSONDocumentOnEveryExit(t *testing.T) {
	ptr := func(n int) *int { return &n }
	str := func(s string) *string { return &s }

	f := newFixture(t, hsstest.WithSettle(time.Minute))
	f.srv.AddRegistries("ok", settling(false)...)
	r := f.run(f.args("wait", "--task-id", "ok", "--output", "json")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	doc := decodeWait(t, r.stdout)
	assert.Equal(t, 0, doc.ExitCode)
	assert.Nil(t, doc.Error)

	f.srv.AddRegistries("bad", settling(true)...)
	r = f.run(f.args("wait", "--task-id", "bad", "--output", "json")...)
	require.Equal(t, exitFailures, r.code, r.stderr)
	doc = decodeWait(t, r.stdout)
	assert.Equal(t, 6, doc.ExitCode)
	assert.Equal(t, str("task bad finished with 1 of 3 registries failed: busy-2 (image pull quota exceeded)"), doc.Error)

	// Not found: exit 5.
	r = f.run(f.args("wait", "--task-id", "nope", "--output", "json")...)
	require.Equal(t, exitNotFound, r.code, r.stderr)
	doc = decodeWait(t, r.stdout)
	assert.Equal(t, "error", doc.State)
	assert.Equal(t, 5, doc.ExitCode)
	require.NotNil(t, doc.Error)
	assert.Equal(t, "hss: "+*doc.Error+"\n", r.stderr, "the error is stderr's message")
	assert.Equal(t, 0, doc.Polls)
	assert.Nil(t, doc.RunningNum, "no poll was answered")
	assert.Empty(t, doc.DataList)

	// Failing after some polls: what they told stands.
	f = newFixture(t, hsstest.WithSettle(time.Hour))
	f.srv.AddRegistries("slow", settling(false)...)
	var polls atomic.Int32
	f.srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if polls.Add(1) <= 3 {
			return false
		}
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"error_code":"APIGW.0305","error_msg":"forbidden"}`))
		return true
	})
	r = f.run(f.args("wait", "--task-id", "slow", "--output", "json")...)
	require.Equal(t, exitAuth, r.code, r.stderr)
	doc = decodeWait(t, r.stdout)
	assert.Equal(t, "error", doc.State)
	assert.Equal(t, 3, doc.ExitCode)
	assert.Equal(t, 3, doc.Polls)
	assert.Equal(t, ptr(2), doc.RunningNum)
	assert.InDelta(t, 45, doc.ElapsedSeconds, 1, "the fourth poll, at 45s, failed")
	assert.Contains(t, *doc.Error, "403 APIGW.0305: forbidden")

	// No credentials: exit 3, before any poll.
	r = runWith(t, nil, nil, false, nil, "wait", "--task-id", "t", "--region", "cn-north-4", "--project-id", "p", "--output", "json", "--no-shared-quota")
	require.Equal(t, exitAuth, r.code, r.stderr)
	doc = decodeWait(t, r.stdout)
	assert.Equal(t, "error", doc.State)
	assert.Contains(t, *doc.Error, "no credentials found")

	// Interrupted: the context ends with a signal as its cause.
	f = newFixture(t, hsstest.WithSettle(time.Hour))
	f.srv.AddRegistries("slow", settling(false)...)
	ctx, cancel := context.WithCancelCause(context.Background())
	f.ctx = ctx
	var seen atomic.Int32
	f.srv.Handle(func(http.ResponseWriter, *http.Request) bool {
		if seen.Add(1) == 2 {
			cancel(&interrupted{sig: syscall.SIGTERM})
		}
		return false
	})
	r = f.run(f.args("wait", "--task-id", "slow", "--output", "json")...)
	require.Equal(t, exitSIGTERM, r.code, r.stderr)
	doc = decodeWait(t, r.stdout)
	assert.Equal(t, "interrupted", doc.State)
	assert.Equal(t, exitSIGTERM, doc.ExitCode)
	assert.GreaterOrEqual(t, doc.Polls, 1)
	assert.Contains(t, *doc.Error, "interrupted (SIGTERM)")

	// A refused flag writes nothing; nor do other formats on a failure.
	r = runCLI(t, "wait", "--task-id", "t", "--output", "json", "--interval", "1ms")
	require.Equal(t, exitUsage, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	f = newFixture(t)
	for _, format := range []string{"table", "csv", "jsonl"} {
		r = f.run(f.args("wait", "--task-id", "nope", "--output", format)...)
		require.Equal(t, exitNotFound, r.code, r.stderr)
		assert.Empty(t, r.stdout, format)
	}
}

// TestWaitTableFooterOnTimeout: a table says that --timeout passed, and
// how many registries were still running.
func TestWaitTableFooterOnTimeout(t *testing.T) {
	f := newFixture(t, hsstest.WithSettle(time.Hour))
	f.srv.AddRegistries("t", settling(false)...)
	r := f.run(f.args("wait", "--task-id", "t", "--timeout", "50s")...)
	require.Equal(t, exitTimeout, r.code, r.stderr)
	assert.Regexp(t, `\ntask t: --timeout passed with 2 registries still running \(5 polls, 4\ds\)\n$`, r.stdout)
}

// TestWaitJSONDocumentOnSignal runs the built hss wait --output json and
// sends it SIGINT, then SIGTERM (as timeout(1) does), while it waits for
// the next poll: each time it writes the document, "interrupted", and
// exits 130 or 143.
func TestWaitJSONDocumentOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT or SIGTERM to send here")
	}
	bin := buildHSS(t)
	for _, c := range []struct {
		sig  os.Signal
		code int
		name string
	}{{os.Interrupt, exitSIGINT, "SIGINT"}, {syscall.SIGTERM, exitSIGTERM, "SIGTERM"}} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, "wait", "--demo", "--task-id", "demo-task", "--interval", "1h", "--output", "json", "--verbose")
			cmd.Env = []string{"HOME=" + t.TempDir()}
			var stdout strings.Builder
			cmd.Stdout = &stdout
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			defer func() { _ = cmd.Process.Kill() }()
			sc := bufio.NewScanner(stderr)
			var seen []string
			for sc.Scan() { // until the first poll is answered: the wait then sleeps an hour
				seen = append(seen, sc.Text())
				if strings.Contains(sc.Text(), "(poll 1,") {
					break
				}
			}
			require.NotEmpty(t, seen)
			require.Contains(t, seen[len(seen)-1], "(poll 1,", "stderr: %q", seen)
			require.NoError(t, cmd.Process.Signal(c.sig))
			rest, _ := io.ReadAll(stderr)
			err = cmd.Wait()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "stderr: %s", rest)
			assert.Equal(t, c.code, exit.ExitCode(), "stderr: %s", rest)
			assert.Contains(t, string(rest), "hss: interrupted ("+c.name+")")

			doc := decodeWait(t, stdout.String())
			assert.Equal(t, "interrupted", doc.State)
			assert.Equal(t, "demo-task", doc.TaskID)
			assert.Equal(t, c.code, doc.ExitCode)
			assert.Equal(t, 1, doc.Polls)
			require.NotNil(t, doc.RunningNum)
			assert.Equal(t, 3, *doc.RunningNum, "the demo's three running registries, as the poll told")
			require.NotNil(t, doc.Error)
			assert.Contains(t, *doc.Error, "interrupted ("+c.name+")")
		})
	}
}
