// WithSettle: running registries settle on the server's clock, as WaitSyncTask sees them.
package hsstest_test

import (
	"context"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncTask holds registries of every status; two running ones, one of
// which carries the reason it will fail with.
var syncTask = []hsstest.Registry{
	{RegistryID: "r1", RegistryName: "done", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFinished},
	{RegistryID: "r2", RegistryName: "will-finish", RegistryType: hss.RegistryTypeJfrog, SyncStatus: hss.SyncStatusRunning},
	{RegistryID: "r3", RegistryName: "will-fail", RegistryType: hss.RegistryTypeSwrPrivate, SyncStatus: hss.SyncStatusRunning,
		FailedReason: "connection to the registry timed out"},
	{RegistryID: "r4", RegistryName: "broken", RegistryType: hss.RegistryTypeOther, SyncStatus: hss.SyncStatusFailed,
		FailedReason: "repository not found or access denied"},
}

func statusesOf(regs []hsstest.Registry) []hss.SyncStatus {
	out := make([]hss.SyncStatus, len(regs))
	for i, r := range regs {
		out[i] = r.SyncStatus
	}
	return out
}

func TestSettleOnTheServerClock(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithSettle(time.Minute))
	srv.AddRegistries("task-1", syncTask...)
	before := []hss.SyncStatus{hss.SyncStatusFinished, hss.SyncStatusRunning, hss.SyncStatusRunning, hss.SyncStatusFailed}
	after := []hss.SyncStatus{hss.SyncStatusFinished, hss.SyncStatusFinished, hss.SyncStatusFailed, hss.SyncStatusFailed}

	assert.Equal(t, before, statusesOf(srv.Registries("task-1")))
	total, _ := decodeInfos(t, get(t, srv, "task-1", "sync_status=running"))
	assert.Equal(t, 2, total)

	clk.Advance(time.Minute - time.Nanosecond)
	assert.Equal(t, before, statusesOf(srv.Registries("task-1")), "still running just before the delay")
	total, _ = decodeInfos(t, get(t, srv, "task-1", "sync_status=running"))
	assert.Equal(t, 2, total)

	clk.Advance(time.Nanosecond)
	assert.Equal(t, after, statusesOf(srv.Registries("task-1")), "settled once the delay has passed")
	total, got := decodeInfos(t, get(t, srv, "task-1", "sync_status=failed"))
	assert.Equal(t, 2, total)
	assert.Equal(t, "connection to the registry timed out", got[0].FailedReason, "a failed registry keeps its reason")

	// Registries added later settle on their own schedule.
	srv.AddRegistries("task-1", hsstest.Registry{RegistryID: "r5", RegistryName: "late", SyncStatus: hss.SyncStatusRunning})
	clk.Advance(30 * time.Second)
	assert.Equal(t, hss.SyncStatusRunning, srv.Registries("task-1")[4].SyncStatus)
	clk.Advance(30 * time.Second)
	assert.Equal(t, hss.SyncStatusFinished, srv.Registries("task-1")[4].SyncStatus)
}

func TestSettleOff(t *testing.T) {
	for _, opts := range [][]hsstest.Option{nil, {hsstest.WithSettle(0)}, {hsstest.WithSettle(-time.Second)}} {
		clk := hsstest.NewClock(t0)
		srv := newServer(t, append(opts, hsstest.WithClock(clk))...)
		srv.AddRegistries("task-1", syncTask...)
		clk.Advance(24 * time.Hour)
		assert.Equal(t, hss.SyncStatusRunning, srv.Registries("task-1")[1].SyncStatus, "without WithSettle nothing moves")
	}
}

func TestSettleWaitSyncTask(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithSettle(time.Minute))
	srv.AddRegistries("task-1", syncTask...)

	var progress []hss.WaitProgress
	res, err := srv.Client(t).WaitSyncTask(context.Background(), "task-1", &hss.WaitOptions{
		Progress: func(p hss.WaitProgress) { progress = append(progress, p) },
	})
	require.NoError(t, err)

	// Polls at 0, 15, 30, 45 and 60 s; the last finds nothing running.
	assert.Equal(t, 5, res.Polls)
	assert.Equal(t, time.Minute, res.Elapsed)
	want := []time.Duration{hss.DefaultWaitInterval, hss.DefaultWaitInterval, hss.DefaultWaitInterval, hss.DefaultWaitInterval}
	assert.Equal(t, want, clk.Sleeps(), "slept the interval between polls, nothing else")
	require.Len(t, progress, 4)
	for i, p := range progress {
		assert.Equal(t, 2, p.Running)
		assert.Equal(t, i+1, p.Polls)
		assert.Equal(t, time.Duration(i)*hss.DefaultWaitInterval, p.Elapsed)
	}

	require.Len(t, res.Finished, 2)
	assert.Equal(t, "done", res.Finished[0].RegistryName)
	assert.Equal(t, "will-finish", res.Finished[1].RegistryName)
	require.Len(t, res.Failed, 2)
	assert.Equal(t, "will-fail", res.Failed[0].RegistryName)
	assert.Equal(t, "connection to the registry timed out", res.Failed[0].FailedReason)
	assert.Equal(t, "broken", res.Failed[1].RegistryName)
	assert.Empty(t, res.Other)
}

func TestSettleWaitSyncTaskInterval(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithSettle(10*time.Second))
	srv.AddRegistries("task-1", hsstest.Registry{RegistryName: "a", SyncStatus: hss.SyncStatusRunning})

	res, err := srv.Client(t).WaitSyncTask(context.Background(), "task-1", &hss.WaitOptions{Interval: 3 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, 5, res.Polls, "polls at 0, 3, 6, 9 and 12 s")
	assert.Equal(t, []time.Duration{3 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second}, clk.Sleeps())
	require.Len(t, res.Finished, 1)
	assert.Empty(t, res.Failed)
}
