// hss wait: polling on the fake clock, exit codes 0, 6 and 7, progress, and the json document of every outcome.

package main

import (
	"encoding/json"
	"net/http"
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
	DataList       []hss.AssociateRegistriesResponseInfo `json:"data_list"`
}

// waitKeys are the members of every wait document, in order.
var waitKeys = []string{"task_id", "state", "total_num", "finished_num", "failed_num", "other_num", "running_num", "polls", "elapsed_seconds", "data_list"}

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

	// Other failures write no document.
	f = newFixture(t)
	r = f.run(f.args("wait", "--task-id", "nope", "--output", "json")...)
	require.Equal(t, exitNotFound, r.code, r.stderr)
	assert.Empty(t, r.stdout)
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
