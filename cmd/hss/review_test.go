package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

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

// TestFlagParseErrorsSpellDoubleDash: a bad boolean value names the flag
// with "--", as every other flag error and the help do.
func TestFlagParseErrorsSpellDoubleDash(t *testing.T) {
	r := runCLI(t, "registries", "--task-id", "t", "--region", "cn-north-4", "--project-id", "p", "--insecure-http=maybe")
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "--insecure-http", r.stderr)
}

// TestFlagParseErrorsListAllowedValues: a value the flag package cannot
// parse is reported with what the flag takes, like every other flag error,
// not only "parse error".
func TestFlagParseErrorsListAllowedValues(t *testing.T) {
	base := []string{"registries", "--task-id", "t", "--region", "cn-north-4", "--project-id", "p"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--limit", "ten"}, "10-200"},
		{[]string{"--max-attempts", "1e3"}, "1-100"},
		{[]string{"--offset", "1.5"}, "0-2000000"},
		{[]string{"--type", "Harbor,"}, "SwrPrivate"},
		{[]string{"--status", ","}, "finished"},
	} {
		r := runCLI(t, append(append([]string(nil), base...), tc.args...)...)
		assert.Equal(t, exitUsage, r.code, r.stderr)
		assert.Contains(t, r.stderr, tc.want, "%v", tc.args)
		assert.NotContains(t, r.stderr, "parse error", "%v", tc.args)
	}
	r := runCLI(t, append(append([]string(nil), base...), "--timeout", "5")...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "parse error", "say that a duration needs a unit (90s, 10m)")
}

// TestHelpOfHelp: "hss help --help" is a request for help, not an unknown
// command.
func TestHelpOfHelp(t *testing.T) {
	r := runCLI(t, "help", "--help")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.NotEmpty(t, r.stdout)
}

// TestResumeNoteKeepsMaxItems: a capped listing that fails part-way must
// say how many items are still to come, or "the same command with
// --offset N" prints more than --max-items in all.
func TestResumeNoteKeepsMaxItems(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 45))
	failFrom(f.srv, 3)
	r := f.run(f.args("registries", "--task-id", "big", "--output", "jsonl", "--limit", "10", "--max-items", "30")...)
	require.Equal(t, exitError, r.code, r.stderr)
	require.Len(t, lines(r.stdout), 20)
	assert.Contains(t, r.stderr, "--offset 20")
	assert.Contains(t, r.stderr, "--max-items 10", "the rest of the cap: 30 asked for, 20 written")
}

// TestEnvCredentialErrorsNameTheirVariable: a bad secret key or security
// token in the environment is reported under its own variable, not under
// $HUAWEICLOUD_SDK_AK.
func TestEnvCredentialErrorsNameTheirVariable(t *testing.T) {
	f := newFixture(t)
	args := []string{"registries", "--task-id", "task-1", "--endpoint", f.srv.URL(), "--project-id", f.srv.ProjectID()}

	f.vars[credentials.EnvAK] = "AKPUBLIC"
	f.vars[credentials.EnvSK] = "secret\x01key-value"
	r := f.run(args...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "$"+credentials.EnvSK, r.stderr)
	assert.NotContains(t, r.stderr, "key-value")

	f.vars[credentials.EnvSK] = "secret-key-value"
	f.vars[credentials.EnvSecurityToken] = "security\x01token-value"
	r = f.run(args...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "$"+credentials.EnvSecurityToken, r.stderr)
	assert.NotContains(t, r.stderr, "token-value")
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
	assert.Contains(t, r.stderr, "resume with --offset 5")
	assert.NotContains(t, r.stderr, "Offset 5", "the SDK's field name: %s", r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "resume with"), r.stderr)
}
