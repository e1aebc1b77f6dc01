package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hsskit/hss"
)

const waitUsage = `Usage: hss wait --task-id ID [flags]

Waits until no registry of an image synchronisation task is running, then
prints the task's registries (finished, then failed with their reasons) in
the chosen --output. Each poll is one request; the default interval of 15s
stays within the gateway's 5 calls a minute per user.

Progress shows on stderr when it is a terminal (or with --verbose).

Exit 0 when every registry finished, 6 when some failed (stderr names them),
7 when --timeout passed first. On a timeout the output holds the registries
still running, listed in what is left of --timeout (the last poll comes a
second before it).

--output json writes one document on every exit once the flags are
accepted (exit 0, 6 and 7, failures, and SIGINT or SIGTERM):
  {"task_id": "...", "state": "finished", "failed", "timeout", "error" or
   "interrupted", "total_num": N, "finished_num": N, "failed_num": N,
   "other_num": N, "running_num": N, "polls": N, "elapsed_seconds": S,
   "exit_code": N, "error": "..." or null, "data_list": [...]}
other_num counts registries in a status this version does not know. On a
timeout data_list holds the registries still running and running_num
counts them (null when no poll was answered); total_num, finished_num,
failed_num and other_num are null, as the polls count the running ones
only. On a failure (exit 1-5) or a signal, data_list is empty and
running_num and polls are what the polls told so far; error is the message
stderr shows. The other formats write nothing on those exits.

Examples:
  hss wait --region cn-north-4 --task-id "$TASK" --timeout 30m --output jsonl
  hss wait --demo --task-id demo-task
`

// Poll intervals of hss wait.
const (
	defaultDemoInterval = time.Second // the demo's tasks settle within seconds
	minWaitInterval     = 100 * time.Millisecond
)

// failedShown is how many failed registries the exit-6 message names.
const failedShown = 3

// waitCmd is "hss wait".
type waitCmd struct {
	apiCommand
	taskID, eps string
	interval    time.Duration

	// Set by wait: when it began, the last poll's progress, and the
	// summary of a wait that ended (finished, failed or timed out); nil
	// when it ended otherwise, or did not begin.
	start time.Time
	now   func() time.Time
	last  hss.WaitProgress
	sum   *waitSummary
}

// newWaitCmd defines the command and its flags.
func newWaitCmd() *waitCmd {
	c := &waitCmd{}
	c.apiCommand = apiCommand{usage: waitUsage, fs: newFlagSet("wait"), check: c.check, do: c.wait, finish: c.finish}
	c.last.Running = -1 // no poll answered
	fs := c.fs
	fs.section("Waiting")
	fs.str(&c.taskID, "task-id", "", "image synchronisation task `ID` (required)")
	fs.str(&c.eps, "enterprise-project-id", "", "enterprise project `ID` (default: the default project; all_granted_eps: every one)")
	fs.duration(&c.interval, "interval", hss.DefaultWaitInterval, "poll every `DURATION`, 100ms-24h (with --demo the default is 1s)")
	c.out.define(fs)
	c.common.define(fs)
	return c
}

// runWait runs "hss wait".
func runWait(ctx context.Context, args []string, e env) int {
	return newWaitCmd().run(ctx, args, e)
}

// check validates the waiting flags.
func (c *waitCmd) check(env) error {
	if err := checkTaskID(c.taskID); err != nil {
		return err
	}
	if c.common.demo && !c.fs.given()["interval"] {
		c.interval = defaultDemoInterval
	}
	if c.interval < minWaitInterval || c.interval > hss.MaxRetryAfter {
		return usagef("invalid --interval: must be %s to %s, got %s", minWaitInterval, hss.MaxRetryAfter, c.interval)
	}
	return (&hss.ListSyncTaskRegistriesOptions{EnterpriseProjectID: c.eps}).Validate()
}

// waitState is how a wait ended, as the json document's "state" says.
type waitState string

const (
	waitFinished    waitState = "finished"    // every registry finished: exit 0
	waitFailed      waitState = "failed"      // some failed, or are in a status this version does not know: exit 6
	waitTimeout     waitState = "timeout"     // --timeout passed first: exit 7
	waitError       waitState = "error"       // the wait could not go on: exit 1-5 (--output json only)
	waitInterrupted waitState = "interrupted" // SIGINT or SIGTERM: exit 130 or 143 (--output json only)
)

// waitSummary is what the wait's output says: how the wait ended, the
// task's registries (on a timeout, those still running), and the counts.
type waitSummary struct {
	taskID  string
	state   waitState
	res     *hss.SyncTaskResult // the settled task; nil on a timeout
	running []hss.AssociateRegistriesResponseInfo
	// runningNum counts the registries still running; -1 when no poll
	// answered.
	runningNum int
	polls      int
	elapsed    time.Duration
	// code and msg are the exit code and the error message on stderr
	// ("" when none).
	code int
	msg  string
}

// wait polls the task until it settles and keeps the summary, which
// finish prints. On a timeout it lists the registries still running, in
// what is left of --timeout (the SDK's last poll comes a second before
// it).
func (c *waitCmd) wait(ctx context.Context, client *hss.Client, con *console, e env) error {
	c.now = time.Now
	if e.clock != nil {
		c.now = e.clock.Now
	}
	c.start = c.now()
	progress := func(p hss.WaitProgress) {
		c.last = p
		msg := fmt.Sprintf("waiting for task %s: %d registries running (poll %d, %s)", p.TaskID, p.Running, p.Polls, roundDuration(p.Elapsed))
		if c.common.verbose {
			con.println("hss: " + msg + ", request id " + p.RequestID)
			return
		}
		con.setStatus(msg)
	}
	res, err := client.WaitSyncTask(ctx, c.taskID, &hss.WaitOptions{Interval: c.interval, EnterpriseProjectID: c.eps, Progress: progress})
	con.clearStatus()
	switch {
	case err == nil:
		c.sum = &waitSummary{taskID: c.taskID, state: waitFinished, res: res, polls: res.Polls, elapsed: res.Elapsed}
		if len(res.Failed) > 0 || len(res.Other) > 0 {
			// Exit 0 says every registry finished; that cannot be said of
			// a status this version does not know.
			c.sum.state = waitFailed
			err = &failedRegistriesError{msg: failedMessage(res)}
		}
	case (outcome{ctx: ctx, timeoutSet: c.common.timeout > 0}).timedOut(err) && !errors.As(context.Cause(ctx), new(*interrupted)):
		c.sum = &waitSummary{taskID: c.taskID, state: waitTimeout, runningNum: c.last.Running, polls: c.last.Polls}
		c.sum.running, c.sum.runningNum = c.stillRunning(ctx, client, c.sum.runningNum)
		c.sum.elapsed = c.now().Sub(c.start)
	}
	return err
}

// finish writes the wait's output however it ended: the summary of a wait
// that finished, failed or timed out (exit 0, 6, 7) in every format; for
// --output json, also a document of what is known when it ended otherwise
// (exit 1-5, or a signal), so that a script always gets one. Each document
// says its exit code and error message.
func (c *waitCmd) finish(e env, o outcome, err error) error {
	sum := c.sum
	if sum == nil {
		if c.out.format != "json" {
			return nil
		}
		sum = &waitSummary{taskID: c.taskID, state: waitError, runningNum: c.last.Running, polls: c.last.Polls}
		if !c.start.IsZero() {
			sum.elapsed = c.now().Sub(c.start)
		}
	}
	sum.code = o.exitCode(err)
	switch {
	case c.sum != nil:
	case o.signal() != 0:
		sum.state = waitInterrupted
	case sum.code == exitTimeout:
		sum.state = waitTimeout
	}
	if err != nil && !brokenPipe(err) {
		sum.msg = strings.TrimPrefix(o.message(err), "hss: ")
	}
	if werr := c.summary(*sum, e); werr != nil && !brokenPipe(werr) {
		return writeError(werr)
	}
	return nil
}

// stillRunning lists the registries still running, as far as the time
// left allows, and counts them; running is the count of the last poll.
func (c *waitCmd) stillRunning(ctx context.Context, client *hss.Client, running int) ([]hss.AssociateRegistriesResponseInfo, int) {
	var regs []hss.AssociateRegistriesResponseInfo
	if ctx.Err() != nil {
		return nil, running
	}
	opts := &hss.ListSyncTaskRegistriesOptions{SyncStatus: hss.SyncStatusRunning, EnterpriseProjectID: c.eps}
	for page, err := range client.ListSyncTaskRegistriesPages(ctx, c.taskID, opts) {
		if err != nil {
			break // time is up: the count of the last poll or page stands
		}
		running = page.TotalNum
		regs = append(regs, page.DataList...)
	}
	return regs, running
}

// summary writes the wait's outcome in the chosen format: for a settled
// task its registries, finished, then those in an unknown status, then
// failed, nearest the footer; on a timeout, those still running.
func (c *waitCmd) summary(sum waitSummary, e env) error {
	out := c.out.newFormat(e.stdout)
	rows := sum.running
	total, finished, failed, other := jsonNull, jsonNull, jsonNull, jsonNull // on a timeout: the polls count the running ones only
	if res := sum.res; res != nil {
		rows = make([]hss.AssociateRegistriesResponseInfo, 0, len(res.Finished)+len(res.Failed)+len(res.Other))
		rows = append(append(append(rows, res.Finished...), res.Other...), res.Failed...)
		total, finished, failed, other = jsonInt(len(rows)), jsonInt(len(res.Finished)), jsonInt(len(res.Failed)), jsonInt(len(res.Other))
	}
	running := jsonNull
	if sum.runningNum >= 0 {
		running = jsonInt(sum.runningNum)
	}
	errText := jsonNull
	if sum.msg != "" {
		errText = jsonStr(sum.msg)
	}
	head := []member{
		{"task_id", jsonStr(sum.taskID)},
		{"state", jsonStr(string(sum.state))},
		{"total_num", total},
		{"finished_num", finished},
		{"failed_num", failed},
		{"other_num", other},
		{"running_num", running},
		{"polls", jsonInt(sum.polls)},
		{"elapsed_seconds", jsonFloat(sum.elapsed.Round(time.Millisecond).Seconds())},
		{"exit_code", jsonInt(sum.code)},
		{"error", errText},
	}
	if err := out.begin(head); err != nil {
		return err
	}
	if err := out.rows(rows); err != nil {
		return err
	}
	return out.end(sum.footer())
}

// footer is the table's last line:
//
//	task t: 9 finished, 3 failed (4 polls, 3s)
//	task t: --timeout passed with 2 registries still running (4 polls, 50s)
func (sum waitSummary) footer() string {
	var b strings.Builder
	fmt.Fprintf(&b, "task %s: ", sum.taskID)
	switch res := sum.res; {
	case res != nil:
		fmt.Fprintf(&b, "%d finished, %d failed", len(res.Finished), len(res.Failed))
		if len(res.Other) > 0 {
			fmt.Fprintf(&b, ", %d in an unknown status", len(res.Other))
		}
	case sum.runningNum >= 0:
		fmt.Fprintf(&b, "--timeout passed with %d %s still running", sum.runningNum, plural(sum.runningNum, "registry", "registries"))
	default:
		b.WriteString("--timeout passed before a poll was answered")
	}
	fmt.Fprintf(&b, " (%d %s, %s)", sum.polls, plural(sum.polls, "poll", "polls"), roundDuration(sum.elapsed))
	return b.String()
}

// plural picks the singular or the plural of a word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// failedMessage names the first failed registries and their reasons, and
// counts those in a status this version does not know.
func failedMessage(res *hss.SyncTaskResult) string {
	total := len(res.Finished) + len(res.Failed) + len(res.Other)
	var unknown string
	if len(res.Other) > 0 {
		unknown = fmt.Sprintf("%d of %d registries in a status this version does not know (%s)", len(res.Other), total, res.Other[0].SyncStatus)
	}
	if len(res.Failed) == 0 {
		return fmt.Sprintf("task %s settled with %s", res.TaskID, unknown)
	}
	names := make([]string, 0, failedShown)
	for _, r := range res.Failed[:min(len(res.Failed), failedShown)] {
		name := r.RegistryName
		if name == "" {
			name = r.RegistryID
		}
		if r.FailedReason != "" {
			name += " (" + r.FailedReason + ")"
		}
		names = append(names, name)
	}
	msg := fmt.Sprintf("task %s finished with %d of %d registries failed: %s", res.TaskID, len(res.Failed), total, strings.Join(names, "; "))
	if more := len(res.Failed) - len(names); more > 0 {
		msg += fmt.Sprintf("; and %d more in the output", more)
	}
	if unknown != "" {
		msg += "; and " + unknown
	}
	return msg
}
