// The listing route: paging, filters, parameter errors, unknown tasks, projects and paths, escaped ids, and request ids.
package hsstest_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPagingAcrossPages(t *testing.T) {
	srv := newServer(t)
	want := infos(seed(t, srv, "task-1", 25))

	var got []hss.AssociateRegistriesResponseInfo
	for _, off := range []string{"0", "10", "20"} {
		total, page := decodeInfos(t, get(t, srv, "task-1", "limit=10&offset="+off))
		assert.Equal(t, 25, total)
		got = append(got, page...)
	}
	require.Equal(t, want, got)

	total, page := decodeInfos(t, get(t, srv, "task-1", "offset=20&limit=10"))
	assert.Equal(t, 25, total)
	assert.Len(t, page, 5, "last page is short")

	total, page = decodeInfos(t, get(t, srv, "task-1", "offset=25"))
	assert.Equal(t, 25, total)
	assert.Empty(t, page, "offset at the end gives an empty page")

	total, page = decodeInfos(t, get(t, srv, "task-1", "offset=2000000&limit=200"))
	assert.Equal(t, 25, total)
	assert.Empty(t, page)
}

func TestPagingDefaults(t *testing.T) {
	srv := newServer(t)
	want := infos(seed(t, srv, "task-1", 25))

	total, page := decodeInfos(t, get(t, srv, "task-1", ""))
	assert.Equal(t, 25, total)
	assert.Equal(t, want[:10], page, "default limit 10, offset 0")

	total, page = decodeInfos(t, get(t, srv, "task-1", "limit=200"))
	assert.Equal(t, 25, total)
	assert.Equal(t, want, page)

	// An empty task is 200 with "data_list": [] (not null).
	srv.AddTask("empty")
	a := get(t, srv, "empty", "")
	assert.JSONEq(t, `{"total_num":0,"data_list":[]}`, string(a.Body))
}

func TestClientIteratesEveryPage(t *testing.T) {
	srv := newServer(t)
	want := infos(seed(t, srv, "task-1", 450))
	client := srv.Client(t)

	var got []hss.AssociateRegistriesResponseInfo
	for reg, err := range client.ListSyncTaskRegistriesIter(context.Background(), "task-1", nil) {
		require.NoError(t, err)
		got = append(got, reg)
	}
	require.Equal(t, want, got)

	var queries []string
	for _, r := range srv.Requests() {
		queries = append(queries, r.Query)
	}
	assert.Equal(t, []string{"limit=200", "limit=200&offset=200", "limit=200&offset=400"}, queries)
}

func TestFailedReasonOnlyWhenSet(t *testing.T) {
	srv := newServer(t)
	srv.AddRegistries("t", hsstest.Registry{RegistryID: "r1", RegistryName: "a", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFinished})
	srv.AddRegistries("t", hsstest.Registry{RegistryID: "r2", RegistryName: "b", RegistryType: hss.RegistryTypeJfrog, SyncStatus: hss.SyncStatusFailed, FailedReason: "boom"})
	a := get(t, srv, "t", "")
	assert.JSONEq(t, `{"total_num":2,"data_list":[
		{"registry_id":"r1","registry_name":"a","registry_type":"Harbor","sync_status":"finished"},
		{"registry_id":"r2","registry_name":"b","registry_type":"Jfrog","sync_status":"failed","failed_reason":"boom"}]}`, string(a.Body))
	assert.Equal(t, "application/json;charset=UTF-8", a.Header.Get("Content-Type"))
}

func TestFilters(t *testing.T) {
	srv := newServer(t)
	seeded := seed(t, srv, "task-1", 36) // every type/status pair twice
	reg := func(name string, typ hss.RegistryType, st hss.SyncStatus, ep string) hsstest.Registry {
		return hsstest.Registry{RegistryID: "id-" + name, RegistryName: name, RegistryType: typ, SyncStatus: st, EnterpriseProjectID: ep}
	}
	extra := []hsstest.Registry{
		reg("ep1-harbor", hss.RegistryTypeHarbor, hss.SyncStatusRunning, "ep-1"),
		reg("ep2-jfrog", hss.RegistryTypeJfrog, hss.SyncStatusFailed, "ep-2"),
		reg("ep2-other", hss.RegistryTypeOther, hss.SyncStatusFinished, "ep-2"),
	}
	srv.AddRegistries("task-1", extra...)
	all := append(append([]hsstest.Registry{}, seeded...), extra...)

	// pick keeps the registries of all that pass keep.
	pick := func(keep func(hsstest.Registry) bool) []hss.AssociateRegistriesResponseInfo {
		var out []hss.AssociateRegistriesResponseInfo
		for _, r := range all {
			if keep(r) {
				out = append(out, r.Info())
			}
		}
		return out
	}
	inDefault := func(r hsstest.Registry) bool { return r.EnterpriseProjectID == hsstest.DefaultEnterpriseProjectID }

	tests := []struct {
		name  string
		query string
		keep  func(hsstest.Registry) bool
	}{
		{"no filter is the default project", "", inDefault},
		{"enterprise project 0", "enterprise_project_id=0", inDefault},
		{"one enterprise project", "enterprise_project_id=ep-2", func(r hsstest.Registry) bool { return r.EnterpriseProjectID == "ep-2" }},
		{"unknown enterprise project", "enterprise_project_id=nope", func(hsstest.Registry) bool { return false }},
		{"all enterprise projects", "enterprise_project_id=all_granted_eps", func(hsstest.Registry) bool { return true }},
		{"exact name", "registry_name=harbor-004", func(r hsstest.Registry) bool { return r.RegistryName == "harbor-004" }},
		{"name is not a substring match", "registry_name=harbor", func(hsstest.Registry) bool { return false }},
		{"name outside the default project", "registry_name=ep2-jfrog", func(hsstest.Registry) bool { return false }},
		{"one type", "registry_type=Jfrog", func(r hsstest.Registry) bool { return inDefault(r) && r.RegistryType == hss.RegistryTypeJfrog }},
		{"two types", "registry_type=SwrPrivate%2CHarbor", func(r hsstest.Registry) bool {
			return inDefault(r) && (r.RegistryType == hss.RegistryTypeSwrPrivate || r.RegistryType == hss.RegistryTypeHarbor)
		}},
		{"status", "sync_status=failed", func(r hsstest.Registry) bool { return inDefault(r) && r.SyncStatus == hss.SyncStatusFailed }},
		{"type and status across projects", "registry_type=Jfrog&sync_status=failed&enterprise_project_id=all_granted_eps", func(r hsstest.Registry) bool {
			return r.RegistryType == hss.RegistryTypeJfrog && r.SyncStatus == hss.SyncStatusFailed
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := pick(tt.keep)
			total, got := decodeInfos(t, get(t, srv, "task-1", tt.query+"&limit=200"))
			assert.Equal(t, len(want), total, "total_num counts the matches")
			if len(want) == 0 {
				assert.Empty(t, got)
			} else {
				assert.Equal(t, want, got)
			}
		})
	}

	t.Run("filter then page", func(t *testing.T) {
		want := pick(func(r hsstest.Registry) bool { return inDefault(r) && r.SyncStatus == hss.SyncStatusRunning })
		require.Len(t, want, 12)
		total, got := decodeInfos(t, get(t, srv, "task-1", "sync_status=running&offset=10&limit=10"))
		assert.Equal(t, 12, total)
		assert.Equal(t, want[10:], got)
	})

	t.Run("through the SDK", func(t *testing.T) {
		resp, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "task-1", &hss.ListSyncTaskRegistriesOptions{
			RegistryTypes: []hss.RegistryType{hss.RegistryTypeSwrShared, hss.RegistryTypeOther},
			SyncStatus:    hss.SyncStatusFinished,
			Limit:         50,
		})
		require.NoError(t, err)
		want := pick(func(r hsstest.Registry) bool {
			return inDefault(r) && r.SyncStatus == hss.SyncStatusFinished &&
				(r.RegistryType == hss.RegistryTypeSwrShared || r.RegistryType == hss.RegistryTypeOther)
		})
		assert.Equal(t, len(want), resp.TotalNum)
		assert.Equal(t, want, resp.DataList)
	})
}

func TestInvalidParameters(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 5))
	long := func(n int) string { return strings.Repeat("x", n) }
	bad := []string{
		"offset=-1", "offset=2000001", "offset=abc", "offset=1e3", "offset=%2B5", "offset=%205", "offset=",
		"offset=99999999999999999999",
		"limit=9", "limit=201", "limit=0", "limit=x", "limit=", "limit=10.0",
		"limit=10&limit=20",
		"registry_type=Bogus", "registry_type=harbor", "registry_type=Harbor,", "registry_type=,", "registry_type=",
		"sync_status=done", "sync_status=failed,running", "sync_status=",
		"registry_name=" + long(129), "registry_name=", "registry_name=%00", "registry_name=%FF",
		"enterprise_project_id=" + long(257), "enterprise_project_id=",
		"a=%zz", "offset=1;limit=20",
	}
	for _, q := range bad {
		t.Run(q[:min(len(q), 40)], func(t *testing.T) {
			requireError(t, get(t, srv, "task-1", q), http.StatusBadRequest, "HSS.0001", "Invalid parameter.")
		})
	}
	good := []string{
		"offset=0", "offset=2000000", "limit=10", "limit=200", "limit=010", "registry_name=" + long(128),
		"enterprise_project_id=" + long(256), "registry_type=Other,Other", "unknown_param=whatever",
		"registry_name=" + strings.Repeat("ü", 128),
	}
	for _, q := range good {
		t.Run("ok "+q[:min(len(q), 40)], func(t *testing.T) {
			decodePage(t, get(t, srv, "task-1", q))
		})
	}
	t.Run("task id over 64 characters", func(t *testing.T) {
		requireError(t, get(t, srv, strings.Repeat("t", 65), ""), http.StatusBadRequest, "HSS.0001", "Invalid parameter.")
		requireError(t, get(t, srv, strings.Repeat("t", 64), ""), http.StatusBadRequest, "HSS.0011", "")
	})
	t.Run("parameters are checked before the task", func(t *testing.T) {
		requireError(t, get(t, srv, "nope", "limit=1"), http.StatusBadRequest, "HSS.0001", "")
	})
}

func TestUnknownTask(t *testing.T) {
	srv := newServer(t)
	requireError(t, get(t, srv, "nope", ""), http.StatusBadRequest, "HSS.0011", "Requested resource not found.")

	_, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "nope", nil)
	require.Error(t, err)
	assert.True(t, hss.IsNotFound(err), "%v", err)
	assert.Len(t, srv.Requests(), 2, "not found is not retried")
}

func TestWrongProject(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	requireError(t, do(t, srv, http.MethodGet, regPath("ffffffffffffffffffffffffffffffff", "task-1"), "", tokenHeader(srv)),
		http.StatusForbidden, "APIGW.0302", "The IAM user is not authorized to access the API.")
	// The project is checked before the parameters and the task.
	requireError(t, do(t, srv, http.MethodGet, regPath("other", "nope"), "limit=1", tokenHeader(srv)),
		http.StatusForbidden, "APIGW.0302", "")

	client, err := hss.NewClient(srv.URL(), "another-project", hss.WithToken(srv.Token()), hss.WithRetryPolicy(hss.NoRetries()))
	require.NoError(t, err)
	_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	assert.True(t, hss.IsAuthError(err), "%v", err)
	assert.False(t, hss.IsNotFound(err), "a wrong project must not read as a missing task")
}

func TestWithProjectIDAndToken(t *testing.T) {
	srv := newServer(t, hsstest.WithProjectID("p-42"), hsstest.WithToken("tok-42"), hsstest.WithSeed("t", 3))
	assert.Equal(t, "p-42", srv.ProjectID())
	assert.Equal(t, "tok-42", srv.Token())
	total, _ := decodeInfos(t, do(t, srv, http.MethodGet, regPath("p-42", "t"), "", http.Header{"X-Auth-Token": {"tok-42"}}))
	assert.Equal(t, 3, total)
	requireError(t, do(t, srv, http.MethodGet, regPath(hsstest.DefaultProjectID, "t"), "", http.Header{"X-Auth-Token": {"tok-42"}}),
		http.StatusForbidden, "APIGW.0302", "")
	requireError(t, do(t, srv, http.MethodGet, regPath("p-42", "t"), "", http.Header{"X-Auth-Token": {hsstest.DefaultToken}}),
		http.StatusUnauthorized, "APIGW.0301", "")
	resp, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err, "Client uses the server's project and token")
	assert.Equal(t, 3, resp.TotalNum)

	// Empty values keep the defaults rather than break the server.
	srv2 := newServer(t, hsstest.WithProjectID(""), hsstest.WithToken(""), hsstest.WithNow(nil), hsstest.WithClock(nil), nil)
	assert.Equal(t, hsstest.DefaultProjectID, srv2.ProjectID())
	assert.Equal(t, hsstest.DefaultToken, srv2.Token())
	srv2.AddTask("t")
	decodePage(t, get(t, srv2, "t", ""))
}

func TestUnknownPathAndMethod(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	p := srv.ProjectID()
	for _, path := range []string{
		"/", "/v5", "/v3/" + p + "/image/image-sync/tasks/task-1/registries",
		regPath(p, "task-1") + "/", "/v5/" + p + "/image/image-sync/tasks//registries",
		"/v5//image/image-sync/tasks/task-1/registries", "/v5/" + p + "/image/image-sync/tasks/task-1",
		"/v5/" + p + "/image/image-sync/tasks/a/b/registries", "/v5/" + p + "/image/tasks",
	} {
		t.Run(path, func(t *testing.T) {
			requireError(t, do(t, srv, http.MethodGet, path, "", tokenHeader(srv)), http.StatusNotFound, "APIGW.0101",
				"The API does not exist or has not been published in the environment.")
		})
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead} {
		t.Run(m, func(t *testing.T) {
			a := do(t, srv, m, regPath(p, "task-1"), "", tokenHeader(srv))
			assert.Equal(t, http.StatusNotFound, a.Status)
			if m != http.MethodHead {
				requireError(t, a, http.StatusNotFound, "APIGW.0101", "")
			}
		})
	}
	t.Run("unknown path is 404 before authentication", func(t *testing.T) {
		requireError(t, do(t, srv, http.MethodGet, "/nope", "", nil), http.StatusNotFound, "APIGW.0101", "")
	})
}

func TestEscapedTaskIDs(t *testing.T) {
	srv := newServer(t)
	ids := []string{"a/b", "a b", "a%2Fb", "a?b#c", "ü-task", "a+b", "...", "任务"}
	for i, id := range ids {
		seed(t, srv, id, i+1)
	}
	client := srv.Client(t)
	for i, id := range ids {
		t.Run(id, func(t *testing.T) {
			total, _ := decodeInfos(t, get(t, srv, id, ""))
			assert.Equal(t, i+1, total, "raw request to %s", regPath(srv.ProjectID(), id))

			if hss.ValidateTaskID(id) != nil {
				return // the SDK refuses it before sending; tested in package hss
			}
			before := len(srv.Requests())
			resp, err := client.ListSyncTaskRegistries(context.Background(), id, nil)
			require.NoError(t, err)
			assert.Equal(t, i+1, resp.TotalNum)
			assert.Equal(t, regPath(srv.ProjectID(), id), srv.Requests()[before].Path, "the SDK escapes like url.PathEscape")
		})
	}
	assert.Equal(t, regPath(srv.ProjectID(), "a/b"), srv.Requests()[0].Path, "the log keeps the escaped path")
	assert.Contains(t, srv.Requests()[0].Path, "/tasks/a%2Fb/registries")
	// An unescaped slash is a different path, not task "a/b".
	requireError(t, do(t, srv, http.MethodGet, "/v5/"+srv.ProjectID()+"/image/image-sync/tasks/a/b/registries", "", tokenHeader(srv)),
		http.StatusNotFound, "APIGW.0101", "")
}

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestRequestIDOnEveryAnswer(t *testing.T) {
	srv := newServer(t, hsstest.WithThrottle(100, 1<<62), hsstest.WithSeed("task-1", 3))
	answers := []answer{
		get(t, srv, "task-1", ""),                                               // 200
		get(t, srv, "task-1", "limit=1"),                                        // 400
		get(t, srv, "nope", ""),                                                 // 400 HSS.0011
		do(t, srv, http.MethodGet, "/nope", "", nil),                            // 404
		do(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", nil), // 401
	}
	srv.FailNext(1, 503, "APIGW.0613", "IAM service unavailable")
	answers = append(answers, get(t, srv, "task-1", ""))

	seen := map[string]bool{}
	for i, a := range answers {
		id := a.Header.Get("X-Request-Id")
		assert.Regexp(t, requestIDPattern, id, "answer %d", i)
		assert.False(t, seen[id], "request id %s repeated", id)
		seen[id] = true
	}
	reqs := srv.Requests()
	require.Len(t, reqs, len(answers))
	for i, r := range reqs {
		assert.Equal(t, answers[i].Header.Get("X-Request-Id"), r.RequestID)
		assert.Equal(t, answers[i].Status, r.Status)
	}

	// The SDK reads it into the response.
	resp, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)
	assert.Regexp(t, requestIDPattern, resp.RequestID)
	assert.Equal(t, resp.RequestID, srv.Requests()[len(answers)].RequestID)
}

// Request ids stay unique across servers in one process.
func TestRequestIDsUniqueAcrossServers(t *testing.T) {
	seen := map[string]bool{}
	for range 5 {
		srv := newServer(t, hsstest.WithSeed("task-1", 1))
		for range 3 {
			id := get(t, srv, "task-1", "").Header.Get("X-Request-Id")
			require.Regexp(t, requestIDPattern, id)
			assert.False(t, seen[id], "request id %s repeated", id)
			seen[id] = true
		}
	}
	assert.Len(t, seen, 15)
}
