// Tests of the server's clock as clients see it: WithClockOffset, the Date header of every answer, and the gateway's "signature expired" refusal.
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

// expiredMsg is the fake's answer to a signature dated at signed when its
// clock reads server.
func expiredMsg(signed, server time.Time) string {
	return "Incorrect IAM authentication information: signature expired, signature time:" +
		signed.UTC().Format(sign.DateFormat) + ",server time:" + server.UTC().Format(sign.DateFormat)
}

// requireDate checks that an answer's Date header reads want.
func requireDate(t *testing.T, h http.Header, want time.Time) {
	t.Helper()
	got, err := http.ParseTime(h.Get("Date"))
	require.NoError(t, err, "Date %q", h.Get("Date"))
	require.True(t, got.Equal(want.Truncate(time.Second)), "Date %s, want %s", got, want)
}

// The server's clock reads d from the configured one (either way, the
// option before or after WithClock): the X-Sdk-Date window, the Date
// header and the log all read it, while the hss.Client NewClient builds
// keeps the configured clock.
func TestWithClockOffset(t *testing.T) {
	key := sign.Key{AccessKey: testAK, SecretKey: testSK}
	for _, offset := range []time.Duration{time.Hour, -time.Hour, 16 * time.Minute, -14 * time.Minute} {
		for _, offsetFirst := range []bool{true, false} {
			clk := hsstest.NewClock(t0)
			opts := []hsstest.Option{hsstest.WithAKSK(testAK, testSK), hsstest.WithSeed("task-1", 12), hsstest.WithClock(clk), hsstest.WithClockOffset(offset)}
			if offsetFirst {
				opts[2], opts[3] = opts[3], opts[2]
			}
			srv := newServer(t, opts...)
			server := t0.Add(offset)

			a := signedGet(t, srv, key, clk.Now(), "")
			if offset.Abs() > 15*time.Minute {
				requireError(t, a, http.StatusUnauthorized, "APIGW.0301", expiredMsg(clk.Now(), server))
				assert.Contains(t, srv.Requests()[0].AuthError, "x-sdk-date")
			} else {
				decodePage(t, a)
			}
			requireDate(t, a.Header, server)
			decodePage(t, signedGet(t, srv, key, server, ""))
			assert.True(t, srv.Requests()[0].Time.Equal(server), "the log reads the server's clock")

			// The SDK's client dates its first request by the configured
			// clock, offset away from the server's.
			var dates []string
			srv.Handle(func(_ http.ResponseWriter, r *http.Request) bool {
				dates = append(dates, r.Header.Get(sign.HeaderDate))
				return false
			})
			_, _ = srv.Client(t, hss.WithAKSK(testAK, testSK)).ListSyncTaskRegistries(context.Background(), "task-1", nil)
			srv.Handle(nil)
			require.NotEmpty(t, dates)
			assert.Equal(t, t0.Format(sign.DateFormat), dates[0])

			clk.Advance(time.Hour)
			decodePage(t, signedGet(t, srv, key, server.Add(time.Hour), ""))
		}
	}

	// Without WithClock the offset applies to WithNow's clock, or the wall
	// clock; given twice, the last counts.
	srv := newServer(t, hsstest.WithAKSK(testAK, testSK), hsstest.WithNow(func() time.Time { return t0 }),
		hsstest.WithClockOffset(-2*time.Hour), hsstest.WithSeed("task-1", 1))
	decodePage(t, signedGet(t, srv, key, t0.Add(-2*time.Hour), ""))
	requireError(t, signedGet(t, srv, key, t0, ""), http.StatusUnauthorized, "APIGW.0301", expiredMsg(t0, t0.Add(-2*time.Hour)))
	srv = newServer(t, hsstest.WithAKSK(testAK, testSK), hsstest.WithNow(func() time.Time { return t0 }),
		hsstest.WithClockOffset(24*time.Hour), hsstest.WithClockOffset(0), hsstest.WithSeed("task-1", 1))
	decodePage(t, signedGet(t, srv, key, t0, ""))
}

// Every answer carries a Date from the server's clock, not the wall
// clock net/http would use: the API's, a refusal, an unknown API's, an
// injected fault's and an extra route's.
func TestEveryAnswerIsDatedByTheServerClock(t *testing.T) {
	srv, clk := akskServer(t, hsstest.WithClockOffset(90*time.Minute))
	srv.HandleFunc("GET", "/v5/{project_id}/extra", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("{}"))
	})
	server := func() time.Time { return clk.Now().Add(90 * time.Minute) }

	requireDate(t, get(t, srv, "task-1", "").Header, server())
	clk.Advance(7 * time.Second)
	requireDate(t, do(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", nil).Header, server())
	requireDate(t, do(t, srv, http.MethodGet, "/no/such/api", "", tokenHeader(srv)).Header, server())
	requireDate(t, do(t, srv, http.MethodGet, "/v5/"+srv.ProjectID()+"/extra", "", tokenHeader(srv)).Header, server())
	srv.FailNext(1, http.StatusServiceUnavailable, "APIGW.0201", "Request circuit breaker.")
	requireDate(t, get(t, srv, "task-1", "").Header, server())
	clk.Advance(3 * time.Hour)
	requireDate(t, get(t, srv, "task-1", "").Header, server())
}

// Other signature failures keep the gateway's other message, whatever the
// clocks say: only a date out of the window is "signature expired".
func TestExpiredOnlyForTheDate(t *testing.T) {
	srv, _ := akskServer(t, hsstest.WithClockOffset(time.Hour))
	server := t0.Add(time.Hour)
	requireError(t, signedGet(t, srv, sign.Key{AccessKey: testAK, SecretKey: "wrong-secret"}, server, ""),
		http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail")
	requireError(t, signedGet(t, srv, sign.Key{AccessKey: testAK, SecretKey: testSK}, server.Add(15*time.Minute+time.Second), ""),
		http.StatusUnauthorized, "APIGW.0301", expiredMsg(server.Add(15*time.Minute+time.Second), server))
	decodePage(t, signedGet(t, srv, sign.Key{AccessKey: testAK, SecretKey: testSK}, server.Add(15*time.Minute), ""))
	decodePage(t, get(t, srv, "task-1", "")) // a token has no date to refuse
}

// A signing Transport learns the fake's clock from its refusal and gets
// through, one refused request at most.
func TestClockOffsetWithSignTransport(t *testing.T) {
	srv, clk := akskServer(t, hsstest.WithClockOffset(-3*time.Hour))
	hc := &http.Client{Transport: &sign.Transport{Base: srv.HTTPClient().Transport, Key: sign.Key{AccessKey: testAK, SecretKey: testSK}, Now: clk.Now}}
	for range 3 {
		req := newRequest(t, srv, http.MethodGet, regPath(srv.ProjectID(), "task-1"), "", nil, nil)
		resp, err := hc.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	assert.Equal(t, []int{http.StatusUnauthorized, http.StatusOK, http.StatusOK, http.StatusOK}, statuses(srv))
}
