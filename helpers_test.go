// Helpers of the external tests: servers and clocks, counting and refusing transports, logs, mocks, pages and keys that several files use.
package hss_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// Fixtures that several test files share: the project, token and task
// the tests use, servers on fake clocks, clients that count their
// attempts and log, mocked answers, and the pages they serve.

const (
	// testProject is the project the httpmock tests use; hsstest serves
	// the same one by default.
	testProject = hsstest.DefaultProjectID
	// testToken is the token of the httpmock tests; it must never show in
	// an error or a log line.
	testToken = "MIIE-core-test-token-must-never-leak"
	// testTask is the task most tests list.
	testTask = "task-1"
)

// testEpoch is where fake clocks start when the tests do not compare them
// with a context's deadline.
var testEpoch = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// newTestServer starts an hsstest server on a fake clock that reads testEpoch
// and closes it when the test ends.
func newTestServer(t *testing.T, opts ...hsstest.Option) (*hsstest.Server, *hsstest.Clock) {
	t.Helper()
	return newTestServerAt(t, testEpoch, opts...)
}

// newTestServerAt is newTestServer with a fake clock reading start. Tests that
// give a context a deadline start the clock at time.Now(), since the
// client compares the deadline with its clock.
func newTestServerAt(t *testing.T, start time.Time, opts ...hsstest.Option) (*hsstest.Server, *hsstest.Clock) {
	t.Helper()
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(append([]hsstest.Option{hsstest.WithClock(clk)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, clk
}

// countingTransport counts the attempts a client makes, on the client's side,
// so that a test never counts server hits that race the client. inject,
// when set, may answer attempt n (from 1) itself.
type countingTransport struct {
	next   http.RoundTripper
	calls  atomic.Int64
	inject func(n int64, r *http.Request) (resp *http.Response, handled bool, err error)
}

// RoundTrip counts the attempt and passes it on.
func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.calls.Add(1)
	if c.inject != nil {
		if resp, handled, err := c.inject(n, r); handled {
			return resp, err
		}
	}
	return c.next.RoundTrip(r)
}

// Calls returns the number of attempts sent.
func (c *countingTransport) Calls() int { return int(c.calls.Load()) }

// logBuffer collects what a client logs; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newDebugLogger returns a debug-level text logger writing to a new logBuffer.
func newDebugLogger() (*slog.Logger, *logBuffer) {
	logs := &logBuffer{}
	return slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), logs
}

// newTestClient returns a client of srv, on srv's clock, that sends through a
// counting transport and logs at debug level. When the test ends it checks
// that nothing logged holds the token.
func newTestClient(t *testing.T, srv *hsstest.Server, opts ...hss.Option) (*hss.Client, *countingTransport, *logBuffer) {
	t.Helper()
	tr := &countingTransport{next: srv.HTTPClient().Transport}
	logger, logs := newDebugLogger()
	base := []hss.Option{hss.WithHTTPClient(&http.Client{Transport: tr}), hss.WithLogger(logger)}
	c := srv.Client(t, append(base, opts...)...)
	t.Cleanup(func() {
		assert.NotContains(t, logs.String(), srv.Token(), "the log holds the token")
	})
	return c, tr, logs
}

// newMockClient returns a client of endpoint whose own http.Client goes through
// an httpmock transport answering every request with status, body and
// header (never the global default transport), and the requests it saw.
func newMockClient(t *testing.T, endpoint string, status int, body string, header http.Header, opts ...hss.Option) (*hss.Client, *seenRequests) {
	t.Helper()
	seen := &seenRequests{}
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		seen.add(r)
		resp := httpmock.NewStringResponse(status, body)
		for k, v := range header {
			resp.Header[k] = v
		}
		return resp, nil
	})
	base := []hss.Option{hss.WithToken(testToken), hss.WithHTTPClient(&http.Client{Transport: mt})}
	c, err := hss.NewClient(endpoint, testProject, append(base, opts...)...)
	require.NoError(t, err)
	return c, seen
}

// seenRequests records the requests an httpmock transport answered.
type seenRequests struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (s *seenRequests) add(r *http.Request) {
	s.mu.Lock()
	s.reqs = append(s.reqs, r)
	s.mu.Unlock()
}

// Len returns the number of requests sent.
func (s *seenRequests) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// Last returns the last request sent, or nil.
func (s *seenRequests) Last() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		return nil
	}
	return s.reqs[len(s.reqs)-1]
}

// assertNoSecret fails the test when err or its %+v/%#v forms show any of
// secrets.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			assert.NotContains(t, out, s)
		}
	}
}

// collectRegistries drains an iterator of registries, stopping at the first
// error, and counts the errors yielded (the iterator must stop by itself).
func collectRegistries(seq func(func(hss.AssociateRegistriesResponseInfo, error) bool)) (regs []hss.AssociateRegistriesResponseInfo, errs int, err error) {
	for reg, e := range seq {
		if e != nil {
			err = e
			errs++
			continue
		}
		regs = append(regs, reg)
	}
	return regs, errs, err
}

// infosOf returns what a client should list for the task's registries.
func infosOf(regs []hsstest.Registry) []hss.AssociateRegistriesResponseInfo {
	out := make([]hss.AssociateRegistriesResponseInfo, len(regs))
	for i, r := range regs {
		out[i] = r.Info()
	}
	return out
}

// writeAPIError answers status with an HSS error body.
func writeAPIError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"error_code":%q,"error_msg":%q}`, code, msg)
}

// pageJSON is a page of n registries named reg-<first+1>... with
// total_num total.
func pageJSON(total, first, n int) []byte {
	list := make([]hss.AssociateRegistriesResponseInfo, n)
	for i := range list {
		list[i].RegistryName = "reg-" + strconv.Itoa(first+i+1)
	}
	b, _ := json.Marshal(map[string]any{"total_num": total, "data_list": list})
	return b
}

// queryInt reads an integer query parameter, or def when absent.
func queryInt(r *http.Request, key string, def int) int {
	v := r.URL.Query().Get(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return n
}

// servePages installs a hook on srv that answers every listing with
// page(offset, limit), and returns a counter of the pages it answered,
// incremented before the answer is written.
func servePages(srv *hsstest.Server, page func(offset, limit int) []byte) *atomic.Int64 {
	var n atomic.Int64
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		n.Add(1)
		body := page(queryInt(r, "offset", 0), queryInt(r, "limit", 10))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
		return true
	})
	return &n
}

// countOps counts how often the operation "GET <path>" shows in msg.
func countOps(msg string) int { return strings.Count(msg, "GET /v5/") }

// timeoutError is the error a transport returns when a read times
// out.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// onePageJSON is a page of one failed registry.
const onePageJSON = `{"total_num":1,"data_list":[{"registry_id":"r1","registry_name":"Swr-private","registry_type":"SwrPrivate","sync_status":"failed","failed_reason":"timeout"}]}`

// teeLog is a debug logger writing through both slog handlers, JSON and
// text, into one buffer.
type teeLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *teeLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// take returns what was logged since the last take.
func (l *teeLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	l.buf.Reset()
	return s
}

func (l *teeLog) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	return slog.New(teeHandler{slog.NewJSONHandler(l, opts), slog.NewTextHandler(l, opts)})
}

// teeHandler hands every record to each of its handlers.
type teeHandler []slog.Handler

func (t teeHandler) Enabled(ctx context.Context, level slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, level) {
			return true
		}
	}
	return false
}

func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			if err := h.Handle(ctx, r.Clone()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t teeHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(attrs)
	}
	return out
}

func (t teeHandler) WithGroup(name string) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(name)
	}
	return out
}

// cancellingClock is an hsstest.Clock that cancels a context the moment
// the client starts to wait on it.
type cancellingClock struct {
	*hsstest.Clock
	cancel context.CancelFunc
}

func (c cancellingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.cancel()
	return c.Clock.Sleep(ctx, d)
}

func (c cancellingClock) SleepUntil(ctx context.Context, t time.Time) error {
	c.cancel()
	return c.Clock.SleepUntil(ctx, t)
}

// refusingTransport fails the test's count when anything is sent; the
// constructor tests expect it never to be called.
func refusingTransport() *countingTransport {
	return &countingTransport{inject: func(int64, *http.Request) (*http.Response, bool, error) {
		return nil, true, errors.New("nothing may be sent")
	}}
}

// The access key of the tests of signed requests (redirects signed again,
// the gateway's clock).
const (
	signingAK = "REDIRECTAKEXAMPLE123"
	signingSK = "redirect-secret-key-0123456789"
)

// providerFunc is a credentials.Provider made of a function.
type providerFunc func(ctx context.Context) (credentials.Value, error)

func (f providerFunc) Retrieve(ctx context.Context) (credentials.Value, error) { return f(ctx) }
