// Tests of how Transport signs through a gateway whose clock is off from the local one: one refusal at most, none after.
package sign_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/sign"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// skewedGateway is a fake gateway whose clock reads offset ahead of clk,
// with task-1 and an echo route for bodies.
func skewedGateway(t *testing.T, clk *hsstest.Clock, offset time.Duration) *hsstest.Server {
	t.Helper()
	srv := hsstest.NewServer(hsstest.WithAKSK(testAK, testSK), hsstest.WithoutTokenAuth(), hsstest.WithClock(clk),
		hsstest.WithClockOffset(offset), hsstest.WithSeed("task-1", 3))
	t.Cleanup(srv.Close)
	srv.HandleFunc("POST", "/v5/{project_id}/echo", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(w, r.Body)
	})
	return srv
}

// sentDates wraps srv's transport, recording the X-Sdk-Date of every
// request sent.
type sentDates struct {
	base  http.RoundTripper
	mu    sync.Mutex
	dates []string
}

func (s *sentDates) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.dates = append(s.dates, r.Header.Get(sign.HeaderDate))
	s.mu.Unlock()
	return s.base.RoundTrip(r)
}

func (s *sentDates) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.dates...)
}

// listing is the GET of task-1's registries on srv.
func listing(t *testing.T, srv *hsstest.Server) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL()+"/v5/"+srv.ProjectID()+"/image/image-sync/tasks/task-1/registries", nil)
	require.NoError(t, err)
	return req
}

// call sends req through hc and returns the status and body.
func call(t *testing.T, hc *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func serverStatuses(srv *hsstest.Server) []int {
	var out []int
	for _, r := range srv.Requests() {
		out = append(out, r.Status)
	}
	return out
}

// A gateway whose clock is an hour (or up to a day) ahead of or behind the
// client's refuses the first request, which the Transport signs again with
// the gateway's time and gets through; every later request, GET or POST
// with a body, is accepted the first time, as time goes on.
func TestTransportGetsThroughASkewedGateway(t *testing.T) {
	for _, offset := range []time.Duration{time.Hour, -time.Hour, 16 * time.Minute, -(23*time.Hour + 59*time.Minute)} {
		for _, first := range []string{"GET", "POST"} {
			t.Run(fmt.Sprint(offset, " ", first), func(t *testing.T) {
				clk := hsstest.NewClock(epoch)
				srv := skewedGateway(t, clk, offset)
				sent := &sentDates{base: srv.HTTPClient().Transport}
				hc := &http.Client{Transport: &sign.Transport{Base: sent, Key: sign.Key{AccessKey: testAK, SecretKey: testSK}, Now: clk.Now}}

				post := func() {
					body := `{"name":"nightly 任务"}`
					req, err := http.NewRequest("POST", srv.URL()+"/v5/"+srv.ProjectID()+"/echo", strings.NewReader(body))
					require.NoError(t, err)
					status, got := call(t, hc, req)
					require.Equal(t, http.StatusOK, status, got)
					assert.Equal(t, body, got, "the body is sent whole, also the second time")
				}
				if first == "POST" {
					post()
				}
				for range 3 {
					status, body := call(t, hc, listing(t, srv))
					require.Equal(t, http.StatusOK, status, body)
					clk.Advance(10 * time.Minute)
				}
				post()

				accepted := 4 // three GETs and a POST
				if first == "POST" {
					accepted++
				}
				recs := srv.Requests()
				require.Len(t, recs, 1+accepted, "one refusal, then every request accepted")
				assert.Equal(t, http.StatusUnauthorized, recs[0].Status)
				assert.Contains(t, recs[0].AuthError, "x-sdk-date")
				for _, r := range recs[1:] {
					assert.Equal(t, http.StatusOK, r.Status)
				}
				dates := sent.all()
				assert.Equal(t, epoch.Format(sign.DateFormat), dates[0], "dated by the local clock")
				assert.Equal(t, epoch.Add(offset).Format(sign.DateFormat), dates[1], "then by the gateway's")
				last := len(recs) - 1
				assert.Equal(t, recs[last].Time.UTC().Format(sign.DateFormat), dates[last])
			})
		}
	}
}

// A gateway less than 15 minutes off accepts every request, and its Date
// headers, more than five minutes off, teach the offset all the same, so
// that the client stays right when the gap grows: here a Transport sharing
// the Skew is right the first time with a gateway 20 minutes ahead.
func TestTransportLearnsFromEveryDate(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	srv := skewedGateway(t, clk, 10*time.Minute)
	skew := new(sign.Skew)
	hc := &http.Client{Transport: &sign.Transport{Base: srv.HTTPClient().Transport, Key: sign.Key{AccessKey: testAK, SecretKey: testSK}, Now: clk.Now, Skew: skew}}
	status, _ := call(t, hc, listing(t, srv))
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []int{http.StatusOK}, serverStatuses(srv))
	assert.Equal(t, 10*time.Minute, skew.Offset())

	far := skewedGateway(t, clk, 20*time.Minute)
	hc = &http.Client{Transport: &sign.Transport{Base: far.HTTPClient().Transport, Key: sign.Key{AccessKey: testAK, SecretKey: testSK}, Now: clk.Now, Skew: skew}}
	status, _ = call(t, hc, listing(t, far))
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []int{http.StatusOK}, serverStatuses(far), "20 minutes off the local clock, 10 off the corrected one")
	assert.Equal(t, 20*time.Minute, skew.Offset())
}

// Transports without a Skew of their own keep one each: two of them, to
// gateways with clocks two hours apart, are each refused once.
func TestTransportsKeepTheirOwnSkew(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	ahead, behind := skewedGateway(t, clk, time.Hour), skewedGateway(t, clk, -time.Hour)
	hcAhead := &http.Client{Transport: &sign.Transport{Base: ahead.HTTPClient().Transport, Key: sign.Key{AccessKey: testAK, SecretKey: testSK}, Now: clk.Now}}
	hcBehind := &http.Client{Transport: &sign.Transport{Base: behind.HTTPClient().Transport, Key: sign.Key{AccessKey: testAK, SecretKey: testSK}, Now: clk.Now}}
	for range 3 {
		status, _ := call(t, hcAhead, listing(t, ahead))
		require.Equal(t, http.StatusOK, status)
		status, _ = call(t, hcBehind, listing(t, behind))
		require.Equal(t, http.StatusOK, status)
	}
	for _, srv := range []*hsstest.Server{ahead, behind} {
		assert.Equal(t, []int{http.StatusUnauthorized, http.StatusOK, http.StatusOK, http.StatusOK}, serverStatuses(srv))
	}
}

// A body that cannot be sent again (X-Sdk-Content-Sha256 set, so it was
// never buffered, and no GetBody) is not retried: the refusal reaches the
// caller whole, and the next request is dated right.
func TestTransportDoesNotReplayABodyItCannot(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	srv := skewedGateway(t, clk, -time.Hour)
	hc := &http.Client{Transport: &sign.Transport{Base: srv.HTTPClient().Transport, Key: sign.Key{AccessKey: testAK, SecretKey: testSK}, Now: clk.Now, Skew: new(sign.Skew)}}

	req, err := http.NewRequest("POST", srv.URL()+"/v5/"+srv.ProjectID()+"/echo", struct{ io.Reader }{strings.NewReader("stream")})
	require.NoError(t, err)
	req.Header.Set(sign.HeaderContentSHA256, sign.UnsignedPayload)
	status, body := call(t, hc, req)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, `"error_msg":"Incorrect IAM authentication information: signature expired, signature time:`)
	assert.Contains(t, body, `"request_id":"`)

	req, err = http.NewRequest("POST", srv.URL()+"/v5/"+srv.ProjectID()+"/echo", struct{ io.Reader }{strings.NewReader("stream")})
	require.NoError(t, err)
	req.Header.Set(sign.HeaderContentSHA256, sign.UnsignedPayload)
	status, body = call(t, hc, req)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "stream", body)
	assert.Equal(t, []int{http.StatusUnauthorized, http.StatusOK}, serverStatuses(srv))
}

// refusingBase answers every request with a 401 "signature expired"
// carrying date and message, and counts the requests.
type refusingBase struct {
	mu    sync.Mutex
	calls int
	date  string
	body  []byte
}

func (b *refusingBase) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	b.mu.Lock()
	b.calls++
	b.mu.Unlock()
	h := http.Header{"Content-Type": {"application/json"}}
	if b.date != "" {
		h.Set("Date", b.date)
	}
	return &http.Response{StatusCode: http.StatusUnauthorized, Header: h, Body: io.NopCloser(bytes.NewReader(b.body)), Request: r}, nil
}

// A gateway that refuses whatever is sent, with hostile dates and
// messages, costs two requests per call, never a loop or a panic, and
// never moves the clock by more than a day.
func TestTransportAgainstAHostileGateway(t *testing.T) {
	dates := []string{"", "garbage", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", httpDate(epoch.Add(2 * time.Hour)), strings.Repeat("7", 5000)}
	messages := []string{"", "server time:99991231T235959Z", "server time:18000101T000000Z", "server time:garbage!", "server time:" + strings.Repeat("9", 100000),
		"server time:" + epoch.Add(-3*time.Hour).Format(sign.DateFormat)}
	for _, date := range dates {
		for _, msg := range messages {
			base := &refusingBase{date: date, body: []byte(`{"error_code":"APIG.0303","error_msg":"Incorrect app authentication information: signature expired, ` + msg + `"}`)}
			skew := new(sign.Skew)
			tr := &sign.Transport{Base: base, Key: sign.Key{AccessKey: testAK, SecretKey: testSK}, Now: func() time.Time { return epoch }, Skew: skew}
			for range 3 {
				req, err := http.NewRequest("PUT", "https://h.example.com/x", strings.NewReader("payload"))
				require.NoError(t, err)
				var resp *http.Response
				require.NotPanics(t, func() { resp, err = tr.RoundTrip(req) })
				require.NoError(t, err)
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				resp.Body.Close()
				assert.Equal(t, string(base.body), string(body), "the caller reads the refusal whole")
				assert.LessOrEqual(t, skew.Offset().Abs(), 24*time.Hour)
			}
			resent := 0
			if skew.Offset() != 0 {
				resent = 1
			}
			assert.Equal(t, 3+resent, base.calls, "date %.30q message %.30q: sent again only for an offset learned", date, msg)
		}
	}
}

// A refusal with a long body is read only in part to find the message;
// the caller still reads all of it, and an error that cut the read short
// reaches the caller.
func TestTransportHandsBackTheWholeRefusal(t *testing.T) {
	long := []byte(`{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: signature expired, signature time:20310304T050607Z,server time:20310304T060607Z","pad":"` +
		strings.Repeat("x", 100<<10) + `"}`)
	base := &refusingBase{body: long}
	tr := &sign.Transport{Base: base, Key: sign.Key{AccessKey: testAK, SecretKey: testSK}, Now: func() time.Time { return epoch }, Skew: new(sign.Skew)}
	req, err := http.NewRequest("GET", "https://h.example.com/x", nil)
	require.NoError(t, err)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, string(long), string(got))
	assert.Equal(t, 2, base.calls)
	assert.Equal(t, time.Hour, tr.Skew.Offset())

	cut := errors.New("connection reset")
	tr.Base = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{},
			Body: io.NopCloser(io.MultiReader(strings.NewReader(`{"error_msg":"signature`), failing{cut})), Request: r}, nil
	})
	resp, err = tr.RoundTrip(req)
	require.NoError(t, err)
	got, err = io.ReadAll(resp.Body)
	assert.ErrorIs(t, err, cut)
	assert.Equal(t, `{"error_msg":"signature`, string(got))
}

// failing is a reader that fails.
type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }

// A refusal that teaches no new offset (the gateway tells no time, or one
// more than MaxOffset away) is final: the request is not sent again, so a
// clock the Transport cannot correct costs one refused request per call,
// not two, towards the gateway's lock of a failing key.
func TestTransportRefusalWithoutNewOffsetIsFinal(t *testing.T) {
	for name, base := range map[string]*refusingBase{
		"no time":      {body: []byte(`{"error_code":"APIG.0303","error_msg":"Incorrect app authentication information: signature expired"}`)},
		"30 hours off": {body: expiredBody("APIGW.0301", "IAM", epoch, epoch.Add(30*time.Hour)), date: httpDate(epoch.Add(30 * time.Hour))},
	} {
		t.Run(name, func(t *testing.T) {
			tr := &sign.Transport{Base: base, Key: sign.Key{AccessKey: testAK, SecretKey: testSK}, Now: func() time.Time { return epoch }, Skew: new(sign.Skew)}
			for range 3 {
				req, err := http.NewRequest("GET", "https://h.example.com/x", nil)
				require.NoError(t, err)
				resp, err := tr.RoundTrip(req)
				require.NoError(t, err)
				assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
				resp.Body.Close()
			}
			assert.Equal(t, 3, base.calls, "one request per call")
			assert.Zero(t, tr.Skew.Offset())
		})
	}
}

// staleDates rewrites the Date of every accepted answer to the local
// clock's time, as a cache in front of a gateway whose clock is off might.
type staleDates struct {
	base http.RoundTripper
	now  func() time.Time
}

func (s staleDates) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := s.base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusOK {
		resp.Header.Set("Date", httpDate(s.now()))
	}
	return resp, err
}

// A gateway an hour ahead whose accepted answers carry a stale Date is
// refused once: the offset its refusal taught, which then worked, is kept
// against the Dates that contradict it.
func TestTransportKeepsTheOffsetThatWorked(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	srv := skewedGateway(t, clk, time.Hour)
	hc := &http.Client{Transport: &sign.Transport{Base: staleDates{base: srv.HTTPClient().Transport, now: clk.Now},
		Key: sign.Key{AccessKey: testAK, SecretKey: testSK}, Now: clk.Now}}
	for range 5 {
		status, body := call(t, hc, listing(t, srv))
		require.Equal(t, http.StatusOK, status, body)
		clk.Advance(time.Minute)
	}
	assert.Equal(t, []int{http.StatusUnauthorized, http.StatusOK, http.StatusOK, http.StatusOK, http.StatusOK, http.StatusOK}, serverStatuses(srv))
}
