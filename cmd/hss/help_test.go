// Help and version: on stdout, with every flag spelled with "--" and the exit code table.

package main

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHelp: help goes to stdout with exit 0, spells every flag with "--",
// and carries the exit code table.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		r := runCLI(t, args...)
		assert.Equal(t, exitOK, r.code)
		for _, c := range commands {
			assert.Contains(t, r.stdout, "hss "+c.name)
		}
		assert.Contains(t, r.stdout, exitCodesHelp)
	}

	for _, cmd := range []string{"registries", "wait"} {
		for _, args := range [][]string{{"help", cmd}, {cmd, "--help"}, {cmd, "-h"}} {
			r := runCLI(t, args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stdout, "Usage: hss "+cmd+" --task-id ID")
			assert.Contains(t, r.stdout, exitCodesHelp)
			var fs *flagSet
			for _, c := range commands {
				if c.name == cmd {
					fs = c.flags()
				}
			}
			for _, name := range fs.names() {
				assert.Contains(t, r.stdout, "\n  --"+name, "%s --help lists --%s", cmd, name)
			}
			assert.NotRegexp(t, regexp.MustCompile(`(?m)^\s+-[a-z]`), r.stdout, "no single-dash flags")
		}
	}
	r := runCLI(t, "registries", "--help")
	assert.Contains(t, r.stdout, "Other local users can read it in the process list:\n        prefer $HSS_TOKEN")
	assert.Contains(t, r.stdout, "Each run starts from fresh\n        data", "--demo says that it keeps no state between runs")
	assert.Contains(t, r.stdout, "--max-throttle-wait DURATION")
	assert.Contains(t, r.stdout, "(0: the default, 5m0s), or none: give up at the first throttling answer (default 5m0s)")
	assert.Contains(t, r.stdout, "--resume FILE")
	assert.Contains(t, r.stdout, "A closed stdout (hss ... | head) is no error")
	r = runCLI(t, "help")
	assert.Contains(t, r.stdout, "each --demo run starts from fresh data")
	r = runCLI(t, "wait", "--help")
	assert.Contains(t, r.stdout, `"state": "finished", "failed", "timeout", "error" or`+"\n"+`   "interrupted"`)
	assert.Contains(t, r.stdout, `"exit_code": N, "error": "..." or null`)

	for _, args := range [][]string{{"help", "version"}, {"version", "--help"}} {
		r := runCLI(t, args...)
		assert.Equal(t, exitOK, r.code)
		assert.Contains(t, r.stdout, "Usage: hss version")
	}
	for _, args := range [][]string{{"help", "completion"}, {"completion", "--help"}} {
		r := runCLI(t, args...)
		assert.Equal(t, exitOK, r.code)
		assert.Contains(t, r.stdout, "Usage: hss completion bash|zsh|fish")
	}
	r = runCLI(t, "help", "help")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "Usage: hss help [command]")

	r = runCLI(t, "help", "frobnicate")
	assert.Equal(t, exitUsage, r.code)
	assert.Empty(t, r.stdout)
	assert.Equal(t, "hss: hss help: unknown command \"frobnicate\"; commands: registries, wait, completion, version, help\n", r.stderr)

	r = runCLI(t)
	assert.Equal(t, exitUsage, r.code, "no command is a usage error")
	assert.Contains(t, r.stderr, "Usage:")
	assert.Empty(t, r.stdout)
}

// TestVersion prints the build's module version, or the SDK's.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCLI(t, args...)
		assert.Equal(t, exitOK, r.code)
		assert.Regexp(t, `^hss v\S+ \(go\S+ \S+/\S+\)\n$`, r.stdout)
		assert.Contains(t, r.stdout, version())
	}
}

// TestHelpOfHelp: "hss help --help" is a request for help, not an unknown
// command.
func TestHelpOfHelp(t *testing.T) {
	r := runCLI(t, "help", "--help")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.NotEmpty(t, r.stdout)
}
