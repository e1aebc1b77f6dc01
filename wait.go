package hss

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// DefaultWaitInterval is the time between two polls of WaitSyncTask. It
// keeps a waiting script within the gateway's 5 calls a minute per user.
const DefaultWaitInterval = 15 * time.Second

// finalPollLead is how long before the context's deadline WaitSyncTask
// makes its last poll, when the next interval would end past the deadline:
// time for one request to be answered.
const finalPollLead = time.Second

// maxPollBackoff bounds how much WaitSyncTask stretches its interval while
// the gateway's quota, shared with other calls, throttles its polls: a
// wait loop leaves the quota to calls that do work, and polls at most
// every Interval×maxPollBackoff until the quota is free again.
const maxPollBackoff = 8

// minWaitInterval is the shortest WaitOptions.Interval, and the shortest
// wait before a final poll.
const minWaitInterval = 100 * time.Millisecond

// WaitOptions tune WaitSyncTask. A nil *WaitOptions takes every default.
type WaitOptions struct {
	// Interval is the time between polls: 0 takes DefaultWaitInterval;
	// otherwise 100 ms to 24 h.
	Interval time.Duration
	// EnterpriseProjectID scopes the polls, as in
	// ListSyncTaskRegistriesOptions.
	EnterpriseProjectID string
	// Progress, when set, is called after every poll that found
	// registries still running.
	Progress func(WaitProgress)
}

// WaitProgress is what one poll of WaitSyncTask found.
type WaitProgress struct {
	TaskID    string        // the task waited for
	Running   int           // registries still running
	Polls     int           // polls so far
	Elapsed   time.Duration // since the wait began, on the Client's clock
	RequestID string        // of the poll
}

// SyncTaskResult is how an image synchronisation task ended.
type SyncTaskResult struct {
	// TaskID is the task waited for.
	TaskID string
	// Finished holds the task's registries that finished.
	Finished []AssociateRegistriesResponseInfo
	// Failed holds those that failed, each with its FailedReason.
	Failed []AssociateRegistriesResponseInfo
	// Other holds registries in a status the SDK does not know.
	Other   []AssociateRegistriesResponseInfo
	Polls   int           // polls made
	Elapsed time.Duration // time waited, on the Client's clock
}

// WaitSyncTask polls the image synchronisation task taskID until none of its
// registries is running, then lists them all and reports the finished and
// the failed ones. A poll whose total_num cannot be (negative, below the
// registries it lists, beyond what the API can list, or more than a short
// page holds, the last wrapping ErrIncompletePage) is a *DecodeError. Each poll is one request (the running registries, with
// the smallest page, read for total_num); the final listing pages through
// every registry. It honours ctx and the Client's retries and quota
// handling. When ctx's deadline comes before the next poll would, the last
// poll is made a second before the deadline rather than a whole interval
// early; when even that poll finds registries running, it returns at once
// with an error wrapping ErrWaitPastDeadline.
func (c *Client) WaitSyncTask(ctx context.Context, taskID string, opts *WaitOptions) (*SyncTaskResult, error) {
	var o WaitOptions
	if opts != nil {
		o = *opts
	}
	if o.Interval == 0 {
		o.Interval = DefaultWaitInterval
	}
	if o.Interval < minWaitInterval || o.Interval > MaxRetryAfter {
		return nil, &ValidationError{Field: "WaitOptions.Interval", Reason: fmt.Sprintf("must be 0 (default, %s) or %s to %s, got %s", DefaultWaitInterval, minWaitInterval, MaxRetryAfter, o.Interval)}
	}
	poll := &ListSyncTaskRegistriesOptions{SyncStatus: SyncStatusRunning, Limit: MinLimit, EnterpriseProjectID: o.EnterpriseProjectID}
	if err := poll.Validate(); err != nil {
		return nil, err
	}
	if !c.usable() {
		return nil, notConstructed()
	}
	if ctx == nil {
		return nil, &ValidationError{Field: "ctx", Reason: "must not be nil; use context.Background()"}
	}
	start := c.cfg.clock.Now()
	backoff := 1 // the interval's multiple: polls yield the quota to other calls
	for polls := 1; ; polls++ {
		pollStart := c.cfg.clock.Now()
		page, err := c.ListSyncTaskRegistries(ctx, taskID, poll)
		if err != nil {
			return nil, err
		}
		if err := impossiblePoll(page, poll.Limit); err != nil {
			return nil, &DecodeError{Method: http.MethodGet, Path: c.registriesPath(taskID), StatusCode: http.StatusOK, RequestID: page.RequestID, Err: err}
		}
		running := page.TotalNum
		if running == 0 {
			res, stillRunning, err := c.collect(ctx, taskID, o.EnterpriseProjectID)
			if err != nil {
				return nil, err
			}
			if stillRunning == 0 {
				res.Polls, res.Elapsed = polls, c.cfg.clock.Now().Sub(start)
				return res, nil
			}
			running = stillRunning // the full listing found some running again
		} else if o.Progress != nil {
			o.Progress(WaitProgress{TaskID: taskID, Running: page.TotalNum, Polls: polls,
				Elapsed: c.cfg.clock.Now().Sub(start), RequestID: page.RequestID})
		}
		if c.quotas.registries.throttledSince(pollStart) {
			backoff = min(2*backoff, maxPollBackoff)
		} else {
			backoff = 1
		}
		if err := c.sleep(ctx, c.nextPoll(ctx, o.Interval*time.Duration(backoff)), "next poll"); err != nil {
			return nil, &RequestError{Method: http.MethodGet, Path: c.registriesPath(taskID), RequestID: page.RequestID, Attempts: polls,
				Err: fmt.Errorf("waiting for the sync task: %d %s still running after %d poll%s: %w",
					running, plural2(running, "registry", "registries"), polls, plural(polls), err)}
		}
	}
}

// impossiblePoll says what makes the first page of a poll (offset 0, at
// most limit registries) one that cannot be, or nil: a total_num below the
// registries it lists or beyond what the API can list (its offset range
// and a page), or a short page while total_num promises more (wrapping
// ErrIncompletePage, as the iterators do). Waiting on such a count would
// poll until the deadline.
func impossiblePoll(page *ListSyncTaskRegistriesResponse, limit int) error {
	got := len(page.DataList)
	switch {
	case page.TotalNum < got:
		return fmt.Errorf("total_num is %d, fewer than the %d running registries the page holds", page.TotalNum, got)
	case page.TotalNum > MaxOffset+limit:
		return fmt.Errorf("total_num is %d, more registries than the API can list (offsets up to %d, and a page)", page.TotalNum, MaxOffset)
	case got < limit && page.TotalNum > got:
		return fmt.Errorf("%w: the poll's page held %d of the %d registries asked for, and total_num is %d", ErrIncompletePage, got, limit, page.TotalNum)
	}
	return nil
}

// nextPoll is the wait before the next poll: interval, or less so that the
// last poll before ctx's deadline comes finalPollLead before it.
func (c *Client) nextPoll(ctx context.Context, interval time.Duration) time.Duration {
	dl, ok := ctx.Deadline()
	if !ok {
		return interval
	}
	if last := dl.Sub(c.cfg.clock.Now()) - finalPollLead; last < interval && last >= minWaitInterval {
		return last
	}
	return interval
}

// collect lists every registry of the task by status, and counts those
// running again (the result is of use only when none is).
func (c *Client) collect(ctx context.Context, taskID, eps string) (res *SyncTaskResult, running int, err error) {
	res = &SyncTaskResult{TaskID: taskID}
	for reg, err := range c.ListSyncTaskRegistriesIter(ctx, taskID, &ListSyncTaskRegistriesOptions{EnterpriseProjectID: eps}) {
		if err != nil {
			return nil, 0, err
		}
		switch reg.SyncStatus {
		case SyncStatusRunning:
			running++
		case SyncStatusFinished:
			res.Finished = append(res.Finished, reg)
		case SyncStatusFailed:
			res.Failed = append(res.Failed, reg)
		default:
			res.Other = append(res.Other, reg)
		}
	}
	return res, running, nil
}

// plural2 picks the singular or the plural of a word for n.
func plural2(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
