// Redirects: those to the same host are followed, and signed again for the
// new method, path and query when the Client signs; the others are refused.
package hss_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

const (
	redirectAK = "REDIRECTAKEXAMPLE123"
	redirectSK = "redirect-secret-key-0123456789"
)

func TestSameHostRedirectSignedAgain(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithAKSK(redirectAK, redirectSK), hsstest.WithoutTokenAuth())
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
	client := srv.Client(t, hss.WithAKSK(redirectAK, redirectSK))
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

// TestRedirectedAnswerNamesTheNewPath: an error of an answer the Client got
// after a redirect names the path that answered.
func TestRedirectedAnswerNamesTheNewPath(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	require.NoError(t, srv.HandleFunc(http.MethodGet, "/v5/{project_id}/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v5/"+r.PathValue("project_id")+"/gone", http.StatusFound)
	}))
	_, err := srv.Client(t).Do(context.Background(), http.MethodGet, "/v5/{project_id}/old", nil, nil, nil)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "/v5/"+srv.ProjectID()+"/gone", apiErr.Path)
}
