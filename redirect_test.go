// Redirects: those to the same host are followed and signed again; those to another host or from HTTPS to HTTP, loops and the caller's refusals end the call.
package hss_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

func TestSameHostRedirectSignedAgain(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithAKSK(signingAK, signingSK), hsstest.WithoutTokenAuth())
	defer srv.Close()
	for _, rt := range []struct{ method, from, to string }{
		{http.MethodGet, "/v5/{project_id}/old", "/v5/{project_id}/new"},
		{http.MethodPost, "/v5/{project_id}/old", "/v5/{project_id}/new"},
	} {
		require.NoError(t, srv.HandleFunc(rt.method, rt.from, func(w http.ResponseWriter, r *http.Request) {
			code := http.StatusFound
			if r.Method == http.MethodPost {
				code = http.StatusTemporaryRedirect // the body is sent again
			}
			http.Redirect(w, r, "/v5/"+r.PathValue("project_id")+"/new?page=2&sort=name", code)
		}))
		require.NoError(t, srv.HandleFunc(rt.method, rt.to, func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			_ = json.NewEncoder(w).Encode(map[string]string{"query": r.URL.RawQuery, "body": string(body)})
		}))
	}
	client := srv.Client(t, hss.WithAKSK(signingAK, signingSK))
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			before := len(srv.Requests())
			var body any
			if method == http.MethodPost {
				body = map[string]string{"name": "n"}
			}
			var out map[string]string
			resp, err := client.Do(context.Background(), method, "/v5/{project_id}/old", nil, body, &out)
			require.NoError(t, err, "the gateway accepted the signature of the new path")
			assert.Equal(t, "page=2&sort=name", out["query"])
			if method == http.MethodPost {
				assert.JSONEq(t, `{"name":"n"}`, out["body"])
			}
			assert.Equal(t, 1, resp.Attempts, "one attempt, redirect included")
			reqs := srv.Requests()[before:]
			require.Len(t, reqs, 2)
			for _, r := range reqs {
				assert.Empty(t, r.AuthError, "%s %s", r.Method, r.Path)
			}
		})
	}
}

// TestRedirectedAnswerNamesBothPaths: an error of an answer the Client got
// after a redirect names the path asked for and the path that answered.
func TestRedirectedAnswerNamesBothPaths(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	require.NoError(t, srv.HandleFunc(http.MethodGet, "/v5/{project_id}/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v5/"+r.PathValue("project_id")+"/gone?page=2", http.StatusFound)
	}))
	require.NoError(t, srv.HandleFunc(http.MethodGet, "/v5/{project_id}/garbled", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v5/"+r.PathValue("project_id")+"/text", http.StatusFound)
	}))
	require.NoError(t, srv.HandleFunc(http.MethodGet, "/v5/{project_id}/text", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "not json")
	}))
	client := srv.Client(t)
	old, gone := "/v5/"+srv.ProjectID()+"/old", "/v5/"+srv.ProjectID()+"/gone"
	_, err := client.Do(context.Background(), http.MethodGet, "/v5/{project_id}/old", nil, nil, nil)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, old, apiErr.Path)
	assert.Equal(t, gone, apiErr.RedirectedTo)
	assert.Contains(t, err.Error(), "GET "+old+" (redirected to "+gone+"): 404")

	var out map[string]any
	_, err = client.Do(context.Background(), http.MethodGet, "/v5/{project_id}/garbled", nil, nil, &out)
	var de *hss.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "/v5/"+srv.ProjectID()+"/text", de.RedirectedTo)
	assert.Contains(t, err.Error(), "/garbled (redirected to /v5/"+srv.ProjectID()+"/text)")
}

// TestRedirectToAnotherHostRefused: the client never follows a redirect to
// another host, and its error and logs name hosts only, never the
// Location's path or query.
func TestRedirectToAnotherHostRefused(t *testing.T) {
	const leak = "TOKENLIKE-9f8e7d6c5b4a"
	other, _ := newTestServer(t)
	srv, clk := newTestServer(t)
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, other.URL()+"/v5/"+leak+"/x?token="+leak+"&X-Auth-Token="+leak, http.StatusFound)
		return true
	})
	c, tr, logs := newTestClient(t, srv)
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.Error(t, err)
	var re *hss.RedirectError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, srv.URL(), re.From)
	assert.Equal(t, other.URL(), re.To)
	assert.False(t, re.Loop)
	assert.Contains(t, err.Error(), "refused redirect from "+srv.URL()+" to "+other.URL())
	for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), logs.String()} {
		assert.NotContains(t, out, leak)
	}
	assertNoSecret(t, err, srv.Token())
	assert.Empty(t, other.Requests(), "nothing reached the other host")
	assert.Equal(t, 1, tr.Calls(), "a refused redirect is not retried")
	assert.Empty(t, clk.Sleeps())
}

// TestRedirectHTTPSToHTTPRefused: a redirect that drops TLS is refused,
// even to the same host and port.
func TestRedirectHTTPSToHTTPRefused(t *testing.T) {
	clk := hsstest.NewClock(testEpoch)
	srv := hsstest.NewTLSServer(hsstest.WithClock(clk))
	t.Cleanup(srv.Close)
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, "http://"+strings.TrimPrefix(srv.URL(), "https://")+r.URL.RequestURI(), http.StatusMovedPermanently)
		return true
	})
	c, tr, _ := newTestClient(t, srv)
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	var re *hss.RedirectError
	require.ErrorAs(t, err, &re)
	assert.True(t, strings.HasPrefix(re.To, "http://"), re.To)
	assert.Equal(t, 1, tr.Calls())
}

// TestRedirectLoopIsFinal: a redirect loop ends after 10 redirects with a
// *RedirectError, and is not retried (10 requests, not 40).
func TestRedirectLoopIsFinal(t *testing.T) {
	srv, clk := newTestServer(t)
	var hits atomic.Int64
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		hits.Add(1)
		http.Redirect(w, r, r.URL.RequestURI(), http.StatusFound)
		return true
	})
	c, tr, _ := newTestClient(t, srv)
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	var re *hss.RedirectError
	require.ErrorAs(t, err, &re)
	assert.True(t, re.Loop)
	assert.Contains(t, err.Error(), "more than 10 redirects")
	var at *hss.AttemptsError
	assert.False(t, errors.As(err, &at), "a loop is final")
	assert.Equal(t, int64(10), hits.Load())
	assert.Equal(t, 10, tr.Calls(), "one attempt of 10 hops: the transport sees each hop")
	assert.Empty(t, clk.Sleeps())
	assert.Equal(t, 1, countOps(err.Error()))
}

func TestRedirectSameHostFollowed(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 2))
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		if p, ok := strings.CutPrefix(r.URL.Path, "/old"); ok {
			http.Redirect(w, r, p+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
			return true
		}
		return false
	})
	tr := &countingTransport{next: srv.HTTPClient().Transport}
	c, err := hss.NewClient(srv.URL()+"/old", srv.ProjectID(), hss.WithToken(srv.Token()), hss.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	resp, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.NoError(t, err)
	assert.Len(t, resp.DataList, 2)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, hsstest.AuthToken, reqs[1].Auth, "the token went along to the same host")
}

// TestCallerRedirectPolicyRefusalIsFinal: a redirect the caller's own
// CheckRedirect refuses is a refused redirect: it is not retried.
func TestCallerRedirectPolicyRefusalIsFinal(t *testing.T) {
	srv, clk := newTestServer(t)
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
		return true
	})
	errNoRedirects := errors.New("this program follows no redirects")
	tr := &countingTransport{next: srv.HTTPClient().Transport}
	hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return errNoRedirects }}
	c := srv.Client(t, hss.WithHTTPClient(hc))
	_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
	require.ErrorIs(t, err, errNoRedirects)
	assert.Equal(t, 1, tr.Calls(), "a refused redirect is not retried")
	assert.Empty(t, clk.Sleeps())
}
