// ListSyncTaskRegistries: the request it sends (query, path, escaping) and the page it decodes, against httpmock and hsstest.
package hss_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// requestIDHeader is the X-Request-Id the httpmock answers carry.
var requestIDHeader = http.Header{"X-Request-Id": {"rid-1"}}

func TestListSyncTaskRegistriesRequest(t *testing.T) {
	c, seen := newMockClient(t, "https://hss.cn-north-4.myhuaweicloud.com", 200, onePageJSON, requestIDHeader, hss.WithUserAgent("my-app/1.2"))
	resp, err := c.ListSyncTaskRegistries(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{
		EnterpriseProjectID: hss.AllEnterpriseProjects,
		RegistryName:        "my reg",
		RegistryTypes:       []hss.RegistryType{hss.RegistryTypeSwrPrivate, hss.RegistryTypeHarbor},
		SyncStatus:          hss.SyncStatusFailed,
		Offset:              20,
		Limit:               50,
	})
	require.NoError(t, err)
	require.Equal(t, 1, seen.Len())
	r := seen.Last()
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "https", r.URL.Scheme)
	assert.Equal(t, "hss.cn-north-4.myhuaweicloud.com", r.URL.Host)
	assert.Equal(t, "hss.cn-north-4.myhuaweicloud.com", r.Host)
	assert.Equal(t, "/v5/"+testProject+"/image/image-sync/tasks/task-1/registries", r.URL.EscapedPath())
	assert.Equal(t, "enterprise_project_id=all_granted_eps&limit=50&offset=20&registry_name=my%20reg&registry_type=SwrPrivate%2CHarbor&sync_status=failed",
		r.URL.RawQuery, "strict percent-encoding: a space is %20, as the official SDKs send it")
	assert.Equal(t, testToken, r.Header.Get("X-Auth-Token"))
	assert.Equal(t, "my-app/1.2 hss-go/"+hss.Version, r.Header.Get("User-Agent"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.Equal(t, testProject, r.Header.Get("X-Project-Id"))
	for _, h := range []string{"Content-Type", "Authorization", "X-Security-Token", "X-Sdk-Date"} {
		assert.Empty(t, r.Header.Get(h), h)
	}
	assert.Nil(t, r.Body, "a GET has no body")

	assert.Equal(t, &hss.ListSyncTaskRegistriesResponse{
		TotalNum:  1,
		RequestID: "rid-1",
		DataList: []hss.AssociateRegistriesResponseInfo{{
			RegistryID: "r1", RegistryName: "Swr-private", RegistryType: hss.RegistryTypeSwrPrivate,
			SyncStatus: hss.SyncStatusFailed, FailedReason: "timeout",
		}},
	}, resp)
}

func TestListSyncTaskRegistriesDefaults(t *testing.T) {
	c, seen := newMockClient(t, "https://hss.example.com", 200, onePageJSON, nil)
	_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err)
	assert.Empty(t, seen.Last().URL.RawQuery, "nil opts sends no query")
	assert.Equal(t, "hss-go/"+hss.Version, seen.Last().Header.Get("User-Agent"))

	_, err = c.ListSyncTaskRegistries(context.Background(), "t", &hss.ListSyncTaskRegistriesOptions{RegistryTypes: []hss.RegistryType{}})
	require.NoError(t, err)
	assert.Empty(t, seen.Last().URL.RawQuery, "zero-valued options are omitted")
}

// TestQueryOptionsStrictEncoding checks each option on the wire: only
// A-Z a-z 0-9 - _ . ~ are sent as they are.
func TestQueryOptionsStrictEncoding(t *testing.T) {
	type opts = hss.ListSyncTaskRegistriesOptions
	cases := []struct {
		opts opts
		want string
	}{
		{opts{EnterpriseProjectID: hss.AllEnterpriseProjects}, "enterprise_project_id=all_granted_eps"},
		{opts{EnterpriseProjectID: "0"}, "enterprise_project_id=0"},
		{opts{RegistryName: "my reg+x&y=z/ä~-_.*'()!"}, "registry_name=my%20reg%2Bx%26y%3Dz%2F%C3%A4~-_.%2A%27%28%29%21"},
		{opts{RegistryName: "100%"}, "registry_name=100%25"},
		{opts{RegistryTypes: []hss.RegistryType{hss.RegistryTypeHarbor}}, "registry_type=Harbor"},
		{opts{RegistryTypes: []hss.RegistryType{hss.RegistryTypeSwrPrivate, hss.RegistryTypeJfrog, "New Kind"}}, "registry_type=SwrPrivate%2CJfrog%2CNew%20Kind"},
		{opts{SyncStatus: hss.SyncStatusRunning}, "sync_status=running"},
		{opts{Offset: hss.MaxOffset}, "offset=2000000"},
		{opts{Offset: 1}, "offset=1"},
		{opts{Limit: hss.MinLimit}, "limit=10"},
		{opts{Limit: hss.MaxLimit}, "limit=200"},
		{opts{Offset: 0, Limit: 0}, ""},
	}
	c, seen := newMockClient(t, "https://hss.example.com", 200, onePageJSON, nil)
	for _, tc := range cases {
		_, err := c.ListSyncTaskRegistries(context.Background(), "t", &tc.opts)
		require.NoError(t, err, "%+v", tc.opts)
		assert.Equal(t, tc.want, seen.Last().URL.RawQuery, "%+v", tc.opts)
		assert.NotContains(t, seen.Last().URL.RawQuery, "+")
	}
}

// TestQueryFiltersReachTheService: values that need escaping arrive at
// the fake service as sent, so its filters find the registries.
func TestQueryFiltersReachTheService(t *testing.T) {
	srv, _ := newTestServer(t)
	srv.AddRegistries(testTask,
		hsstest.Registry{RegistryName: "my reg+1&x=y", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFailed, FailedReason: "boom"},
		hsstest.Registry{RegistryName: "my reg 1&x=y", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFinished},
		hsstest.Registry{RegistryName: "other", RegistryType: hss.RegistryTypeJfrog, SyncStatus: hss.SyncStatusFailed, EnterpriseProjectID: "ep-2"},
	)
	c, _, _ := newTestClient(t, srv)
	ctx := context.Background()

	page, err := c.ListSyncTaskRegistries(ctx, testTask, &hss.ListSyncTaskRegistriesOptions{RegistryName: "my reg+1&x=y"})
	require.NoError(t, err)
	require.Len(t, page.DataList, 1, "'+' reaches the service as '+', not as a space")
	assert.Equal(t, hss.SyncStatusFailed, page.DataList[0].SyncStatus)
	assert.Equal(t, "boom", page.DataList[0].FailedReason)

	page, err = c.ListSyncTaskRegistries(ctx, testTask, &hss.ListSyncTaskRegistriesOptions{
		EnterpriseProjectID: hss.AllEnterpriseProjects, SyncStatus: hss.SyncStatusFailed,
		RegistryTypes: []hss.RegistryType{hss.RegistryTypeHarbor, hss.RegistryTypeJfrog},
	})
	require.NoError(t, err)
	assert.Equal(t, 2, page.TotalNum)
	page, err = c.ListSyncTaskRegistries(ctx, testTask, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, page.TotalNum, "the default enterprise project only")
	assert.Equal(t, srv.Requests()[2].RequestID, page.RequestID)
}

func TestPathEscapingAndPrefix(t *testing.T) {
	c, seen := newMockClient(t, "http://gw.local/my%20gw/hss/", 200, onePageJSON, nil, hss.WithInsecureHTTP())
	for task, want := range map[string]string{
		"a b?c#d":  "a%20b%3Fc%23d",
		"任务-1":     "%E4%BB%BB%E5%8A%A1-1",
		"%2e%2e":   "%252e%252e",
		"...":      "...",
		"a;b=c":    "a%3Bb=c",
		"~a-b_c.d": "~a-b_c.d",
	} {
		_, err := c.ListSyncTaskRegistries(context.Background(), task, nil)
		require.NoError(t, err, task)
		r := seen.Last()
		assert.Equal(t, "/my%20gw/hss/v5/"+testProject+"/image/image-sync/tasks/"+want+"/registries", r.URL.EscapedPath(), task)
		assert.Equal(t, "http://gw.local/my%20gw/hss/v5/"+testProject+"/image/image-sync/tasks/"+want+"/registries", r.URL.String(), task)
	}

	// A project id that needs escaping: the path escapes it, the header
	// carries it as it is.
	seen = &seenRequests{}
	record := &countingTransport{inject: func(_ int64, r *http.Request) (*http.Response, bool, error) {
		seen.add(r)
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(onePageJSON)), Request: r}, true, nil
	}}
	c, err := hss.NewClient("https://hss.example.com", "p x:1", hss.WithToken(testToken), hss.WithHTTPClient(&http.Client{Transport: record}))
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err)
	assert.Equal(t, "/v5/p%20x:1/image/image-sync/tasks/t/registries", seen.Last().URL.EscapedPath())
	assert.Equal(t, "p x:1", seen.Last().Header.Get("X-Project-Id"))
}

// TestEscapedIDsReachTheService: the fake service decodes each path
// segment on its own, so unusual task ids round-trip.
func TestEscapedIDsReachTheService(t *testing.T) {
	srv, _ := newTestServer(t)
	c, _, _ := newTestClient(t, srv)
	for i, task := range []string{"a b?c#d", "任务-1", "%2e%2e", "...", "a;b=c"} {
		srv.AddRegistries(task, hsstest.Registry{RegistryName: "reg-" + strconv.Itoa(i)})
		page, err := c.ListSyncTaskRegistries(context.Background(), task, nil)
		require.NoError(t, err, task)
		require.Len(t, page.DataList, 1, task)
		assert.Equal(t, "reg-"+strconv.Itoa(i), page.DataList[0].RegistryName, task)
	}
}

func TestUnknownFieldsAndEnumsAreKept(t *testing.T) {
	c, _ := newMockClient(t, "https://hss.example.com", 200,
		`{"total_num":2,"extra":{"a":[1,2]},"data_list":[{"registry_type":"Quay","sync_status":"paused","new_field":true},{}]}`, nil)
	resp, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err)
	require.Len(t, resp.DataList, 2)
	assert.Equal(t, hss.RegistryType("Quay"), resp.DataList[0].RegistryType)
	assert.False(t, resp.DataList[0].RegistryType.Known())
	assert.Equal(t, hss.SyncStatus("paused"), resp.DataList[0].SyncStatus)
	assert.False(t, resp.DataList[0].SyncStatus.Known())
	assert.Equal(t, hss.AssociateRegistriesResponseInfo{}, resp.DataList[1])
}

// TestNotJSONSuccessBody: a 2xx answer that is not the documented JSON is
// a *DecodeError naming the request and its id, and is not retried.
func TestNotJSONSuccessBody(t *testing.T) {
	for _, body := range []string{"<html>gateway</html>", "", "[]", `{"total_num":"x"}`, `{"total_num":1`, "null", `{"data_list":{}}`} {
		t.Run(body, func(t *testing.T) {
			c, seen := newMockClient(t, "https://hss.example.com", 200, body, requestIDHeader)
			resp, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
			require.Error(t, err)
			assert.Nil(t, resp)
			var de *hss.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, http.MethodGet, de.Method)
			assert.Equal(t, "/v5/"+testProject+"/image/image-sync/tasks/t/registries", de.Path)
			assert.Equal(t, "rid-1", de.RequestID)
			assert.Equal(t, 200, de.StatusCode)
			assert.NotNil(t, de.Err)
			assert.Contains(t, err.Error(), "not the expected JSON")
			assert.Contains(t, err.Error(), "(request id rid-1)")
			assert.Equal(t, 1, countOps(err.Error()))
			assert.Equal(t, 1, seen.Len(), "a decode error is not retried")
		})
	}
}

// TestContextCancelWhileServerHolds: cancelling while the service holds
// the request ends the call with context.Canceled, without a retry.
func TestContextCancelWhileServerHolds(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 3))
	arrived := make(chan struct{}, 1)
	srv.Handle(func(_ http.ResponseWriter, r *http.Request) bool {
		arrived <- struct{}{}
		<-r.Context().Done() // hold the request until the client gives up
		return true
	})
	c, tr, _ := newTestClient(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, err := c.ListSyncTaskRegistries(ctx, testTask, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	var re *hss.RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Attempts)
	assert.Equal(t, 1, countOps(err.Error()))
	assert.Equal(t, 1, tr.Calls(), "a cancelled call is not retried")

	_, err = c.ListSyncTaskRegistries(ctx, testTask, nil)
	assert.ErrorIs(t, err, context.Canceled, "an already cancelled context fails")
}

// TestResponsesSurviveLaterCalls keeps every response while later calls
// reuse the pooled body buffers for bodies of the same length, and checks
// that no kept string changed.
func TestResponsesSurviveLaterCalls(t *testing.T) {
	srv, _ := newTestServer(t)
	var calls atomic.Int64
	srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
		n := calls.Add(1)
		// Same length every time, different bytes.
		body := fmt.Sprintf(`{"total_num":1,"data_list":[{"registry_id":"id-%06d","registry_name":"nm-%06d","registry_type":"T-%06d","sync_status":"S-%06d","failed_reason":"fr-%06d\u00e9"}]}`, n, n, n, n, n)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write([]byte(body))
		return true
	})
	c, _, _ := newTestClient(t, srv)
	var kept []*hss.ListSyncTaskRegistriesResponse
	for range 50 {
		resp, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
		require.NoError(t, err)
		kept = append(kept, resp)
	}
	for i, resp := range kept {
		n := i + 1
		want := hss.AssociateRegistriesResponseInfo{
			RegistryID:   fmt.Sprintf("id-%06d", n),
			RegistryName: fmt.Sprintf("nm-%06d", n),
			RegistryType: hss.RegistryType(fmt.Sprintf("T-%06d", n)),
			SyncStatus:   hss.SyncStatus(fmt.Sprintf("S-%06d", n)),
			FailedReason: fmt.Sprintf("fr-%06dé", n),
		}
		require.Len(t, resp.DataList, 1)
		require.Equal(t, want, resp.DataList[0], "response %d changed", n)
	}
}

// TestListAgainstFakeService lists a seeded task page by page and with
// filters, and compares with what the fake holds.
func TestListAgainstFakeService(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 45))
	c, tr, _ := newTestClient(t, srv)
	want := infosOf(srv.Registries(testTask))

	page, err := c.ListSyncTaskRegistries(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{Offset: 40, Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, 45, page.TotalNum)
	assert.Equal(t, want[40:], page.DataList)
	assert.Equal(t, "limit=10&offset=40", srv.Requests()[0].Query)

	page, err = c.ListSyncTaskRegistries(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{
		RegistryTypes: []hss.RegistryType{hss.RegistryTypeHarbor}, SyncStatus: hss.SyncStatusFailed, Limit: 200,
	})
	require.NoError(t, err)
	var filtered []hss.AssociateRegistriesResponseInfo
	for _, r := range want {
		if r.RegistryType == hss.RegistryTypeHarbor && r.SyncStatus == hss.SyncStatusFailed {
			filtered = append(filtered, r)
		}
	}
	require.NotEmpty(t, filtered)
	assert.Equal(t, filtered, page.DataList)
	assert.Equal(t, len(filtered), page.TotalNum)
	assert.Equal(t, 2, tr.Calls())

	_, err = c.ListSyncTaskRegistries(context.Background(), "no-such-task", nil)
	assert.True(t, hss.IsNotFound(err), "%v", err)
	var apiErr *hss.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, srv.Requests()[2].RequestID, apiErr.RequestID)
}

// decTrickyText is text the service may well hold in names and failure
// reasons; json.Marshal escapes much of it.
var decTrickyText = []string{
	`the registry said "401 Unauthorized" and 'no'`,
	`C:\registry\path\n is not a newline`,
	`\u0041 is not an escape, \\ is two`,
	"注册表同步失败：认证错误 ¡Sí! ✓ Ünïcödé",
	"emoji 😀🚀👍🏽 and a flag 🇨🇳",
	"<html>&amp; tags & entities</html>",
	"line\nbreaks\r\nand\ttabs",
	"separators \u2028 and \u2029",
	"nul \x00 and del \x7f and esc \x1b[31m",
	"invalid UTF-8 \xff\xfe here",
	strings.Repeat("a long reason, ", 700),
	strings.Repeat("長い理由", 500),
	"ends with a backslash \\",
	"",
	"x",
}

// TestDecodeServiceOutputNeverFallsBack: every page hsstest writes (every
// type and status, known and not, and names and failure reasons with
// quotes, backslashes, unicode, emoji, control characters and long text)
// is decoded by the fast path, never by the encoding/json fallback, and
// decodes to what the server holds.
func TestDecodeServiceOutputNeverFallsBack(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	const task = "task-tricky"
	srv.Seed(task, 90)
	types := append(hss.AllRegistryTypes(), "Quay")
	statuses := append(hss.AllSyncStatuses(), "paused")
	var regs []hsstest.Registry
	for i, text := range decTrickyText {
		for j, typ := range types {
			regs = append(regs, hsstest.Registry{
				RegistryName: fmt.Sprintf("%d-%d %s", i, j, text[:min(len(text), 100)]),
				RegistryType: typ,
				SyncStatus:   statuses[(i+j)%len(statuses)],
				FailedReason: text,
			})
		}
	}
	srv.AddRegistries(task, regs...)
	client := srv.Client(t)
	ctx := context.Background()

	// What the client must decode: the server's registries as the wire
	// carries them (invalid UTF-8 becomes U+FFFD).
	var want []hss.AssociateRegistriesResponseInfo
	for _, r := range srv.Registries(task) {
		info := r.Info()
		b, err := json.Marshal(info)
		require.NoError(t, err)
		var wire hss.AssociateRegistriesResponseInfo
		require.NoError(t, json.Unmarshal(b, &wire))
		want = append(want, wire)
	}

	before := hss.DecFallbacks()
	for _, limit := range []int{10, 37, hss.MaxLimit} {
		var got []hss.AssociateRegistriesResponseInfo
		for reg, err := range client.ListSyncTaskRegistriesIter(ctx, task, &hss.ListSyncTaskRegistriesOptions{Limit: limit}) {
			require.NoError(t, err)
			got = append(got, reg)
		}
		require.Equal(t, want, got, "limit %d", limit)
	}
	for _, typ := range hss.AllRegistryTypes() {
		for _, st := range hss.AllSyncStatuses() {
			resp, err := client.ListSyncTaskRegistries(ctx, task, &hss.ListSyncTaskRegistriesOptions{
				Limit: hss.MaxLimit, RegistryTypes: []hss.RegistryType{typ}, SyncStatus: st})
			require.NoError(t, err)
			for _, r := range resp.DataList {
				assert.Equal(t, typ, r.RegistryType)
				assert.Equal(t, st, r.SyncStatus)
			}
		}
	}
	srv.AddTask("empty-task")
	resp, err := client.ListSyncTaskRegistries(ctx, "empty-task", nil)
	require.NoError(t, err)
	assert.NotNil(t, resp.DataList)
	assert.Empty(t, resp.DataList)

	assert.Equal(t, before, hss.DecFallbacks(), "the encoding/json fallback decoded a page hsstest wrote")
}

// FuzzOptions: validation and request building never panic; options that
// pass are sent (as hsstest records them) with the task id in one path
// segment and a query, percent-encoded the strict way, that parses back to
// the same values. Its seed corpus is in testdata/fuzz/FuzzOptions.
func FuzzOptions(f *testing.F) {
	f.Add("t", "eps", "name", "SwrPrivate,Harbor", "finished", 0, 10)
	f.Add("a b?c", "", "", "", "", 2000000, 200)
	f.Add("任务", "e", "n\x00", "Jfrog", "running", 5, 201)
	srv := hsstest.NewServer()
	f.Cleanup(srv.Close)
	var sent struct {
		sync.Mutex
		path, query string
	}
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		sent.Lock()
		sent.path, sent.query = r.URL.EscapedPath(), r.URL.RawQuery
		sent.Unlock()
		w.WriteHeader(http.StatusNotFound)
		return true
	})
	client, err := hss.NewClient(srv.URL()+"/pre", srv.ProjectID(), hss.WithToken(srv.Token()),
		hss.WithHTTPClient(srv.HTTPClient()), hss.WithRetryPolicy(hss.NoRetries()))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, task, eps, name, types, status string, offset, limit int) {
		var rt []hss.RegistryType
		if types != "" {
			for _, s := range strings.Split(types, ",") {
				rt = append(rt, hss.RegistryType(s))
			}
		}
		o := &hss.ListSyncTaskRegistriesOptions{EnterpriseProjectID: eps, RegistryName: name, RegistryTypes: rt,
			SyncStatus: hss.SyncStatus(status), Offset: offset, Limit: limit}
		sent.Lock()
		sent.path, sent.query = "", ""
		sent.Unlock()
		_, err := client.ListSyncTaskRegistries(context.Background(), task, o)
		var ve *hss.ValidationError
		if errors.As(err, &ve) {
			if ve.Field == "" || ve.Reason == "" {
				t.Fatalf("vague validation error %+v", ve)
			}
			return
		}
		var ae *hss.APIError
		if !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound {
			t.Fatalf("the request did not reach the server: %v", err)
		}
		sent.Lock()
		path, query := sent.path, sent.query
		sent.Unlock()
		segs := strings.Split(path, "/")
		if len(segs) != 9 || segs[1] != "pre" || segs[8] != "registries" {
			t.Fatalf("path split wrong: %q", path)
		}
		if got, err := url.PathUnescape(segs[7]); err != nil || got != task {
			t.Fatalf("task id %q came back as %q (%v)", task, got, err)
		}
		if strings.Contains(query, "+") {
			t.Fatalf("query %q has a '+', which servers read as a space", query)
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Fatalf("query %q does not parse: %v", query, err)
		}
		want := map[string]string{"enterprise_project_id": eps, "registry_name": name, "registry_type": types, "sync_status": status}
		if offset != 0 {
			want["offset"] = strconv.Itoa(offset)
		}
		if limit != 0 {
			want["limit"] = strconv.Itoa(limit)
		}
		for key, v := range want {
			if q.Get(key) != v {
				t.Fatalf("%s: sent %q, want %q (query %q)", key, q.Get(key), v, query)
			}
		}
	})
}
