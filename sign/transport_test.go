// Transport: signing through a fake gateway, the caller's request left alone, errors, the clock, and idle connections.
package sign_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/internal/sigcheck"
	"github.com/hsskit/hss/sign"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAK    = "QTWAOYTTINDUT2QVKYUC"
	testSK    = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
	testToken = "security-token-0123456789-SECRET"
)

var epoch = time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)

// roundTripFunc is a Base that records the signed request.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func ok(r *http.Request) *http.Response {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: http.NoBody, Request: r}
}

func keys(ak, sk string) func(string) (string, bool) {
	return func(got string) (string, bool) { return sk, got == ak }
}

// A wrapper's http.Client with a signing Transport calls an extra route of
// the fake gateway, which verifies every signature; the signatures are
// dated by the Transport's clock.
func TestTransportThroughFakeGateway(t *testing.T) {
	for _, temporary := range []bool{false, true} {
		t.Run(fmt.Sprintf("temporary=%v", temporary), func(t *testing.T) {
			clk := hsstest.NewClock(epoch)
			key := sign.Key{AccessKey: testAK, SecretKey: testSK}
			auth := hsstest.WithAKSK(testAK, testSK)
			if temporary {
				key.SecurityToken = testToken
				auth = hsstest.WithTemporaryAKSK(testAK, testSK, testToken)
			}
			srv := hsstest.NewServer(auth, hsstest.WithoutTokenAuth(), hsstest.WithClock(clk), hsstest.WithSeed("t", 1))
			defer srv.Close()
			var gotBody string
			srv.HandleFunc("POST", "/v5/{project_id}/image/image-sync/tasks", func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				gotBody = string(b)
				io.WriteString(w, `{"task_id":"t-1"}`)
			})

			hc := &http.Client{Transport: &sign.Transport{Base: srv.HTTPClient().Transport, Key: key, Now: clk.Now}}
			body := `{"name":"sync 任务"}`
			req, err := http.NewRequest("POST", srv.URL()+"/v5/"+srv.ProjectID()+"/image/image-sync/tasks", strings.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Project-Id", srv.ProjectID())
			resp, err := hc.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, body, gotBody)

			// A clock an hour off is refused, since the Transport's Now dated
			// it; the Transport learns the gateway's time from the refusal
			// and gets through on its second try.
			hc.Transport.(*sign.Transport).Now = func() time.Time { return clk.Now().Add(time.Hour) }
			req, err = http.NewRequest("GET", srv.URL()+"/v5/"+srv.ProjectID()+"/image/image-sync/tasks/t/registries", nil)
			require.NoError(t, err)
			resp, err = hc.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)

			recs := srv.Requests()
			require.Len(t, recs, 3)
			assert.Equal(t, hsstest.AuthAKSK, recs[0].Auth)
			assert.Equal(t, testAK, recs[0].AK)
			assert.Empty(t, recs[0].AuthError)
			assert.Contains(t, recs[1].AuthError, "x-sdk-date")
			assert.Equal(t, http.StatusUnauthorized, recs[1].Status)
			assert.Empty(t, recs[2].AuthError)
		})
	}
}

// RoundTrip signs a copy: the caller's request, which a retry may send
// again, keeps its headers, URL and body fields.
func TestTransportLeavesTheRequestAlone(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	var signed []*http.Request
	tr := &sign.Transport{
		Key: sign.Key{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken},
		Now: clk.Now,
		Base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			signed = append(signed, r)
			_, err := sigcheck.Verify(r, keys(testAK, testSK), clk.Now(), time.Minute)
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(r.Body)
			if err != nil {
				return nil, err
			}
			if string(b) != `{"k":"v"}` {
				return nil, errors.New("body changed: " + string(b))
			}
			return ok(r), nil
		}),
	}
	req, err := http.NewRequest("POST", "https://h.example.com/v5/p/a%2Fb?x=1+2", strings.NewReader(`{"k":"v"}`))
	require.NoError(t, err)
	req.Header.Set("X-Project-Id", "p")
	header := req.Header.Clone()
	u := *req.URL
	body, getBody, host, length := req.Body, req.GetBody, req.Host, req.ContentLength

	for range 2 {
		resp, err := tr.RoundTrip(req)
		require.NoError(t, err)
		resp.Body.Close()
		clk.Advance(time.Minute)
		req.Body, _ = req.GetBody() // as http.Client does before sending again
		body = req.Body
	}
	require.Len(t, signed, 2)
	assert.Equal(t, header, req.Header)
	assert.Equal(t, u, *req.URL)
	assert.True(t, body == req.Body)
	assert.Equal(t, reflect.ValueOf(getBody).Pointer(), reflect.ValueOf(req.GetBody).Pointer())
	assert.Equal(t, host, req.Host)
	assert.Equal(t, length, req.ContentLength)
	assert.NotSame(t, req, signed[0])
	assert.NotEqual(t, signed[0].Header.Get(sign.HeaderDate), signed[1].Header.Get(sign.HeaderDate))

	// A body without GetBody is buffered into the copy, not the caller's
	// request.
	req, err = http.NewRequest("POST", "https://h.example.com/x", struct{ io.Reader }{strings.NewReader(`{"k":"v"}`)})
	require.NoError(t, err)
	header = req.Header.Clone()
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Nil(t, req.GetBody)
	assert.Zero(t, req.ContentLength)
	assert.Equal(t, header, req.Header)
	assert.Equal(t, int64(9), signed[2].ContentLength)
}

// closeRecorder is a body that records its Close.
type closeRecorder struct {
	io.Reader
	closed int
}

func (c *closeRecorder) Close() error { c.closed++; return nil }

// When signing fails RoundTrip closes the body, as a RoundTripper must,
// never calls Base, and returns the signing error.
func TestTransportErrorsCloseTheBody(t *testing.T) {
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Error("Base called for a request that was not signed")
		return ok(r), nil
	})
	cases := []struct {
		name string
		tr   *sign.Transport
		url  string
		want any
	}{
		{"bad key", &sign.Transport{Base: base, Key: sign.Key{AccessKey: testAK, SecretKey: testSK + "\n"}}, "https://h.example.com/x", new(*sign.KeyError)},
		{"no key", &sign.Transport{Base: base}, "https://h.example.com/x", new(*sign.KeyError)},
		{"non-ASCII host", &sign.Transport{Base: base, Key: sign.Key{AccessKey: testAK, SecretKey: testSK}}, "https://例え.jp/x", new(*sign.Error)},
		{"nil transport", nil, "https://h.example.com/x", new(*sign.Error)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := &closeRecorder{Reader: strings.NewReader("payload")}
			req, err := http.NewRequest("POST", c.url, body)
			require.NoError(t, err)
			resp, err := c.tr.RoundTrip(req)
			assert.Nil(t, resp)
			require.ErrorAs(t, err, c.want)
			assert.NotContains(t, err.Error(), testSK)
			assert.Equal(t, 1, body.closed)
			assert.Empty(t, req.Header)
		})
	}
	_, err := (&sign.Transport{}).RoundTrip(nil)
	var se *sign.Error
	require.ErrorAs(t, err, &se)
}

// With Now nil the wall clock dates the signature.
func TestTransportDefaultClock(t *testing.T) {
	var date string
	tr := &sign.Transport{Key: sign.Key{AccessKey: testAK, SecretKey: testSK}, Base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		date = r.Header.Get(sign.HeaderDate)
		return ok(r), nil
	})}
	before := time.Now().UTC().Truncate(time.Second)
	req, err := http.NewRequest("GET", "https://h.example.com/x", nil)
	require.NoError(t, err)
	_, err = tr.RoundTrip(req)
	require.NoError(t, err)
	d, err := time.Parse(sign.DateFormat, date)
	require.NoError(t, err)
	assert.False(t, d.Before(before), "X-Sdk-Date %s is before %s", d, before)
}

// CloseIdleConnections reaches Base, so that http.Client.CloseIdleConnections
// works through a signing Transport.
func TestTransportCloseIdleConnections(t *testing.T) {
	base := &idleCloser{}
	hc := &http.Client{Transport: &sign.Transport{Base: base}}
	hc.CloseIdleConnections()
	assert.Equal(t, 1, base.closed)

	assert.NotPanics(t, func() {
		(&sign.Transport{Base: roundTripFunc(nil)}).CloseIdleConnections() // a Base without the method
		(*sign.Transport)(nil).CloseIdleConnections()
	})
}

// idleCloser is a Base that counts CloseIdleConnections calls.
type idleCloser struct {
	roundTripFunc
	closed int
}

func (c *idleCloser) CloseIdleConnections() { c.closed++ }
