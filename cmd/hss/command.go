package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/hsskit/hss"
)

// apiCommand is what registries and wait share: their flags, parsed and
// checked in the same order, and how they run.
type apiCommand struct {
	usage  string // the help text above the flags
	fs     *flagSet
	args   []string // as given, for the command a failure says to run next
	common commonFlags
	out    outputFlags
	// check validates the command's own flags, after the output flags
	// and before the common ones.
	check func(e env) error
	// do runs the command with a ready client.
	do func(ctx context.Context, c *hss.Client, con *console, e env) error
	// finish, when set, runs once the flags were accepted, however the
	// command ends (err, which o sorts, is nil on success), before the
	// message and the exit code: it writes what the command writes on
	// every exit. An error writing it replaces err.
	finish func(e env, o outcome, err error) error
}

// run parses args, checks every value before credentials are looked for,
// sets up stderr, the SDK's logger, --timeout and the client, runs do and
// turns its error into a message and an exit code.
func (a *apiCommand) run(ctx context.Context, args []string, e env) int {
	con := &console{w: e.stderr, terminal: e.stderrIsTerminal}
	a.args = args
	if err := a.fs.parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.help(e.stdout)
			return exitOK
		}
		return report(con, outcome{}, err)
	}
	err := a.out.check()
	if err == nil {
		err = a.check(e)
	}
	if err == nil {
		err = a.common.check(e.getenv)
	}
	if err != nil {
		return report(con, outcome{}, err)
	}

	o := outcome{ctx: ctx, timeoutSet: a.common.timeout > 0}
	if a.common.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.common.timeout)
		defer cancel()
	}
	client, closeClient, err := a.common.connect(ctx, e, con, diagnostics(con, a.common.verbose, a.common.debug)...)
	if err == nil {
		defer closeClient()
		err = a.do(ctx, client, con, e)
		con.clearStatus()
	}
	if a.finish != nil {
		if werr := a.finish(e, o, err); werr != nil {
			err = werr
		}
	}
	return report(con, o, err)
}

// diagnostics are the SDK options behind what stderr shows: --debug gets
// the SDK's slog debug log; otherwise its warnings show, and a
// lineObserver shows requests and waits with --verbose, and long waits on
// a terminal.
func diagnostics(con *console, verbose, debug bool) []hss.Option {
	opts := []hss.Option{hss.WithLogger(newLogger(con, debug))}
	mode := logQuiet
	switch {
	case debug:
	case verbose:
		mode = logVerbose
	case con.terminal:
		mode = logWaits
	}
	if mode > logQuiet {
		opts = append(opts, hss.WithObserver(lineObserver{con: con, mode: mode}))
	}
	return opts
}

// help writes the command's help.
func (a *apiCommand) help(w io.Writer) {
	fmt.Fprint(w, a.usage)
	a.fs.printHelp(w)
	fmt.Fprint(w, "\n"+exitCodesHelp)
}

// checkTaskID checks --task-id, which both commands require.
func checkTaskID(id string) error {
	if id == "" {
		return usagef("--task-id is required")
	}
	return hss.ValidateTaskID(id)
}

// report prints err, if any, on one line of stderr and returns the exit
// code. A closed stdout says nothing: the reader stopped on purpose.
func report(con *console, o outcome, err error) int {
	if err != nil && !brokenPipe(err) {
		con.println(o.message(err))
	}
	return o.exitCode(err)
}
