package hsstest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/require"
)

// fakeClock is an hss.Clock whose Sleep advances time at once; given to both
// the client (hss.WithClock) and the server (hsstest.WithNow), retries and
// throttling windows pass without real waiting.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// regPath builds the escaped path of the listing.
func regPath(project, task string) string {
	return "/v5/" + url.PathEscape(project) + "/image/image-sync/tasks/" + url.PathEscape(task) + "/registries"
}

// answer is a raw HTTP answer.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// page is the 200 body, decoded loosely so that tests see what was sent.
type page struct {
	TotalNum *int              `json:"total_num"`
	DataList []json.RawMessage `json:"data_list"`
}

// errBody is an error body.
type errBody struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

// do sends method escapedPath?rawQuery with headers through srv's client.
func do(t *testing.T, srv *hsstest.Server, method, escapedPath, rawQuery string, h http.Header) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL(), nil)
	require.NoError(t, err)
	req.URL.Path, _ = url.PathUnescape(escapedPath)
	req.URL.RawPath = escapedPath
	req.URL.RawQuery = rawQuery
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// get lists task on srv's project with the server's token.
func get(t *testing.T, srv *hsstest.Server, task, rawQuery string) answer {
	t.Helper()
	return do(t, srv, http.MethodGet, regPath(srv.ProjectID(), task), rawQuery, tokenHeader(srv))
}

func tokenHeader(srv *hsstest.Server) http.Header {
	return http.Header{"X-Auth-Token": {srv.Token()}}
}

func decodePage(t *testing.T, a answer) page {
	t.Helper()
	require.Equal(t, http.StatusOK, a.Status, "body: %s", a.Body)
	var p page
	require.NoError(t, json.Unmarshal(a.Body, &p))
	require.NotNil(t, p.TotalNum, "total_num missing: %s", a.Body)
	require.NotNil(t, p.DataList, "data_list missing or null: %s", a.Body)
	return p
}

func decodeInfos(t *testing.T, a answer) (int, []hss.AssociateRegistriesResponseInfo) {
	t.Helper()
	p := decodePage(t, a)
	infos := make([]hss.AssociateRegistriesResponseInfo, len(p.DataList))
	for i, raw := range p.DataList {
		require.NoError(t, json.Unmarshal(raw, &infos[i]))
	}
	return *p.TotalNum, infos
}

// requireError checks an error answer's status, code, message and that the
// body's request_id is the header's.
func requireError(t *testing.T, a answer, status int, code, msg string) {
	t.Helper()
	require.Equal(t, status, a.Status, "body: %s", a.Body)
	var e errBody
	require.NoError(t, json.Unmarshal(a.Body, &e), "body: %s", a.Body)
	require.Equal(t, code, e.ErrorCode)
	if msg != "" {
		require.Equal(t, msg, e.ErrorMsg)
	}
	require.NotEmpty(t, a.Header.Get("X-Request-Id"))
	require.Equal(t, a.Header.Get("X-Request-Id"), e.RequestID)
}

func infos(regs []hsstest.Registry) []hss.AssociateRegistriesResponseInfo {
	out := make([]hss.AssociateRegistriesResponseInfo, len(regs))
	for i, r := range regs {
		out[i] = r.Info()
	}
	return out
}

// newServer starts a server closed at the end of the test.
func newServer(t *testing.T, opts ...hsstest.Option) *hsstest.Server {
	t.Helper()
	srv := hsstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// waitFor polls cond for up to two seconds; for effects of a request that
// a client gave up on, which land on the server a moment later.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b
}
