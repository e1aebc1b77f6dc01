package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// failFrom makes every request from the nth on answer 503, so a listing
// breaks off part-way (after its retries).
func failFrom(srv *hsstest.Server, n int64) {
	var seen atomic.Int64
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if seen.Add(1) < n {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error_code":"APIGW.0613","error_msg":"backend unavailable"}`))
		return true
	})
}

// TestListsEveryRegistry: the default lists every registry with the
// largest page; --limit is the page size; --all is still accepted.
func TestListsEveryRegistry(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 1234))
	for _, extra := range [][]string{nil, {"--all"}} {
		r := f.run(f.args("registries", append([]string{"--task-id", "big", "--output", "jsonl"}, extra...)...)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Empty(t, r.stderr, "no progress when stderr is not a terminal")
		got := lines(r.stdout)
		require.Len(t, got, 1234)
		seen := map[string]bool{}
		for _, l := range got {
			var reg map[string]string
			require.NoError(t, json.Unmarshal([]byte(l), &reg))
			assert.False(t, seen[reg["registry_id"]], "duplicate %s", reg["registry_id"])
			seen[reg["registry_id"]] = true
		}
	}
	assert.Len(t, f.srv.Requests(), 14, "ceil(1234/200) pages, twice")

	before := len(f.srv.Requests())
	r := f.run(f.args("registries", "--task-id", "big", "--output", "json", "--limit", "50")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc struct {
		TotalNum int               `json:"total_num"`
		DataList []json.RawMessage `json:"data_list"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.Equal(t, 1234, doc.TotalNum)
	assert.Len(t, doc.DataList, 1234)
	assert.Len(t, f.srv.Requests()[before:], 25, "--limit is the page size")
}

// TestMaxItems caps the output, says so on stderr, and stops fetching.
func TestMaxItems(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 40))
	r := f.run(f.args("registries", "--task-id", "big", "--output", "csv", "--max-items", "12", "--limit", "10")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, lines(r.stdout), 13)
	assert.Equal(t, "hss: 12 of 40 shown; --max-items\n", r.stderr)
	assert.Len(t, f.srv.Requests(), 2, "no page fetched past the cap")

	r = f.run(f.args("registries", "--task-id", "big", "--output", "csv", "--max-items", "40")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr, "a cap the listing does not reach says nothing")

	r = f.run(f.args("registries", "--task-id", "big", "--max-items", "5", "--offset", "30")...)
	assert.Equal(t, "hss: 5 of the 10 from offset 30 shown; --max-items\n", r.stderr, "counted from --offset")
	assert.Contains(t, r.stdout, "5 of 40 registries, from offset 30")
}

// TestResumeAfterFailure: a listing that fails part-way keeps what it
// wrote, exits non-zero, and names the --offset that completes it.
func TestResumeAfterFailure(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 1234))
	full := f.run(f.args("registries", "--task-id", "big", "--output", "jsonl")...)
	require.Equal(t, exitOK, full.code)

	failFrom(f.srv, 3)
	r := f.run(f.args("registries", "--task-id", "big", "--output", "jsonl")...)
	assert.Equal(t, exitError, r.code)
	assert.Len(t, lines(r.stdout), 400, "two pages written before the third failed")
	assert.Contains(t, r.stderr, "503 APIGW.0613")
	assert.True(t, strings.HasSuffix(r.stderr, "; 400 registries written; resume with --offset 400\n"), r.stderr)
	assert.Len(t, lines(r.stderr), 1)

	f.srv.Handle(nil)
	rest := f.run(f.args("registries", "--task-id", "big", "--output", "jsonl", "--offset", "400")...)
	require.Equal(t, exitOK, rest.code)
	assert.Equal(t, full.stdout, r.stdout+rest.stdout, "the two runs make the whole listing")

	// json: the document is left unterminated, so no parser takes it whole.
	failFrom(f.srv, 2)
	r = f.run(f.args("registries", "--task-id", "big", "--output", "json")...)
	assert.Equal(t, exitError, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, `{"total_num":1234,"data_list":[{`), r.stdout[:40])
	assert.False(t, json.Valid([]byte(r.stdout)))
	assert.Contains(t, r.stderr, "200 registries written (the json document is unterminated); resume with --offset 200")

	// Several statuses are listed one after the other; the note says
	// which status to resume and which are left.
	failFrom(f.srv, 4)
	r = f.run(f.args("registries", "--task-id", "big", "--output", "csv", "--status", "running,failed,running")...)
	assert.Equal(t, exitError, r.code)
	assert.Len(t, lines(r.stdout), 401, "the header and two pages of running registries (the failed ones' first page waits its turn)")
	assert.Contains(t, r.stderr, "400 registries written; resume with --status running --offset 400, then --status failed")

	// A failure before anything was written writes nothing and needs no note.
	failFrom(f.srv, 1)
	r = f.run(f.args("registries", "--task-id", "big", "--output", "csv", "--max-attempts", "1")...)
	assert.Equal(t, exitError, r.code)
	assert.Empty(t, r.stdout)
	assert.NotContains(t, r.stderr, "written")
}

// TestSeveralStatuses: the API filters by one status, so each is listed in
// turn, in the order given; total_num adds them up.
func TestSeveralStatuses(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 36))
	r := f.run(f.args("registries", "--task-id", "big", "--output", "json", "--status", "FAILED", "--status", "running")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc struct {
		TotalNum int                                   `json:"total_num"`
		DataList []hss.AssociateRegistriesResponseInfo `json:"data_list"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.Equal(t, 24, doc.TotalNum)
	require.Len(t, doc.DataList, 24)
	for i, reg := range doc.DataList {
		want := hss.SyncStatusFailed
		if i >= 12 {
			want = hss.SyncStatusRunning
		}
		assert.Equal(t, want, reg.SyncStatus, "item %d", i)
	}
}

// TestListingProgress: on a terminal, a listing of several pages keeps a
// progress line on stderr, and clears it; never on stdout.
func TestListingProgress(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 450))
	f.terminal = true
	r := f.run(f.args("registries", "--task-id", "big", "--output", "csv")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "\r\033[Kfetched 200 of 450 registries")
	assert.Contains(t, r.stderr, "\r\033[Kfetched 400 of 450 registries")
	assert.True(t, strings.HasSuffix(r.stderr, "\r\033[K"))
	assert.NotContains(t, r.stdout, "fetched")

	r = f.run(f.args("registries", "--task-id", "task-1")...)
	assert.Empty(t, r.stderr, "a one-page listing needs no progress")
}

// TestRetriesThroughFaults: transient failures are retried (on the fake
// clock), and the listing completes.
func TestRetriesThroughFaults(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 450))
	f.srv.FailNext(2, http.StatusServiceUnavailable, "APIGW.0613", "unavailable")
	r := f.run(f.args("registries", "--task-id", "big", "--output", "jsonl")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, lines(r.stdout), 450)
	assert.Len(t, f.clk.Sleeps(), 2, "two backoffs")
}

// TestRateLimit: --rate-limit N paces requests to N a minute (on the fake
// clock).
func TestRateLimit(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 450))
	r := f.run(f.args("registries", "--task-id", "big", "--output", "jsonl", "--rate-limit", "6")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, lines(r.stdout), 450)
	assert.Equal(t, []time.Duration{10 * time.Second, 10 * time.Second}, f.clk.Sleeps(), "3 pages, 10s apart")
	assert.Empty(t, r.stderr, "not a terminal: quiet")

	// On a terminal, each wait is said, naming the flag.
	f.terminal = true
	r = f.run(f.args("registries", "--task-id", "big", "--output", "jsonl", "--rate-limit", "6")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 2, strings.Count(r.stderr, "hss: paced by --rate-limit; waiting 10s (GET /v5/"), r.stderr)
}
