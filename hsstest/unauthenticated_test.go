// Unauthenticated routes: answered without the gateway's credentials, project and quota checks, so one server fakes IAM too.
package hsstest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/sign"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The IAM user the token tests log in as.
const (
	iamDomain   = "my-domain"
	iamUser     = "hss-reader"
	iamPassword = "iam-Passw0rd-SECRET"
)

// passwordLogin is the part of IAM's POST /v3/auth/tokens body the fake
// IAM checks.
type passwordLogin struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password struct {
				User struct {
					Name     string `json:"name"`
					Password string `json:"password"`
					Domain   struct {
						Name string `json:"name"`
					} `json:"domain"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope struct {
			Project struct {
				ID string `json:"id"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

// fakeIAM answers a password login for the test's user with srv's token,
// valid for a day on clk, as IAM does (201, X-Subject-Token,
// token.expires_at), and counts its logins.
func fakeIAM(srv *hsstest.Server, clk *hsstest.Clock, logins *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in passwordLogin
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		u := in.Auth.Identity.Password.User
		if u.Domain.Name != iamDomain || u.Name != iamUser || u.Password != iamPassword ||
			in.Auth.Scope.Project.ID != srv.ProjectID() {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`)
			return
		}
		logins.Add(1)
		w.Header().Set("X-Subject-Token", srv.Token())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"token":{"expires_at":"`+clk.Now().Add(24*time.Hour).Format(time.RFC3339Nano)+`"}}`)
	}
}

// passwordSource is a TokenSource that logs in at srv's IAM route.
func passwordSource(t *testing.T, srv *hsstest.Server, clk *hsstest.Clock, password string) *credentials.TokenSource {
	t.Helper()
	ts, err := credentials.NewPasswordTokenSource(credentials.PasswordConfig{
		DomainName: iamDomain, UserName: iamUser, Password: password, ProjectID: srv.ProjectID(),
		IAMEndpoint: srv.URL(), HTTPClient: srv.HTTPClient(), Now: clk.Now,
	})
	require.NoError(t, err)
	return ts
}

// A password token source and the client using its token talk to one
// server: IAM's route needs no credentials, the HSS call needs the token
// IAM gave.
func TestUnauthenticatedRouteFakesIAM(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithSeed("task-1", 25))
	var logins atomic.Int32
	require.NoError(t, srv.HandleFunc(http.MethodPost, "/v3/auth/tokens", fakeIAM(srv, clk, &logins), hsstest.Unauthenticated()))

	client := srv.Client(t, hss.WithCredentials(passwordSource(t, srv, clk, iamPassword)))
	for range 2 {
		resp, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
		require.NoError(t, err)
		assert.Equal(t, 25, resp.TotalNum)
	}
	assert.Equal(t, int32(1), logins.Load(), "the token is cached")

	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, hsstest.RecordedRequest{
		Time: t0, Method: http.MethodPost, Path: "/v3/auth/tokens", Query: "nocatalog=true",
		Auth: hsstest.AuthNone, Status: http.StatusCreated, RequestID: reqs[0].RequestID,
	}, reqs[0], "no credentials needed, none refused")
	for _, r := range reqs[1:] {
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Equal(t, hsstest.AuthToken, r.Auth, "the HSS call carries IAM's token")
		assert.Equal(t, http.StatusOK, r.Status)
	}

	// The handler still decides: a wrong password is its 401, which the
	// client reports as a credentials error before any HSS call.
	before := len(srv.Requests())
	_, err := srv.Client(t, hss.WithCredentials(passwordSource(t, srv, clk, "wrong-password"))).
		ListSyncTaskRegistries(context.Background(), "task-1", nil)
	var credErr *credentials.Error
	require.ErrorAs(t, err, &credErr)
	assert.NotContains(t, err.Error(), "wrong-password")
	for _, r := range srv.Requests()[before:] {
		assert.Equal(t, "/v3/auth/tokens", r.Path, "no HSS call without a token")
	}
}

// Without Unauthenticated the same route is behind the gateway: IAM's
// login, which carries no credentials, gets 401 APIGW.0301.
func TestAuthenticatedRouteRefusesIAMLogin(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithSeed("task-1", 1))
	var logins atomic.Int32
	require.NoError(t, srv.HandleFunc(http.MethodPost, "/v3/auth/tokens", fakeIAM(srv, clk, &logins)))

	_, err := passwordSource(t, srv, clk, iamPassword).Token(context.Background())
	require.Error(t, err)
	assert.Zero(t, logins.Load())
	require.NotEmpty(t, srv.Requests())
	assert.Equal(t, http.StatusUnauthorized, srv.Requests()[0].Status)
}

// An unauthenticated route skips authentication, the project check and
// the quota, and nothing else: routing, latency, the hook and queued
// faults apply as to any request.
func TestUnauthenticatedRouteSkipsGatewayChecks(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithSeed("task-1", 1), hsstest.WithThrottle(1, time.Minute))
	var calls atomic.Int32
	handler := func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = io.WriteString(w, r.PathValue("project_id"))
	}
	require.NoError(t, srv.HandleFunc(http.MethodGet, "/v3/{project_id}/open", handler, hsstest.Unauthenticated()))
	require.NoError(t, srv.HandleFunc(http.MethodGet, "/v3/{project_id}/closed", handler))
	require.NoError(t, srv.HandleFunc(http.MethodGet, "/v3/nil-option", handler, nil), "a nil option is skipped")

	badSigned := newRequest(t, srv, http.MethodGet, "/v3/other-project/open", "", nil, nil)
	signed(t, badSigned, sign.Key{AccessKey: testAK, SecretKey: testSK}, t0) // an AK the server does not know
	for _, req := range []*http.Request{
		newRequest(t, srv, http.MethodGet, "/v3/"+srv.ProjectID()+"/open", "", nil, nil),                              // no credentials
		newRequest(t, srv, http.MethodGet, "/v3/other-project/open", "", http.Header{"X-Auth-Token": {"wrong"}}, nil), // a wrong token, another project
		badSigned, // a signature nobody checks
	} {
		a := send(t, srv, req)
		assert.Equal(t, http.StatusOK, a.Status, "body: %s", a.Body)
		assert.NotEmpty(t, a.Header.Get("X-Request-Id"))
	}
	assert.Equal(t, int32(3), calls.Load())
	for _, r := range srv.Requests() {
		assert.Empty(t, r.AuthError, "credentials were never checked")
	}

	// The quota saw none of them: the one call it allows a minute is left
	// for the HSS call.
	decodePage(t, get(t, srv, "task-1", ""))
	assert.Zero(t, srv.Throttled())

	// The same handler behind the gateway: refused without credentials,
	// then throttled with them.
	requireError(t, do(t, srv, http.MethodGet, "/v3/"+srv.ProjectID()+"/closed", "", nil), http.StatusUnauthorized, "APIGW.0301", "")
	requireError(t, do(t, srv, http.MethodGet, "/v3/"+srv.ProjectID()+"/closed", "", tokenHeader(srv)), http.StatusTooManyRequests, "APIGW.0308", "")

	// Routing still applies: another method is 404 before anything else.
	requireError(t, do(t, srv, http.MethodPost, "/v3/"+srv.ProjectID()+"/open", "", nil), http.StatusNotFound, "APIGW.0101", "")

	// Faults apply to it like to any request.
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0613", "busy")
	requireError(t, do(t, srv, http.MethodGet, "/v3/p/open", "", nil), http.StatusServiceUnavailable, "APIGW.0613", "busy")
	assert.Equal(t, int32(3), calls.Load())
	assert.Equal(t, http.StatusOK, do(t, srv, http.MethodGet, "/v3/p/open", "", nil).Status)
}
