package hss

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsskit/hss/internal/sigcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAK      = "QTWAOYTTINDUT2QVKYUC"
	testSK      = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
	testToken   = "sec-token-0123456789-SECRET"
	testProject = "0123456789abcdef0123456789abcdef"
)

// signedRequest is what the verifying server saw.
type signedRequest struct {
	path, query, sdkDate, securityToken, ak string
	err                                     error
}

// verifyingServer answers like HSS after checking every request with
// sigcheck.Verify, dated by clk. status, when set, picks the status of the
// n-th request (1-based); other requests get an empty page.
type verifyingServer struct {
	*httptest.Server
	mu     sync.Mutex
	seen   []signedRequest
	status func(n int) (int, http.Header)
}

func newVerifyingServer(t *testing.T, clk Clock, keys map[string]string) *verifyingServer {
	t.Helper()
	vs := &verifyingServer{}
	vs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ak, err := sigcheck.Verify(r, func(ak string) (string, bool) { sk, ok := keys[ak]; return sk, ok }, clk.Now(), 15*time.Minute)
		vs.mu.Lock()
		vs.seen = append(vs.seen, signedRequest{
			path: r.URL.EscapedPath(), query: r.URL.RawQuery, sdkDate: r.Header.Get("X-Sdk-Date"),
			securityToken: r.Header.Get("X-Security-Token"), ak: ak, err: err,
		})
		n := len(vs.seen)
		vs.mu.Unlock()
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error_code":"APIGW.0301","error_msg":"`+err.Error()+`"}`)
			return
		}
		if vs.status != nil {
			if code, h := vs.status(n); code != http.StatusOK {
				for k, v := range h {
					w.Header()[k] = v
				}
				w.WriteHeader(code)
				io.WriteString(w, `{"error_code":"APIGW.0613","error_msg":"busy"}`)
				return
			}
		}
		io.WriteString(w, `{"total_num":0,"data_list":[]}`)
	}))
	t.Cleanup(vs.Close)
	return vs
}

func (vs *verifyingServer) requests() []signedRequest {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return append([]signedRequest(nil), vs.seen...)
}

func TestAKSKRoundTrip(t *testing.T) {
	cases := []struct {
		name  string
		opt   Option
		token string
	}{
		{"permanent", WithAKSK(testAK, testSK), ""},
		{"temporary", WithTemporaryAKSK(testAK, testSK, testToken), testToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := newAuthClock(authEpoch)
			srv := newVerifyingServer(t, clk, map[string]string{testAK: testSK})
			client, err := NewClient(srv.URL, testProject, c.opt, WithClock(clk))
			require.NoError(t, err)

			resp, err := client.ListSyncTaskRegistries(context.Background(), "task-1", &ListSyncTaskRegistriesOptions{
				RegistryName: "my reg", RegistryTypes: []RegistryType{RegistryTypeSwrPrivate, RegistryTypeHarbor}, Limit: 20,
			})
			require.NoError(t, err)
			assert.Equal(t, 0, resp.TotalNum)

			seen := srv.requests()
			require.Len(t, seen, 1)
			require.NoError(t, seen[0].err)
			assert.Equal(t, testAK, seen[0].ak)
			assert.Equal(t, authEpoch.Format(sdkDateLayout), seen[0].sdkDate)
			assert.Equal(t, c.token, seen[0].securityToken)
		})
	}
}

// Task ids and filters that need escaping, and an endpoint with a path
// prefix, still verify on the server side.
func TestAKSKRoundTripEscapes(t *testing.T) {
	clk := newAuthClock(authEpoch)
	srv := newVerifyingServer(t, clk, map[string]string{testAK: testSK})
	client, err := NewClient(srv.URL+"/gw/hss%20x", testProject, WithAKSK(testAK, testSK), WithClock(clk))
	require.NoError(t, err)

	taskIDs := []string{"task-1", "任务-1", "a:b@c", "a/b", "a b+c", "~tilde_.-", "%41", "é", "semi;colon,comma=eq&amp"}
	names := []string{"", "my reg", "ü/x&y=z", "a+b", "*()!'", "名"}
	for _, id := range taskIDs {
		for _, name := range names {
			opts := &ListSyncTaskRegistriesOptions{RegistryName: name, Offset: 10, Limit: 10, SyncStatus: SyncStatusFailed}
			_, err := client.ListSyncTaskRegistries(context.Background(), id, opts)
			require.NoError(t, err, "task %q name %q", id, name)
		}
	}
	for _, r := range srv.requests() {
		require.NoError(t, r.err, r.path+"?"+r.query)
		assert.True(t, strings.HasPrefix(r.path, "/gw/hss%20x/v5/"), r.path)
	}
}

// A retried request is signed again with the clock's new time.
func TestAKSKRetryIsResigned(t *testing.T) {
	clk := newAuthClock(authEpoch)
	srv := newVerifyingServer(t, clk, map[string]string{testAK: testSK})
	srv.status = func(n int) (int, http.Header) {
		if n == 1 {
			return http.StatusServiceUnavailable, http.Header{"Retry-After": {"2"}}
		}
		return http.StatusOK, nil
	}
	client, err := NewClient(srv.URL, testProject, WithAKSK(testAK, testSK), WithClock(clk))
	require.NoError(t, err)
	_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)

	seen := srv.requests()
	require.Len(t, seen, 2)
	assert.NoError(t, seen[0].err)
	assert.NoError(t, seen[1].err)
	assert.Equal(t, authEpoch.Format(sdkDateLayout), seen[0].sdkDate)
	assert.Equal(t, authEpoch.Add(2*time.Second).Format(sdkDateLayout), seen[1].sdkDate)
}

// A signature dated by the wrong clock is refused: the round trips above
// show the Client's clock reached WithAKSK's credentials.
func TestAKSKWrongClockFails(t *testing.T) {
	clk := newAuthClock(authEpoch)
	srv := newVerifyingServer(t, clk, map[string]string{testAK: testSK})
	client, err := NewClient(srv.URL, testProject, WithAKSK(testAK, testSK), WithClock(newAuthClock(authEpoch.Add(time.Hour))), WithRetryPolicy(NoRetries()))
	require.NoError(t, err)
	_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.Error(t, err)
	assert.True(t, IsAuthError(err))
	assert.Contains(t, srv.requests()[0].err.Error(), "x-sdk-date")
}

// Credentials a caller built and passed in are never rebound to a Client's
// clock: one value may serve several Clients.
func TestAKSKUserCredentialsKeepWallClock(t *testing.T) {
	cr, err := NewAKSKCredentials(testAK, testSK, "")
	require.NoError(t, err)
	_, err = NewClient("https://hss.example.com", testProject, WithCredentials(cr), WithClock(newAuthClock(authEpoch)))
	require.NoError(t, err)
	assert.Equal(t, Clock(realClock{}), cr.(*akskCredentials).clock)

	req := httptest.NewRequest("GET", "https://hss.example.com/v5/p", nil)
	before := time.Now().UTC().Truncate(time.Second)
	require.NoError(t, cr.Authenticate(context.Background(), req))
	d, err := time.Parse(sdkDateLayout, req.Header.Get("X-Sdk-Date"))
	require.NoError(t, err)
	assert.False(t, d.Before(before), "X-Sdk-Date %s is before %s", d, before)
}

var authzRE = regexp.MustCompile(`^SDK-HMAC-SHA256 Access=` + testAK + `, SignedHeaders=([a-z;-]+), Signature=[0-9a-f]{64}$`)

func TestAKSKHeaders(t *testing.T) {
	clk := newAuthClock(authEpoch)
	for _, token := range []string{"", testToken} {
		cr, err := newAKSK(testAK, testSK, token, clk)
		require.NoError(t, err)
		req := httptest.NewRequest("GET", "https://hss.example.com/v5/p/x?b=1&a=2", nil)
		req.Header.Set("X-Project-Id", testProject)
		require.NoError(t, cr.Authenticate(context.Background(), req))

		m := authzRE.FindStringSubmatch(req.Header.Get("Authorization"))
		require.NotNil(t, m, req.Header.Get("Authorization"))
		want := "host;x-project-id;x-sdk-date"
		if token != "" {
			want += ";x-security-token"
		}
		assert.Equal(t, want, m[1])
		assert.Equal(t, "20310304T050607Z", req.Header.Get("X-Sdk-Date"))
		assert.Equal(t, token, req.Header.Get("X-Security-Token"))

		ak, err := sigcheck.Verify(req, func(string) (string, bool) { return testSK, true }, clk.Now(), time.Minute)
		require.NoError(t, err)
		assert.Equal(t, testAK, ak)
	}
}

// Without X-Project-Id, Host and X-Sdk-Date are still signed; the Host
// header wins over the URL's host.
func TestAKSKSignsHostHeader(t *testing.T) {
	clk := newAuthClock(authEpoch)
	cr, err := newAKSK(testAK, testSK, "", clk)
	require.NoError(t, err)
	req := &http.Request{Method: "GET", URL: mustParseURL(t, "https://10.0.0.1/v5/p"), Host: "hss.example.com", Header: http.Header{}}
	require.NoError(t, cr.Authenticate(context.Background(), req))
	assert.Contains(t, req.Header.Get("Authorization"), "SignedHeaders=host;x-sdk-date,")

	srvSide := httptest.NewRequest("GET", "https://hss.example.com/v5/p", nil)
	srvSide.Header = req.Header
	_, err = sigcheck.Verify(srvSide, func(string) (string, bool) { return testSK, true }, clk.Now(), time.Minute)
	require.NoError(t, err)
	srvSide.Host = "10.0.0.1"
	_, err = sigcheck.Verify(srvSide, func(string) (string, bool) { return testSK, true }, clk.Now(), time.Minute)
	require.Error(t, err)
}

func TestAKSKSignsBody(t *testing.T) {
	clk := newAuthClock(authEpoch)
	cr, err := newAKSK(testAK, testSK, "", clk)
	require.NoError(t, err)
	req, err := http.NewRequest("POST", "https://hss.example.com/v5/p/x", strings.NewReader(`{"k":"v"}`))
	require.NoError(t, err)
	require.NoError(t, cr.Authenticate(context.Background(), req))
	body, _ := io.ReadAll(req.Body) // the body is still whole for sending
	assert.Equal(t, `{"k":"v"}`, string(body))

	srvSide := httptest.NewRequest("POST", "https://hss.example.com/v5/p/x", strings.NewReader(`{"k":"v"}`))
	srvSide.Header = req.Header
	_, err = sigcheck.Verify(srvSide, func(string) (string, bool) { return testSK, true }, clk.Now(), time.Minute)
	require.NoError(t, err)

	// A body that cannot be read twice cannot be signed, and retrying
	// will not change that.
	req.GetBody = nil
	err = cr.Authenticate(context.Background(), req)
	var nr NonRetryableError
	require.ErrorAs(t, err, &nr)
	assert.True(t, nr.NonRetryable())
}

func TestAKSKBadRequests(t *testing.T) {
	cr, err := NewAKSKCredentials(testAK, testSK, "")
	require.NoError(t, err)
	require.Error(t, cr.Authenticate(context.Background(), nil))
	require.Error(t, cr.Authenticate(context.Background(), &http.Request{}))
	req := &http.Request{URL: mustParseURL(t, "https://h/x"), Header: http.Header{}}
	req.URL.RawQuery = "a=%zz"
	err = cr.Authenticate(context.Background(), req)
	var nr NonRetryableError
	require.ErrorAs(t, err, &nr)
	assert.Empty(t, req.Header.Get("Authorization"))
}

func TestAKSKValidation(t *testing.T) {
	long := strings.Repeat("A", 129)
	cases := []struct {
		name, ak, sk, token, field string
	}{
		{"empty ak", "", testSK, "", "ak"},
		{"long ak", long, testSK, "", "ak"},
		{"ak with space", "AK AK", testSK, "", "ak"},
		{"ak with comma", "AK,Signature=x", testSK, "", "ak"},
		{"empty sk", testAK, "", "", "sk"},
		{"long sk", testAK, strings.Repeat("s", 257), "", "sk"},
		{"sk with newline", testAK, testSK + "\n", "", "sk"},
		{"sk with trailing space", testAK, testSK + " ", "", "sk"},
		{"sk not utf-8", testAK, "\xff" + testSK, "", "sk"},
		{"token with CR", testAK, testSK, testToken + "\r\nX-Evil: 1", "X-Security-Token"},
		{"long token", testAK, testSK, strings.Repeat("t", maxTokenLen+1), "X-Security-Token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewAKSKCredentials(c.ak, c.sk, c.token)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.field, ve.Field)
			assertNoSecrets(t, err.Error(), c.sk, c.token)

			opt := WithTemporaryAKSK(c.ak, c.sk, c.token)
			if c.token == "" {
				opt = WithAKSK(c.ak, c.sk)
			}
			_, err = NewClient("https://hss.example.com", testProject, opt)
			require.ErrorAs(t, err, &ve)
			assertNoSecrets(t, err.Error(), c.sk, c.token)
		})
	}
	_, err := NewClient("https://hss.example.com", testProject, WithTemporaryAKSK(testAK, testSK, ""))
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "X-Security-Token", ve.Field)
}

// Signing allocates little: the header values and little else.
func TestAKSKAllocations(t *testing.T) {
	if authRaceEnabled {
		t.Skip("the race detector changes sync.Pool and allocation counts")
	}
	cr, err := newAKSK(testAK, testSK, testToken, newAuthClock(authEpoch))
	require.NoError(t, err)
	req := httptest.NewRequest("GET", "https://hss.cn-north-4.myhuaweicloud.com/v5/"+testProject+"/image/image-sync/tasks/task-1/registries?limit=200&offset=0&registry_name=my+reg&registry_type=SwrPrivate%2CHarbor", nil)
	req.Header.Set("X-Project-Id", testProject)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(200, func() {
		if err := cr.Authenticate(ctx, req); err != nil {
			t.Fatal(err)
		}
	})
	// The X-Sdk-Date and Authorization strings and the header values'
	// backing array.
	assert.LessOrEqual(t, allocs, 3.0)
}

func BenchmarkAKSKAuthenticate(b *testing.B) {
	cr, err := newAKSK(testAK, testSK, "", realClock{})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "https://hss.cn-north-4.myhuaweicloud.com/v5/"+testProject+"/image/image-sync/tasks/task-1/registries?limit=200&offset=0&registry_name=my+reg&registry_type=SwrPrivate%2CHarbor", nil)
	req.Header.Set("X-Project-Id", testProject)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := cr.Authenticate(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
