// A closed stdout (hss ... | head): the output stops quietly, with exit 0 (for wait, the task's code), in-process and with the real binary and pipe.

//go:build unix

package main

import (
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss/hsstest"
)

// closedPipe is a stdout whose reader went away after n bytes.
type closedPipe struct{ n int }

func (p *closedPipe) Write(b []byte) (int, error) {
	if len(b) > p.n {
		w := p.n
		p.n = 0
		return w, &os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}
	}
	p.n -= len(b)
	return len(b), nil
}

// runClosed runs the command in-process with stdout a pipe closed after n
// bytes.
func runClosed(t *testing.T, f *fixture, n int, args ...string) (code int, stderr string) {
	t.Helper()
	var errOut strings.Builder
	environ := map[string]string{"HOME": t.TempDir(), "HSS_NO_METADATA": "true"}
	code = run(t.Context(), args, env{
		stdout: &closedPipe{n: n},
		stderr: &errOut,
		getenv: func(k string) string { return environ[k] },
		clock:  f.clk,
	})
	return code, errOut.String()
}

// TestClosedStdoutEndsQuietly: the reader of stdout stopping early is no
// error: the listing stops, says nothing, and exits 0; a wait still exits
// with the task's code.
func TestClosedStdoutEndsQuietly(t *testing.T) {
	f := newFixture(t, hsstest.WithSeed("big", 1234))
	for _, format := range outputFormats {
		for _, n := range []int{0, 100, 70000} {
			code, stderr := runClosed(t, f, n, f.args("registries", "--task-id", "big", "--output", format)...)
			assert.Equal(t, exitOK, code, "%s after %d bytes: %s", format, n, stderr)
			assert.Empty(t, stderr, "%s after %d bytes", format, n)
		}
	}
	before := len(f.srv.Requests())
	runClosed(t, f, 100, f.args("registries", "--task-id", "big", "--output", "jsonl", "--limit", "10")...)
	assert.Len(t, f.srv.Requests()[before:], 1, "no page fetched after the first, whose flush failed")

	f = newFixture(t, hsstest.WithSettle(time.Minute))
	f.srv.AddRegistries("t", settling(true)...)
	code, stderr := runClosed(t, f, 10, f.args("wait", "--task-id", "t", "--output", "json")...)
	assert.Equal(t, exitFailures, code)
	assert.Equal(t, "hss: task t finished with 1 of 3 registries failed: busy-2 (image pull quota exceeded)\n", stderr)
}

// TestClosedPipeWithTheBinary runs the built hss with stdout a real pipe
// whose reading end is closed: without care, the Go runtime kills it with
// SIGPIPE (exit 141).
func TestClosedPipeWithTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildHSS(t)
	for _, format := range outputFormats {
		r, w, err := os.Pipe()
		require.NoError(t, err)
		require.NoError(t, r.Close()) // nobody reads: every write fails
		cmd := exec.Command(bin, "registries", "--demo", "--task-id", "demo-large", "--output", format)
		var stderr strings.Builder
		cmd.Stdout, cmd.Stderr = w, &stderr
		cmd.Env = []string{"HOME=" + t.TempDir()}
		err = cmd.Run()
		require.NoError(t, w.Close())
		assert.NoError(t, err, "%s: %s", format, stderr.String())
		assert.Equal(t, 0, cmd.ProcessState.ExitCode(), format)
		assert.Empty(t, stderr.String(), format)
	}

	// A reader that stops after the first line, as head -1 does.
	r, w, err := os.Pipe()
	require.NoError(t, err)
	cmd := exec.Command(bin, "registries", "--demo", "--task-id", "demo-large", "--output", "jsonl")
	cmd.Stdout = w
	cmd.Env = []string{"HOME=" + t.TempDir()}
	require.NoError(t, cmd.Start())
	require.NoError(t, w.Close())
	first := make([]byte, 64)
	_, err = io.ReadFull(r, first)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	assert.NoError(t, cmd.Wait())
	assert.Equal(t, 0, cmd.ProcessState.ExitCode())
}
