// Extra routes (HandleFunc): wildcards and methods, order, unmatched requests, and the faults and gateway checks they share with the listing.
package hsstest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/sign"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Paths of the sibling calls the tests fake.
const (
	tasksPattern = "/v5/{project_id}/image/image-sync/tasks"
	taskPattern  = "/v5/{project_id}/image/image-sync/tasks/{task_id}"
)

// createdTask is what the fake create-task call answers.
type createdTask struct {
	TaskID  string `json:"task_id"`
	Project string `json:"project"`
	Name    string `json:"name"`
}

// createTaskHandler fakes POST .../image-sync/tasks: it echoes the project
// and the name from the JSON body, and counts its calls.
func createTaskHandler(calls *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var in struct {
			Name string `json:"name"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, `{"error_code":"HSS.0002","error_msg":"Failed to parse the request."}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(createdTask{TaskID: "task-" + in.Name, Project: r.PathValue("project_id"), Name: in.Name})
	}
}

func TestHandleFuncWildcardsAndMethods(t *testing.T) {
	srv := newServer(t)
	srv.HandleFunc(http.MethodGet, taskPattern, func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"project": r.PathValue("project_id"), "task": r.PathValue("task_id")})
	})
	srv.HandleFunc(http.MethodDelete, taskPattern, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	client := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()))
	ctx := context.Background()

	for _, id := range []string{"task-1", "a b", "ü", "a/b", "a%2Fb"} {
		var out map[string]string
		_, err := client.Do(ctx, http.MethodGet, "/v5/{project_id}/image/image-sync/tasks/"+url.PathEscape(id), nil, nil, &out)
		require.NoError(t, err, id)
		assert.Equal(t, map[string]string{"project": srv.ProjectID(), "task": id}, out,
			"wildcards read one unescaped segment each")
	}

	resp, err := client.Do(ctx, http.MethodDelete, "/v5/{project_id}/image/image-sync/tasks/task-1", nil, nil, nil)
	require.NoError(t, err)
	assert.NotEmpty(t, resp.RequestID, "Do returns the X-Request-Id")

	_, err = client.Do(ctx, http.MethodPut, "/v5/{project_id}/image/image-sync/tasks/task-1", nil, nil, nil)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr, "no PUT route")
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.Equal(t, "APIGW.0101", apiErr.Code)

	reqs := srv.Requests()
	assert.Equal(t, "/v5/"+srv.ProjectID()+"/image/image-sync/tasks/a%2Fb", reqs[3].Path, "the log keeps the escaped path")
	assert.Equal(t, []int{200, 200, 200, 200, 200, 204, 404}, statuses(srv))
}

func TestHandleFuncOrder(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	var shadowed, posted atomic.Int32
	// The built-in route is tried first: a GET on its path never reaches
	// an extra route...
	srv.HandleFunc(http.MethodGet, "/v5/{project_id}/image/image-sync/tasks/{task_id}/registries", func(http.ResponseWriter, *http.Request) {
		shadowed.Add(1)
	})
	// ...but it serves only GET, so other methods on its path can be faked.
	srv.HandleFunc(http.MethodPost, "/v5/{project_id}/image/image-sync/tasks/{task_id}/registries", func(w http.ResponseWriter, _ *http.Request) {
		posted.Add(1)
		w.WriteHeader(http.StatusAccepted)
	})
	// Extra routes are tried in the order they were added.
	srv.HandleFunc(http.MethodGet, "/v1/{project_id}/things/{name}", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"route":"first"}`)
	})
	srv.HandleFunc(http.MethodGet, "/v1/{project_id}/things/special", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"route":"second"}`)
	})

	total, _ := decodeInfos(t, get(t, srv, "task-1", ""))
	assert.Equal(t, 3, total)
	assert.Zero(t, shadowed.Load())

	a := do(t, srv, http.MethodPost, regPath(srv.ProjectID(), "task-1"), "", tokenHeader(srv))
	assert.Equal(t, http.StatusAccepted, a.Status)
	assert.Equal(t, int32(1), posted.Load())

	a = do(t, srv, http.MethodGet, "/v1/"+srv.ProjectID()+"/things/special", "", tokenHeader(srv))
	assert.JSONEq(t, `{"route":"first"}`, string(a.Body))
}

func TestHandleFuncUnmatched(t *testing.T) {
	srv := newServer(t)
	srv.HandleFunc(http.MethodGet, "/v1/{project_id}/things", func(http.ResponseWriter, *http.Request) {
		t.Error("the handler must not be called")
	})
	// Registrations that cannot work are refused, naming what is wrong.
	requireArgError(t, srv.HandleFunc(http.MethodGet, "/ignored", nil), `hsstest: HandleFunc("GET", "/ignored"): handler must not be nil`)
	requireArgError(t, srv.HandleFunc("", "/ignored", func(http.ResponseWriter, *http.Request) { t.Error("empty method") }),
		`hsstest: HandleFunc("", "/ignored"): method must not be empty (such as "GET")`)
	requireArgError(t, srv.HandleFunc(http.MethodGet, "ignored", func(http.ResponseWriter, *http.Request) { t.Error("relative pattern") }),
		`hsstest: HandleFunc("GET", "ignored"): pathPattern must start with "/"`)

	p := srv.ProjectID()
	for _, c := range []struct{ method, path string }{
		{http.MethodPost, "/v1/" + p + "/things"},   // method
		{http.MethodGet, "/v1/" + p + "/things/"},   // trailing slash
		{http.MethodGet, "/v1/" + p + "/things/x"},  // longer
		{http.MethodGet, "/v1/" + p},                // shorter
		{http.MethodGet, "/v1//things"},             // a wildcard never matches an empty segment
		{http.MethodGet, "/v1/" + p + "/thing%73x"}, // compared after unescaping: "thingsx"
		{http.MethodGet, "/ignored"},
		{http.MethodGet, "ignored"},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			// No credentials: the 404 comes before authentication.
			requireError(t, do(t, srv, c.method, "/"+trimSlash(c.path), "", nil), http.StatusNotFound, "APIGW.0101",
				"The API does not exist or has not been published in the environment.")
		})
	}
	// An escaped letter is the letter.
	var hits atomic.Int32
	srv.HandleFunc(http.MethodGet, "/v1/{project_id}/stuff", func(http.ResponseWriter, *http.Request) { hits.Add(1) })
	assert.Equal(t, http.StatusOK, do(t, srv, http.MethodGet, "/v1/"+p+"/stu%66f", "", tokenHeader(srv)).Status)
	assert.Equal(t, int32(1), hits.Load())
}

// TestHandleFuncRefusesPatternsThatCannotMatch: a pattern that no request
// could match, or that reads like net/http.ServeMux syntax this matcher
// does not have, is an *ArgError naming it, and nothing is registered.
func TestHandleFuncRefusesPatternsThatCannotMatch(t *testing.T) {
	srv := newServer(t)
	never := func(http.ResponseWriter, *http.Request) { t.Error("a refused route answered") }
	for _, c := range []struct{ method, pattern, want string }{
		{http.MethodGet, "/a?b=c", `pathPattern must not hold '?' or '#'`},
		{http.MethodGet, "/a#top", `pathPattern must not hold '?' or '#'`},
		{http.MethodGet, "/{a...}", `pathPattern {a...}: a wildcard matches one whole segment; {name...} (the rest of the path) is not supported`},
		{http.MethodGet, "/v5/{$}", `pathPattern {$}: a pattern matches a whole path already; drop it`},
		{http.MethodGet, "/{a}/{a}", `pathPattern {a}: the wildcard name "a" is used twice`},
		{http.MethodGet, "/v5/", `pathPattern must not end with "/"`},
		{http.MethodGet, "/a{b}", `pathPattern "a{b}": a brace must make a whole segment a wildcard`},
		{http.MethodGet, "/{}", `pathPattern "{}": a brace must make a whole segment a wildcard`},
		{http.MethodGet, "/{a}b}", `pathPattern {a}b}: a wildcard's name must be a Go identifier`},
		{http.MethodGet, "/{1st}", `pathPattern {1st}: a wildcard's name must be a Go identifier`},
		{http.MethodGet, "/{task-id}", `pathPattern {task-id}: a wildcard's name must be a Go identifier`},
		{http.MethodGet, "/a%20b", `pathPattern "a%20b": a segment is compared with the path's segment unescaped`},
		{"GET /a", "/a", `method must be an HTTP method such as "GET"`},
		{"GET\n", "/a", `method must be an HTTP method`},
	} {
		t.Run(c.method+" "+c.pattern, func(t *testing.T) {
			err := srv.HandleFunc(c.method, c.pattern, never)
			var ae *hsstest.ArgError
			require.ErrorAs(t, err, &ae)
			assert.Contains(t, err.Error(), c.want)
			assert.Contains(t, err.Error(), "HandleFunc(")
		})
	}
	requireError(t, do(t, srv, http.MethodGet, "/v5/", "", nil), http.StatusNotFound, "APIGW.0101",
		"The API does not exist or has not been published in the environment.")

	// What the matcher does is still taken.
	for _, pattern := range []string{"/", "/v5/{project_id}/x", "/v5/{project_id}/x/{task_id}/{_n2}", "/v5/{项目}", "/v5/a-b_c.d~e"} {
		require.NoError(t, srv.HandleFunc(http.MethodGet, pattern, func(http.ResponseWriter, *http.Request) {}), pattern)
	}
}

func trimSlash(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	return s
}

func TestHandleFuncFaults(t *testing.T) {
	srv := newServer(t)
	var calls atomic.Int32
	srv.HandleFunc(http.MethodPost, tasksPattern, createTaskHandler(&calls))
	client := srv.Client(t)
	ctx := context.Background()

	// A queued fault answers first, and a 5xx to a POST is not retried.
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "IAM service unavailable")
	_, err := client.Do(ctx, http.MethodPost, tasksPattern, nil, map[string]string{"name": "one"}, nil)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	assert.Zero(t, calls.Load(), "the fault answered instead of the handler")
	assert.Len(t, srv.Requests(), 1, "not retried: the service may have acted on it")

	var out createdTask
	_, err = client.Do(ctx, http.MethodPost, tasksPattern, nil, map[string]string{"name": "two"}, &out)
	require.NoError(t, err)
	assert.Equal(t, createdTask{TaskID: "task-two", Project: srv.ProjectID(), Name: "two"}, out)

	// The hook sees extra routes too.
	srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(http.StatusTeapot)
		return true
	})
	a := send(t, srv, newRequest(t, srv, http.MethodPost, "/v5/"+srv.ProjectID()+"/image/image-sync/tasks", "", tokenHeader(srv), []byte(`{"name":"x"}`)))
	assert.Equal(t, http.StatusTeapot, a.Status)
	srv.Handle(nil)

	// A truncated answer is the handler's, cut in half.
	srv.TruncateNext(1)
	resp, err := srv.HTTPClient().Do(newRequest(t, srv, http.MethodPost, "/v5/"+srv.ProjectID()+"/image/image-sync/tasks", "",
		tokenHeader(srv), []byte(`{"name":"three"}`)))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	_, err = io.ReadAll(resp.Body)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, int32(2), calls.Load())
	reqs := srv.Requests()
	assert.Equal(t, []hsstest.FaultKind{hsstest.FaultFail, hsstest.FaultNone, hsstest.FaultHook, hsstest.FaultTruncate},
		[]hsstest.FaultKind{reqs[0].Fault, reqs[1].Fault, reqs[2].Fault, reqs[3].Fault})
}

func TestHandleFuncAuth(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithAKSK(testAK, testSK))
	var calls atomic.Int32
	srv.HandleFunc(http.MethodPost, tasksPattern, createTaskHandler(&calls))
	ctx := context.Background()
	body := map[string]string{"name": "signed"}
	path := "/v5/" + srv.ProjectID() + "/image/image-sync/tasks"

	t.Run("token", func(t *testing.T) {
		_, err := srv.Client(t, hss.WithToken("wrong-token")).Do(ctx, http.MethodPost, tasksPattern, nil, body, nil)
		require.True(t, hss.IsAuthError(err), "%v", err)
		var apiErr *hss.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
		assert.Equal(t, "APIGW.0301", apiErr.Code)
		requireError(t, send(t, srv, newRequest(t, srv, http.MethodPost, path, "", nil, []byte(`{}`))),
			http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: x-auth-token not found")
		assert.Zero(t, calls.Load())
	})

	t.Run("signed by the SDK, body included", func(t *testing.T) {
		var out createdTask
		_, err := srv.Client(t, hss.WithAKSK(testAK, testSK)).Do(ctx, http.MethodPost, tasksPattern, nil, body, &out)
		require.NoError(t, err)
		assert.Equal(t, "task-signed", out.TaskID, "the handler read the body the signature covered")
		last := srv.Requests()[len(srv.Requests())-1]
		assert.Equal(t, hsstest.AuthAKSK, last.Auth)
		assert.Equal(t, testAK, last.AK)

		_, err = srv.Client(t, hss.WithAKSK(testAK, "a-wrong-secret-key")).Do(ctx, http.MethodPost, tasksPattern, nil, body, nil)
		assert.True(t, hss.IsAuthError(err), "%v", err)
		assert.ErrorContains(t, err, "verify aksk signature fail")
	})

	key := sign.Key{AccessKey: testAK, SecretKey: testSK}
	t.Run("body changed after signing", func(t *testing.T) {
		req := signed(t, newRequest(t, srv, http.MethodPost, path, "", nil, []byte(`{"name":"a"}`)), key, clk.Now())
		req = newRequestLike(t, srv, req, []byte(`{"name":"b"}`))
		requireError(t, send(t, srv, req), http.StatusUnauthorized, "APIGW.0301",
			"Incorrect IAM authentication information: verify aksk signature fail")
	})

	t.Run("UNSIGNED-PAYLOAD", func(t *testing.T) {
		before := calls.Load()
		h := http.Header{sign.HeaderContentSHA256: {sign.UnsignedPayload}}
		req := signed(t, newRequest(t, srv, http.MethodPost, path, "", h, []byte(`{"name":"a"}`)), key, clk.Now())
		req = newRequestLike(t, srv, req, []byte(`{"name":"unsigned"}`))
		a := send(t, srv, req)
		require.Equal(t, http.StatusCreated, a.Status, "the body is not covered: %s", a.Body)
		var out createdTask
		require.NoError(t, json.Unmarshal(a.Body, &out))
		assert.Equal(t, "task-unsigned", out.TaskID, "and reaches the handler whole")
		assert.Equal(t, before+1, calls.Load())
	})
}

// newRequestLike copies req's method, URL and headers onto a new request
// carrying body, as a tampering proxy would.
func newRequestLike(t *testing.T, srv *hsstest.Server, req *http.Request, body []byte) *http.Request {
	t.Helper()
	out := newRequest(t, srv, req.Method, req.URL.EscapedPath(), req.URL.RawQuery, nil, body)
	out.Header = req.Header.Clone()
	return out
}

func TestHandleFuncQuota(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithSeed("task-1", 3),
		hsstest.WithQuota(hsstest.Quota{Limit: 2, Window: time.Minute}))
	var calls atomic.Int32
	srv.HandleFunc(http.MethodPost, tasksPattern, createTaskHandler(&calls))
	ctx := context.Background()

	// One quota for every route.
	decodePage(t, get(t, srv, "task-1", ""))
	raw := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()))
	_, err := raw.Do(ctx, http.MethodPost, tasksPattern, nil, map[string]string{"name": "a"}, nil)
	require.NoError(t, err)
	_, err = raw.Do(ctx, http.MethodPost, tasksPattern, nil, map[string]string{"name": "b"}, nil)
	require.True(t, hss.IsThrottled(err), "%v", err)
	assert.Equal(t, int32(1), calls.Load(), "a throttled call never reaches the handler")
	assert.Equal(t, 1, srv.Throttled())

	// A 429 is retried even for a POST: the gateway refused it. The client
	// waits for the window on the shared clock.
	var out createdTask
	_, err = srv.Client(t).Do(ctx, http.MethodPost, tasksPattern, nil, map[string]string{"name": "c"}, &out)
	require.NoError(t, err)
	assert.Equal(t, "task-c", out.TaskID)
	assert.Equal(t, int32(2), calls.Load(), "the handler ran once for the retried call")
	assert.Equal(t, []time.Duration{time.Minute}, clk.Sleeps(), "waited for the window that opened at t0")
	assert.Equal(t, []int{200, 201, 429, 429, 201}, statuses(srv))
}

func TestHandleFuncProject(t *testing.T) {
	srv := newServer(t)
	var calls, projects atomic.Int32
	srv.HandleFunc(http.MethodPost, tasksPattern, createTaskHandler(&calls))
	srv.HandleFunc(http.MethodGet, "/v3/projects", func(w http.ResponseWriter, _ *http.Request) {
		projects.Add(1)
		_, _ = io.WriteString(w, `{"projects":[]}`)
	})
	ctx := context.Background()

	other, err := hss.NewClient(srv.URL(), "ffffffffffffffffffffffffffffffff", hss.WithToken(srv.Token()),
		hss.WithHTTPClient(srv.HTTPClient()), hss.WithRetryPolicy(hss.NoRetries()))
	require.NoError(t, err)
	_, err = other.Do(ctx, http.MethodPost, tasksPattern, nil, map[string]string{"name": "x"}, nil)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusForbidden, apiErr.StatusCode)
	assert.Equal(t, "APIGW.0302", apiErr.Code)
	assert.Equal(t, "The IAM user is not authorized to access the API.", apiErr.Message)
	assert.True(t, hss.IsAuthError(err))
	assert.False(t, hss.IsNotFound(err))
	assert.Zero(t, calls.Load())

	// A pattern without {project_id} has no project to check.
	var out struct {
		Projects []string `json:"projects"`
	}
	_, err = other.Do(ctx, http.MethodGet, "/v3/projects", nil, nil, &out)
	require.NoError(t, err)
	assert.Equal(t, int32(1), projects.Load())
}
