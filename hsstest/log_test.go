package hsstest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestLogFields(t *testing.T) {
	clk := newFakeClock()
	srv := newServer(t, hsstest.WithNow(clk.Now), hsstest.WithSeed("a/b", 3))
	_, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "a/b", &hss.ListSyncTaskRegistriesOptions{Limit: 20})
	require.NoError(t, err)

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, clk.Now(), r.Time)
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "/v5/"+srv.ProjectID()+"/image/image-sync/tasks/a%2Fb/registries", r.Path)
	assert.Equal(t, "limit=20", r.Query)
	assert.Equal(t, hsstest.AuthToken, r.Auth)
	assert.Empty(t, r.AK)
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Regexp(t, requestIDPattern, r.RequestID)
	assert.Equal(t, hsstest.FaultNone, r.Fault)

	// Requests returns a copy.
	reqs[0].Method = "CHANGED"
	assert.Equal(t, http.MethodGet, srv.Requests()[0].Method)
}

func TestRequestLogHoldsNoSecrets(t *testing.T) {
	const token = "MIIsecret-token-value-1234567890"
	clk := newFakeClock()
	srv := newServer(t, hsstest.WithToken(token), hsstest.WithAKSK(testAK, testSK),
		hsstest.WithTemporaryAKSK(tempAK, tempSK, tempToken), hsstest.WithNow(clk.Now), hsstest.WithSeed("task-1", 3))

	var signatures []string
	send := func(ak, sk, secTok string) {
		req, err := http.NewRequest(http.MethodGet, srv.URL()+regPath(srv.ProjectID(), "task-1"), nil)
		require.NoError(t, err)
		signRequest(req, ak, sk, clk.Now(), secTok)
		auth := req.Header.Get("Authorization")
		signatures = append(signatures, auth[strings.LastIndex(auth, "=")+1:])
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	send(testAK, testSK, "")
	send(tempAK, tempSK, tempToken)
	send(tempAK, tempSK, "")
	send(testAK, "a-wrong-secret-key-value", "")
	decodePage(t, do(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", http.Header{"X-Auth-Token": {token}}))
	do(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", http.Header{"X-Auth-Token": {"wrong-token-value-987654321"}})
	srv.FailNext(1, 500, "X", "y")
	do(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", http.Header{"X-Auth-Token": {token}})

	reqs := srv.Requests()
	require.Len(t, reqs, 7)
	dump := fmt.Sprintf("%+v %#v", reqs, reqs)
	for _, secret := range append([]string{token, testSK, tempSK, tempToken, "a-wrong-secret-key-value", "wrong-token-value-987654321"}, signatures...) {
		assert.NotContains(t, dump, secret)
	}
	assert.Contains(t, dump, testAK, "the AK is public and logged")
	assert.Equal(t, []hsstest.AuthKind{"aksk", "aksk", "aksk", "aksk", "token", "token", "token"},
		[]hsstest.AuthKind{reqs[0].Auth, reqs[1].Auth, reqs[2].Auth, reqs[3].Auth, reqs[4].Auth, reqs[5].Auth, reqs[6].Auth})
}
