// Helpers of the tests: raw requests and their answers, decoded pages and errors, servers, seeded registries and asynchronous listings.
package hsstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/sign"
	"github.com/stretchr/testify/require"
)

// t0 is where every test clock starts.
var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Keys the AK/SK tests use. The permanent pair is the one of Huawei Cloud's
// published signing example.
const (
	testAK    = "QTWAOYTTINDUT2QVKYUC"
	testSK    = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
	tempAK    = "TEMPAKTEMPAKTEMPAK01"
	tempSK    = "tempSecretKeyForTestsOnly0000000000000000"
	tempToken = "gQpjbi1ub3J0aC00security-token-value"
)

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

// newRequest builds method escapedPath?rawQuery for srv with headers h and
// an optional body.
func newRequest(t *testing.T, srv *hsstest.Server, method, escapedPath, rawQuery string, h http.Header, body []byte) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL(), rd)
	require.NoError(t, err)
	req.URL.Path, err = url.PathUnescape(escapedPath)
	require.NoError(t, err)
	req.URL.RawPath = escapedPath
	req.URL.RawQuery = rawQuery
	for k, v := range h {
		req.Header[k] = v
	}
	return req
}

// send sends req through srv's HTTP client and reads the whole answer.
func send(t *testing.T, srv *hsstest.Server, req *http.Request) answer {
	t.Helper()
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// do sends method escapedPath?rawQuery with headers through srv's client.
func do(t *testing.T, srv *hsstest.Server, method, escapedPath, rawQuery string, h http.Header) answer {
	t.Helper()
	return send(t, srv, newRequest(t, srv, method, escapedPath, rawQuery, h, nil))
}

// get lists task on srv's project with the server's token.
func get(t *testing.T, srv *hsstest.Server, task, rawQuery string) answer {
	t.Helper()
	return do(t, srv, http.MethodGet, regPath(srv.ProjectID(), task), rawQuery, tokenHeader(srv))
}

func tokenHeader(srv *hsstest.Server) http.Header {
	return http.Header{"X-Auth-Token": {srv.Token()}}
}

// signed signs req with key as of at, using the SDK's signer; the server
// checks it with its own verifier.
func signed(t *testing.T, req *http.Request, key sign.Key, at time.Time) *http.Request {
	t.Helper()
	require.NoError(t, sign.Request(req, key, at))
	return req
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

// requireError checks an error answer's status, code, message (unless
// msg is empty) and that the body's request_id is the header's.
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

// generated is SeedRegistries for a count the test knows is allowed.
func generated(t *testing.T, taskID string, n int) []hsstest.Registry {
	t.Helper()
	regs, err := hsstest.SeedRegistries(taskID, n)
	require.NoError(t, err)
	return regs
}

// seed is srv.Seed for a count the test knows is allowed.
func seed(t *testing.T, srv *hsstest.Server, taskID string, n int) []hsstest.Registry {
	t.Helper()
	regs, err := srv.Seed(taskID, n)
	require.NoError(t, err)
	return regs
}

// statuses lists the status of every logged request.
func statuses(srv *hsstest.Server) []int {
	var out []int
	for _, r := range srv.Requests() {
		out = append(out, r.Status)
	}
	return out
}

// arrivals installs a hook that reports every request as it reaches the
// server, before queued faults apply, and lets it go on. It replaces any
// hook set before.
func arrivals(srv *hsstest.Server) <-chan struct{} {
	ch := make(chan struct{}, 16)
	srv.Handle(func(http.ResponseWriter, *http.Request) bool {
		ch <- struct{}{}
		return false
	})
	return ch
}

// listAsync runs a listing in a goroutine and returns its error on the
// channel.
func listAsync(ctx context.Context, client *hss.Client, task string) <-chan error {
	errc := make(chan error, 1)
	go func() {
		_, err := client.ListSyncTaskRegistries(ctx, task, nil)
		errc <- err
	}()
	return errc
}

// closeWithin closes srv and fails the test if Close has not returned
// after a minute: far longer than it ever takes, so only a Close that
// waits on a held request trips it.
func closeWithin(t *testing.T, srv *hsstest.Server) {
	t.Helper()
	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(time.Minute):
		t.Fatal("Close waited on a held request")
	}
}
