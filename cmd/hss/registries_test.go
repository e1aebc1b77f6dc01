// hss registries: paging, --max-items, several statuses, progress, retries, pacing, and listings the API cuts short.

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

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

// TestProgressDoesNotGarbleTerminalOutput: when a person runs a listing
// on a terminal, stdout and stderr are the same screen. The progress line
// must be erased before the next page's rows are written, or the first
// row of each page is drawn after "fetched N of M registries".
func TestProgressDoesNotGarbleTerminalOutput(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 450))
	dir := t.TempDir()
	environ := map[string]string{
		credentials.EnvNoMetadata: "true",
		"HOME":                    dir,
	}
	var screen bytes.Buffer // one terminal behind both streams
	code := run(context.Background(), f.args("registries", "--task-id", "big", "--output", "csv", "--fields", "registry_id"), env{
		stdout:           &screen,
		stderr:           &screen,
		stderrIsTerminal: true,
		getenv:           func(k string) string { return environ[k] },
		clock:            f.clk,
	})
	require.Equal(t, exitOK, code, screen.String())

	// What the terminal shows: "\r\033[K" returns to column 0 and erases
	// the line, so each line shows what follows its last erase.
	var shown []string
	for _, line := range strings.Split(screen.String(), "\n") {
		if i := strings.LastIndex(line, "\r\033[K"); i >= 0 {
			line = line[i+len("\r\033[K"):]
		}
		if line != "" {
			shown = append(shown, line)
		}
	}
	require.Len(t, shown, 451, "the header and 450 rows")
	for _, line := range shown {
		assert.NotContains(t, line, "fetched", "a row drawn after the progress line: %q", line)
	}
}

// TestListingStoppedAtOffsetBoundSays: the API lists no further than
// offset 2,000,000; a listing the SDK stops there while total_num promises
// more must not end silently with exit 0 as if it were complete.
func TestListingStoppedAtOffsetBoundSays(t *testing.T) {
	f := newFixture(t)
	regs := make([]map[string]string, 10)
	for i := range regs {
		regs[i] = map[string]string{"registry_id": fmt.Sprintf("r%d", i), "registry_name": "n", "registry_type": "Harbor", "sync_status": "finished"}
	}
	body, err := json.Marshal(map[string]any{"total_num": 3000000, "data_list": regs})
	require.NoError(t, err)
	f.srv.FailNextRaw(2, http.StatusOK, body, http.Header{"Content-Type": {"application/json"}})

	r := f.run(f.args("registries", "--task-id", "task-1", "--output", "jsonl", "--limit", "10", "--offset", "1999990")...)
	require.Len(t, lines(r.stdout), 20, r.stderr)
	assert.NotEmpty(t, r.stderr, "20 of 1000010 written and nothing says the listing is incomplete")
	assert.Contains(t, r.stderr, "2000000")
}

// TestShortPageNamesFlagsNotGo: a page shorter than total_num promises
// ends the listing with one resume hint in the CLI's terms (--offset), not
// also the SDK's ("resume with Offset 5").
func TestShortPageNamesFlagsNotGo(t *testing.T) {
	f := newFixture(t)
	regs := make([]map[string]string, 5)
	for i := range regs {
		regs[i] = map[string]string{"registry_id": fmt.Sprintf("r%d", i), "registry_name": "n"}
	}
	body, err := json.Marshal(map[string]any{"total_num": 100, "data_list": regs})
	require.NoError(t, err)
	f.srv.FailNextRaw(1, http.StatusOK, body, http.Header{"Content-Type": {"application/json"}})

	r := f.run(f.args("registries", "--task-id", "task-1", "--output", "jsonl", "--limit", "10")...)
	assert.Equal(t, exitError, r.code, r.stderr)
	assert.Len(t, lines(r.stdout), 5)
	assert.Contains(t, r.stderr, "; 5 registries written; resume with: hss registries ")
	assert.True(t, strings.HasSuffix(r.stderr, " --offset 5\n"), r.stderr)
	assert.NotContains(t, r.stderr, "Offset 5", "the SDK's field name: %s", r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "resume with"), r.stderr)
}
