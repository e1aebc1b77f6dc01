package hss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsskit/hss/internal/sigcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// metadataServer plays the ECS metadata service: the n-th fetch hands out
// TMPAKn / tmp-sk-secret-n / tmp-token-secret-n, valid for ttl from clk's
// time. fail, when set, answers instead for the fetches it returns true on.
type metadataServer struct {
	*httptest.Server
	hits    atomic.Int32
	clk     *authClock
	ttl     time.Duration
	gate    chan struct{} // when non-nil, each fetch waits for it to close
	arrived chan struct{} // gets a value as each fetch arrives
	fail    func(n int, w http.ResponseWriter) bool
}

func newMetadataServer(t *testing.T, clk *authClock, ttl time.Duration) *metadataServer {
	t.Helper()
	ms := &metadataServer{clk: clk, ttl: ttl, arrived: make(chan struct{}, 100)}
	ms.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(ms.hits.Add(1))
		if r.Method != http.MethodGet || r.URL.Path != "/openstack/latest/securitykey" {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusTeapot)
			return
		}
		select {
		case ms.arrived <- struct{}{}:
		default:
		}
		if ms.gate != nil {
			<-ms.gate
		}
		if ms.fail != nil && ms.fail(n, w) {
			return
		}
		fmt.Fprintf(w, `{"credential":{"access":"TMPAK%d","secret":"tmp-sk-secret-%d","securitytoken":"tmp-token-secret-%d","expires_at":%q}}`,
			n, n, n, clk.Now().Add(ms.ttl).Format(time.RFC3339Nano))
	}))
	t.Cleanup(ms.Close)
	return ms
}

func (ms *metadataServer) url() string { return ms.URL + "/openstack/latest/securitykey" }

// metadataKeys resolves every TMPAKn the server may have handed out.
func metadataKeys(ak string) (string, bool) {
	var n int
	if _, err := fmt.Sscanf(ak, "TMPAK%d", &n); err != nil {
		return "", false
	}
	return fmt.Sprintf("tmp-sk-secret-%d", n), true
}

// signWith authenticates a request and returns the AK it was signed with,
// after checking the signature and the security token.
func signWith(t *testing.T, cr Credentials, clk Clock) string {
	t.Helper()
	req := httptest.NewRequest("GET", "https://hss.example.com/v5/p/x", nil)
	require.NoError(t, cr.Authenticate(context.Background(), req))
	ak, err := sigcheck.Verify(req, metadataKeys, clk.Now(), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, "tmp-token-secret-"+strings.TrimPrefix(ak, "TMPAK"), req.Header.Get("X-Security-Token"))
	return ak
}

func TestMetadataCachesAndRefreshesBeforeExpiry(t *testing.T) {
	clk := newAuthClock(authEpoch)
	ms := newMetadataServer(t, clk, time.Hour)
	m := newMetadataCredentials(ms.url(), nil, clk)

	assert.Equal(t, "TMPAK1", signWith(t, m, clk))
	assert.Equal(t, "TMPAK1", signWith(t, m, clk))
	clk.advance(44 * time.Minute) // 16 minutes left: still cached
	assert.Equal(t, "TMPAK1", signWith(t, m, clk))
	assert.EqualValues(t, 1, ms.hits.Load())

	clk.advance(2 * time.Minute) // 14 minutes left: inside the refresh window
	assert.Equal(t, "TMPAK2", signWith(t, m, clk))
	assert.Equal(t, "TMPAK2", signWith(t, m, clk))
	assert.EqualValues(t, 2, ms.hits.Load())
}

// Short-lived keys are refreshed halfway through their life, not on every call.
func TestMetadataShortLivedKeys(t *testing.T) {
	clk := newAuthClock(authEpoch)
	ms := newMetadataServer(t, clk, 10*time.Minute)
	m := newMetadataCredentials(ms.url(), nil, clk)
	assert.Equal(t, "TMPAK1", signWith(t, m, clk))
	clk.advance(4 * time.Minute)
	assert.Equal(t, "TMPAK1", signWith(t, m, clk))
	clk.advance(2 * time.Minute)
	assert.Equal(t, "TMPAK2", signWith(t, m, clk))
}

// A failed refresh keeps the old keys while they are valid, and fails
// once they have expired.
func TestMetadataRefreshFailure(t *testing.T) {
	clk := newAuthClock(authEpoch)
	ms := newMetadataServer(t, clk, time.Hour)
	ms.fail = func(n int, w http.ResponseWriter) bool {
		if n == 1 {
			return false
		}
		w.WriteHeader(http.StatusInternalServerError)
		return true
	}
	m := newMetadataCredentials(ms.url(), nil, clk)
	assert.Equal(t, "TMPAK1", signWith(t, m, clk))

	clk.advance(50 * time.Minute)
	assert.Equal(t, "TMPAK1", signWith(t, m, clk))
	assert.EqualValues(t, 2, ms.hits.Load())

	clk.advance(10 * time.Minute) // expired now
	err := m.Authenticate(context.Background(), httptest.NewRequest("GET", "https://h/x", nil))
	var ce *CredentialsError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusInternalServerError, ce.StatusCode)
	assert.False(t, ce.NonRetryable())
}

func TestMetadataInvalidate(t *testing.T) {
	clk := newAuthClock(authEpoch)
	ms := newMetadataServer(t, clk, time.Hour)
	m := newMetadataCredentials(ms.url(), nil, clk)
	assert.Equal(t, "TMPAK1", signWith(t, m, clk))
	m.Invalidate()
	assert.Equal(t, "TMPAK2", signWith(t, m, clk))
	var _ Invalidator = m
}

func TestMetadataSingleFlight(t *testing.T) {
	clk := newAuthClock(authEpoch)
	ms := newMetadataServer(t, clk, time.Hour)
	ms.gate = make(chan struct{})
	m := newMetadataCredentials(ms.url(), nil, clk)

	const n = 50
	var started, wg sync.WaitGroup
	started.Add(n)
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			errs <- m.Authenticate(context.Background(), httptest.NewRequest("GET", "https://h/x", nil))
		}()
	}
	started.Wait()
	close(ms.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, ms.hits.Load())
}

// The metadata answers that are not usable keys, each with a secret in
// it that must not reach the error.
func TestMetadataBadAnswers(t *testing.T) {
	const secret = "leaky-secret-value"
	cases := []struct {
		name         string
		status       int
		body         string
		nonRetryable bool
	}{
		{"not found", 404, `{"error":"` + secret + `"}`, true},
		{"server error", 503, "", false},
		{"not json", 200, `<html>` + secret, false},
		{"no credential", 200, `{"other":"` + secret + `"}`, false},
		{"no secret", 200, `{"credential":{"access":"AK","securitytoken":"` + secret + `","expires_at":"2031-03-04T06:00:00Z"}}`, false},
		{"bad expiry", 200, `{"credential":{"access":"AK","secret":"` + secret + `","securitytoken":"t","expires_at":"tomorrow"}}`, false},
		{"bad access key", 200, `{"credential":{"access":"A K","secret":"` + secret + `","securitytoken":"t","expires_at":"2031-03-04T06:00:00Z"}}`, true},
		{"secret with newline", 200, `{"credential":{"access":"AK","secret":"` + secret + `\n","securitytoken":"t","expires_at":"2031-03-04T06:00:00Z"}}`, true},
		{"wrong type", 200, `{"credential":{"access":"AK","secret":["` + secret + `"]}}`, false},
		{"too long", 200, `{"credential":{"access":"` + strings.Repeat("A", maxMetadataBody) + `"}}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := newAuthClock(authEpoch)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}))
			defer srv.Close()
			m := newMetadataCredentials(srv.URL, nil, clk)
			err := m.Authenticate(context.Background(), httptest.NewRequest("GET", "https://h/x", nil))
			var ce *CredentialsError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "ECS metadata", ce.Source)
			assertNoSecrets(t, err.Error(), secret)
			assert.Equal(t, c.nonRetryable, isRetryableCredErr(err) == false, err.Error())
		})
	}
}

func TestMetadataUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close() // nothing listens there any more
	m := newMetadataCredentials(u, nil, newAuthClock(authEpoch))
	err := m.Authenticate(context.Background(), httptest.NewRequest("GET", "https://h/x", nil))
	var ce *CredentialsError
	require.ErrorAs(t, err, &ce)
	assert.True(t, isRetryableCredErr(err))
}

// A caller that gives up is released at once; the fetch goes on for the
// others.
func TestMetadataContextCancel(t *testing.T) {
	clk := newAuthClock(authEpoch)
	ms := newMetadataServer(t, clk, time.Hour)
	ms.gate = make(chan struct{})
	m := newMetadataCredentials(ms.url(), nil, clk)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Authenticate(ctx, httptest.NewRequest("GET", "https://h/x", nil)) }()
	<-ms.arrived // the fetch has reached the server
	cancel()
	require.True(t, errors.Is(<-done, context.Canceled))
	close(ms.gate)
	assert.Equal(t, "TMPAK1", signWith(t, m, clk))
	assert.EqualValues(t, 1, ms.hits.Load())
}

// Through a Client: a request signed with the metadata keys verifies.
func TestMetadataThroughClient(t *testing.T) {
	clk := newAuthClock(authEpoch)
	ms := newMetadataServer(t, clk, time.Hour)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := sigcheck.Verify(r, metadataKeys, clk.Now(), 15*time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"total_num":0,"data_list":[]}`)
	}))
	defer srv.Close()
	client, err := NewClient(srv.URL, testProject, WithCredentials(newMetadataCredentials(ms.url(), nil, clk)), WithClock(clk))
	require.NoError(t, err)
	_, err = client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)
}

func TestNewMetadataCredentialsDefaults(t *testing.T) {
	m := NewMetadataCredentials(nil)
	assert.Equal(t, DefaultMetadataURL, m.url)
	tr, ok := m.hc.Transport.(*http.Transport)
	require.True(t, ok)
	assert.Nil(t, tr.Proxy, "metadata requests must not go through a proxy")
	assert.Equal(t, metadataTimeout, m.hc.Timeout)
	assert.Equal(t, "hss.MetadataCredentials{url: "+DefaultMetadataURL+"}", fmt.Sprint(m))
}
