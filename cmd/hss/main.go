// Command hss lists and waits for Huawei Cloud Host Security Service (HSS)
// image synchronisation tasks, for scripts:
//
//	hss registries --task-id ID [--type Harbor,Jfrog] [--status failed] [--output table|json|jsonl|csv] ...
//	hss wait --task-id ID [--timeout 30m] [--interval 15s] [--output ...] ...
//	hss completion bash|zsh|fish
//	hss version
//	hss help [command]
//
// Try it without a cloud account: hss registries --demo --task-id demo-task.
// Run "hss help" for the credentials, the exit codes and every flag.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hsskit/hss"
)

// env is what run needs from the process, so that tests run the command
// in-process with their own streams, environment and clock.
type env struct {
	stdout, stderr io.Writer
	// stdoutPath names the file stdout writes to, when it is a regular
	// file whose name is known; "" otherwise. A failed listing's note
	// gives it to --resume.
	stdoutPath string
	// stderrIsTerminal turns on progress and the log of long waits.
	stderrIsTerminal bool
	// getenv reads the environment (os.Getenv outside tests).
	getenv func(string) string
	// clock, when set, replaces the wall clock of the client and of the
	// --demo server (tests pass a fake one).
	clock hss.Clock
}

func main() {
	ignoreBrokenPipe()
	ctx, stop := notifyContext(context.Background())
	code := run(ctx, os.Args[1:], env{
		stdout:           os.Stdout,
		stderr:           os.Stderr,
		stdoutPath:       filePath(os.Stdout),
		stderrIsTerminal: isTerminal(os.Stderr),
		getenv:           os.Getenv,
	})
	stop()
	os.Exit(code)
}

// isTerminal reports whether f is a character device (a terminal), using
// only the standard library.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// filePath names the regular file f writes to, relative to the working
// directory when it lies below it, when f starts writing at the beginning
// of an empty file: what f writes is then the whole file, which --resume
// can continue. It returns "" when f is not a regular file, holds bytes
// already (hss ... >> file appends after them), is not at its start, or
// its name is not known (the name is read from /proc/self/fd, on Linux).
func filePath(f *os.File) string {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != 0 {
		return ""
	}
	if at, err := f.Seek(0, io.SeekCurrent); err != nil || at != 0 {
		return ""
	}
	path, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
	if err != nil || !filepath.IsAbs(path) {
		return ""
	}
	if named, err := os.Stat(path); err != nil || !os.SameFile(fi, named) {
		return "" // renamed or removed since it was opened
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil && filepath.IsLocal(rel) {
			return rel
		}
	}
	return path
}

// command is one of hss's commands.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, e env) int
	// flags returns the command's flag set, for completion; nil when it
	// takes none.
	flags func() *flagSet
}

// commands lists hss's commands, in the order help shows them.
var commands []command

func init() {
	commands = []command{
		{"registries", "list the registries of an image synchronisation task", runRegistries,
			func() *flagSet { return newRegistriesCmd().fs }},
		{"wait", "wait for an image synchronisation task to finish", runWait,
			func() *flagSet { return newWaitCmd().fs }},
		{"completion", "print a shell completion script (bash, zsh or fish)", func(_ context.Context, args []string, e env) int {
			return runCompletion(args, e.stdout, e.stderr)
		}, nil},
		{"version", "print the version", func(_ context.Context, args []string, e env) int {
			return runVersion(args, e.stdout, e.stderr)
		}, nil},
		{"help", "show help for hss or a command", runHelp, nil},
	}
}

const topUsage = `hss lists and waits for Huawei Cloud Host Security Service (HSS) image
synchronisation tasks, for scripts.

Usage:
  hss registries --task-id ID [flags]   list the registries of an image synchronisation task
  hss wait --task-id ID [flags]         wait for the task to finish; exit 6 if registries failed
  hss completion bash|zsh|fish          print a shell completion script
  hss version                           print the version
  hss help [command]                    show help ("hss help registries" lists every flag)

Try it without a cloud account (each --demo run starts from fresh data):
  hss registries --demo --task-id demo-task
  hss wait --demo --task-id demo-task

Endpoint: --region or --endpoint, else $HSS_ENDPOINT, $HSS_REGION or
$HUAWEICLOUD_SDK_REGION. Project: --project-id, else
$HUAWEICLOUD_SDK_PROJECT_ID or project_id in the credentials file.
Credentials: --token, else $HSS_TOKEN, else $HUAWEICLOUD_SDK_AK and
$HUAWEICLOUD_SDK_SK, else the credentials file
($HUAWEICLOUD_SDK_CREDENTIALS_FILE or ~/.huaweicloud/credentials), else ECS
instance metadata. A flag wins over its variable. Every value is checked
before credentials are looked for.

Errors go to stderr on one line, with the request id when the service gave
one. Output goes to stdout only.

`

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, topUsage+exitCodesHelp)
		return exitUsage
	}
	name := args[0]
	switch {
	case isHelp(name):
		name = "help"
	case name == "--version" || name == "-version":
		name = "version"
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, args[1:], e)
		}
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if near := closest(name, commandList(), typo); len(near) > 0 {
		msg += " (did you mean " + orList(near) + "?)"
	}
	fmt.Fprintf(e.stderr, "hss: %s; run \"hss help\"\n", escapeText(msg, nil))
	return exitUsage
}

// runHelp runs "hss help [command]".
func runHelp(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stdout, topUsage+exitCodesHelp)
		return exitOK
	}
	if len(args) == 1 && !isHelp(args[0]) {
		for _, c := range commands {
			if c.name == args[0] {
				return c.run(ctx, []string{"--help"}, e)
			}
		}
	}
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprint(e.stdout, "Usage: hss help [command]\n\nShows help for hss, or for one command.\n")
		return exitOK
	}
	fmt.Fprintf(e.stderr, "hss: hss help: unknown command %q; commands: %s\n", escapeText(strings.Join(args, " "), nil), commandNames())
	return exitUsage
}

// commandList lists the commands' names.
func commandList() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}

// commandNames lists the commands, comma-separated.
func commandNames() string { return strings.Join(commandList(), ", ") }

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "help", "--help", "-help", "-h":
		return true
	}
	return false
}
