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
of --output, --type, --status, --fields and --region.

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
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	var out []completionCommand
	for _, c := range commands {
		cc := completionCommand{name: c.name, summary: c.summary}
		switch c.name {
		case "help":
			cc.args = names
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

// flagValues are the values of the flags that take one of a few.
var flagValues = map[string][]string{
	"output": outputFormats,
	"type":   stringsOf(hss.AllRegistryTypes()),
	"status": stringsOf(hss.AllSyncStatuses()),
	"fields": fieldNames(allFields),
	"region": hss.Regions(),
}

// describeFlag reads what completion needs from a flag.
func describeFlag(f *flag.Flag) completionFlag {
	_, usage := flag.UnquoteUsage(f)
	summary, _, _ := strings.Cut(usage, "\n")
	for _, sep := range []string{" (", ": ", "; ", ". "} {
		summary, _, _ = strings.Cut(summary, sep)
	}
	summary = strings.TrimSuffix(summary, ":")
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return completionFlag{name: f.Name, summary: summary, values: flagValues[f.Name], boolean: ok && b.IsBoolFlag()}
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

// writeBash writes a bash completion function.
func writeBash(w io.Writer, cmds []completionCommand) {
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	fmt.Fprintf(w, `# bash completion for hss; load it with: source <(hss completion bash)
_hss() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[1]}
    COMPREPLY=()
    if (( COMP_CWORD == 1 )); then
        COMPREPLY=($(compgen -W %q -- "$cur"))
        return
    fi
    case $cmd in
`, strings.Join(names, " "))
	for _, c := range cmds {
		if c.args != nil {
			fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", c.name, strings.Join(c.args, " "))
		}
	}
	fmt.Fprint(w, "    esac\n    case $prev in\n")
	valued, free := map[string]bool{}, map[string]bool{}
	for _, c := range cmds {
		for _, f := range c.flags {
			switch {
			case f.values != nil && !valued[f.name]:
				valued[f.name] = true
				fmt.Fprintf(w, "    --%s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", f.name, strings.Join(f.values, " "))
			case f.values == nil && !f.boolean:
				free[f.name] = true
			}
		}
	}
	var freeNames []string
	for _, c := range cmds {
		for _, f := range c.flags {
			if free[f.name] {
				freeNames = append(freeNames, "--"+f.name)
				delete(free, f.name)
			}
		}
	}
	if len(freeNames) > 0 {
		fmt.Fprintf(w, "    %s) return ;;\n", strings.Join(freeNames, "|"))
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
		fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", c.name, strings.Join(append(flags, "--help"), " "))
	}
	fmt.Fprint(w, "    esac\n}\ncomplete -F _hss hss\n")
}

// writeZsh writes a zsh completion function.
func writeZsh(w io.Writer, cmds []completionCommand) {
	fmt.Fprint(w, "#compdef hss\n# zsh completion for hss; load it with: source <(hss completion zsh)\n_hss() {\n    local -a commands\n    commands=(\n")
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
				case f.values != nil:
					spec += fmt.Sprintf(":%s:(%s)", f.name, strings.Join(f.values, " "))
				case !f.boolean:
					spec += ":" + f.name + ": "
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

// writeFish writes fish completions.
func writeFish(w io.Writer, cmds []completionCommand) {
	fmt.Fprint(w, "# fish completion for hss; load it with: hss completion fish | source\ncomplete -c hss -f\n")
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
			case f.values != nil:
				line += fmt.Sprintf(" -x -a '%s'", strings.Join(f.values, " "))
			case !f.boolean:
				line += " -x"
			}
			fmt.Fprintf(w, "%s -d '%s'\n", line, fishText(f.summary))
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
