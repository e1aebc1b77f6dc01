// The Observer: the events of a call in order, the context it returns flowing into the attempts' requests, and nothing added without one.
package hss_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// recorder is an Observer that writes each event down.
type recorder struct {
	mu     sync.Mutex
	events []string
}

type attemptKey struct{}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) CallStart(ctx context.Context, c hss.CallInfo) context.Context {
	r.add("call %s %s %s", c.Operation, c.Method, c.Route)
	return ctx
}

func (r *recorder) AttemptStart(ctx context.Context, c hss.CallInfo, n int) context.Context {
	r.add("attempt %d", n)
	return context.WithValue(ctx, attemptKey{}, n)
}

func (r *recorder) AttemptEnd(ctx context.Context, c hss.CallInfo, a hss.AttemptOutcome) {
	r.add("end %d %d %s ctx=%v id=%v", a.Attempt, a.StatusCode, a.Class, ctx.Value(attemptKey{}), a.RequestID != "")
}

func (r *recorder) Wait(ctx context.Context, c hss.CallInfo, w hss.WaitInfo) {
	r.add("wait %s %s %s", w.Reason, w.Duration, w.Class)
}

func (r *recorder) CallEnd(ctx context.Context, c hss.CallInfo, o hss.CallOutcome) {
	r.add("done %d %d %s waited=%s", o.Attempts, o.StatusCode, o.Class, o.Waited)
}

func TestObserverSeesACall(t *testing.T) {
	clk := hsstest.NewClock(time.Now())
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task", 3))
	defer srv.Close()
	rec := &recorder{}
	var seen []any
	var mu sync.Mutex
	base := srv.HTTPClient().Transport
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		seen = append(seen, r.Context().Value(attemptKey{}))
		mu.Unlock()
		return base.RoundTrip(r)
	})}
	client := srv.Client(t, hss.WithObserver(rec), hss.WithHTTPClient(hc))

	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "unavailable", http.Header{"Retry-After": {"2"}})
	srv.FailNext(1, http.StatusTooManyRequests, "APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 minute",
		http.Header{"Retry-After": {"7"}})
	srv.FailNext(1, http.StatusBadRequest, "HSS.0001", "Invalid parameter.")
	_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.Error(t, err)
	assert.Equal(t, []string{
		"call ListSyncTaskRegistries GET /v5/{project_id}/image/image-sync/tasks/{task_id}/registries",
		"attempt 1", "end 1 503 server_error ctx=1 id=true",
		"wait backoff 2s server_error",
		"attempt 2", "end 2 429 throttled ctx=2 id=true",
		"wait quota 7s throttled",
		"attempt 3", "end 3 400 client_error ctx=3 id=true",
		"done 3 400 client_error waited=9s",
	}, rec.events)
	assert.Equal(t, []any{1, 2, 3}, seen, "the context AttemptStart returned reached each request")
}

// nilContextObserver returns a nil context from CallStart and
// AttemptStart.
type nilContextObserver struct{ recorder }

func (o *nilContextObserver) CallStart(ctx context.Context, c hss.CallInfo) context.Context {
	o.recorder.CallStart(ctx, c)
	return nil
}

func (o *nilContextObserver) AttemptStart(ctx context.Context, c hss.CallInfo, n int) context.Context {
	o.recorder.AttemptStart(ctx, c, n)
	return nil
}

// TestObserverReturningNilContext: an Observer whose CallStart or
// AttemptStart returns a nil context leaves the call on the context it
// was given, alone or beside WithLogger's log, instead of panicking.
func TestObserverReturningNilContext(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithSeed("task", 3))
	defer srv.Close()
	for name, opts := range map[string][]hss.Option{
		"alone":           nil,
		"with the logger": {hss.WithLogger(newTextLogger(io.Discard))},
	} {
		t.Run(name, func(t *testing.T) {
			obs := &nilContextObserver{}
			client := srv.Client(t, append(opts, hss.WithObserver(obs))...)
			var err error
			require.NotPanics(t, func() { _, err = client.ListSyncTaskRegistries(context.Background(), "task", nil) })
			require.NoError(t, err)
			assert.Len(t, obs.events, 4)
		})
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestObserverAndLoggerTogether: WithLogger's log and an Observer see the
// same events.
func TestObserverAndLoggerTogether(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithSeed("task", 3))
	defer srv.Close()
	rec := &recorder{}
	var logs strings.Builder
	client := srv.Client(t, hss.WithObserver(rec), hss.WithLogger(newTextLogger(&logs)))
	_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.NoError(t, err)
	assert.Len(t, rec.events, 4)
	assert.Contains(t, logs.String(), `msg="hss: request"`)
	_, err = hss.NewClient(srv.URL(), srv.ProjectID(), hss.WithToken("t"), hss.WithObserver(nil))
	var ve *hss.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "WithObserver", ve.Field)
}

// tagObserver is an Observer that writes its events down in a log it
// shares with others, under its own name, and adds its name to the
// contexts it returns, so that the order the Observers were told in and
// the contexts they passed on show.
type tagObserver struct {
	name string
	log  *recorder
}

type tagsKey struct{}

func (o tagObserver) tag(ctx context.Context, event string) context.Context {
	before, _ := ctx.Value(tagsKey{}).(string)
	o.log.add("%s %s after %q", o.name, event, before)
	return context.WithValue(ctx, tagsKey{}, before+o.name)
}

func (o tagObserver) CallStart(ctx context.Context, _ hss.CallInfo) context.Context {
	return o.tag(ctx, "call")
}

func (o tagObserver) AttemptStart(ctx context.Context, _ hss.CallInfo, _ int) context.Context {
	return o.tag(ctx, "attempt")
}

func (o tagObserver) AttemptEnd(ctx context.Context, _ hss.CallInfo, _ hss.AttemptOutcome) {
	o.tag(ctx, "end")
}

func (o tagObserver) Wait(ctx context.Context, _ hss.CallInfo, _ hss.WaitInfo) { o.tag(ctx, "wait") }

func (o tagObserver) CallEnd(ctx context.Context, _ hss.CallInfo, _ hss.CallOutcome) {
	o.tag(ctx, "done")
}

// TestSeveralObservers: WithObserver given more than once adds: each
// Observer is told every event, in the order the options came, and the
// context one returns reaches the next. A nil pointer is refused like nil.
func TestSeveralObservers(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 1))
	log := &recorder{}
	client := srv.Client(t, hss.WithObserver(tagObserver{"a", log}), hss.WithObserver(tagObserver{"b", log}))
	_, err := client.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{
		`a call after ""`, `b call after "a"`,
		`a attempt after "ab"`, `b attempt after "aba"`,
		`a end after "abab"`, `b end after "abab"`,
		`a done after "ab"`, `b done after "ab"`,
	}, log.events)

	_, err = hss.NewClient(srv.URL(), srv.ProjectID(), hss.WithToken("t"), hss.WithObserver((*recorder)(nil)))
	var ve *hss.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "WithObserver", ve.Field)
}

// TestNoObserverAddsNoAllocations: without an Observer or a logger, the
// events cost nothing: a call through a transport that answers from memory
// allocates at most 50 times, request and decoding included (38 with Go
// 1.26; before Observers existed, 44), and an Observer's events allocate
// only when there is one.
func TestNoObserverAddsNoAllocations(t *testing.T) {
	body := []byte(`{"total_num":1,"data_list":[{"registry_id":"r","registry_name":"n","registry_type":"Harbor","sync_status":"finished"}]}`)
	canned := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"X-Request-Id": {"0a1b2c3d4e5f60718293a4b5c6d7e8f9"}},
			Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
	})
	newClient := func(opts ...hss.Option) *hss.Client {
		c, err := hss.NewClient("http://127.0.0.1:1", "proj", append([]hss.Option{hss.WithToken("t"),
			hss.WithHTTPClient(&http.Client{Transport: canned})}, opts...)...)
		require.NoError(t, err)
		return c
	}
	ctx := context.Background()
	measure := func(c *hss.Client) float64 {
		return testing.AllocsPerRun(200, func() {
			if _, err := c.ListSyncTaskRegistries(ctx, "task", nil); err != nil {
				t.Fatal(err)
			}
		})
	}
	without, with := measure(newClient()), measure(newClient(hss.WithObserver(&recorder{})))
	t.Logf("allocations per call: %.0f without an Observer, %.0f with one", without, with)
	assert.LessOrEqual(t, without, 50.0)
	assert.Greater(t, with, without, "an Observer's events cost allocations only when there is one")
}

func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
