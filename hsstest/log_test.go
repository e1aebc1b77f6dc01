// The request log: its fields, no secrets in it, and a bounded AK.
package hsstest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/sign"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestLogFields(t *testing.T) {
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithClock(clk), hsstest.WithSeed("task 1", 3))
	_, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "task 1", &hss.ListSyncTaskRegistriesOptions{Limit: 20})
	require.NoError(t, err)

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, t0, r.Time)
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "/v5/"+srv.ProjectID()+"/image/image-sync/tasks/task%201/registries", r.Path)
	assert.Equal(t, "limit=20", r.Query)
	assert.Equal(t, hsstest.AuthToken, r.Auth)
	assert.Empty(t, r.AK)
	assert.Empty(t, r.AuthError)
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Regexp(t, requestIDPattern, r.RequestID)
	assert.Equal(t, hsstest.FaultNone, r.Fault)

	// Requests returns a copy.
	reqs[0].Method = "CHANGED"
	assert.Equal(t, http.MethodGet, srv.Requests()[0].Method)
}

func TestRequestLogHoldsNoSecrets(t *testing.T) {
	const token = "MIIsecret-token-value-1234567890"
	clk := hsstest.NewClock(t0)
	srv := newServer(t, hsstest.WithToken(token), hsstest.WithAKSK(testAK, testSK),
		hsstest.WithTemporaryAKSK(tempAK, tempSK, tempToken), hsstest.WithClock(clk), hsstest.WithSeed("task-1", 3))

	var signatures []string
	sendSigned := func(key sign.Key) {
		req := signed(t, newRequest(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", nil, nil), key, clk.Now())
		auth := req.Header.Get("Authorization")
		signatures = append(signatures, auth[strings.LastIndex(auth, "=")+1:])
		send(t, srv, req)
	}
	sendSigned(sign.Key{AccessKey: testAK, SecretKey: testSK})
	sendSigned(sign.Key{AccessKey: tempAK, SecretKey: tempSK, SecurityToken: tempToken})
	sendSigned(sign.Key{AccessKey: tempAK, SecretKey: tempSK})
	sendSigned(sign.Key{AccessKey: testAK, SecretKey: "a-wrong-secret-key-value"})
	sendSigned(sign.Key{AccessKey: tempAK, SecretKey: tempSK, SecurityToken: "a-wrong-security-token"})
	decodePage(t, do(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", http.Header{"X-Auth-Token": {token}}))
	do(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", http.Header{"X-Auth-Token": {"wrong-token-value-987654321"}})
	srv.FailNext(1, 500, "X", "y")
	do(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", http.Header{"X-Auth-Token": {token}})
	// A malformed Authorization header that quotes a secret.
	do(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", http.Header{
		"Authorization": {"SDK-HMAC-SHA256 Access=" + testAK + ", Signature=" + testSK},
		"X-Sdk-Date":    {"20250101T000000Z"},
	})

	reqs := srv.Requests()
	require.Len(t, reqs, 9)
	js, err := json.Marshal(reqs)
	require.NoError(t, err)
	dump := fmt.Sprintf("%+v %#v %s", reqs, reqs, js)
	secrets := append([]string{token, testSK, tempSK, tempToken, "a-wrong-secret-key-value", "a-wrong-security-token",
		"wrong-token-value-987654321"}, signatures...)
	for _, secret := range secrets {
		assert.NotContains(t, dump, secret)
	}
	assert.Contains(t, dump, testAK, "the AK is public and logged")
	assert.Equal(t, []hsstest.AuthKind{"aksk", "aksk", "aksk", "aksk", "aksk", "token", "token", "token", "aksk"},
		[]hsstest.AuthKind{reqs[0].Auth, reqs[1].Auth, reqs[2].Auth, reqs[3].Auth, reqs[4].Auth, reqs[5].Auth, reqs[6].Auth, reqs[7].Auth, reqs[8].Auth})
	assert.Equal(t, []int{200, 200, 401, 401, 401, 200, 401, 500, 401}, statuses(srv))
	for _, i := range []int{2, 3, 4, 6, 8} {
		assert.NotEmpty(t, reqs[i].AuthError, "request %d says why it was refused", i)
	}
}

// An overlong claimed AK is not copied into the log.
func TestRequestLogBoundsAK(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 1))
	long := strings.Repeat("A", 129)
	do(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", http.Header{
		"Authorization": {"SDK-HMAC-SHA256 Access=" + long + ", SignedHeaders=x-sdk-date, Signature=00"},
	})
	r := srv.Requests()[0]
	assert.Equal(t, hsstest.AuthAKSK, r.Auth)
	assert.Empty(t, r.AK)
	assert.Equal(t, http.StatusUnauthorized, r.Status)
}
