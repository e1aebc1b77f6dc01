package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
)

// Exit codes, stable for scripts; exitCodesHelp documents them.
const (
	exitOK        = 0
	exitError     = 1   // any other error
	exitUsage     = 2   // a bad flag or value, or bad credential configuration
	exitAuth      = 3   // authentication or permission
	exitThrottled = 4   // throttled past the throttle budget
	exitNotFound  = 5   // task not found (HSS.0011)
	exitFailures  = 6   // wait: the task settled with registries failed or in an unknown status
	exitTimeout   = 7   // --timeout passed, or the next wait would pass it
	exitSIGINT    = 130 // 128 + SIGINT
	exitSIGTERM   = 143 // 128 + SIGTERM
)

// exitCodesHelp is the exit code table of "hss help".
const exitCodesHelp = `Exit codes:
  0    ok
  1    other error
  2    usage or configuration: a bad flag or value, a half-set credential
       pair, an unreadable or malformed credentials file
  3    authentication or permission
  4    throttled past the throttle budget (--max-throttle-wait)
  5    task not found (HSS.0011)
  6    wait: the task settled, but some registries failed or are in an unknown status
  7    timed out: --timeout passed, or the next wait would pass it
  130  interrupted (SIGINT); SIGTERM is 143

A closed stdout (hss ... | head) is no error: the output stops quietly, and
the exit code is 0 (for wait, the task's: 0, 6 or 7).
`

// usageError is a mistake on the command line or in the configuration.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

// usagef returns a *usageError.
func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// failedRegistriesError reports a wait whose task finished with failures.
type failedRegistriesError struct{ msg string }

func (e *failedRegistriesError) Error() string { return e.msg }

// outcome is what a command knows about how it ended, to pick an exit
// code and say why.
type outcome struct {
	ctx        context.Context // the command's context, before --timeout
	timeoutSet bool            // --timeout was given
}

// exitCode sorts err into the documented exit codes.
func (o outcome) exitCode(err error) int {
	var (
		usage  *usageError
		ve     *hss.ValidationError
		ce     *credentials.ConfigError
		failed *failedRegistriesError
	)
	switch {
	case err == nil, brokenPipe(err):
		return exitOK
	case o.signal() != 0:
		return o.signal()
	case errors.As(err, &usage), errors.As(err, &ve), errors.As(err, &ce):
		return exitUsage
	case o.timedOut(err):
		return exitTimeout
	case hss.IsAuthError(err), errors.Is(err, credentials.ErrNoCredentials):
		return exitAuth
	case hss.IsThrottled(err):
		return exitThrottled
	case hss.IsNotFound(err):
		return exitNotFound
	case errors.As(err, &failed):
		return exitFailures
	}
	return exitError
}

// brokenPipe reports whether err is a write to a closed pipe: the reader
// of stdout (head, grep -q) has what it wanted.
func brokenPipe(err error) bool { return errors.Is(err, syscall.EPIPE) }

// signal returns the exit code of the signal that interrupted the
// command, or 0.
func (o outcome) signal() int {
	if o.ctx == nil {
		return 0
	}
	var sig *interrupted
	if errors.As(context.Cause(o.ctx), &sig) {
		return sig.exitCode()
	}
	return 0
}

// timedOut reports whether err came from --timeout: the deadline passed,
// or a wait (a poll interval, a backoff, the gateway's quota) would pass it.
func (o outcome) timedOut(err error) bool {
	return o.timeoutSet && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, hss.ErrWaitPastDeadline))
}

// message is err as one line for stderr: "hss: " in front, flags named
// instead of the SDK's fields, durations rounded, and why the command
// stopped when a signal or --timeout stopped it. The console escapes
// unsafe characters.
func (o outcome) message(err error) string {
	msg := strings.TrimPrefix(err.Error(), "hss: ")
	var ve *hss.ValidationError
	if errors.As(err, &ve) {
		if name, ok := fieldFlags[ve.Field]; ok {
			msg = "invalid " + name + ": " + ve.Reason
		}
	}
	switch {
	case o.signal() != 0:
		msg = "interrupted (" + signalName(o.signal()) + "): " + strings.ReplaceAll(msg, context.Canceled.Error(), "stopped")
	case o.timedOut(err) && !errors.Is(err, hss.ErrWaitPastDeadline):
		msg = "--timeout passed: " + strings.ReplaceAll(msg, context.DeadlineExceeded.Error(), "stopped")
	case errors.Is(err, credentials.ErrNoCredentials):
		msg += "; pass --token, or set $" + credentials.EnvToken + " or $" + credentials.EnvAK + " and $" + credentials.EnvSK
	}
	return "hss: " + roundDurations(strings.Join(strings.Fields(goNames.Replace(msg)), " "))
}

// goNames maps the Go options the SDK's messages may name to the flags
// that set them.
var goNames = strings.NewReplacer(
	hss.ErrWaitPastDeadline.Error(), "the next wait would pass --timeout",
	"RetryPolicy.MaxThrottleWait", "--max-throttle-wait",
	"RetryPolicy.MaxAttempts", "--max-attempts",
	"WithRateLimit", "--rate-limit",
	"pass WithInsecureHTTP()", "use --insecure-http",
	"WithInsecureHTTP()", "--insecure-http",
	"WithAttemptTimeout", "--attempt-timeout",
	"pass credentials with an option", "use --token or $"+credentials.EnvToken,
)

// fieldFlags names the flag behind each field a *hss.ValidationError can
// name; values the CLI checks before the SDK sees them are here too, as a
// safety net.
var fieldFlags = map[string]string{
	"task_id":                     "--task-id",
	"limit":                       "--limit",
	"offset":                      "--offset",
	"registry_name":               "--name",
	"registry_type":               "--type",
	"sync_status":                 "--status",
	"enterprise_project_id":       "--enterprise-project-id",
	"WaitOptions.Interval":        "--interval",
	"X-Auth-Token":                "--token",
	"WithAttemptTimeout":          "--attempt-timeout",
	"WithRateLimit":               "--rate-limit",
	"RetryPolicy.MaxAttempts":     "--max-attempts",
	"RetryPolicy.MaxThrottleWait": "--max-throttle-wait",
}
