package main

import (
	"context"
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
7 when --timeout passed first.

--output json writes one document:
  {"task_id": ..., "total_num": N, "finished_num": N, "failed_num": N,
   "other_num": N, "polls": N, "elapsed_seconds": S, "data_list": [...]}
(other_num counts registries in a status this version does not know).

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
}

// newWaitCmd defines the command and its flags.
func newWaitCmd() *waitCmd {
	c := &waitCmd{}
	c.apiCommand = apiCommand{usage: waitUsage, fs: newFlagSet("wait"), check: c.check, do: c.wait}
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

// wait polls the task until it settles and prints the summary.
func (c *waitCmd) wait(ctx context.Context, client *hss.Client, con *console, e env) error {
	progress := func(p hss.WaitProgress) {
		msg := fmt.Sprintf("waiting for task %s: %d registries running (poll %d, %s)", p.TaskID, p.Running, p.Polls, p.Elapsed.Round(time.Second))
		if c.common.verbose {
			con.println("hss: " + msg + ", request id " + p.RequestID)
			return
		}
		con.setStatus(msg)
	}
	res, err := client.WaitSyncTask(ctx, c.taskID, &hss.WaitOptions{Interval: c.interval, EnterpriseProjectID: c.eps, Progress: progress})
	con.clearStatus()
	if err != nil {
		return err
	}
	if err := c.summary(res, e); err != nil {
		return writeError(err)
	}
	if len(res.Failed) > 0 || len(res.Other) > 0 {
		// Exit 0 says every registry finished; that cannot be said of a
		// status this version does not know.
		return &failedRegistriesError{msg: failedMessage(res)}
	}
	return nil
}

// summary writes the task's registries in the chosen format: finished,
// then those in an unknown status, then failed, nearest the footer.
func (c *waitCmd) summary(res *hss.SyncTaskResult, e env) error {
	total := len(res.Finished) + len(res.Failed) + len(res.Other)
	out := c.out.newFormat(e.stdout)
	head := []member{
		{"task_id", jsonStr(res.TaskID)},
		{"total_num", jsonInt(total)},
		{"finished_num", jsonInt(len(res.Finished))},
		{"failed_num", jsonInt(len(res.Failed))},
		{"other_num", jsonInt(len(res.Other))},
		{"polls", jsonInt(res.Polls)},
		{"elapsed_seconds", jsonFloat(res.Elapsed.Seconds())},
	}
	if err := out.begin(head); err != nil {
		return err
	}
	rows := make([]hss.AssociateRegistriesResponseInfo, 0, total)
	rows = append(append(append(rows, res.Finished...), res.Other...), res.Failed...)
	if err := out.rows(rows); err != nil {
		return err
	}
	footer := fmt.Sprintf("task %s: %d finished, %d failed", res.TaskID, len(res.Finished), len(res.Failed))
	if len(res.Other) > 0 {
		footer += fmt.Sprintf(", %d in an unknown status", len(res.Other))
	}
	footer += fmt.Sprintf(" (%d polls, %s)", res.Polls, res.Elapsed.Round(time.Second))
	return out.end(footer)
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
