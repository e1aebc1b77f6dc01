package hss_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
)

// logBuffer collects every log line a client writes, for the no-secrets
// checks; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// faultClient builds a client on a fake clock with debug logging, and
// registers a check that neither its log nor any error it returned holds
// the token.
func faultClient(t *testing.T, endpoint string, opts ...hss.Option) (*hss.Client, *fakeClock, *logBuffer) {
	t.Helper()
	clk := newFakeClock()
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, endpoint, append([]hss.Option{hss.WithClock(clk), hss.WithLogger(logger)}, opts...)...)
	t.Cleanup(func() {
		assert.NotContains(t, logs.String(), testToken, "the log holds the token")
	})
	return c, clk, logs
}

func noSecret(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		assert.NotContains(t, err.Error(), testToken)
		assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), testToken)
	}
}

func writeAPIError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"error_code":%q,"error_msg":%q}`, code, msg)
}

// newFailingServer answers every request with status and an HSS error
// body, plus header.
func newFailingServer(t *testing.T, header http.Header, status int, code, msg string) *pagingServer {
	srv := newPagingServer(t, nil)
	srv.fail = func(_ int64, w http.ResponseWriter, _ *http.Request) bool {
		for k, v := range header {
			w.Header()[k] = v
		}
		writeAPIError(w, status, code, msg)
		return true
	}
	return srv
}

func TestRetry503ThenSuccess(t *testing.T) {
	srv := newPagingServer(t, registries(5))
	srv.fail = func(n int64, w http.ResponseWriter, _ *http.Request) bool {
		if n <= 3 {
			writeAPIError(w, 503, "APIGW.0613", "IAM service unavailable")
			return true
		}
		return false
	}
	c, clk, logs := faultClient(t, srv.URL)
	resp, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err)
	assert.Len(t, resp.DataList, 5)
	assert.Equal(t, int64(4), srv.requests.Load())
	sleeps := clk.Sleeps()
	require.Len(t, sleeps, 3)
	for i, d := range sleeps {
		// full jitter: [0, base*2^i]
		assert.LessOrEqual(t, d, hss.DefaultBaseDelay<<i, "wait %d", i)
		assert.GreaterOrEqual(t, d, time.Duration(0))
	}
	assert.Contains(t, logs.String(), "attempt=4")
	assert.Contains(t, logs.String(), "status=503")
	assert.Contains(t, logs.String(), "hss: retrying")
}

func TestRetryGivesUpAndCountsAttempts(t *testing.T) {
	srv := newFailingServer(t, http.Header{"X-Request-Id": {"rid-502"}}, 502, "APIGW.0201", "backend unavailable")
	c, _, _ := faultClient(t, srv.URL)
	_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.Error(t, err)
	noSecret(t, err)
	var ae *hss.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 502, ae.StatusCode)
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, hss.DefaultMaxAttempts, at.Attempts)
	assert.Contains(t, err.Error(), "gave up after 4 attempts")
	assert.Contains(t, err.Error(), "rid-502")
	assert.Equal(t, int64(4), srv.requests.Load())
}

func TestNoRetryOnClientErrors(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 501} {
		srv := newFailingServer(t, nil, status, "HSS.0001", "x")
		c, clk, _ := faultClient(t, srv.URL)
		_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
		var ae *hss.APIError
		require.ErrorAs(t, err, &ae)
		var at *hss.AttemptsError
		assert.False(t, errors.As(err, &at), "a single attempt is reported bare")
		assert.Equal(t, int64(1), srv.requests.Load(), "status %d", status)
		assert.Empty(t, clk.Sleeps())
	}
}

func TestRetriedStatuses(t *testing.T) {
	for _, status := range []int{408, 429, 500, 502, 503, 504} {
		srv := newPagingServer(t, registries(1))
		srv.fail = func(n int64, w http.ResponseWriter, _ *http.Request) bool {
			if n == 1 {
				writeAPIError(w, status, "X", "x")
				return true
			}
			return false
		}
		c, _, _ := faultClient(t, srv.URL)
		_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
		require.NoError(t, err, "status %d", status)
		assert.Equal(t, int64(2), srv.requests.Load(), "status %d", status)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	srv := newPagingServer(t, registries(1))
	srv.fail = func(n int64, w http.ResponseWriter, _ *http.Request) bool {
		if n == 1 {
			w.Header().Set("Retry-After", "2")
			writeAPIError(w, 429, "APIGW.0308", "The throttling threshold has been reached.")
			return true
		}
		return false
	}
	c, clk, _ := faultClient(t, srv.URL)
	_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{2 * time.Second}, clk.Sleeps())
}

func TestRetryAfterHTTPDate(t *testing.T) {
	srv := newPagingServer(t, registries(1))
	clk := newFakeClock()
	srv.fail = func(n int64, w http.ResponseWriter, _ *http.Request) bool {
		if n == 1 {
			w.Header().Set("Retry-After", clk.Now().Add(7*time.Second).UTC().Format(http.TimeFormat))
			writeAPIError(w, 503, "", "")
			return true
		}
		return false
	}
	c := newTestClient(t, srv.URL, hss.WithClock(clk))
	_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{7 * time.Second}, clk.Sleeps())
}

func TestRetryAfterTooLongGivesUpAtOnce(t *testing.T) {
	srv := newFailingServer(t, http.Header{"Retry-After": {"3600"}}, 429, "APIGW.0308", "The throttling threshold has been reached.")
	c, clk, _ := faultClient(t, srv.URL)
	_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.Error(t, err)
	var ae *hss.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, time.Hour, ae.RetryAfter)
	noSecret(t, err)
	assert.True(t, hss.IsThrottled(err))
	assert.Empty(t, clk.Sleeps(), "never sleeps past MaxDelay")
	assert.Equal(t, int64(1), srv.requests.Load())
	assert.Contains(t, err.Error(), "retry after 1h0m0s")
}

// hijack takes over the connection to misbehave below HTTP.
func hijack(t *testing.T, w http.ResponseWriter) net.Conn {
	conn, _, err := w.(http.Hijacker).Hijack()
	require.NoError(t, err)
	return conn
}

func TestConnectionResetMidBodyThenSuccess(t *testing.T) {
	srv := newPagingServer(t, registries(3))
	srv.fail = func(n int64, w http.ResponseWriter, _ *http.Request) bool {
		if n != 1 {
			return false
		}
		conn := hijack(t, w)
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{\"total_num\":3,\"data_list\":[")
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST, not FIN
		}
		_ = conn.Close()
		return true
	}
	c, clk, _ := faultClient(t, srv.URL)
	resp, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err)
	assert.Len(t, resp.DataList, 3)
	assert.Equal(t, int64(2), srv.requests.Load())
	assert.Len(t, clk.Sleeps(), 1)
}

func TestTruncatedBody(t *testing.T) {
	full := pageJSON(200, 0, 200)
	truncate := func(_ int64, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Content-Length", strconv.Itoa(len(full)))
		w.Header().Set("X-Request-Id", "rid-trunc")
		_, _ = io.WriteString(w, full[:len(full)/2])
		return true // the handler returns short: the server closes the connection
	}
	t.Run("then success", func(t *testing.T) {
		srv := newPagingServer(t, registries(200))
		srv.fail = func(n int64, w http.ResponseWriter, r *http.Request) bool { return n == 1 && truncate(n, w, r) }
		c, _, _ := faultClient(t, srv.URL)
		resp, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
		require.NoError(t, err)
		assert.Len(t, resp.DataList, 10)
		assert.Equal(t, int64(2), srv.requests.Load())
	})
	t.Run("always", func(t *testing.T) {
		srv := newPagingServer(t, nil)
		srv.fail = truncate
		c, _, _ := faultClient(t, srv.URL)
		_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
		require.Error(t, err)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		noSecret(t, err)
		var at *hss.AttemptsError
		require.ErrorAs(t, err, &at)
		assert.Equal(t, 4, at.Attempts)
	})
}

func TestHugeBodyIsAnErrorNotOOM(t *testing.T) {
	const size = 64 << 20
	for _, declared := range []bool{true, false} {
		t.Run(fmt.Sprintf("content-length=%v", declared), func(t *testing.T) {
			srv := newPagingServer(t, nil)
			srv.fail = func(_ int64, w http.ResponseWriter, _ *http.Request) bool {
				if declared {
					w.Header().Set("Content-Length", strconv.Itoa(size))
				}
				_, _ = io.WriteString(w, `{"total_num":1,"data_list":[{"registry_name":"`)
				chunk := bytes.Repeat([]byte("x"), 1<<20)
				for i := 0; i < 64; i++ {
					if _, err := w.Write(chunk); err != nil {
						return true // the client hung up, as it should
					}
				}
				return true
			}
			c, _, _ := faultClient(t, srv.URL)
			_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
			require.ErrorIs(t, err, hss.ErrBodyTooLarge)
			noSecret(t, err)
			assert.Equal(t, int64(1), srv.requests.Load(), "an over-long body is not retried")
		})
	}
}

// newSilentServer never answers: each request is held until the client
// gives up or the test ends.
func newSilentServer(t *testing.T) *pagingServer {
	release := make(chan struct{})
	srv := newPagingServer(t, nil)
	srv.fail = func(_ int64, _ http.ResponseWriter, r *http.Request) bool {
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return true
	}
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	return srv
}

func TestServerNeverAnswers(t *testing.T) {
	srv := newSilentServer(t)
	c, _, _ := faultClient(t, srv.URL, hss.WithAttemptTimeout(20*time.Millisecond))
	_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.Error(t, err)
	noSecret(t, err)
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, 4, at.Attempts)
	assert.ErrorIs(t, err, hss.ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not expire")
	assert.Contains(t, err.Error(), "attempt timed out after 20ms")
	assert.Equal(t, int64(4), srv.requests.Load())
}

func TestHTTPClientTimeoutIsAnAttemptTimeout(t *testing.T) {
	srv := newSilentServer(t)
	c, _, _ := faultClient(t, srv.URL, hss.WithHTTPClient(&http.Client{Timeout: 20 * time.Millisecond}), hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 2}))
	_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	noSecret(t, err)
	assert.ErrorIs(t, err, hss.ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, int64(2), srv.requests.Load(), "a timed-out attempt is retried")
}

// signalClock sleeps for real but says when a sleep starts, to cancel a
// context in the middle of a backoff.
type signalClock struct{ started chan time.Duration }

func (s signalClock) Now() time.Time { return time.Now() }
func (s signalClock) Sleep(ctx context.Context, d time.Duration) error {
	s.started <- d
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	srv := newFailingServer(t, http.Header{"Retry-After": {"20"}}, 503, "", "busy")
	clk := signalClock{started: make(chan time.Duration, 1)}
	c := newTestClient(t, srv.URL, hss.WithClock(clk))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.ListSyncTaskRegistries(ctx, "t", nil)
		done <- err
	}()
	assert.Equal(t, 20*time.Second, <-clk.started)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		assert.Less(t, time.Since(start), 50*time.Millisecond)
		assert.ErrorIs(t, err, context.Canceled)
		noSecret(t, err)
		assert.Contains(t, err.Error(), "busy", "the error says what went wrong before")
		var ae *hss.APIError
		require.ErrorAs(t, err, &ae, "the last attempt's APIError stays reachable")
		assert.Equal(t, 503, ae.StatusCode)
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not return after cancel")
	}
	assert.Equal(t, int64(1), srv.requests.Load())
}

func TestRedirectToAnotherHostCarriesNoSecrets(t *testing.T) {
	var leaked http.Header
	var other int
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other++
		leaked = r.Header.Clone()
		_, _ = io.WriteString(w, `{"total_num":0,"data_list":[]}`)
	}))
	defer evil.Close()
	srv := newPagingServer(t, nil)
	srv.fail = func(_ int64, w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, evil.URL+r.URL.Path, http.StatusFound)
		return true
	}
	// Loopback by name vs by address: a different host to the client.
	c, _, _ := faultClient(t, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1))
	_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.Error(t, err)
	noSecret(t, err)
	var re *hss.RedirectError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, err.Error(), "refused redirect")
	assert.Zero(t, other, "nothing reached the other host")
	assert.Nil(t, leaked)
	assert.Equal(t, int64(1), srv.requests.Load(), "a refused redirect is not retried")
}

func TestRedirectSameHostFollowed(t *testing.T) {
	srv := newPagingServer(t, registries(2))
	srv.fail = func(_ int64, w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/old") {
			http.Redirect(w, r, strings.TrimPrefix(r.URL.Path, "/old")+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
			return true
		}
		return false
	}
	c, _, _ := faultClient(t, srv.URL+"/old")
	resp, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err)
	assert.Len(t, resp.DataList, 2)
}

func TestTLSCertificateErrorNotRetried(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failure is the point
	srv.StartTLS()
	defer srv.Close()
	c, clk, _ := faultClient(t, srv.URL) // default transport does not trust the test CA
	_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.Error(t, err)
	noSecret(t, err)
	assert.Contains(t, err.Error(), "certificate")
	assert.Empty(t, clk.Sleeps(), "a bad certificate is not retried")
	var at *hss.AttemptsError
	assert.False(t, errors.As(err, &at))
}

func TestConnectionRefusedRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	c, clk, _ := faultClient(t, "http://"+addr)
	_, err = c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.Error(t, err)
	noSecret(t, err)
	assert.Len(t, clk.Sleeps(), 3)
	var at *hss.AttemptsError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, 4, at.Attempts)
}

func TestConcurrentUseOfOneClient(t *testing.T) {
	srv := newPagingServer(t, registries(450))
	srv.fail = func(n int64, w http.ResponseWriter, _ *http.Request) bool {
		if n%7 == 0 {
			writeAPIError(w, 503, "", "")
			return true
		}
		return false
	}
	// Every 7th request fails, whoever sent it; 20 attempts make running
	// out (a goroutine hitting 20 multiples of 7 in a row) impossible in
	// practice.
	c, _, _ := faultClient(t, srv.URL, hss.WithRateLimit(1e6, 100), hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 20}))
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for _, err := range c.ListSyncTaskRegistriesIter(context.Background(), "t", nil) {
				if err != nil {
					errs <- err
					return
				}
				n++
			}
			if n != 450 {
				errs <- fmt.Errorf("goroutine saw %d registries", n)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestLongListingThroughFailuresAndThrottling(t *testing.T) {
	srv := newPagingServer(t, registries(2000))
	srv.fail = func(n int64, w http.ResponseWriter, _ *http.Request) bool {
		switch {
		case n%5 == 0:
			w.Header().Set("Retry-After", "1")
			writeAPIError(w, 429, "APIGW.0308", "The throttling threshold has been reached.")
			return true
		case n%3 == 0:
			writeAPIError(w, 503, "", "")
			return true
		}
		return false
	}
	c, clk, logs := faultClient(t, srv.URL)
	seen := make(map[string]int)
	for reg, err := range c.ListSyncTaskRegistriesIter(context.Background(), "t", nil) {
		require.NoError(t, err)
		seen[reg.RegistryName]++
	}
	require.Len(t, seen, 2000)
	for name, n := range seen {
		require.Equal(t, 1, n, name)
	}
	assert.NotEmpty(t, clk.Sleeps())
	assert.Contains(t, logs.String(), "status=429")
}

func TestRateLimitPaces(t *testing.T) {
	srv := newPagingServer(t, registries(1))
	c, clk, _ := faultClient(t, srv.URL, hss.WithRateLimit(2, 1))
	for i := 0; i < 5; i++ {
		_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
		require.NoError(t, err)
	}
	var total time.Duration
	for _, d := range clk.Sleeps() {
		total += d
	}
	// Burst 1 at 2/s: the first call goes at once, each next one waits 500 ms.
	assert.Equal(t, 2*time.Second, total)
}

func TestRetryPolicyValidation(t *testing.T) {
	_, err := hss.NewClient("https://h.example.com", "p", hss.WithToken("t"), hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 3, BaseDelay: -1}))
	var ve *hss.ValidationError
	require.ErrorAs(t, err, &ve)
	_, err = hss.NewClient("https://h.example.com", "p", hss.WithToken("t"), hss.WithRateLimit(0, 1))
	require.ErrorAs(t, err, &ve)
	_, err = hss.NewClient("https://h.example.com", "p", hss.WithToken("t"), hss.WithRateLimit(1, 0))
	require.ErrorAs(t, err, &ve)
}

// TestFaultsLeakNoAKSKSecrets runs the fault scenarios with temporary AK/SK
// credentials and debug logging: no error or log line may carry the SK,
// the security token or any signature the client sent.
func TestFaultsLeakNoAKSKSecrets(t *testing.T) {
	const sk, secToken = "fault-secret-key-value", "fault-security-token-value"
	var mu sync.Mutex
	var signatures []string
	scenarios := map[string]func(n int64, w http.ResponseWriter, r *http.Request) bool{
		"503 always": func(_ int64, w http.ResponseWriter, _ *http.Request) bool {
			writeAPIError(w, 503, "APIGW.0613", "unavailable")
			return true
		},
		"401 echoing the request": func(_ int64, w http.ResponseWriter, r *http.Request) bool {
			writeAPIError(w, 401, "APIGW.0301", "verify aksk signature fail: "+r.Header.Get("Authorization")+" "+r.Header.Get("X-Security-Token"))
			return true
		},
		"429 too long": func(_ int64, w http.ResponseWriter, _ *http.Request) bool {
			w.Header().Set("Retry-After", "7200")
			writeAPIError(w, 429, "APIGW.0308", "throttled")
			return true
		},
		"truncated": func(_ int64, w http.ResponseWriter, _ *http.Request) bool {
			w.Header().Set("Content-Length", "1000")
			_, _ = io.WriteString(w, `{"total_num":1,`)
			return true
		},
		"reset": func(_ int64, w http.ResponseWriter, _ *http.Request) bool {
			conn := hijack(t, w)
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			return true
		},
		"not json": func(_ int64, w http.ResponseWriter, _ *http.Request) bool {
			_, _ = io.WriteString(w, "<html>oops</html>")
			return true
		},
	}
	for name, fault := range scenarios {
		t.Run(name, func(t *testing.T) {
			srv := newPagingServer(t, nil)
			srv.fail = func(n int64, w http.ResponseWriter, r *http.Request) bool {
				if a := r.Header.Get("Authorization"); a != "" {
					mu.Lock()
					signatures = append(signatures, a[strings.LastIndex(a, "Signature=")+len("Signature="):])
					mu.Unlock()
				}
				return fault(n, w, r)
			}
			clk := newFakeClock()
			logs := &logBuffer{}
			c, err := hss.NewClient(srv.URL, testProject, hss.WithTemporaryAKSK("AKFAULTTEST", sk, secToken), hss.WithClock(clk),
				hss.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			require.NoError(t, err)
			_, err = c.ListSyncTaskRegistries(context.Background(), "t", &hss.ListSyncTaskRegistriesOptions{RegistryName: "my reg"})
			require.Error(t, err)
			var ae *hss.APIError
			body := ""
			if errors.As(err, &ae) {
				body = string(ae.Body) + ae.Message
			}
			mu.Lock()
			secrets := append([]string{sk, secToken}, signatures...)
			mu.Unlock()
			require.NotEmpty(t, secrets[2:], "requests were signed")
			for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), body, logs.String()} {
				for _, s := range secrets {
					assert.NotContains(t, out, s)
				}
			}
		})
	}
}
