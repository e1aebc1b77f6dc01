package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// interrupted is the cause of the command's context when a signal ended
// it, so that the exit code can tell SIGINT (130) from SIGTERM (143).
type interrupted struct{ sig os.Signal }

func (i *interrupted) Error() string { return "interrupted by " + i.sig.String() }

// exitCode is 128 plus the signal's number, as shells report it.
func (i *interrupted) exitCode() int {
	if i.sig == syscall.SIGTERM {
		return exitSIGTERM
	}
	return exitSIGINT
}

// signalName names the signal behind an exit code.
func signalName(code int) string {
	if code == exitSIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// ignoreBrokenPipe makes a write to a closed pipe (hss ... | head) fail
// with EPIPE instead of killing the process with SIGPIPE (exit 141), so
// that the command ends quietly with the exit code it documents.
func ignoreBrokenPipe() { signal.Ignore(syscall.SIGPIPE) }

// notifyContext returns a context that is cancelled, with an *interrupted
// cause, by the first SIGINT or SIGTERM. After it the signals get their
// default action again, so a second Ctrl-C ends a command that is slow to
// stop. stop releases the signals.
func notifyContext(parent context.Context) (ctx context.Context, stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := cancelOnSignal(parent, ch, func() { signal.Stop(ch) })
	return ctx, func() {
		signal.Stop(ch)
		cancel()
	}
}

// cancelOnSignal cancels the returned context with an *interrupted cause
// when a signal arrives on ch, calling release first.
func cancelOnSignal(parent context.Context, ch <-chan os.Signal, release func()) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	go func() {
		select {
		case sig := <-ch:
			release()
			cancel(&interrupted{sig: sig})
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(nil) }
}
