// WaitSyncTask: polling until no registry runs, its deadline, its errors, and counts it refuses.
package hss_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// waitTask is a task with two running registries (one will fail), one
// finished and one failed, that settle a minute after they were added.
func waitTask(t *testing.T, opts ...hsstest.Option) (*hsstest.Server, *hsstest.Clock) {
	t.Helper()
	return waitTaskOn(t, hsstest.NewClock(time.Now()), opts...)
}

// waitTaskOn is waitTask on the clock clk.
func waitTaskOn(t *testing.T, clk *hsstest.Clock, opts ...hsstest.Option) (*hsstest.Server, *hsstest.Clock) {
	t.Helper()
	srv := hsstest.NewServer(append([]hsstest.Option{hsstest.WithClock(clk), hsstest.WithSettle(time.Minute)}, opts...)...)
	t.Cleanup(srv.Close)
	srv.AddRegistries("task", []hsstest.Registry{
		{RegistryName: "swr-a", RegistryType: hss.RegistryTypeSwrPrivate, SyncStatus: hss.SyncStatusRunning},
		{RegistryName: "harbor-b", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusRunning, FailedReason: "connection to the registry timed out"},
		{RegistryName: "jfrog-c", RegistryType: hss.RegistryTypeJfrog, SyncStatus: hss.SyncStatusFinished},
		{RegistryName: "other-d", RegistryType: hss.RegistryTypeOther, SyncStatus: hss.SyncStatusFailed, FailedReason: "repository not found"},
	}...)
	return srv, clk
}

func TestWaitSyncTask(t *testing.T) {
	srv, clk := waitTask(t)
	var progress []hss.WaitProgress
	res, err := srv.Client(t).WaitSyncTask(context.Background(), "task", &hss.WaitOptions{
		Progress: func(p hss.WaitProgress) { progress = append(progress, p) },
	})
	require.NoError(t, err)
	names := func(regs []hss.AssociateRegistriesResponseInfo) (out []string) {
		for _, r := range regs {
			out = append(out, r.RegistryName+":"+r.FailedReason)
		}
		return out
	}
	assert.Equal(t, []string{"swr-a:", "jfrog-c:"}, names(res.Finished))
	assert.Equal(t, []string{"harbor-b:connection to the registry timed out", "other-d:repository not found"}, names(res.Failed))
	assert.Equal(t, 5, res.Polls, "polls at 0, 15, 30, 45 and 60 s")
	assert.Equal(t, time.Minute, res.Elapsed)
	assert.Equal(t, []time.Duration{hss.DefaultWaitInterval, hss.DefaultWaitInterval, hss.DefaultWaitInterval, hss.DefaultWaitInterval}, clk.Sleeps())
	require.Len(t, progress, 4)
	assert.Equal(t, 2, progress[0].Running)
	assert.Equal(t, 4, progress[3].Polls)
	assert.NotEmpty(t, progress[0].RequestID)

	// Each poll is one request for the running registries, with the
	// smallest page; the final listing is one more.
	reqs := srv.Requests()
	require.Len(t, reqs, 6)
	for _, r := range reqs[:5] {
		assert.Equal(t, "limit=10&sync_status=running", r.Query)
	}
	assert.Equal(t, "limit=200", reqs[5].Query)
}

func TestWaitSyncTaskDeadline(t *testing.T) {
	ctx, clk := deadlineClock(t, 20*time.Second)
	srv, _ := waitTaskOn(t, clk)
	_, err := srv.Client(t).WaitSyncTask(ctx, "task", &hss.WaitOptions{Interval: 15 * time.Second})
	require.Error(t, err)
	assert.ErrorIs(t, err, hss.ErrWaitPastDeadline, "returned once the next poll would pass the deadline")
	assert.False(t, errors.Is(err, context.DeadlineExceeded))
	assert.Contains(t, err.Error(), "2 registries still running after 3 polls")
	assert.Equal(t, []time.Duration{15 * time.Second, 4 * time.Second}, clk.Sleeps(),
		"polls at 0 and 15 s, and a last one a second before the deadline")
}

// The last poll, a second before the deadline, may find the task settled.
func TestWaitSyncTaskFinalPoll(t *testing.T) {
	ctx, clk := deadlineClock(t, 62*time.Second)
	srv, _ := waitTaskOn(t, clk) // settles at 60 s
	res, err := srv.Client(t).WaitSyncTask(ctx, "task", &hss.WaitOptions{Interval: 45 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, 3, res.Polls)
	assert.Equal(t, []time.Duration{45 * time.Second, 16 * time.Second}, clk.Sleeps())
}

func TestWaitSyncTaskErrors(t *testing.T) {
	srv, _ := waitTask(t)
	client := srv.Client(t)
	_, err := client.WaitSyncTask(context.Background(), "missing", nil)
	assert.True(t, hss.IsNotFound(err), "%v", err)

	for _, d := range []time.Duration{time.Millisecond, -time.Second, 25 * time.Hour} {
		_, err = client.WaitSyncTask(context.Background(), "task", &hss.WaitOptions{Interval: d})
		var ve *hss.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "WaitOptions.Interval", ve.Field)
	}
	_, err = client.WaitSyncTask(context.Background(), "a/b", nil)
	var ve *hss.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "task_id", ve.Field)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = client.WaitSyncTask(ctx, "task", nil)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestWaitSyncTaskKeepsPollingWhenARegistryRunsAgain: when the final
// listing finds a registry running again (a new sync started after the
// last poll), the wait goes on; a status the SDK does not know lands in
// Other.
func TestWaitSyncTaskKeepsPollingWhenARegistryRunsAgain(t *testing.T) {
	clk := hsstest.NewClock(time.Now())
	srv := hsstest.NewServer(hsstest.WithClock(clk))
	defer srv.Close()
	srv.AddRegistries("task", []hsstest.Registry{
		{RegistryName: "a", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFinished},
		{RegistryName: "b", RegistryType: hss.RegistryTypeJfrog, SyncStatus: "paused"},
	}...)
	// The first full listing (limit=200) sees "a" running again: the
	// hook answers it by hand, once.
	listed := false
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if listed || r.URL.Query().Get("limit") != "200" {
			return false
		}
		listed = true
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"total_num":2,"data_list":[{"registry_name":"a","registry_type":"Harbor","sync_status":"running"},{"registry_name":"b","registry_type":"Jfrog","sync_status":"paused"}]}`))
		return true
	})
	res, err := srv.Client(t).WaitSyncTask(context.Background(), "task", nil)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Polls, "polled again after the listing found a registry running")
	require.Len(t, res.Finished, 1)
	require.Len(t, res.Other, 1)
	assert.Equal(t, hss.SyncStatus("paused"), res.Other[0].SyncStatus)
	assert.Empty(t, res.Failed)
}

// TestWaitSyncTaskRefusesImpossibleCounts: a poll whose total_num is
// negative, or smaller than the running registries its page holds, is a
// *DecodeError, not a count to wait on.
func TestWaitSyncTaskRefusesImpossibleCounts(t *testing.T) {
	for name, body := range map[string]string{
		"negative":        `{"total_num":-1,"data_list":[]}`,
		"below the page":  `{"total_num":1,"data_list":[{"registry_name":"a","sync_status":"running"},{"registry_name":"b","sync_status":"running"}]}`,
		"negative, float": `{"total_num":-1.0,"data_list":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			clk := hsstest.NewClock(time.Now())
			srv := hsstest.NewServer(hsstest.WithClock(clk))
			defer srv.Close()
			srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				_, _ = w.Write([]byte(body))
				return true
			})
			_, err := srv.Client(t).WaitSyncTask(context.Background(), "task", nil)
			var de *hss.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Empty(t, clk.Sleeps(), "not waited on")
		})
	}
}

// TestWaitSyncTaskRefusesPagesThatCannotBe: a poll (offset 0, limit 10)
// whose total_num is beyond what the API can list (the 2,000,000 offset
// range and a page), or whose page is short while total_num promises more
// (ErrIncompletePage, as the iterators), is a *DecodeError at once, not a
// count to poll on until the deadline.
func TestWaitSyncTaskRefusesPagesThatCannotBe(t *testing.T) {
	running := func(n int) string {
		regs := make([]string, n)
		for i := range regs {
			regs[i] = `{"registry_name":"r` + strconv.Itoa(i) + `","sync_status":"running"}`
		}
		return "[" + strings.Join(regs, ",") + "]"
	}
	for name, tc := range map[string]struct {
		body       string
		incomplete bool
	}{
		"2^62 running, none listed": {`{"total_num":4611686018427387904,"data_list":[]}`, false},
		"past the offset range":     {`{"total_num":2000011,"data_list":` + running(10) + `}`, false},
		"3 running, none listed":    {`{"total_num":3,"data_list":[]}`, true},
		"12 running, 1 listed":      {`{"total_num":12,"data_list":` + running(1) + `}`, true},
	} {
		t.Run(name, func(t *testing.T) {
			clk := hsstest.NewClock(time.Now())
			srv := hsstest.NewServer(hsstest.WithClock(clk))
			defer srv.Close()
			srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				_, _ = w.Write([]byte(tc.body))
				return true
			})
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			_, err := srv.Client(t).WaitSyncTask(ctx, "task", nil)
			var de *hss.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tc.incomplete, errors.Is(err, hss.ErrIncompletePage), "%v", err)
			assert.Empty(t, clk.Sleeps(), "not waited on")
			assert.Len(t, srv.Requests(), 1)
		})
	}

	// A full page with more to come is a count to wait on.
	clk := hsstest.NewClock(time.Now())
	srv := hsstest.NewServer(hsstest.WithClock(clk))
	defer srv.Close()
	polls := 0
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("sync_status") != "running" {
			_, _ = w.Write([]byte(`{"total_num":0,"data_list":[]}`))
			return true
		}
		polls++
		if polls == 1 {
			_, _ = w.Write([]byte(`{"total_num":12,"data_list":` + running(10) + `}`))
		} else {
			_, _ = w.Write([]byte(`{"total_num":0,"data_list":[]}`))
		}
		return true
	})
	res, err := srv.Client(t).WaitSyncTask(context.Background(), "task", nil)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Polls)
}

// TestWaitSyncTaskDeadlineNamesLastCount: when the deadline stops a wait
// whose last full listing found registries running again, the error gives
// that listing's count, not the poll's zero.
func TestWaitSyncTaskDeadlineNamesLastCount(t *testing.T) {
	ctx, clk := deadlineClock(t, 20*time.Second)
	srv := hsstest.NewServer(hsstest.WithClock(clk))
	defer srv.Close()
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("sync_status") == "running" {
			_, _ = w.Write([]byte(`{"total_num":0,"data_list":[]}`))
		} else {
			_, _ = w.Write([]byte(`{"total_num":1,"data_list":[{"registry_name":"a","sync_status":"running"}]}`))
		}
		return true
	})
	_, err := srv.Client(t).WaitSyncTask(ctx, "task", nil)
	require.ErrorIs(t, err, hss.ErrWaitPastDeadline)
	assert.Contains(t, err.Error(), "1 registry still running")
}

// TestWaitSyncTaskDeadlineNamesOperation: when WaitSyncTask
// stops because its next poll would pass the deadline (or the context ends
// while it waits), its error must read like every other way a call ends: a
// *RequestError naming the operation once and carrying the request id of
// the last answer (the last poll's), as the iterator's ErrIncompletePage
// does.
func TestWaitSyncTaskDeadlineNamesOperation(t *testing.T) {
	clk := hsstest.NewClock(time.Now())
	srv := hsstest.NewServer(hsstest.WithClock(clk))
	defer srv.Close()
	srv.AddRegistries("task", hsstest.Registry{RegistryName: "swr-a", RegistryType: hss.RegistryTypeSwrPrivate, SyncStatus: hss.SyncStatusRunning})
	client := srv.Client(t)

	// A real deadline, far enough that no busy machine reaches it.
	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(90*time.Minute))
	defer cancel()
	_, err := client.WaitSyncTask(ctx, "task", &hss.WaitOptions{Interval: time.Hour})
	require.ErrorIs(t, err, hss.ErrWaitPastDeadline)
	var re *hss.RequestError
	assert.True(t, errors.As(err, &re), "a wait that would pass the deadline is a *RequestError everywhere else: %T", err)
	msg := err.Error()
	assert.Equal(t, 1, strings.Count(msg, "GET /v5/"), "the operation, once: %s", msg)
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	assert.Contains(t, msg, "(request id "+reqs[len(reqs)-1].RequestID+")", "the last poll's request id")
}
