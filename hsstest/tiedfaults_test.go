// Faults tied to a path (On) or a request (OnRequest): they wait for a matching request, and PendingFaults counts them.
package hsstest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ok answers 200 with the route's name, for the routes the tests add.
func ok(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, name) }
}

// A fault tied to one call waits for that call, however many others come
// first, and a test sees it left over when the call never comes.
func TestOnWaitsForItsCall(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3), hsstest.WithSeed("task-2", 3))
	require.NoError(t, srv.HandleFunc(http.MethodPost, "/v3/auth/tokens", ok("iam"), hsstest.Unauthenticated()))
	require.NoError(t, srv.On(http.MethodPost, "/v3/auth/tokens").FailNext(1, http.StatusServiceUnavailable, "IAM.0001", "IAM is busy"))
	assert.Equal(t, 1, srv.PendingFaults(), "a tied fault is counted")

	for range 3 {
		decodePage(t, get(t, srv, "task-1", ""))
	}
	assert.Equal(t, http.StatusNotFound, do(t, srv, http.MethodGet, "/v3/auth/tokens", "", nil).Status, "another method")
	assert.Equal(t, 1, srv.PendingFaults(), "still waiting: no POST to IAM yet")

	requireError(t, do(t, srv, http.MethodPost, "/v3/auth/tokens", "", nil), http.StatusServiceUnavailable, "IAM.0001", "IAM is busy")
	assert.Zero(t, srv.PendingFaults())
	assert.Equal(t, http.StatusOK, do(t, srv, http.MethodPost, "/v3/auth/tokens", "", nil).Status, "used up")

	// A fault tied to a call the client never makes stays queued, hits
	// nothing else, and shows in PendingFaults until ClearFaults.
	require.NoError(t, srv.On(http.MethodGet, "/v5/{project_id}/image/image-sync/tasks/task-2/registries").HangNext(1))
	decodePage(t, get(t, srv, "task-1", ""))
	assert.Equal(t, 1, srv.PendingFaults())
	srv.ClearFaults()
	assert.Zero(t, srv.PendingFaults())
	decodePage(t, get(t, srv, "task-2", ""))

	var faults []hsstest.FaultKind
	for _, r := range srv.Requests() {
		faults = append(faults, r.Fault)
	}
	assert.Equal(t, []hsstest.FaultKind{"", "", "", "", "fail", "", "", ""}, faults)
}

// The method is compared exactly and the pattern as HandleFunc compares
// it: {name} is one non-empty segment, the query is not looked at, and the
// route's own path values are untouched.
func TestOnMatchesMethodAndPattern(t *testing.T) {
	srv := newServer(t)
	var mu sync.Mutex
	var seen []string
	require.NoError(t, srv.HandleFunc(http.MethodGet, "/v1/{project_id}/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.PathValue("id"))
		mu.Unlock()
	}))
	require.NoError(t, srv.On(http.MethodGet, "/v1/{project}/things/{thing}").FailNext(2, http.StatusBadGateway, "X", "tied"))
	p := srv.ProjectID()
	h := tokenHeader(srv)

	for _, c := range []struct{ method, path string }{
		{http.MethodPost, "/v1/" + p + "/things/a"},  // method
		{http.MethodGet, "/v1/" + p + "/things"},     // shorter
		{http.MethodGet, "/v1/" + p + "/things/a/b"}, // longer
		{http.MethodGet, "/v1/" + p + "/things/"},    // an empty segment is no match for a wildcard
		{http.MethodGet, "/v2/" + p + "/things/a"},   // literal segment
	} {
		assert.NotEqual(t, http.StatusBadGateway, do(t, srv, c.method, c.path, "", h).Status, "%s %s", c.method, c.path)
	}
	assert.Equal(t, 2, srv.PendingFaults())
	assert.Equal(t, http.StatusBadGateway, do(t, srv, http.MethodGet, "/v1/"+p+"/things/a%2Fb", "x=1", h).Status)
	assert.Equal(t, http.StatusBadGateway, do(t, srv, http.MethodGet, "/v1/other/things/a", "", nil).Status, "before authentication, as any fault")
	assert.Equal(t, http.StatusOK, do(t, srv, http.MethodGet, "/v1/"+p+"/things/a%2Fb", "", h).Status)
	assert.Equal(t, []string{"a/b"}, seen, "the route reads its own wildcard names")

	// The built-in route's pattern.
	srv.AddTask("t")
	require.NoError(t, srv.On(http.MethodGet, hsstest.RegistriesPattern).FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "busy"))
	assert.Equal(t, http.StatusOK, do(t, srv, http.MethodGet, "/v1/"+p+"/things/b", "", h).Status)
	requireError(t, get(t, srv, "t", "offset=10"), http.StatusServiceUnavailable, "APIGW.0613", "busy")
}

// Tied and untied faults share one queue: a request takes the oldest
// fault that applies to it, so untied faults keep their order for the
// requests that no tied fault waits for.
func TestTiedAndUntiedFaultsShareTheQueue(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	require.NoError(t, srv.HandleFunc(http.MethodGet, "/iam", ok("iam"), hsstest.Unauthenticated()))
	iam := srv.On(http.MethodGet, "/iam")
	require.NoError(t, iam.FailNext(1, 501, "A", "tied first"))
	srv.FailNext(1, 502, "B", "untied")
	require.NoError(t, iam.FailNext(1, 503, "C", "tied second"))
	srv.FailNext(1, 504, "D", "untied")
	assert.Equal(t, 4, srv.PendingFaults())

	assert.Equal(t, 502, get(t, srv, "task-1", "").Status, "the tied fault at the head is not for it")
	assert.Equal(t, 501, do(t, srv, http.MethodGet, "/iam", "", nil).Status)
	assert.Equal(t, 503, do(t, srv, http.MethodGet, "/iam", "", nil).Status)
	assert.Equal(t, 504, do(t, srv, http.MethodGet, "/iam", "", nil).Status, "an untied fault applies to a tied route's call too")
	assert.Zero(t, srv.PendingFaults())
	decodePage(t, get(t, srv, "task-1", ""))
}

// OnRequest ties a fault to what the path does not say: here the listing's
// third page, which the SDK retries through.
func TestOnRequestTiesAFaultToAPage(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithSeed("task-1", 45))
	thirdPage := srv.OnRequest(func(r *http.Request) bool { return r.URL.Query().Get("offset") == "20" })
	require.NoError(t, thirdPage.FailNext(2, http.StatusServiceUnavailable, "APIGW.0613", "busy"))

	n := 0
	for _, err := range srv.Client(t).ListSyncTaskRegistriesIter(context.Background(), "task-1", &hss.ListSyncTaskRegistriesOptions{Limit: 10}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 45, n)
	assert.Zero(t, srv.PendingFaults())
	var failed []string
	for _, r := range srv.Requests() {
		if r.Fault == hsstest.FaultFail {
			failed = append(failed, r.Query)
		}
	}
	assert.Len(t, failed, 2)
	for _, q := range failed {
		assert.Contains(t, q, "offset=20")
	}
	assert.Len(t, clk.Sleeps(), 2, "one backoff per retried 503")
}

// A matcher runs without the server's lock held, so it may ask the server
// about itself.
func TestOnRequestMatcherMayCallTheServer(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	third := srv.OnRequest(func(*http.Request) bool { return len(srv.Requests()) == 2 && srv.PendingFaults() == 1 })
	require.NoError(t, third.FailNext(1, http.StatusConflict, "X", "third"))
	assert.Equal(t, []int{200, 200, 409, 200}, []int{
		get(t, srv, "task-1", "").Status, get(t, srv, "task-1", "").Status,
		get(t, srv, "task-1", "").Status, get(t, srv, "task-1", "").Status,
	})
}

// Every kind of fault can be tied; each answers only its own call.
func TestEveryFaultKindCanBeTied(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 30))
	paths := map[hsstest.FaultKind]string{
		hsstest.FaultFail: "/raw", hsstest.FaultDelay: "/delay", hsstest.FaultHang: "/hang",
		hsstest.FaultReset: "/reset", hsstest.FaultTruncate: "/truncate",
	}
	for _, p := range paths {
		require.NoError(t, srv.HandleFunc(http.MethodGet, p, ok(p[1:]), hsstest.Unauthenticated()))
	}
	on := func(k hsstest.FaultKind) *hsstest.Faults { return srv.On(http.MethodGet, paths[k]) }
	require.NoError(t, on(hsstest.FaultFail).FailNextRaw(1, http.StatusBadGateway, []byte("<html>502</html>"), http.Header{"Content-Type": {"text/html"}}))
	require.NoError(t, on(hsstest.FaultDelay).DelayNext(1, time.Millisecond))
	require.NoError(t, on(hsstest.FaultHang).HangNext(1))
	require.NoError(t, on(hsstest.FaultReset).ResetNext(1))
	require.NoError(t, on(hsstest.FaultTruncate).TruncateNext(1))
	assert.Equal(t, 5, srv.PendingFaults())

	// Nothing is in the way of the listing.
	for range 3 {
		decodePage(t, get(t, srv, "task-1", ""))
	}
	assert.Equal(t, 5, srv.PendingFaults())

	a := do(t, srv, http.MethodGet, "/raw", "", nil)
	assert.Equal(t, http.StatusBadGateway, a.Status)
	assert.Equal(t, "<html>502</html>", string(a.Body))
	assert.Equal(t, "delay", string(do(t, srv, http.MethodGet, "/delay", "", nil).Body), "the route answers after the delay")

	_, err := srv.HTTPClient().Do(newRequest(t, srv, http.MethodGet, "/reset", "", nil, nil))
	assert.ErrorIs(t, err, syscall.ECONNRESET)

	resp, err := srv.HTTPClient().Do(newRequest(t, srv, http.MethodGet, "/truncate", "", nil, nil))
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)

	ctx, cancel := context.WithCancel(context.Background())
	arrived := arrivals(srv)
	errc := make(chan error, 1)
	go func() {
		req := newRequest(t, srv, http.MethodGet, "/hang", "", nil, nil).WithContext(ctx)
		resp, err := srv.HTTPClient().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-arrived
	cancel()
	require.ErrorIs(t, <-errc, context.Canceled)
	closeWithin(t, srv)

	assert.Zero(t, srv.PendingFaults())
	got := map[string]hsstest.FaultKind{}
	for _, r := range srv.Requests() {
		got[r.Path] = r.Fault
	}
	for k, p := range paths {
		assert.Equal(t, k, got[p], p)
	}
	assert.Equal(t, hsstest.FaultNone, got[regPath(srv.ProjectID(), "task-1")])
}

// Concurrent requests each take their own tied fault, once.
func TestTiedFaultsUnderConcurrency(t *testing.T) {
	const routes, perRoute = 8, 5
	srv := newServer(t)
	for i := range routes {
		p := fmt.Sprintf("/r%d", i)
		require.NoError(t, srv.HandleFunc(http.MethodGet, p, ok(p), hsstest.Unauthenticated()))
		require.NoError(t, srv.On(http.MethodGet, p).FailNext(perRoute, 500+i, "X", p))
	}
	var wg sync.WaitGroup
	errs := make(chan error, routes*perRoute*2)
	for i := range routes {
		for range perRoute * 2 {
			wg.Go(func() {
				resp, err := srv.HTTPClient().Get(srv.URL() + fmt.Sprintf("/r%d", i))
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Zero(t, srv.PendingFaults())
	counts := map[string]map[int]int{}
	for _, r := range srv.Requests() {
		if counts[r.Path] == nil {
			counts[r.Path] = map[int]int{}
		}
		counts[r.Path][r.Status]++
	}
	for i := range routes {
		assert.Equal(t, map[int]int{500 + i: perRoute, 200: perRoute}, counts[fmt.Sprintf("/r%d", i)])
	}
}

// Arguments a tied fault cannot use are refused with an *ArgError naming
// them, and nothing is queued.
func TestTiedFaultArguments(t *testing.T) {
	srv := newServer(t)
	get := srv.On(http.MethodGet, "/x")
	var nilFaults *hsstest.Faults
	for _, c := range []struct {
		err  error
		want string
	}{
		{srv.On("", "/x").FailNext(1, 500, "X", "y"), `hsstest: On("", "/x"): method must not be empty (such as "GET")`},
		{srv.On(http.MethodGet, "x").HangNext(1), `hsstest: On("GET", "x"): pathPattern must start with "/"`},
		{srv.On(http.MethodGet, "").ResetNext(1), `hsstest: On("GET", ""): pathPattern must start with "/"`},
		{srv.OnRequest(nil).TruncateNext(1), `hsstest: OnRequest(nil): match must not be nil`},
		{get.FailNext(0, 500, "X", "y"), `hsstest: On("GET", "/x").FailNext: n must be at least 1, got 0`},
		{get.HangNext(-2), `hsstest: On("GET", "/x").HangNext: n must be at least 1, got -2`},
		{get.FailNext(1, 42, "X", "y"), `hsstest: On("GET", "/x").FailNext: status must be 200-999, got 42`},
		{get.FailNextRaw(1, 1000, nil), `hsstest: On("GET", "/x").FailNextRaw: status must be 200-999, got 1000`},
		{get.DelayNext(1, -time.Second), `hsstest: On("GET", "/x").DelayNext: d must not be negative, got -1s`},
		{srv.OnRequest(func(*http.Request) bool { return true }).ResetNext(0), `hsstest: OnRequest.ResetNext: n must be at least 1, got 0`},
		{nilFaults.FailNext(1, 500, "X", "y"), `hsstest: Faults.FailNext: receiver must come from Server.On or Server.OnRequest`},
		{new(hsstest.Faults).DelayNext(1, 0), `hsstest: Faults.DelayNext: receiver must come from Server.On or Server.OnRequest`},
	} {
		requireArgError(t, c.err, c.want)
	}
	assert.Zero(t, srv.PendingFaults())

	// A zero delay and the edges of the status range are fine.
	require.NoError(t, get.DelayNext(1, 0))
	require.NoError(t, get.FailNext(1, 200, "", ""))
	require.NoError(t, get.FailNextRaw(1, 999, nil))
	assert.Equal(t, 3, srv.PendingFaults())
}
