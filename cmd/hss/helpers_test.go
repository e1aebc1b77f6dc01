// Test helpers: a fake HSS on a fake clock, and in-process runs of the command.

package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// result is what one run of the command left.
type result struct {
	stdout, stderr string
	code           int
}

// fixture is a fake HSS and a fake clock shared by the server and every
// run of the command, so that retries, throttling and polling take no
// real time. The server holds task-1 with the demo's registries.
type fixture struct {
	t   *testing.T
	clk *hsstest.Clock
	srv *hsstest.Server
	// vars are environment variables every run sees, over a base that
	// keeps the machine's credentials and the network out.
	vars map[string]string
	// terminal makes stderr a terminal.
	terminal bool
	// ctx is the context of each run; nil means context.Background().
	ctx context.Context
	// stdoutPath is the file a run's stdout is said to go to (see
	// env.stdoutPath); "" for a pipe.
	stdoutPath string
}

// newFixture starts the server with opts.
func newFixture(t *testing.T, opts ...hsstest.Option) *fixture {
	t.Helper()
	clk := hsstest.NewClock(time.Now())
	srv := hsstest.NewServer(append([]hsstest.Option{hsstest.WithClock(clk)}, opts...)...)
	t.Cleanup(srv.Close)
	srv.AddRegistries("task-1", demoRegistries...)
	return &fixture{t: t, clk: clk, srv: srv, vars: map[string]string{}}
}

// args points the command at the server with flags: hss <cmd> --endpoint
// ... --project-id ... --token ... <args>.
func (f *fixture) args(cmd string, args ...string) []string {
	return append([]string{cmd, "--endpoint", f.srv.URL(), "--project-id", f.srv.ProjectID(), "--token", f.srv.Token()}, args...)
}

// run runs the command in-process, as a script would run the binary.
func (f *fixture) run(args ...string) result {
	f.t.Helper()
	return runIn(f.t, runConfig{ctx: f.ctx, clk: f.clk, terminal: f.terminal, vars: f.vars, stdoutPath: f.stdoutPath}, args...)
}

// runConfig is what a run sees besides its arguments; see fixture.
type runConfig struct {
	ctx        context.Context
	clk        *hsstest.Clock
	terminal   bool
	vars       map[string]string
	stdoutPath string
}

// runWith runs the command in-process with the base environment plus
// vars: no metadata service and an empty home directory (so no
// credentials file), so the developer's credentials never leak in.
func runWith(t *testing.T, ctx context.Context, clk *hsstest.Clock, terminal bool, vars map[string]string, args ...string) result {
	t.Helper()
	return runIn(t, runConfig{ctx: ctx, clk: clk, terminal: terminal, vars: vars}, args...)
}

// runIn runs the command in-process as runWith does, with cfg.
func runIn(t *testing.T, cfg runConfig, args ...string) result {
	t.Helper()
	ctx, clk, vars := cfg.ctx, cfg.clk, cfg.vars
	dir := t.TempDir()
	environ := map[string]string{
		credentials.EnvNoMetadata: "true",
		"HOME":                    dir,
	}
	for k, v := range vars {
		environ[k] = v
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if clk == nil {
		clk = hsstest.NewClock(time.Now())
	}
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, env{
		stdout:           &stdout,
		stderr:           &stderr,
		stdoutPath:       cfg.stdoutPath,
		stderrIsTerminal: cfg.terminal,
		getenv:           func(k string) string { return environ[k] },
		clock:            clk,
	})
	return result{stdout.String(), stderr.String(), code}
}

// runCLI runs the command with the base environment and no server.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	return runWith(t, nil, nil, false, nil, args...)
}

// lines splits output into its lines.
func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), got, "%s differs; rerun with -update if the change is meant", path)
}

// buildHSS builds the hss binary into the test's directory.
func buildHSS(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hss")
	out, err := exec.Command(lookGo(t), "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}
