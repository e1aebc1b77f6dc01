package main

import (
	"encoding/json"
	"strings"
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
			TotalNum       int                                   `json:"total_num"`
			FinishedNum    int                                   `json:"finished_num"`
			FailedNum      int                                   `json:"failed_num"`
			Polls          int                                   `json:"polls"`
			ElapsedSeconds float64                               `json:"elapsed_seconds"`
			DataList       []hss.AssociateRegistriesResponseInfo `json:"data_list"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), r.stdout)
		assert.Equal(t, "t", doc.TaskID)
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
		r := f.run(f.args("wait", "--task-id", "t", "--timeout", "50s")...)
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
		assert.Empty(t, r.stdout)
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
