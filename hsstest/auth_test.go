// The gateway's authentication: tokens, AK/SK signatures checked on the server's clock, and WithoutTokenAuth.
package hsstest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/sign"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenAuth(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("task-1", 3))
	path := regPath(srv.ProjectID(), "task-1")

	requireError(t, do(t, srv, http.MethodGet, path, "", nil), http.StatusUnauthorized, "APIGW.0301",
		"Incorrect IAM authentication information: x-auth-token not found")
	requireError(t, do(t, srv, http.MethodGet, path, "", http.Header{"Authorization": {"Bearer " + srv.Token()}}),
		http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: x-auth-token not found")
	requireError(t, do(t, srv, http.MethodGet, path, "", http.Header{"X-Auth-Token": {"wrong"}}),
		http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: decrypt token fail")
	requireError(t, do(t, srv, http.MethodGet, path, "", http.Header{"X-Auth-Token": {srv.Token() + "x"}}),
		http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: decrypt token fail")
	decodePage(t, do(t, srv, http.MethodGet, path, "", tokenHeader(srv)))

	reqs := srv.Requests()
	require.Len(t, reqs, 5)
	assert.Equal(t, []hsstest.AuthKind{hsstest.AuthNone, hsstest.AuthNone, hsstest.AuthToken, hsstest.AuthToken, hsstest.AuthToken},
		[]hsstest.AuthKind{reqs[0].Auth, reqs[1].Auth, reqs[2].Auth, reqs[3].Auth, reqs[4].Auth})
	assert.NotEmpty(t, reqs[0].AuthError)
	assert.NotEmpty(t, reqs[2].AuthError)
	assert.Empty(t, reqs[4].AuthError)

	client := srv.Client(t, hss.WithToken("not-the-token"))
	_, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	assert.True(t, hss.IsAuthError(err), "%v", err)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "APIGW.0301", apiErr.Code)
	assert.Len(t, srv.Requests(), 6, "an authentication error is not retried")
}

// akskServer accepts token, the permanent test key and the temporary one,
// on a fake clock.
func akskServer(t *testing.T, opts ...hsstest.Option) (*hsstest.Server, *hsstest.Clock) {
	t.Helper()
	clk := hsstest.NewClock(t0)
	srv := newServer(t, append([]hsstest.Option{hsstest.WithAKSK(testAK, testSK), hsstest.WithTemporaryAKSK(tempAK, tempSK, tempToken),
		hsstest.WithClock(clk), hsstest.WithSeed("task-1", 12)}, opts...)...)
	return srv, clk
}

// signedGet lists task-1 with a request signed with key as of at.
func signedGet(t *testing.T, srv *hsstest.Server, key sign.Key, at time.Time, rawQuery string) answer {
	t.Helper()
	req := newRequest(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), rawQuery, nil, nil)
	return send(t, srv, signed(t, req, key, at))
}

func TestAKSKAccepted(t *testing.T) {
	srv, clk := akskServer(t)
	key := sign.Key{AccessKey: testAK, SecretKey: testSK}

	total, _ := decodeInfos(t, signedGet(t, srv, key, clk.Now(), "limit=10&registry_type=Harbor%2CJfrog"))
	assert.Equal(t, 4, total)
	// X-Sdk-Date up to 15 minutes off the server's clock is accepted.
	decodePage(t, signedGet(t, srv, key, clk.Now().Add(-15*time.Minute), ""))
	decodePage(t, signedGet(t, srv, key, clk.Now().Add(15*time.Minute), ""))
	decodePage(t, signedGet(t, srv, sign.Key{AccessKey: tempAK, SecretKey: tempSK, SecurityToken: tempToken}, clk.Now(), ""))

	for _, r := range srv.Requests() {
		assert.Equal(t, hsstest.AuthAKSK, r.Auth)
		assert.Equal(t, http.StatusOK, r.Status)
		assert.Empty(t, r.AuthError)
	}
	assert.Equal(t, testAK, srv.Requests()[0].AK)
	assert.Equal(t, tempAK, srv.Requests()[3].AK)

	// Through the SDK, which signs on the shared clock.
	for _, opt := range []hss.Option{hss.WithAKSK(testAK, testSK), hss.WithTemporaryAKSK(tempAK, tempSK, tempToken)} {
		resp, err := srv.Client(t, opt).ListSyncTaskRegistries(context.Background(), "task-1",
			&hss.ListSyncTaskRegistriesOptions{RegistryName: "harbor-004", RegistryTypes: []hss.RegistryType{hss.RegistryTypeHarbor}})
		require.NoError(t, err)
		assert.Equal(t, 1, resp.TotalNum)
	}
}

func TestAKSKRejected(t *testing.T) {
	srv, clk := akskServer(t)
	now := clk.Now()
	cases := []struct {
		name string
		key  sign.Key
		at   time.Time
	}{
		{"wrong SK", sign.Key{AccessKey: testAK, SecretKey: "wrong-secret"}, now},
		{"unknown AK", sign.Key{AccessKey: "UNKNOWNAK", SecretKey: testSK}, now},
		{"X-Sdk-Date 16 minutes old", sign.Key{AccessKey: testAK, SecretKey: testSK}, now.Add(-16 * time.Minute)},
		{"X-Sdk-Date 16 minutes ahead", sign.Key{AccessKey: testAK, SecretKey: testSK}, now.Add(16 * time.Minute)},
		{"temporary AK without security token", sign.Key{AccessKey: tempAK, SecretKey: tempSK}, now},
		{"temporary AK with wrong security token", sign.Key{AccessKey: tempAK, SecretKey: tempSK, SecurityToken: "wrong-token"}, now},
		{"permanent SK used with the temporary AK", sign.Key{AccessKey: tempAK, SecretKey: testSK, SecurityToken: tempToken}, now},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := "Incorrect IAM authentication information: verify aksk signature fail"
			if !tc.at.Equal(now) {
				want = "Incorrect IAM authentication information: signature expired, signature time:" +
					tc.at.UTC().Format(sign.DateFormat) + ",server time:" + now.UTC().Format(sign.DateFormat)
			}
			requireError(t, signedGet(t, srv, tc.key, tc.at, ""), http.StatusUnauthorized, "APIGW.0301", want)
			r := srv.Requests()[i]
			assert.Equal(t, hsstest.AuthAKSK, r.Auth)
			assert.Equal(t, tc.key.AccessKey, r.AK, "the claimed AK is logged")
			assert.NotEmpty(t, r.AuthError)
		})
	}

	t.Run("query changed after signing", func(t *testing.T) {
		req := signed(t, newRequest(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "limit=10", nil, nil),
			sign.Key{AccessKey: testAK, SecretKey: testSK}, now)
		req.URL.RawQuery = "limit=200"
		requireError(t, send(t, srv, req), http.StatusUnauthorized, "APIGW.0301", "")
	})

	t.Run("through the SDK", func(t *testing.T) {
		_, err := srv.Client(t, hss.WithAKSK(testAK, "wrong-secret")).ListSyncTaskRegistries(context.Background(), "task-1", nil)
		assert.True(t, hss.IsAuthError(err), "%v", err)
		assert.ErrorContains(t, err, "verify aksk signature fail")
	})
}

// The X-Sdk-Date window is measured on the server's clock.
func TestAKSKUsesServerClock(t *testing.T) {
	srv, clk := akskServer(t)
	key := sign.Key{AccessKey: testAK, SecretKey: testSK}
	date := clk.Now()
	decodePage(t, signedGet(t, srv, key, date, ""))
	clk.Advance(16 * time.Minute) // the same date is now too old
	requireError(t, signedGet(t, srv, key, date, ""), http.StatusUnauthorized, "APIGW.0301", "")
	decodePage(t, signedGet(t, srv, key, clk.Now(), ""))
}

// The verifier reads the path as the gateway does: decoded, then split at
// '/', so an escaped slash is signed as a slash. The SDK's signer does the
// same; one that signed the escaped form would be refused here.
func TestAKSKDecodedPath(t *testing.T) {
	srv, clk := akskServer(t)
	srv.Seed("a/b", 4)
	srv.Seed("a b+c", 2)
	key := sign.Key{AccessKey: testAK, SecretKey: testSK}
	for _, tc := range []struct {
		task string
		want int
	}{{"a/b", 4}, {"a b+c", 2}} {
		task, want := tc.task, tc.want
		req := newRequest(t, srv, http.MethodGet, regPath(srv.ProjectID(), task), "registry_name=x%20y", nil, nil)
		total, _ := decodeInfos(t, send(t, srv, signed(t, req, key, clk.Now())))
		assert.Equal(t, 0, total, "the name filter matches nothing, but the task was found")
		req = newRequest(t, srv, http.MethodGet, regPath(srv.ProjectID(), task), "", nil, nil)
		total, _ = decodeInfos(t, send(t, srv, signed(t, req, key, clk.Now())))
		assert.Equal(t, want, total, task)
	}
	assert.Contains(t, srv.Requests()[0].Path, "/a%2Fb/", "sent escaped")
}

// With X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD the body is left out of the
// signature; the header's value is what was signed instead.
func TestAKSKUnsignedPayload(t *testing.T) {
	srv, clk := akskServer(t)
	key := sign.Key{AccessKey: testAK, SecretKey: testSK}
	h := http.Header{sign.HeaderContentSHA256: {sign.UnsignedPayload}}
	req := newRequest(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", h, nil)
	decodePage(t, send(t, srv, signed(t, req, key, clk.Now())))

	// Changing the header after signing breaks the signature.
	req = signed(t, newRequest(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", h, nil), key, clk.Now())
	req.Header.Set(sign.HeaderContentSHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	requireError(t, send(t, srv, req), http.StatusUnauthorized, "APIGW.0301", "")
}

func TestWithoutTokenAuth(t *testing.T) {
	srv, clk := akskServer(t, hsstest.WithoutTokenAuth())

	a := get(t, srv, "task-1", "")
	requireError(t, a, http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: decrypt token fail")
	rec := srv.Requests()[0]
	assert.Equal(t, hsstest.AuthToken, rec.Auth)
	assert.Contains(t, rec.AuthError, "WithoutTokenAuth")

	_, err := srv.Client(t).ListSyncTaskRegistries(context.Background(), "task-1", nil)
	assert.True(t, hss.IsAuthError(err), "the server's own token is refused too: %v", err)

	decodePage(t, signedGet(t, srv, sign.Key{AccessKey: testAK, SecretKey: testSK}, clk.Now(), ""))
	resp, err := srv.Client(t, hss.WithAKSK(testAK, testSK)).ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err, "signed requests pass")
	assert.Equal(t, 12, resp.TotalNum)
}
