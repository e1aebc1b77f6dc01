package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/hsskit/hss"
)

const completionUsage = `Usage: hss completion bash|zsh|fish

Prints a shell completion script for hss: commands, flags, and the values
of --output, --type, --status, --fields and --region, in any case, also as
--flag=value, and the last of a comma-separated list (--type Harbor,J); the
demo task ids for --task-id after --demo.

  bash:  source <(hss completion bash)      (or save it in /etc/bash_completion.d/hss)
  zsh:   source <(hss completion zsh)       (or save it as _hss in a directory of $fpath)
  fish:  hss completion fish | source       (or save it in ~/.config/fish/completions/hss.fish)
`

// shells are the shells hss completion writes scripts for.
var shells = []string{"bash", "zsh", "fish"}

// completionFlag is one flag of a command, as completion scripts need it.
type completionFlag struct {
	name    string
	summary string   // a short description
	values  []string // the values it takes, when they are few
	list    bool     // takes a comma-separated list of values
	taskID  bool     // takes a task id: the demo's, after --demo
	file    bool     // takes a file name
	boolean bool     // takes no value
}

// completionCommand is one command, as completion scripts need it.
type completionCommand struct {
	name, summary string
	flags         []completionFlag
	args          []string // the arguments it takes
}

// completionCommands describes every command, the flags read from the
// commands' own flag sets, so the scripts never fall behind them.
func completionCommands() []completionCommand {
	var out []completionCommand
	for _, c := range commands {
		cc := completionCommand{name: c.name, summary: c.summary}
		switch c.name {
		case "help":
			cc.args = commandList()
		case "completion":
			cc.args = shells
		}
		if c.flags != nil {
			fs := c.flags()
			for _, name := range fs.names() {
				cc.flags = append(cc.flags, describeFlag(fs.Lookup(name)))
			}
		}
		out = append(out, cc)
	}
	return out
}

// flagValues are the values of the flags that take one of a few (any
// case), or a list of them.
var flagValues = map[string][]string{
	"output": outputFormats,
	"type":   stringsOf(hss.AllRegistryTypes()),
	"status": stringsOf(hss.AllSyncStatuses()),
	"fields": fieldNames(allFields),
	"region": hss.Regions(),
}

// demoTaskIDs are the task ids --task-id completes after --demo.
var demoTaskIDs = []string{demoTask, demoLargeTask}

// describeFlag reads what completion needs from a flag.
func describeFlag(f *flag.Flag) completionFlag {
	_, usage := flag.UnquoteUsage(f)
	summary, _, _ := strings.Cut(usage, "\n")
	for _, sep := range []string{" (", ": ", "; ", ". "} {
		summary, _, _ = strings.Cut(summary, sep)
	}
	summary = strings.TrimRight(summary, ":;,. ")
	b, isBool := f.Value.(interface{ IsBoolFlag() bool })
	_, list := f.Value.(*listFlag)
	return completionFlag{name: f.Name, summary: summary, values: flagValues[f.Name], list: list,
		taskID: f.Name == "task-id", file: f.Name == "resume", boolean: isBool && b.IsBoolFlag()}
}

// runCompletion runs "hss completion SHELL".
func runCompletion(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprint(stdout, completionUsage)
		return exitOK
	}
	if len(args) != 1 {
		fmt.Fprintf(stderr, "hss: hss completion: name one shell: %s\n", strings.Join(shells, ", "))
		return exitUsage
	}
	cmds := completionCommands()
	switch args[0] {
	case "bash":
		writeBash(stdout, cmds)
	case "zsh":
		writeZsh(stdout, cmds)
	case "fish":
		writeFish(stdout, cmds)
	default:
		fmt.Fprintf(stderr, "hss: hss completion: unknown shell %q: must be one of %s\n", escapeText(args[0], nil), strings.Join(shells, ", "))
		return exitUsage
	}
	return exitOK
}

// bashHead is the start of the bash script: _hss_values, and _hss up to
// the completion of flag values.
const bashHead = `# bash completion for hss; load it with: source <(hss completion bash)

# _hss_values PREFIX WORD VALUE...: replies PREFIX+VALUE for each VALUE
# that starts with WORD, in any case.
_hss_values() {
    local prefix=$1 word=$2 value nocase
    shift 2
    nocase=$(shopt -p nocasematch)
    shopt -s nocasematch
    for value in "$@"; do
        if [[ $value == "$word"* ]]; then
            COMPREPLY+=("$prefix$value")
        fi
    done
    eval "$nocase"
}

_hss() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[1]} flag= prefix= word
    COMPREPLY=()
    if (( COMP_CWORD == 1 )); then
        _hss_values "" "$cur" %s
        return
    fi
    case $cmd in
%s    esac
    # The flag whose value is completed: --flag VALUE, or --flag=VALUE as
    # one word (= is not in $COMP_WORDBREAKS) or as three (it is, the
    # default: "--flag" "=" "VALUE").
    if [[ $cur == --*=* ]]; then
        flag=${cur%%%%=*}
        prefix=$flag=
        cur=${cur#*=}
    elif [[ $cur == = && $prev == -* ]]; then
        flag=$prev
        cur=
    elif [[ $prev == = ]] && (( COMP_CWORD > 2 )); then
        flag=${COMP_WORDS[COMP_CWORD-2]}
    elif [[ $prev == -* && $prev != *=* ]]; then
        flag=$prev
    fi
    flag=--${flag#--}
    case $flag in
`

// writeBash writes a bash completion function.
func writeBash(w io.Writer, cmds []completionCommand) {
	var args strings.Builder
	for _, c := range cmds {
		if c.args != nil {
			fmt.Fprintf(&args, "    %s) _hss_values \"\" \"$cur\" %s; return ;;\n", c.name, strings.Join(c.args, " "))
		}
	}
	fmt.Fprintf(w, bashHead, strings.Join(commandList(), " "), args.String())
	seen := map[string]bool{}
	var free []string
	for _, c := range cmds {
		for _, f := range c.flags {
			if seen[f.name] || f.boolean {
				continue
			}
			seen[f.name] = true
			switch {
			case f.list:
				fmt.Fprintf(w, `    --%s)
        if [[ $cur == *,* ]]; then
            prefix+=${cur%%,*},
            cur=${cur##*,}
        fi
        _hss_values "$prefix" "$cur" %s
        return ;;
`, f.name, strings.Join(f.values, " "))
			case f.values != nil:
				fmt.Fprintf(w, "    --%s) _hss_values \"$prefix\" \"$cur\" %s; return ;;\n", f.name, strings.Join(f.values, " "))
			case f.taskID:
				fmt.Fprintf(w, `    --%s)
        for word in "${COMP_WORDS[@]}"; do
            if [[ $word == --demo || $word == -demo ]]; then
                _hss_values "$prefix" "$cur" %s
                break
            fi
        done
        return ;;
`, f.name, strings.Join(demoTaskIDs, " "))
			case f.file:
				fmt.Fprintf(w, `    --%s)
        while IFS= read -r word; do
            COMPREPLY+=("$prefix$word")
        done < <(compgen -f -- "$cur")
        return ;;
`, f.name)
			default:
				free = append(free, "--"+f.name)
			}
		}
	}
	if len(free) > 0 {
		fmt.Fprintf(w, "    %s) return ;;\n", strings.Join(free, "|"))
	}
	fmt.Fprint(w, "    esac\n    case $cmd in\n")
	for _, c := range cmds {
		if len(c.flags) == 0 {
			continue
		}
		var flags []string
		for _, f := range c.flags {
			flags = append(flags, "--"+f.name)
		}
		fmt.Fprintf(w, "    %s) _hss_values \"\" \"$cur\" %s ;;\n", c.name, strings.Join(append(flags, "--help"), " "))
	}
	fmt.Fprint(w, "    esac\n}\ncomplete -F _hss hss\n")
}

// zshHead is the start of the zsh script: its helpers, and _hss up to
// the commands' flags.
const zshHead = `#compdef hss
# zsh completion for hss; load it with: source <(hss completion zsh)

# _hss_values [-l] VALUE...: completes one of the values, in any case; with
# -l, the last of a comma-separated list of them.
_hss_values() {
    if [[ $1 == -l ]]; then
        shift
        compset -P '*,'
    fi
    compadd -M 'm:{a-zA-Z}={A-Za-z}' -- "$@"
}

# _hss_task_ids: the demo's task ids, after --demo.
_hss_task_ids() {
    if (( ${words[(I)--demo(|=*)]} )); then
        compadd -- %s
    fi
}

_hss() {
    local -a commands
    commands=(
`

// writeZsh writes a zsh completion function.
func writeZsh(w io.Writer, cmds []completionCommand) {
	fmt.Fprintf(w, zshHead, strings.Join(demoTaskIDs, " "))
	for _, c := range cmds {
		fmt.Fprintf(w, "        '%s:%s'\n", c.name, zshText(c.summary))
	}
	fmt.Fprint(w, `    )
    if (( CURRENT == 2 )); then
        _describe -t commands 'hss command' commands
        return
    fi
    shift words
    (( CURRENT-- ))
    case $words[1] in
`)
	for _, c := range cmds {
		switch {
		case c.args != nil:
			fmt.Fprintf(w, "    %s) _values '%s' %s ;;\n", c.name, c.name, strings.Join(c.args, " "))
		case len(c.flags) > 0:
			fmt.Fprintf(w, "    %s)\n        _arguments \\\n", c.name)
			for _, f := range c.flags {
				spec := fmt.Sprintf("--%s[%s]", f.name, zshText(f.summary))
				switch {
				case f.boolean:
				case f.list:
					spec = fmt.Sprintf("--%s=[%s]:%s:{_hss_values -l %s}", f.name, zshText(f.summary), f.name, strings.Join(f.values, " "))
				case f.values != nil:
					spec = fmt.Sprintf("--%s=[%s]:%s:{_hss_values %s}", f.name, zshText(f.summary), f.name, strings.Join(f.values, " "))
				case f.taskID:
					spec = fmt.Sprintf("--%s=[%s]:%s:_hss_task_ids", f.name, zshText(f.summary), f.name)
				case f.file:
					spec = fmt.Sprintf("--%s=[%s]:%s:_files", f.name, zshText(f.summary), f.name)
				default:
					spec = fmt.Sprintf("--%s=[%s]:%s: ", f.name, zshText(f.summary), f.name)
				}
				fmt.Fprintf(w, "            '%s' \\\n", spec)
			}
			fmt.Fprint(w, "            '--help[show help]'\n        ;;\n")
		}
	}
	fmt.Fprint(w, `    esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _hss "$@"
else
    compdef _hss hss
fi
`)
}

// fishHead is the start of the fish script.
const fishHead = `# fish completion for hss; load it with: hss completion fish | source
complete -c hss -f

# __hss_values VALUE...: the values, after the comma-separated ones already
# in the token (--type Harbor,J gives Harbor,Jfrog).
function __hss_values
    set -l token (string replace -r -- '^--?[a-z-]+=' '' (commandline -ct))
    set -l prefix (string match -r -- '^.*,' $token)
    for value in $argv
        printf '%s%s\n' "$prefix" $value
    end
end
`

// writeFish writes fish completions.
func writeFish(w io.Writer, cmds []completionCommand) {
	io.WriteString(w, fishHead)
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c hss -n __fish_use_subcommand -a %s -d '%s'\n", c.name, fishText(c.summary))
	}
	for _, c := range cmds {
		cond := fmt.Sprintf("'__fish_seen_subcommand_from %s'", c.name)
		if c.args != nil {
			fmt.Fprintf(w, "complete -c hss -n %s -x -a '%s'\n", cond, strings.Join(c.args, " "))
		}
		for _, f := range c.flags {
			line := fmt.Sprintf("complete -c hss -n %s -l %s", cond, f.name)
			switch {
			case f.boolean:
			case f.list:
				line += fmt.Sprintf(" -x -a '(__hss_values %s)'", strings.Join(f.values, " "))
			case f.values != nil:
				line += fmt.Sprintf(" -x -a '%s'", strings.Join(f.values, " "))
			case f.file:
				line += " -r -F"
			default:
				line += " -x"
			}
			fmt.Fprintf(w, "%s -d '%s'\n", line, fishText(f.summary))
			if f.taskID {
				fmt.Fprintf(w, "complete -c hss -n '__fish_seen_subcommand_from %s; and __fish_contains_opt demo' -l %s -x -a '%s'\n",
					c.name, f.name, strings.Join(demoTaskIDs, " "))
			}
		}
	}
}

// zshText makes s safe inside a single-quoted _arguments spec.
func zshText(s string) string {
	return strings.NewReplacer("'", "", "[", "(", "]", ")", ":", " -", `\`, "").Replace(s)
}

// fishText makes s safe inside single quotes in fish.
func fishText(s string) string {
	return strings.NewReplacer("'", "", `\`, "").Replace(s)
}

// stringsOf converts values of a string type.
func stringsOf[T ~string](vs []T) []string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return s
}
