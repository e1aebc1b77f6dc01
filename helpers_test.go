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
	"github.com/hsskit/hss/hsstest"
)

// Fixtures of the client, iterator, error and retry tests. Every helper
// name starts with "core" so that it cannot collide with the helpers of
// other test files of the package.

const (
	// coreProject is the project the httpmock tests use; hsstest serves
	// the same one by default.
	coreProject = hsstest.DefaultProjectID
	// coreToken is the token of the httpmock tests; it must never show in
	// an error or a log line.
	coreToken = "MIIE-core-test-token-must-never-leak"
	// coreTask is the task most tests list.
	coreTask = "task-1"
)

// coreEpoch is where fake clocks start when the tests do not compare them
// with a context's deadline.
var coreEpoch = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// coreServer starts an hsstest server on a fake clock that reads coreEpoch
// and closes it when the test ends.
func coreServer(t *testing.T, opts ...hsstest.Option) (*hsstest.Server, *hsstest.Clock) {
	t.Helper()
	return coreServerAt(t, coreEpoch, opts...)
}

// coreServerAt is coreServer with a fake clock reading start. Tests that
// give a context a deadline start the clock at time.Now(), since the
// client compares the deadline with its clock.
func coreServerAt(t *testing.T, start time.Time, opts ...hsstest.Option) (*hsstest.Server, *hsstest.Clock) {
	t.Helper()
	clk := hsstest.NewClock(start)
	srv := hsstest.NewServer(append([]hsstest.Option{hsstest.WithClock(clk)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, clk
}

// coreTransport counts the attempts a client makes, on the client's side,
// so that a test never counts server hits that race the client. inject,
// when set, may answer attempt n (from 1) itself.
type coreTransport struct {
	next   http.RoundTripper
	calls  atomic.Int64
	inject func(n int64, r *http.Request) (resp *http.Response, handled bool, err error)
}

// RoundTrip counts the attempt and passes it on.
func (c *coreTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.calls.Add(1)
	if c.inject != nil {
		if resp, handled, err := c.inject(n, r); handled {
			return resp, err
		}
	}
	return c.next.RoundTrip(r)
}

// Calls returns the number of attempts sent.
func (c *coreTransport) Calls() int { return int(c.calls.Load()) }

// coreLog collects what a client logs; safe for concurrent use.
type coreLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *coreLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *coreLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// coreLogger returns a debug-level text logger writing to a new coreLog.
func coreLogger() (*slog.Logger, *coreLog) {
	logs := &coreLog{}
	return slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), logs
}

// coreClient returns a client of srv, on srv's clock, that sends through a
// counting transport and logs at debug level. When the test ends it checks
// that nothing logged holds the token.
func coreClient(t *testing.T, srv *hsstest.Server, opts ...hss.Option) (*hss.Client, *coreTransport, *coreLog) {
	t.Helper()
	tr := &coreTransport{next: srv.HTTPClient().Transport}
	logger, logs := coreLogger()
	base := []hss.Option{hss.WithHTTPClient(&http.Client{Transport: tr}), hss.WithLogger(logger)}
	c := srv.Client(t, append(base, opts...)...)
	t.Cleanup(func() {
		assert.NotContains(t, logs.String(), srv.Token(), "the log holds the token")
	})
	return c, tr, logs
}

// coreMock returns a client of endpoint whose own http.Client goes through
// an httpmock transport answering every request with status, body and
// header (never the global default transport), and the requests it saw.
func coreMock(t *testing.T, endpoint string, status int, body string, header http.Header, opts ...hss.Option) (*hss.Client, *coreSeen) {
	t.Helper()
	seen := &coreSeen{}
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		seen.add(r)
		resp := httpmock.NewStringResponse(status, body)
		for k, v := range header {
			resp.Header[k] = v
		}
		return resp, nil
	})
	base := []hss.Option{hss.WithToken(coreToken), hss.WithHTTPClient(&http.Client{Transport: mt})}
	c, err := hss.NewClient(endpoint, coreProject, append(base, opts...)...)
	require.NoError(t, err)
	return c, seen
}

// coreSeen records the requests an httpmock transport answered.
type coreSeen struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (s *coreSeen) add(r *http.Request) {
	s.mu.Lock()
	s.reqs = append(s.reqs, r)
	s.mu.Unlock()
}

// Len returns the number of requests sent.
func (s *coreSeen) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// Last returns the last request sent, or nil.
func (s *coreSeen) Last() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		return nil
	}
	return s.reqs[len(s.reqs)-1]
}

// coreNoSecret fails the test when err or its %+v/%#v forms show any of
// secrets.
func coreNoSecret(t *testing.T, err error, secrets ...string) {
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

// coreCollect drains an iterator of registries, stopping at the first
// error, and counts the errors yielded (the iterator must stop by itself).
func coreCollect(seq func(func(hss.AssociateRegistriesResponseInfo, error) bool)) (regs []hss.AssociateRegistriesResponseInfo, errs int, err error) {
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

// coreInfos returns what a client should list for the task's registries.
func coreInfos(regs []hsstest.Registry) []hss.AssociateRegistriesResponseInfo {
	out := make([]hss.AssociateRegistriesResponseInfo, len(regs))
	for i, r := range regs {
		out[i] = r.Info()
	}
	return out
}

// coreWriteError answers status with an HSS error body.
func coreWriteError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"error_code":%q,"error_msg":%q}`, code, msg)
}

// corePageJSON is a page of n registries named reg-<first+1>... with
// total_num total.
func corePageJSON(total, first, n int) []byte {
	list := make([]hss.AssociateRegistriesResponseInfo, n)
	for i := range list {
		list[i].RegistryName = "reg-" + strconv.Itoa(first+i+1)
	}
	b, _ := json.Marshal(map[string]any{"total_num": total, "data_list": list})
	return b
}

// coreQueryInt reads an integer query parameter, or def when absent.
func coreQueryInt(r *http.Request, key string, def int) int {
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

// corePages installs a hook on srv that answers every listing with
// page(offset, limit), and returns a counter of the pages it answered,
// incremented before the answer is written.
func corePages(srv *hsstest.Server, page func(offset, limit int) []byte) *atomic.Int64 {
	var n atomic.Int64
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		n.Add(1)
		body := page(coreQueryInt(r, "offset", 0), coreQueryInt(r, "limit", 10))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
		return true
	})
	return &n
}

// coreOpCount counts how often the operation "GET <path>" shows in msg.
func coreOpCount(msg string) int { return strings.Count(msg, "GET /v5/") }

// coreTimeoutError is the error a transport returns when a read times
// out.
type coreTimeoutError struct{}

func (coreTimeoutError) Error() string   { return "i/o timeout" }
func (coreTimeoutError) Timeout() bool   { return true }
func (coreTimeoutError) Temporary() bool { return true }

// coreOnePage is a page of one failed registry.
const coreOnePage = `{"total_num":1,"data_list":[{"registry_id":"r1","registry_name":"Swr-private","registry_type":"SwrPrivate","sync_status":"failed","failed_reason":"timeout"}]}`

// secLog is a debug logger writing through both slog handlers, JSON and
// text, into one buffer.
type secLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *secLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// take returns what was logged since the last take.
func (l *secLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	l.buf.Reset()
	return s
}

func (l *secLog) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	return slog.New(secTee{slog.NewJSONHandler(l, opts), slog.NewTextHandler(l, opts)})
}

// secTee hands every record to each of its handlers.
type secTee []slog.Handler

func (t secTee) Enabled(ctx context.Context, level slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, level) {
			return true
		}
	}
	return false
}

func (t secTee) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			if err := h.Handle(ctx, r.Clone()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t secTee) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make(secTee, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(attrs)
	}
	return out
}

func (t secTee) WithGroup(name string) slog.Handler {
	out := make(secTee, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(name)
	}
	return out
}

// coreCancelClock is an hsstest.Clock that cancels a context the moment
// the client starts to wait on it.
type coreCancelClock struct {
	*hsstest.Clock
	cancel context.CancelFunc
}

func (c coreCancelClock) Sleep(ctx context.Context, d time.Duration) error {
	c.cancel()
	return c.Clock.Sleep(ctx, d)
}

func (c coreCancelClock) SleepUntil(ctx context.Context, t time.Time) error {
	c.cancel()
	return c.Clock.SleepUntil(ctx, t)
}

// coreRefusingTransport fails the test's count when anything is sent; the
// constructor tests expect it never to be called.
func coreRefusingTransport() *coreTransport {
	return &coreTransport{inject: func(int64, *http.Request) (*http.Response, bool, error) {
		return nil, true, errors.New("nothing may be sent")
	}}
}

const (
	redirectAK = "REDIRECTAKEXAMPLE123"
	redirectSK = "redirect-secret-key-0123456789"
)
