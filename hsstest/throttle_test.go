// The gateway's quota (WithQuota, WithThrottle): its answer, fixed windows and Retry-After, SetQuota, and the SDK waiting it out.
package hsstest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gatewayMessage is API Gateway's own error_msg for 5 calls a minute per user.
const gatewayMessage = "The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 minute"

// quotaServer starts a server on a fake clock with quota q and task-1.
func quotaServer(t *testing.T, q hsstest.Quota, opts ...hsstest.Option) (*hsstest.Server, *hsstest.Clock) {
	t.Helper()
	clk := hsstest.NewClock(t0)
	srv := newServer(t, append([]hsstest.Option{hsstest.WithClock(clk), hsstest.WithQuota(q), hsstest.WithSeed("task-1", 25)}, opts...)...)
	return srv, clk
}

func TestQuotaGatewayAnswer(t *testing.T) {
	srv, _ := quotaServer(t, hsstest.Quota{Limit: 5, Window: time.Minute})
	for i := range 5 {
		decodePage(t, get(t, srv, "task-1", ""))
		assert.Zero(t, srv.Throttled(), "call %d is within the limit", i+1)
	}
	a := get(t, srv, "task-1", "")
	requireError(t, a, http.StatusTooManyRequests, "APIGW.0308", gatewayMessage)
	assert.Equal(t, "60", a.Header.Get("Retry-After"), "the whole window is left on the fake clock")
	assert.Equal(t, "application/json;charset=UTF-8", a.Header.Get("Content-Type"))
	assert.Equal(t, 1, srv.Throttled())
	rec := srv.Requests()[5]
	assert.Equal(t, http.StatusTooManyRequests, rec.Status)
	assert.Equal(t, hsstest.FaultNone, rec.Fault, "the quota is the gateway's, not an injected fault")
}

func TestQuotaMessageWording(t *testing.T) {
	tests := []struct {
		quota hsstest.Quota
		want  string
	}{
		{hsstest.Quota{Limit: 5, Window: time.Minute}, gatewayMessage},
		{hsstest.Quota{Limit: 600, Window: time.Minute, Policy: "api"},
			"The throttling threshold has been reached: policy api over ratelimit,limit:600,time:1 minute"},
		{hsstest.Quota{Limit: 1, Window: time.Second, Policy: "ip"},
			"The throttling threshold has been reached: policy ip over ratelimit,limit:1,time:1 second"},
		{hsstest.Quota{Limit: 2, Window: 10 * time.Second},
			"The throttling threshold has been reached: policy user over ratelimit,limit:2,time:10 second"},
		{hsstest.Quota{Limit: 3, Window: 2 * time.Minute},
			"The throttling threshold has been reached: policy user over ratelimit,limit:3,time:2 minute"},
		{hsstest.Quota{Limit: 3, Window: 90 * time.Second},
			"The throttling threshold has been reached: policy user over ratelimit,limit:3,time:90 second"},
		{hsstest.Quota{Limit: 1, Window: 1500 * time.Millisecond},
			"The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1500 millisecond"},
		{hsstest.Quota{Limit: 1, Window: time.Minute, Message: "The throttling threshold has been reached."},
			"The throttling threshold has been reached."},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			srv, _ := quotaServer(t, tt.quota)
			for range tt.quota.Limit {
				decodePage(t, get(t, srv, "task-1", ""))
			}
			requireError(t, get(t, srv, "task-1", ""), http.StatusTooManyRequests, "APIGW.0308", tt.want)
		})
	}
}

// Windows are fixed on the server's clock, and Retry-After is the whole
// seconds left in the window, rounded up so a client never comes back
// early, and at least 1.
func TestQuotaFixedWindowsAndRetryAfter(t *testing.T) {
	srv, clk := quotaServer(t, hsstest.Quota{Limit: 3, Window: time.Minute})

	decodePage(t, get(t, srv, "task-1", "")) // opens the window at t0
	clk.Advance(time.Second)
	decodePage(t, get(t, srv, "task-1", ""))
	clk.Advance(2 * time.Second)
	decodePage(t, get(t, srv, "task-1", ""))
	a := get(t, srv, "task-1", "")
	requireError(t, a, http.StatusTooManyRequests, "APIGW.0308", "")
	assert.Equal(t, "57", a.Header.Get("Retry-After"), "the window opened 3s ago")

	for _, step := range []struct {
		advance time.Duration
		want    string
	}{
		{55 * time.Second, "2"},       // 2s left
		{500 * time.Millisecond, "2"}, // 1.5s left: rounded up
		{time.Second, "1"},            // 0.5s left: rounded up to 1
		{499 * time.Millisecond, "1"}, // 1ms left
	} {
		clk.Advance(step.advance)
		a := get(t, srv, "task-1", "")
		requireError(t, a, http.StatusTooManyRequests, "APIGW.0308", "")
		assert.Equal(t, step.want, a.Header.Get("Retry-After"), "at %s", clk.Now().Sub(t0))
	}

	clk.Advance(time.Millisecond) // t0+60s: the window is over
	decodePage(t, get(t, srv, "task-1", ""))
	assert.Equal(t, 5, srv.Throttled())

	// The next window opened with that call, at t0+60s, not at t0+120s.
	clk.Advance(59 * time.Second)
	decodePage(t, get(t, srv, "task-1", ""))
	decodePage(t, get(t, srv, "task-1", ""))
	a = get(t, srv, "task-1", "")
	requireError(t, a, http.StatusTooManyRequests, "APIGW.0308", "")
	assert.Equal(t, "1", a.Header.Get("Retry-After"))
}

// The gateway counts the calls it rejects: a client that keeps asking
// stays throttled for the whole window.
func TestQuotaCountsRejectedCalls(t *testing.T) {
	srv, clk := quotaServer(t, hsstest.Quota{Limit: 2, Window: time.Minute})
	decodePage(t, get(t, srv, "task-1", ""))
	decodePage(t, get(t, srv, "task-1", ""))
	for i := range 12 {
		clk.Advance(5 * time.Second)
		a := get(t, srv, "task-1", "")
		if clk.Now().Before(t0.Add(time.Minute)) {
			requireError(t, a, http.StatusTooManyRequests, "APIGW.0308", "")
			assert.Equal(t, i+1, srv.Throttled())
		} else {
			decodePage(t, a) // t0+60s: a new window
		}
	}
	assert.Equal(t, 11, srv.Throttled(), "every call in the first window past the limit was refused")

	// Calls refused before the quota (no credentials) are not counted.
	srv2, _ := quotaServer(t, hsstest.Quota{Limit: 2, Window: time.Minute})
	for range 5 {
		requireError(t, do(t, srv2, http.MethodGet, regPath(srv2.ProjectID(), "task-1"), "", nil), http.StatusUnauthorized, "APIGW.0301", "")
		requireError(t, do(t, srv2, http.MethodGet, "/nope", "", tokenHeader(srv2)), http.StatusNotFound, "APIGW.0101", "")
	}
	decodePage(t, get(t, srv2, "task-1", ""))
	decodePage(t, get(t, srv2, "task-1", ""))
	requireError(t, get(t, srv2, "task-1", ""), http.StatusTooManyRequests, "APIGW.0308", "")

	// Answers the quota refuses are 429 before the project or the
	// parameters are looked at.
	requireError(t, get(t, srv2, "task-1", "limit=1"), http.StatusTooManyRequests, "APIGW.0308", "")
	requireError(t, do(t, srv2, http.MethodGet, regPath("other-project", "task-1"), "", tokenHeader(srv2)),
		http.StatusTooManyRequests, "APIGW.0308", "")
}

func TestQuotaNoRetryAfter(t *testing.T) {
	srv, _ := quotaServer(t, hsstest.Quota{Limit: 1, Window: time.Minute, NoRetryAfter: true})
	decodePage(t, get(t, srv, "task-1", ""))
	a := get(t, srv, "task-1", "")
	requireError(t, a, http.StatusTooManyRequests, "APIGW.0308",
		"The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1 minute")
	assert.Empty(t, a.Header.Values("Retry-After"))
}

func TestQuotaSetQuota(t *testing.T) {
	srv, clk := quotaServer(t, hsstest.Quota{Limit: 5, Window: time.Minute})
	for range 3 {
		decodePage(t, get(t, srv, "task-1", ""))
	}

	// A lower limit applies at once: the window keeps its 3 calls.
	srv.SetQuota(hsstest.Quota{Limit: 3, Window: time.Minute})
	a := get(t, srv, "task-1", "")
	requireError(t, a, http.StatusTooManyRequests, "APIGW.0308",
		"The throttling threshold has been reached: policy user over ratelimit,limit:3,time:1 minute")
	assert.Equal(t, "60", a.Header.Get("Retry-After"))

	// A longer window stretches the current one.
	clk.Advance(30 * time.Second)
	srv.SetQuota(hsstest.Quota{Limit: 3, Window: 2 * time.Minute, NoRetryAfter: true})
	a = get(t, srv, "task-1", "")
	requireError(t, a, http.StatusTooManyRequests, "APIGW.0308", "")
	assert.Empty(t, a.Header.Values("Retry-After"))

	// Off: everything passes, and nothing is counted.
	srv.SetQuota(hsstest.Quota{})
	for range 10 {
		decodePage(t, get(t, srv, "task-1", ""))
	}
	assert.Equal(t, 2, srv.Throttled())

	// On again with a higher limit.
	srv.SetQuota(hsstest.Quota{Limit: 100, Window: time.Minute})
	for range 10 {
		decodePage(t, get(t, srv, "task-1", ""))
	}
	assert.Equal(t, 2, srv.Throttled())
}

func TestQuotaOffForBadValues(t *testing.T) {
	for _, q := range []hsstest.Quota{
		{},
		{Limit: 0, Window: time.Minute},
		{Limit: -1, Window: time.Minute},
		{Limit: 1, Window: 0},
		{Limit: 1, Window: -time.Second},
	} {
		srv, _ := quotaServer(t, q)
		for range 5 {
			decodePage(t, get(t, srv, "task-1", ""))
		}
		assert.Zero(t, srv.Throttled(), "%+v", q)
	}
	for _, opt := range []hsstest.Option{hsstest.WithThrottle(0, time.Minute), hsstest.WithThrottle(1, 0)} {
		srv := newServer(t, opt, hsstest.WithSeed("task-1", 1))
		for range 5 {
			decodePage(t, get(t, srv, "task-1", ""))
		}
	}
}

func TestQuotaWithThrottle(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithThrottle(2, time.Second), hsstest.WithClock(clk), hsstest.WithSeed("task-1", 1))
	decodePage(t, get(t, srv, "task-1", ""))
	decodePage(t, get(t, srv, "task-1", ""))
	a := get(t, srv, "task-1", "")
	requireError(t, a, http.StatusTooManyRequests, "APIGW.0308",
		"The throttling threshold has been reached: policy user over ratelimit,limit:2,time:1 second")
	assert.Equal(t, "1", a.Header.Get("Retry-After"))
	clk.Advance(time.Second)
	decodePage(t, get(t, srv, "task-1", ""))
}

// A clock moved backwards opens a new window rather than locking the
// test out until the clock catches up.
func TestQuotaClockBackwards(t *testing.T) {
	srv, clk := quotaServer(t, hsstest.Quota{Limit: 1, Window: time.Minute})
	decodePage(t, get(t, srv, "task-1", ""))
	requireError(t, get(t, srv, "task-1", ""), http.StatusTooManyRequests, "APIGW.0308", "")
	clk.Advance(-time.Hour)
	decodePage(t, get(t, srv, "task-1", ""))
	a := get(t, srv, "task-1", "")
	requireError(t, a, http.StatusTooManyRequests, "APIGW.0308", "")
	assert.Equal(t, "60", a.Header.Get("Retry-After"), "the new window opened at the earlier time")
}

// A throttled call with Retry-After waits exactly that on the shared
// clock, and succeeds in the next window.
func TestQuotaSDKWaitsForRetryAfter(t *testing.T) {
	srv, clk := quotaServer(t, hsstest.Quota{Limit: 1, Window: 10 * time.Second})
	ctx := context.Background()

	raw := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()))
	_, err := raw.ListSyncTaskRegistries(ctx, "task-1", nil)
	require.NoError(t, err)
	_, err = raw.ListSyncTaskRegistries(ctx, "task-1", nil)
	require.True(t, hss.IsThrottled(err), "%v", err)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "APIGW.0308", apiErr.Code)
	assert.Equal(t, 10*time.Second, apiErr.RetryAfter)
	assert.Empty(t, clk.Sleeps(), "NoRetries does not wait")

	clk.Advance(10 * time.Second) // a fresh window for the next client
	client := srv.Client(t)
	for range 2 {
		resp, err := client.ListSyncTaskRegistries(ctx, "task-1", nil)
		require.NoError(t, err)
		assert.Equal(t, 25, resp.TotalNum)
	}
	assert.Equal(t, []time.Duration{10 * time.Second}, clk.Sleeps(), "waited Retry-After, once")
	assert.Equal(t, []int{200, 429, 200, 429, 200}, statuses(srv))
	reqs := srv.Requests()
	assert.Equal(t, 10*time.Second, reqs[4].Time.Sub(reqs[3].Time), "the retry came when the window opened")
	assert.Equal(t, 2, srv.Throttled())
}

// Without Retry-After, a listing with the default policy still finishes:
// the client waits the quota out on the fake clock.
func TestQuotaSDKListingWithoutRetryAfter(t *testing.T) {
	const limit, pages = 5, 30
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithQuota(hsstest.Quota{Limit: limit, Window: time.Minute, NoRetryAfter: true}))
	want := infos(seed(t, srv, "task-1", pages*10))

	var got []hss.AssociateRegistriesResponseInfo
	for reg, err := range srv.Client(t).ListSyncTaskRegistriesIter(context.Background(), "task-1", &hss.ListSyncTaskRegistriesOptions{Limit: 10}) {
		require.NoError(t, err)
		got = append(got, reg)
	}
	require.Equal(t, want, got, "every registry, in order")

	least := time.Duration((pages-1)/limit) * time.Minute // floor((pages-1)/limit) windows
	elapsed := clk.Now().Sub(t0)
	assert.GreaterOrEqual(t, elapsed, least, "the quota cannot be beaten")
	assert.LessOrEqual(t, elapsed, least*3/2, "within 1.5x of the least the quota allows")
	assert.NotEmpty(t, clk.Sleeps())
	for _, d := range clk.Sleeps() {
		assert.Positive(t, d)
		assert.LessOrEqual(t, d, time.Minute, "no wait is longer than a window")
	}

	throttled := 0
	for _, r := range srv.Requests() {
		if r.Status == http.StatusTooManyRequests {
			throttled++
		}
	}
	assert.Equal(t, srv.Throttled(), throttled, "Throttled counts the 429s")
	assert.Equal(t, pages, len(srv.Requests())-throttled, "one successful request per page")
	assert.LessOrEqual(t, throttled, pages/4, "at most a quarter of the pages were throttled")
	t.Logf("%d pages in %s (least %s), %d throttled, waits %v", pages, elapsed, least, throttled, clk.Sleeps())
}

// A deadline shorter than the quota's wait ends the call at once, with the
// throttle answer, instead of sleeping in vain.
func TestQuotaSDKDeadline(t *testing.T) {
	// The client compares a deadline with its own clock, and a context
	// expires in real time: the fake clock starts at the real time so that
	// a deadline minutes ahead is ahead on both, and the window is longer.
	clk := hsstest.NewClock(time.Now())
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithQuota(hsstest.Quota{Limit: 1, Window: 4 * time.Minute}),
		hsstest.WithSeed("task-1", 1))
	client := srv.Client(t)
	_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)

	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(2*time.Minute))
	defer cancel()
	_, err = client.ListSyncTaskRegistries(ctx, "task-1", nil)
	require.Error(t, err)
	assert.True(t, hss.IsThrottled(err), "%v", err)
	assert.ErrorIs(t, err, hss.ErrWaitPastDeadline)
	assert.NoError(t, ctx.Err(), "the call returned long before its deadline")
	assert.Empty(t, clk.Sleeps(), "did not sleep towards a deadline it could not meet")
	assert.Equal(t, []int{200, 429}, statuses(srv))
}
