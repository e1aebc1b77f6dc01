// Shell completion: the scripts name every command and flag, and bash, zsh and fish, run for real, complete what they should.

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// completionScript returns the script hss completion writes for sh.
func completionScript(t *testing.T, sh string) string {
	t.Helper()
	r := runCLI(t, "completion", sh)
	require.Equal(t, exitOK, r.code, r.stderr)
	return r.stdout
}

// lookShell finds a shell, or skips the test saying how to install it.
func lookShell(t *testing.T, sh string) string {
	t.Helper()
	path, err := exec.LookPath(sh)
	if err != nil {
		t.Skipf("%s is not installed, so its completion is not tested here; install it (apt-get install -y %s) to run this test, as CI does", sh, sh)
	}
	return path
}

// shellTimeout bounds a shell run, so that a broken script fails the test
// instead of hanging it; a run takes well under a second.
const shellTimeout = time.Minute

// runShell runs a shell command line and returns its output.
func runShell(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), shellTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "TERM=dumb", "LANG=C.UTF-8"}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return string(out)
}

// sortedLines returns the lines of out, sorted, without empty ones.
func sortedLines(out string) []string {
	var ls []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			ls = append(ls, l)
		}
	}
	sort.Strings(ls)
	return ls
}

// TestCompletionScripts: each script names every command and flag.
func TestCompletionScripts(t *testing.T) {
	for _, sh := range shells {
		script := completionScript(t, sh)
		for _, c := range completionCommands() {
			assert.Contains(t, script, c.name, sh)
			for _, f := range c.flags {
				assert.Contains(t, script, f.name, sh)
			}
		}
	}
	assert.Contains(t, completionScript(t, "bash"), "complete -F _hss hss")
	assert.Contains(t, completionScript(t, "zsh"), "#compdef hss")
	assert.Contains(t, completionScript(t, "zsh"), "'--max-throttle-wait=[wait at most DURATION per request for the gateways quota when throttled, then exit 4]:max-throttle-wait: '")
	assert.Contains(t, completionScript(t, "fish"), "complete -c hss -n '__fish_seen_subcommand_from wait' -l interval -x")
}

// completionCases are what each shell must complete: the words typed, and
// the completions offered (any order). Values match in any case, also as
// --flag=value and after the commas of a list; --task-id offers the demo's
// task ids after --demo.
var completionCases = []struct {
	line string
	want []string
}{
	{"hss reg", []string{"registries"}},
	{"hss completion z", []string{"zsh"}},
	{"hss registries --outp", []string{"--output"}},
	{"hss wait --inte", []string{"--interval"}},
	{"hss registries --type H", []string{"Harbor"}},
	{"hss registries --type har", []string{"Harbor"}},
	{"hss registries --type Harbor,J", []string{"Harbor,Jfrog"}},
	{"hss registries --status FIN", []string{"finished"}},
	{"hss registries --fields registry_id,sync", []string{"registry_id,sync_status"}},
	{"hss wait --output js", []string{"json", "jsonl"}},
	{"hss wait --output=j", []string{"--output=json", "--output=jsonl"}},
	{"hss registries --region cn-north-1", []string{"cn-north-1", "cn-north-11", "cn-north-12"}},
	{"hss registries --demo --task-id ", []string{"demo-large", "demo-task"}},
	{"hss wait --task-id ", nil},
	{"hss registries --name ", nil},
}

// TestBashCompletion runs the bash script's function as bash runs it on
// Tab, with the words split as bash splits them: by default = is a word
// of its own ("--output" "=" "j"); without = in $COMP_WORDBREAKS it is not.
func TestBashCompletion(t *testing.T) {
	bash := lookShell(t, "bash")
	script := completionScript(t, "bash")
	complete := func(words []string) []string {
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = shellQuote(w)
		}
		out := runShell(t, bash, "--norc", "--noprofile", "-c", script+`
COMP_WORDS=(`+strings.Join(quoted, " ")+`)
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_hss
printf '%s\n' "${COMPREPLY[@]}"
`)
		return sortedLines(out)
	}
	for _, tc := range completionCases {
		words := strings.Split(tc.line, " ")
		if flag, value, ok := strings.Cut(words[len(words)-1], "="); ok {
			split := append(append([]string(nil), words[:len(words)-1]...), flag, "=", value)
			var want []string
			for _, w := range tc.want {
				want = append(want, strings.TrimPrefix(w, flag+"="))
			}
			assert.Equal(t, want, complete(split), "%q split at =", tc.line)
		}
		assert.Equal(t, tc.want, complete(words), "%q", tc.line)
	}
	assert.Equal(t, []string{"csv", "json", "jsonl", "table"}, complete([]string{"hss", "wait", "--output", "="}), "the cursor right after --output=")
	assert.Equal(t, []string{"--resume"}, complete([]string{"hss", "registries", "--resu"}))
	assert.Empty(t, complete([]string{"hss", "wait", "--resu"}), "wait has no --resume")
}

// TestZshCompletion types each line into an interactive zsh (through
// zsh/zpty, a pseudo-terminal) with the script loaded, presses Tab, and
// reads the completions zsh offers.
func TestZshCompletion(t *testing.T) {
	zsh := lookShell(t, "zsh")
	dir := t.TempDir()
	files := map[string]string{"hss.zsh": completionScript(t, "zsh"), "setup.zsh": zshSetup, "drive.zsh": zshDriver}
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	for _, tc := range completionCases {
		out := runShell(t, zsh, "-f", filepath.Join(dir, "drive.zsh"), filepath.Join(dir, "setup.zsh"), filepath.Join(dir, "hss.zsh"), tc.line)
		assert.Equal(t, tc.want, sortedLines(out), "%q", tc.line)
	}
}

// zshSetup prepares the interactive zsh: no prompt, the completion system,
// Tab bound to complete-word, and compadd wrapped to print each match it
// adds on a line of its own ("<<match>>..."), and "<<done>>" when a
// completion ends.
const zshSetup = `PS1='' PROMPT='' RPROMPT=''
autoload -Uz compinit
compinit -u -D
compadd() {
    if (( ${@[(I)-[OAD]]} )); then
        builtin compadd "$@"
        return
    fi
    local -a __hss_got
    builtin compadd -O __hss_got "$@"
    local w
    for w in $__hss_got; do
        print -r -- $'\n'"<<match>>$IPREFIX$w"
    done
    builtin compadd "$@"
}
__hss_done() { print -r -- $'\n<<done>>'; }
comppostfuncs=(__hss_done)
bindkey '^I' complete-word
`

// zshDriver is "zsh -f drive.zsh SETUP SCRIPT LINE": it starts an
// interactive zsh on a pseudo-terminal, sources SETUP and SCRIPT, types
// LINE and Tab, and prints the matches, one a line.
const zshDriver = `zmodload zsh/zpty zsh/zselect || exit 3
zpty -b comp zsh -f -i
zpty -w comp "source ${(q)1}; source ${(q)2}"
zpty -w -n comp "$3"$'\t'
out=
integer idle=0
while (( idle < 600 )); do
    if zpty -r -t comp chunk; then
        out+=$chunk
        idle=0
    else
        zselect -t 5
        (( idle++ ))
    fi
    [[ $out == *$'\n<<done>>'* ]] && break
done
zpty -d comp
(( idle < 600 )) || { print -u2 "zsh did not complete: $out"; exit 4 }
print -r -- "$out" | tr -d '\r' | grep -a '^<<match>>' | sed 's/^<<match>>//' | sort -u
exit 0
`

// TestFishCompletion asks fish what it completes for each line
// (complete -C), with the script loaded.
func TestFishCompletion(t *testing.T) {
	fish := lookShell(t, "fish")
	script := filepath.Join(t.TempDir(), "hss.fish")
	require.NoError(t, os.WriteFile(script, []byte(completionScript(t, "fish")), 0o600))
	for _, tc := range completionCases {
		out := runShell(t, fish, "--no-config", "-c", "source "+shellQuote(script)+"; complete -C "+shellQuote(tc.line))
		var got []string
		for _, l := range sortedLines(out) {
			value, _, _ := strings.Cut(l, "\t") // a completion, then its description
			got = append(got, value)
		}
		assert.Equal(t, tc.want, got, "%q", tc.line)
	}
}
