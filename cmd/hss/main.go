// Command hss queries Huawei Cloud Host Security Service from scripts.
//
//	hss registries --task-id ID [--name N] [--type Harbor,Jfrog] [--status failed]
//	    [--enterprise-project-id E] [--offset N --limit N | --all]
//	    [--output table|json|jsonl|csv] [--region R | --endpoint URL] [--project-id P] [--token T]
//	hss registries --demo --task-id demo-task
//	hss version
//
// Credentials come from the SDK's chain (environment, profile file, ECS
// metadata; see the README) unless --token is given. Exit codes: 0 success,
// 2 usage error, 3 authentication error, 4 throttled after retries, 1 any
// other error. Errors go to stderr on one line, with the request id when
// the service gave one.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/hsskit/hss"
)

// Exit codes, stable for scripts.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitAuth      = 3
	exitThrottled = 4
)

// env is what run needs from the process, so tests can run the command
// in-process with their own streams and environment.
type env struct {
	stdout, stderr io.Writer
	// stderrIsTerminal enables the progress line.
	stderrIsTerminal bool
	// getenv reads the environment (os.Getenv outside tests).
	getenv func(string) string
	// clientOpts are added to the SDK client's options (tests use it for
	// a fake clock).
	clientOpts []hss.Option
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{
		stdout:           os.Stdout,
		stderr:           os.Stderr,
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

const topUsage = `hss queries Huawei Cloud Host Security Service (HSS).

Usage:
  hss registries [flags]   list the registries of an image synchronisation task
  hss version              print the version
  hss help [command]       show help

Run "hss registries --help" for the flags. Try it without a cloud account:
  hss registries --demo --task-id demo-task
`

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, topUsage)
		return exitUsage
	}
	switch args[0] {
	case "registries":
		return runRegistries(ctx, args[1:], e)
	case "version", "--version", "-version":
		if len(args) > 1 {
			if args[1] == "--help" || args[1] == "-help" || args[1] == "-h" {
				fmt.Fprint(e.stdout, "Usage: hss version\n\nPrints the version of hss, and the Go toolchain and platform it was built with.\n")
				return exitOK
			}
			return fail(e, &usageError{fmt.Sprintf("hss version: unexpected argument %q", args[1])})
		}
		fmt.Fprintf(e.stdout, "hss %s (%s %s/%s)\n", hss.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return exitOK
	case "help", "--help", "-help", "-h":
		if len(args) > 1 {
			switch args[1] {
			case "registries", "version":
				return run(ctx, []string{args[1], "--help"}, e)
			}
		}
		fmt.Fprint(e.stdout, topUsage)
		return exitOK
	default:
		fmt.Fprintf(e.stderr, "hss: unknown command %q; run \"hss help\"\n", args[0])
		return exitUsage
	}
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

// fail prints err on one line and maps it to an exit code.
func fail(e env, err error) int {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if !strings.HasPrefix(msg, "hss") {
		msg = "hss: " + msg
	}
	fmt.Fprintln(e.stderr, msg)
	return exitCode(err)
}

// exitCode sorts an error into the documented exit codes.
func exitCode(err error) int {
	var (
		usage *usageError
		ve    *hss.ValidationError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		return exitError // interrupted: not the last attempt's throttling or auth answer
	case errors.As(err, &usage), errors.As(err, &ve):
		return exitUsage
	case hss.IsAuthError(err) || isNoCredentials(err):
		return exitAuth
	case hss.IsThrottled(err):
		return exitThrottled
	}
	return exitError
}
