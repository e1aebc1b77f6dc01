package main

import (
	"os/exec"
	"regexp"
	"strings"
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

// TestCompletion: each script names every command and flag; the bash one
// is valid bash and completes flags and their values.
func TestCompletion(t *testing.T) {
	scripts := map[string]string{}
	for _, sh := range shells {
		r := runCLI(t, "completion", sh)
		require.Equal(t, exitOK, r.code, r.stderr)
		scripts[sh] = r.stdout
		for _, c := range completionCommands() {
			assert.Contains(t, r.stdout, c.name, sh)
			for _, f := range c.flags {
				assert.Contains(t, r.stdout, f.name, sh)
			}
		}
	}
	assert.Contains(t, scripts["bash"], "complete -F _hss hss")
	assert.Contains(t, scripts["zsh"], "#compdef hss")
	assert.Contains(t, scripts["zsh"], "'--output[output FORMAT]:output:(table json jsonl csv)'")
	assert.Contains(t, scripts["fish"], "complete -c hss -n '__fish_seen_subcommand_from wait' -l interval -x")
	assert.Contains(t, scripts["fish"], "complete -c hss -n '__fish_seen_subcommand_from registries' -l status -x -a 'finished running failed'")

	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to check the script with")
	}
	complete := func(words ...string) string {
		script := scripts["bash"] + `
COMP_WORDS=(` + strings.Join(quoteAll(words), " ") + `)
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_hss
echo "${COMPREPLY[*]}"
`
		out, err := exec.Command(bash, "--norc", "--noprofile", "-c", script).CombinedOutput()
		require.NoError(t, err, "%s", out)
		return strings.TrimSpace(string(out))
	}
	assert.Equal(t, "registries", complete("hss", "reg"))
	assert.Equal(t, "--output", complete("hss", "registries", "--outp"))
	assert.Equal(t, "--interval", complete("hss", "wait", "--inte"))
	assert.Equal(t, "Harbor", complete("hss", "registries", "--type", "H"))
	assert.Equal(t, "json jsonl", complete("hss", "wait", "--output", "js"))
	assert.Equal(t, "", complete("hss", "registries", "--task-id", ""), "free text gets no flag names")
	assert.Equal(t, "zsh", complete("hss", "completion", "z"))
}

// quoteAll single-quotes words for bash.
func quoteAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return out
}
