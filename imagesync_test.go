package hss_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
)

// mockClient returns a client whose own http.Client goes through an
// httpmock transport (never the global default transport) and a pointer
// to the last request it saw.
func mockClient(t *testing.T, endpoint string, body string, opts ...hss.Option) (*hss.Client, **http.Request) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	var last *http.Request
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		last = r
		resp := httpmock.NewStringResponse(http.StatusOK, body)
		resp.Header.Set("X-Request-Id", "rid-1")
		return resp, nil
	})
	opts = append([]hss.Option{hss.WithHTTPClient(&http.Client{Transport: mt})}, opts...)
	return newTestClient(t, endpoint, opts...), &last
}

const onePage = `{"total_num":1,"data_list":[{"registry_id":"r1","registry_name":"Swr-private","registry_type":"SwrPrivate","sync_status":"failed","failed_reason":"timeout"}]}`

func TestListSyncTaskRegistriesRequest(t *testing.T) {
	c, last := mockClient(t, "https://hss.cn-north-4.myhuaweicloud.com", onePage, hss.WithUserAgent("my-app/1.2"))
	resp, err := c.ListSyncTaskRegistries(context.Background(), "task-1", &hss.ListSyncTaskRegistriesOptions{
		EnterpriseProjectID: hss.AllEnterpriseProjects,
		RegistryName:        "my reg",
		RegistryTypes:       []hss.RegistryType{hss.RegistryTypeSwrPrivate, hss.RegistryTypeHarbor},
		SyncStatus:          hss.SyncStatusFailed,
		Offset:              20,
		Limit:               50,
	})
	require.NoError(t, err)
	r := *last
	require.NotNil(t, r)
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "hss.cn-north-4.myhuaweicloud.com", r.URL.Host)
	assert.Equal(t, "/v5/"+testProject+"/image/image-sync/tasks/task-1/registries", r.URL.EscapedPath())
	assert.Equal(t, "enterprise_project_id=all_granted_eps&limit=50&offset=20&registry_name=my%20reg&registry_type=SwrPrivate%2CHarbor&sync_status=failed", r.URL.RawQuery, "strict percent-encoding: a space is %20, as the official SDKs send it")
	assert.Equal(t, testToken, r.Header.Get("X-Auth-Token"))
	assert.Equal(t, "my-app/1.2 hss-go/"+hss.Version, r.Header.Get("User-Agent"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.Equal(t, testProject, r.Header.Get("X-Project-Id"))

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
	c, last := mockClient(t, "https://hss.example.com", onePage)
	_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err)
	assert.Empty(t, (*last).URL.RawQuery, "nil opts sends no query")

	_, err = c.ListSyncTaskRegistries(context.Background(), "t", &hss.ListSyncTaskRegistriesOptions{})
	require.NoError(t, err)
	assert.Empty(t, (*last).URL.RawQuery, "zero-valued options are omitted")
	assert.Equal(t, "hss-go/"+hss.Version, (*last).Header.Get("User-Agent"))
}

func TestPathEscapingAndPrefix(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var last *http.Request
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		last = r
		return httpmock.NewStringResponse(200, onePage), nil
	})
	c, err := hss.NewClient("http://gw.local/hss/", "p x/y", hss.WithToken(testToken), hss.WithInsecureHTTP(),
		hss.WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(context.Background(), "a b/c?d", nil)
	require.NoError(t, err)
	assert.Equal(t, "/hss/v5/p%20x%2Fy/image/image-sync/tasks/a%20b%2Fc%3Fd/registries", last.URL.EscapedPath())
	assert.Equal(t, "http://gw.local/hss/v5/p%20x%2Fy/image/image-sync/tasks/a%20b%2Fc%3Fd/registries", last.URL.String())

	_, err = c.ListSyncTaskRegistries(context.Background(), "任务-1", nil)
	require.NoError(t, err)
	assert.Equal(t, "/hss/v5/p%20x%2Fy/image/image-sync/tasks/%E4%BB%BB%E5%8A%A1-1/registries", last.URL.EscapedPath())
}

func TestUnknownFieldsAndEnumsAreKept(t *testing.T) {
	c, _ := mockClient(t, "https://hss.example.com",
		`{"total_num":2,"extra":{"a":[1,2]},"data_list":[{"registry_type":"Quay","sync_status":"paused","new_field":true},{}]}`)
	resp, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err)
	require.Len(t, resp.DataList, 2)
	assert.Equal(t, hss.RegistryType("Quay"), resp.DataList[0].RegistryType)
	assert.False(t, resp.DataList[0].RegistryType.Known())
	assert.Equal(t, hss.SyncStatus("paused"), resp.DataList[0].SyncStatus)
	assert.False(t, resp.DataList[0].SyncStatus.Known())
}

func TestNotJSONSuccessBody(t *testing.T) {
	for _, body := range []string{"<html>gateway</html>", "", "[]", `{"total_num":"x"}`, `{"total_num":1`, "null"} {
		c, _ := mockClient(t, "https://hss.example.com", body)
		resp, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
		require.Error(t, err, "body %q", body)
		assert.Nil(t, resp)
		var de *hss.DecodeError
		require.ErrorAs(t, err, &de, "body %q", body)
		assert.Equal(t, "rid-1", de.RequestID)
		assert.Contains(t, err.Error(), "not the expected JSON")
		assert.Contains(t, err.Error(), "rid-1")
	}
}

func TestContextCancel(t *testing.T) {
	started := make(chan struct{})
	srv := newPagingServer(t, nil)
	srv.fail = func(_ int64, _ http.ResponseWriter, r *http.Request) bool {
		close(started)
		<-r.Context().Done() // hold the request until the client gives up
		return true
	}
	c := newTestClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := c.ListSyncTaskRegistries(ctx, "t", nil)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
	assert.Equal(t, int64(1), srv.requests.Load(), "a cancelled call is not retried")

	_, err = c.ListSyncTaskRegistries(ctx, "t", nil)
	assert.ErrorIs(t, err, context.Canceled, "an already cancelled context fails")
}

func TestClientFormatHidesToken(t *testing.T) {
	c := newTestClient(t, "https://hss.example.com")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(verb, c)
		assert.NotContains(t, out, testToken, verb)
		assert.Contains(t, out, testProject, verb)
	}
	cr, err := hss.NewTokenCredentials(testToken)
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(verb, cr), testToken, verb)
	}
}

func TestNewClientRejects(t *testing.T) {
	cases := []struct {
		name, endpoint, project string
		opts                    []hss.Option
		field, want             string
	}{
		{"empty endpoint", "", testProject, nil, "endpoint", "must not be empty"},
		{"plain http remote", "http://hss.example.com", testProject, nil, "endpoint", "WithInsecureHTTP"},
		{"ftp", "ftp://hss.example.com", testProject, nil, "endpoint", "scheme"},
		{"user info", "https://u:p@hss.example.com", testProject, nil, "endpoint", "user info"},
		{"query", "https://hss.example.com/?a=b", testProject, nil, "endpoint", "query"},
		{"no host", "https:///x", testProject, nil, "endpoint", "no host"},
		{"empty project", "https://hss.example.com", "", nil, "project_id", "1-256"},
		{"long project", "https://hss.example.com", strings.Repeat("p", 257), nil, "project_id", "1-256"},
		{"dot project", "https://hss.example.com", "..", nil, "project_id", `".."`},
		{"control project", "https://hss.example.com", "p\n", nil, "project_id", "control"},
		{"empty token", "https://hss.example.com", testProject, []hss.Option{hss.WithToken("")}, "X-Auth-Token", "1-32768"},
		{"long token", "https://hss.example.com", testProject, []hss.Option{hss.WithToken(strings.Repeat("t", 32769))}, "X-Auth-Token", "1-32768"},
		{"control token", "https://hss.example.com", testProject, []hss.Option{hss.WithToken("a\r\nb")}, "X-Auth-Token", "control"},
		{"nil http client", "https://hss.example.com", testProject, []hss.Option{hss.WithToken("t"), hss.WithHTTPClient(nil)}, "http_client", "nil"},
		{"bad user agent", "https://hss.example.com", testProject, []hss.Option{hss.WithToken("t"), hss.WithUserAgent("a\nb")}, "User-Agent", "control"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := hss.NewClient(tc.endpoint, tc.project, tc.opts...)
			var ve *hss.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := hss.NewClient("https://hss.example.com", testProject)
	require.ErrorContains(t, err, "no credentials")
}

func TestNewClientAccepts(t *testing.T) {
	for _, ep := range []string{"http://127.0.0.1:8080", "http://127.9.9.9", "http://[::1]:1", "http://localhost:9", "http://LOCALHOST", "https://hss.example.com/"} {
		c, err := hss.NewClient(ep, testProject, hss.WithToken("t"))
		require.NoError(t, err, ep)
		assert.Equal(t, strings.TrimSuffix(ep, "/"), c.Endpoint())
	}
	c, err := hss.NewClient("http://10.0.0.1/hss", testProject, hss.WithToken("t"), hss.WithInsecureHTTP())
	require.NoError(t, err)
	assert.Equal(t, "http://10.0.0.1/hss", c.Endpoint())
	assert.Equal(t, testProject, c.ProjectID())
}

func TestWithHTTPClientDoesNotMutate(t *testing.T) {
	hc := &http.Client{}
	_, err := hss.NewClient("https://hss.example.com", testProject, hss.WithToken("t"), hss.WithHTTPClient(hc))
	require.NoError(t, err)
	assert.Nil(t, hc.CheckRedirect)
	assert.Nil(t, hc.Transport)
	assert.Zero(t, hc.Timeout)
}

func TestRegionEndpoint(t *testing.T) {
	ep, err := hss.RegionEndpoint("cn-north-4")
	require.NoError(t, err)
	assert.Equal(t, "https://hss.cn-north-4.myhuaweicloud.com", ep)
	ep, err = hss.RegionEndpoint("eu-west-101")
	require.NoError(t, err)
	assert.Equal(t, "https://hss.eu-west-101.myhuaweicloud.eu", ep)
	ep, err = hss.RegionEndpoint("xx-new-9")
	require.NoError(t, err, "well-formed unknown regions are allowed")
	assert.Equal(t, "https://hss.xx-new-9.myhuaweicloud.com", ep)
	for _, r := range hss.Regions() {
		_, err := hss.RegionEndpoint(r)
		assert.NoError(t, err, r)
	}
	for _, bad := range []string{"", "cn", "CN-north-4", "cn-north-4.evil.com", "cn--4", "-cn-4", "cn-4-", "cn north", "cn-north-4/x", strings.Repeat("a-", 40) + "a"} {
		_, err := hss.RegionEndpoint(bad)
		var ve *hss.ValidationError
		require.ErrorAs(t, err, &ve, "%q", bad)
		assert.Equal(t, "region", ve.Field)
	}
}

func TestEnums(t *testing.T) {
	for _, rt := range hss.AllRegistryTypes() {
		assert.True(t, rt.Known())
		assert.Equal(t, string(rt), rt.String())
	}
	assert.Equal(t, "Jfrog", hss.RegistryTypeJfrog.String())
	assert.False(t, hss.RegistryType("JFrog").Known(), "the API spells it Jfrog")
	for _, s := range hss.AllSyncStatuses() {
		assert.True(t, s.Known())
	}
	assert.False(t, hss.SyncStatus("").Known())
	assert.Len(t, hss.AllRegistryTypes(), 6)
	assert.Len(t, hss.AllSyncStatuses(), 3)
}

func TestZeroValueClientDoesNotPanic(t *testing.T) {
	var zero hss.Client
	_, err := zero.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.ErrorContains(t, err, "not created by NewClient")
	for _, err := range zero.ListSyncTaskRegistriesIter(context.Background(), "t", nil) {
		require.ErrorContains(t, err, "not created by NewClient")
	}
	var nilClient *hss.Client
	_, err = nilClient.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.Error(t, err)
	assert.Equal(t, "hss.Client{endpoint: , project_id: }", fmt.Sprint(zero))
	assert.Empty(t, nilClient.Endpoint())
}

func TestNewClientAcceptsBounds(t *testing.T) {
	_, err := hss.NewClient("https://hss.example.com", strings.Repeat("p", 256), hss.WithToken(strings.Repeat("t", 32768)))
	require.NoError(t, err, "project_id of 256 and a token of 32,768 characters are allowed")
	_, err = hss.NewClient("https://hss.example.com", "p", hss.WithToken("t"))
	require.NoError(t, err)
	for _, tc := range []struct {
		rate  float64
		burst int
		ok    bool
	}{
		{1.0 / 86400, 1, true}, {1e9, 10000, true}, {5.0 / 60, 1, true},
		{1e-12, 1, false}, {2e9, 1, false}, {1, 10001, false}, {-1, 1, false}, {1, 0, false},
	} {
		_, err := hss.NewClient("https://hss.example.com", "p", hss.WithToken("t"), hss.WithRateLimit(tc.rate, tc.burst))
		if tc.ok {
			assert.NoError(t, err, "%v %d", tc.rate, tc.burst)
			continue
		}
		var ve *hss.ValidationError
		assert.ErrorAs(t, err, &ve, "%v %d", tc.rate, tc.burst)
	}
}
