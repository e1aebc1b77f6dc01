package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// instantClock lets retries back off without real waiting.
type instantClock struct{}

func (instantClock) Now() time.Time { return time.Now() }
func (instantClock) Sleep(ctx context.Context, _ time.Duration) error {
	return ctx.Err()
}

type result struct {
	stdout, stderr string
	code           int
}

// runCLI runs the command in-process, as a script would run the binary,
// in an environment that has no credentials of the machine's.
func runCLI(t *testing.T, terminal bool, args ...string) result {
	t.Helper()
	return runCLIEnv(t, terminal, nil, args...)
}

// runCLIEnv is runCLI with environment variables.
func runCLIEnv(t *testing.T, terminal bool, vars map[string]string, args ...string) result {
	t.Helper()
	environ := map[string]string{
		hss.EnvNoMetadata:      "true",
		hss.EnvCredentialsFile: filepath.Join(t.TempDir(), "no-credentials-file"),
	}
	for k, v := range vars {
		environ[k] = v
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, env{
		stdout:           &out,
		stderr:           &errOut,
		stderrIsTerminal: terminal,
		getenv:           func(k string) string { return environ[k] },
		clientOpts:       []hss.Option{hss.WithClock(instantClock{})},
	})
	return result{out.String(), errOut.String(), code}
}

// serverArgs points the command at srv with explicit flags.
func serverArgs(srv *hsstest.Server, args ...string) []string {
	return append([]string{"registries", "--endpoint", srv.URL(), "--project-id", srv.ProjectID(), "--token", srv.Token()}, args...)
}

func newServer(t *testing.T, opts ...hsstest.Option) *hsstest.Server {
	srv := hsstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	srv.AddRegistries("task-1", demoRegistries...)
	return srv
}

func TestOutputFormats(t *testing.T) {
	srv := newServer(t)

	r := runCLI(t, false, serverArgs(srv, "--task-id", "task-1", "--output", "json", "--limit", "10")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr)
	var page struct {
		TotalNum int              `json:"total_num"`
		DataList []map[string]any `json:"data_list"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &page))
	assert.Equal(t, 12, page.TotalNum)
	require.Len(t, page.DataList, 10)
	assert.Equal(t, map[string]any{"registry_id": "6a1f0c2e-swr-private-01", "registry_name": "swr-prod-cn-north-4",
		"registry_type": "SwrPrivate", "sync_status": "finished"}, page.DataList[0])
	assert.True(t, strings.HasPrefix(r.stdout, `{"total_num":12,"data_list":[{"registry_id":`), r.stdout)

	r = runCLI(t, false, serverArgs(srv, "--task-id", "task-1", "--output", "jsonl", "--status", "failed")...)
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3)
	for _, l := range lines {
		var reg map[string]string
		require.NoError(t, json.Unmarshal([]byte(l), &reg))
		assert.Equal(t, "failed", reg["sync_status"])
		assert.NotEmpty(t, reg["failed_reason"])
	}

	r = runCLI(t, false, serverArgs(srv, "--task-id", "task-1", "--output", "csv", "--type", "Harbor,Jfrog")...)
	require.Equal(t, 0, r.code, r.stderr)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 6)
	assert.Equal(t, []string{"registry_id", "registry_name", "registry_type", "sync_status", "failed_reason"}, rows[0])
	assert.Equal(t, []string{"6a1f0c2e-harbor-01", "harbor-dev", "Harbor", "failed", "connection to registry timed out"}, rows[1])

	r = runCLI(t, false, serverArgs(srv, "--task-id", "task-1", "--name", "harbor-ci")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "harbor-ci")
	assert.Contains(t, r.stdout, "1 of 1 registries")
	assert.NotContains(t, r.stdout, "harbor-dev")

	// An empty listing still prints valid output in every format.
	srv.AddTask("empty")
	for format, want := range map[string]string{
		"json":  "{\"total_num\":0,\"data_list\":[]}\n",
		"jsonl": "",
		"csv":   "registry_id,registry_name,registry_type,sync_status,failed_reason\n",
		"table": "REGISTRY ID  NAME  TYPE  STATUS  FAILED REASON\n0 of 0 registries\n",
	} {
		for _, all := range []string{"--all=false", "--all"} {
			r = runCLI(t, false, serverArgs(srv, "--task-id", "empty", "--output", format, all)...)
			require.Equal(t, 0, r.code, r.stderr)
			assert.Equal(t, want, r.stdout, "%s %s", format, all)
		}
	}
}

func TestAllAcrossManyPages(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("big", 1234))
	r := runCLI(t, false, serverArgs(srv, "--task-id", "big", "--all", "--output", "jsonl")...)
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 1234)
	seen := map[string]bool{}
	for _, l := range lines {
		var reg map[string]string
		require.NoError(t, json.Unmarshal([]byte(l), &reg))
		require.False(t, seen[reg["registry_id"]], "duplicate %s", reg["registry_id"])
		seen[reg["registry_id"]] = true
	}
	assert.Len(t, srv.Requests(), 7, "ceil(1234/200) pages")
	assert.Empty(t, r.stderr, "no progress line when stderr is not a terminal")

	r = runCLI(t, false, serverArgs(srv, "--task-id", "big", "--all", "--output", "json")...)
	require.Equal(t, 0, r.code, r.stderr)
	var page struct {
		TotalNum int               `json:"total_num"`
		DataList []json.RawMessage `json:"data_list"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &page))
	assert.Equal(t, 1234, page.TotalNum)
	assert.Len(t, page.DataList, 1234)

	// On a terminal, a progress line on stderr only.
	r = runCLI(t, true, serverArgs(srv, "--task-id", "big", "--all", "--output", "csv")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "fetched 1234 of 1234 registries (7 pages)")
	assert.NotContains(t, r.stdout, "fetched")
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 1235)

	// A one-page listing shows no progress even on a terminal.
	r = runCLI(t, true, serverArgs(srv, "--task-id", "task-1", "--all")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr)
}

func TestRetriesThroughFaults(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("big", 450))
	srv.FailNext(2, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	r := runCLI(t, false, serverArgs(srv, "--task-id", "big", "--all", "--output", "jsonl")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 450)
}

func TestExitCodes(t *testing.T) {
	srv := newServer(t)
	cases := []struct {
		name  string
		setup func()
		args  []string
		code  int
		want  string
	}{
		{"no command", nil, []string{}, 2, "Usage"},
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"bad flag", nil, serverArgs(srv, "--task-id", "t", "--bogus"), 2, "flag provided but not defined: -bogus"},
		{"bad flag value", nil, serverArgs(srv, "--task-id", "t", "--limit", "ten"), 2, "invalid value"},
		{"missing task id", nil, serverArgs(srv), 2, "--task-id is required"},
		{"limit out of range", nil, serverArgs(srv, "--task-id", "t", "--limit", "5"), 2, "invalid limit: must be 0 (server default, 10) or 10-200, got 5"},
		{"offset out of range", nil, serverArgs(srv, "--task-id", "t", "--offset", "-1"), 2, "invalid offset"},
		{"empty type", nil, serverArgs(srv, "--task-id", "t", "--type", "Harbor,"), 2, "invalid registry_type"},
		{"bad output", nil, serverArgs(srv, "--task-id", "t", "--output", "xml"), 2, "--output must be table, json, jsonl or csv"},
		{"extra argument", nil, serverArgs(srv, "--task-id", "t", "extra"), 2, `unexpected argument "extra"`},
		{"endpoint and region", nil, append(serverArgs(srv, "--task-id", "t"), "--region", "cn-north-4"), 2, "not both"},
		{"bad region", nil, []string{"registries", "--task-id", "t", "--region", "Mars", "--project-id", "p", "--token", "x"}, 2, "invalid region"},
		{"plain http remote", nil, []string{"registries", "--task-id", "t", "--endpoint", "http://hss.example.com", "--project-id", "p", "--token", "x"}, 2, "invalid endpoint"},
		{"wrong token", nil, []string{"registries", "--endpoint", srv.URL(), "--project-id", srv.ProjectID(), "--token", "wrong", "--task-id", "task-1"}, 3, "401 APIGW.0301"},
		{"throttled", func() {
			srv.FailNext(4, http.StatusTooManyRequests, "APIGW.0308", "The throttling threshold has been reached.")
		}, serverArgs(srv, "--task-id", "task-1"), 4, "429 APIGW.0308"},
		{"unknown task", nil, serverArgs(srv, "--task-id", "nope"), 1, "400 HSS.0011"},
		{"server error", func() { srv.FailNext(4, 500, "APIGW.0601", "Internal server error") }, serverArgs(srv, "--task-id", "task-1"), 1, "gave up after 4 attempts"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			r := runCLI(t, false, tc.args...)
			assert.Equal(t, tc.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
			assert.Empty(t, r.stdout)
			if tc.code != 2 || tc.name == "limit out of range" {
				assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			}
			assert.NotContains(t, r.stderr, srv.Token())
		})
	}
	// Out-of-range values are usage errors even with no credentials at all.
	r := runCLI(t, false, "registries", "--task-id", "t", "--limit", "5")
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stderr, "invalid limit")
	for _, bad := range []string{strings.Repeat("t", 65), ".", ".."} {
		r = runCLI(t, false, "registries", "--task-id", bad, "--endpoint", "https://hss.example.com", "--project-id", "p")
		assert.Equal(t, 2, r.code, r.stderr)
		assert.Contains(t, r.stderr, "invalid task_id")
	}
	r = runCLI(t, false, "registries", "--demo", "--task-id", "demo-task", "--token", "x")
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stderr, "--demo")
	assert.Equal(t, 1, exitCode(fmt.Errorf("%w (last error: %w)", context.Canceled, &hss.APIError{StatusCode: 429, Code: "APIGW.0308"})),
		"an interrupt is not reported as throttling")

	// The request id reaches the user.
	r = runCLI(t, false, serverArgs(srv, "--task-id", "nope")...)
	reqs := srv.Requests()
	assert.Contains(t, r.stderr, "(request id "+reqs[len(reqs)-1].RequestID+")")
}

func TestHelpAndVersion(t *testing.T) {
	r := runCLI(t, false, "registries", "--help")
	assert.Equal(t, 0, r.code)
	for _, flag := range []string{"-task-id", "-name", "-type", "-status", "-enterprise-project-id", "-offset", "-limit", "-all", "-output", "-region", "-endpoint", "-project-id", "-token", "-demo", "Exit codes"} {
		assert.Contains(t, r.stdout, flag)
	}
	r = runCLI(t, false, "help")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "hss registries")
	r = runCLI(t, false, "help", "registries")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "-task-id")
	for _, args := range [][]string{{"version", "--help"}, {"help", "version"}} {
		r = runCLI(t, false, args...)
		assert.Equal(t, 0, r.code)
		assert.Contains(t, r.stdout, "Usage: hss version")
	}
	r = runCLI(t, false, "version", "extra")
	assert.Equal(t, 2, r.code)
	r = runCLI(t, false, "version")
	assert.Equal(t, 0, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, "hss "+hss.Version+" (go"), r.stdout)
}

func TestDemoGolden(t *testing.T) {
	r := runCLI(t, false, "registries", "--demo", "--task-id", "demo-task", "--output", "table")
	require.Equal(t, 0, r.code, r.stderr)
	golden := filepath.Join("testdata", "demo-table.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(r.stdout), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), r.stdout)

	r = runCLI(t, false, "registries", "--demo", "--task-id", "demo-large", "--all", "--output", "jsonl")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 1000)
}

func TestCredentialsFromTheEnvironment(t *testing.T) {
	srv := newServer(t, hsstest.WithAKSK("AKCLITEST", "cli-secret-key"))
	vars := map[string]string{
		hss.EnvEndpoint:  srv.URL(),
		hss.EnvProjectID: srv.ProjectID(),
		hss.EnvAK:        "AKCLITEST",
		hss.EnvSK:        "cli-secret-key",
	}
	r := runCLIEnv(t, false, vars, "registries", "--task-id", "task-1", "--output", "jsonl", "--limit", "20")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 12)
	reqs := srv.Requests()
	assert.Equal(t, hsstest.AuthAKSK, reqs[len(reqs)-1].Auth, "signed with the environment's AK/SK")

	// A flag wins over its variable.
	r = runCLIEnv(t, false, vars, "registries", "--task-id", "task-1", "--token", srv.Token())
	require.Equal(t, 0, r.code, r.stderr)
	reqs = srv.Requests()
	assert.Equal(t, hsstest.AuthToken, reqs[len(reqs)-1].Auth)

	// A wrong secret key is an authentication error, and never printed.
	vars[hss.EnvSK] = "wrong-secret-key"
	r = runCLIEnv(t, false, vars, "registries", "--task-id", "task-1")
	assert.Equal(t, 3, r.code, r.stderr)
	assert.Contains(t, r.stderr, "verify aksk signature fail")
	assert.NotContains(t, r.stderr, "wrong-secret-key")

	// No credentials anywhere: exit 3, naming every place looked at.
	r = runCLIEnv(t, false, map[string]string{hss.EnvEndpoint: srv.URL(), hss.EnvProjectID: "p"}, "registries", "--task-id", "task-1")
	assert.Equal(t, 3, r.code, r.stderr)
	for _, place := range []string{hss.EnvToken, hss.EnvAK, "no-credentials-file", "ECS metadata"} {
		assert.Contains(t, r.stderr, place)
	}
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"))

	// No endpoint: a usage error that names the variables.
	r = runCLIEnv(t, false, nil, "registries", "--task-id", "task-1", "--token", "x", "--project-id", "p")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, hss.EnvRegion)
}

func TestServerTextIsNotEscapedOrInjected(t *testing.T) {
	srv := newServer(t)
	srv.AddRegistries("odd", hsstest.Registry{RegistryID: "r<1>&", RegistryName: "evil\x1b[31mred\u009b2J", RegistryType: "Other", SyncStatus: "failed", FailedReason: "a\tb\nc"})
	r := runCLI(t, false, serverArgs(srv, "--task-id", "odd", "--output", "json")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"registry_id":"r<1>&"`, "JSON as the API writes it, no HTML escaping")
	r = runCLI(t, false, serverArgs(srv, "--task-id", "odd")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotContains(t, r.stdout, "\x1b")
	assert.NotContains(t, r.stdout, "\u009b")
	assert.Contains(t, r.stdout, "a b c")
}
