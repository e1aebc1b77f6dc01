// Memory: a json listing of 200,000 registries streams in flat memory (peak RSS of the real binary).

//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// --output json of 200,000 registries must stay under 64 MB of peak RSS,
// as jsonl and csv do.
const (
	streamRegistries = 2 * hsstest.MaxSeed
	streamMaxRSSKB   = 64 << 10
)

// launcherEnv, set to a file path, turns this test binary into the
// launcher of TestStreamLauncher.
const launcherEnv = "HSS_TEST_LAUNCH_RSS_FILE"

// TestJSONStreamsInFlatMemory builds the binary and lists 200,000
// registries, served by a fake in this process, as one json document, then
// reads the child's peak RSS (ru_maxrss, in KB on Linux).
//
// The child is started by a small launcher process (this test binary run
// again, see TestStreamLauncher), not by this one: Linux starts children
// with vfork and carries the old address space's peak RSS over at exec,
// so a child of this process (which holds the 200,000 registries) would
// report this process's peak, not its own.
func TestJSONStreamsInFlatMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("builds the binary and serves 200,000 registries; too slow under -short or -race (scripts/cli-stream-check.sh runs it in CI)")
	}
	dir := t.TempDir()
	bin := buildHSS(t)

	srv := hsstest.NewServer()
	t.Cleanup(srv.Close)
	for _, part := range []string{"stream-a", "stream-b"} {
		regs, err := hsstest.SeedRegistries(part, hsstest.MaxSeed)
		require.NoError(t, err)
		srv.AddRegistries("stream", regs...)
	}

	stdout, err := os.Create(filepath.Join(dir, "out.json"))
	require.NoError(t, err)
	defer stdout.Close()
	rssFile := filepath.Join(dir, "rss")
	cmd := exec.Command(os.Args[0], "-test.run=^TestStreamLauncher$", "--", bin, "registries", "--task-id", "stream", "--output", "json")
	cmd.Env = []string{
		launcherEnv + "=" + rssFile,
		credentials.EnvEndpoint + "=" + srv.URL(),
		credentials.EnvToken + "=" + srv.Token(),
		credentials.EnvProjectID + "=" + srv.ProjectID(),
		credentials.EnvNoMetadata + "=true",
		credentials.EnvCredentialsFile + "=" + filepath.Join(dir, "none"),
		"HOME=" + dir,
	}
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())

	raw, err := os.ReadFile(rssFile)
	require.NoError(t, err, stderr.String())
	rss, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	require.NoError(t, err)
	t.Logf("peak RSS of hss for %d registries as json: %d KB", streamRegistries, rss)
	assert.Less(t, rss, int64(streamMaxRSSKB))

	body, err := os.ReadFile(stdout.Name())
	require.NoError(t, err)
	var doc struct {
		TotalNum int               `json:"total_num"`
		DataList []json.RawMessage `json:"data_list"`
	}
	require.NoError(t, json.Unmarshal(body, &doc))
	assert.Equal(t, streamRegistries, doc.TotalNum)
	assert.Len(t, doc.DataList, streamRegistries)
}

// TestStreamLauncher is TestJSONStreamsInFlatMemory's launcher, not a test
// of its own: run with $HSS_TEST_LAUNCH_RSS_FILE set, it runs the command
// after "--" with its own stdout, stderr and environment, writes the
// command's peak RSS in KB to that file, and exits with its exit code.
func TestStreamLauncher(t *testing.T) {
	rssFile := os.Getenv(launcherEnv)
	if rssFile == "" {
		t.Skip("runs only as TestJSONStreamsInFlatMemory's launcher")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	if werr := os.WriteFile(rssFile, []byte(strconv.FormatInt(rss, 10)), 0o600); werr != nil {
		fmt.Fprintln(os.Stderr, werr)
		os.Exit(1)
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
