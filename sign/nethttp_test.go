// Tests that Request signs what net/http sends: header values as a server folds them, headers never sent left out, the IPv6 zone stripped, hosts net/http would not send refused; over the wire and over real HTTP/1.1 and HTTP/2 connections.
package sign

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hsskit/hss/internal/sigcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// verifyingServer is a TLS server, speaking HTTP/2 when h2 is set, that
// answers 200 with the protocol it read a request in when sigcheck accepts
// its signature, else 401 with sigcheck's reason.
func verifyingServer(t *testing.T, h2 bool, key Key) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := sigcheck.Verify(r, lookup(key), vectorTime, skew); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = h2
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// sendSigned signs a copy of req made by build for each server and sends
// it over HTTP/1.1 and HTTP/2; both servers must accept it.
func sendSigned(t *testing.T, key Key, build func(url string) *http.Request) {
	t.Helper()
	for _, h2 := range []bool{false, true} {
		srv := verifyingServer(t, h2, key)
		req := build(srv.URL)
		require.NoError(t, Request(req, key, vectorTime))
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "h2=%v: %s", h2, body)
		want := "HTTP/1.1"
		if h2 {
			want = "HTTP/2.0"
		}
		assert.Equal(t, want, string(body), "the request went over the protocol under test")
	}
}

// canonicalHeaders returns the signed headers of req as Request computes
// them (name: value), after it canonicalized the names.
func canonicalHeaders(req *http.Request) map[string]string {
	h := req.Header.Clone()
	canonicalizeNames(h)
	out := map[string]string{}
	for _, hd := range signedHeaders(h, "h") {
		out[hd.name] = hd.value
	}
	return out
}

// A header given several values is sent as one line per value, each
// trimmed; the server reads one value, the lines joined by ','. That, and
// not the values joined as given ("a , b"), is signed.
func TestRequestSignsSeveralValuesAsTheServerJoinsThem(t *testing.T) {
	header := func() http.Header {
		return http.Header{
			"X-List":  {"a ", " b"},
			"X-Multi": {"  one  ", "\ttwo  words\t", "", "a , b"},
			"X-One":   {"  inner  spaces  kept  "},
		}
	}
	req, err := http.NewRequest("GET", "https://h.example.com/x", nil)
	require.NoError(t, err)
	req.Header = header()
	got := canonicalHeaders(req)
	assert.Equal(t, "a,b", got["x-list"])
	assert.Equal(t, "one,two  words,,a , b", got["x-multi"])
	assert.Equal(t, "inner  spaces  kept", got["x-one"])

	require.NoError(t, Request(req, permanentKey, vectorTime))
	signed, _ := authorization(t, req.Header)
	assert.Equal(t, "host;x-list;x-multi;x-one;x-sdk-date", signed)
	verify(t, req, permanentKey)

	sendSigned(t, permanentKey, func(u string) *http.Request {
		req, err := http.NewRequest("GET", u+"/x", nil)
		require.NoError(t, err)
		req.Header = header()
		return req
	})
}

// A header with no values is never sent, nor is a User-Agent whose first
// value is empty; of a User-Agent only the first value is sent. What is
// not sent is not signed.
func TestRequestLeavesOutWhatIsNotSent(t *testing.T) {
	for _, c := range []struct {
		name   string
		header http.Header
		signed string
	}{
		{"empty value list", http.Header{"X-Empty": {}, "X-Nil": nil, "X-Kept": {""}}, "host;x-kept;x-sdk-date"},
		{"empty User-Agent", http.Header{"User-Agent": {""}}, "host;x-sdk-date"},
		{"empty User-Agent list", http.Header{"User-Agent": {}}, "host;x-sdk-date"},
		{"User-Agent blanked, then a value", http.Header{"User-Agent": {"", "hss-go/1.0"}}, "host;x-sdk-date"},
		{"two User-Agents", http.Header{"User-Agent": {" hss-go/1.0 ", "other/2"}}, "host;user-agent;x-sdk-date"},
		{"an invalid name", http.Header{"X Bad": {"v"}, "X-Good": {"v"}}, "host;x-good;x-sdk-date"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", "https://h.example.com/x", nil)
			require.NoError(t, err)
			req.Header = c.header.Clone()
			require.NoError(t, Request(req, permanentKey, vectorTime))
			signed, _ := authorization(t, req.Header)
			assert.Equal(t, c.signed, signed)
			if strings.Contains(c.signed, "user-agent") {
				assert.Equal(t, "hss-go/1.0", canonicalHeaders(req)["user-agent"])
			}
			verify(t, req, permanentKey)

			if c.header.Get("X-Good") != "" {
				return // net/http refuses to send an invalid name at all
			}
			sendSigned(t, permanentKey, func(u string) *http.Request {
				req, err := http.NewRequest("GET", u+"/x", nil)
				require.NoError(t, err)
				req.Header = c.header.Clone()
				return req
			})
		})
	}
}

// Header names are put in canonical form: a name in lower case is found
// (X-Sdk-Content-Sha256 above all), several spellings are one header in
// one order whatever the protocol, and stale spellings of the headers
// Request writes are replaced, not sent beside the new ones.
func TestRequestCanonicalizesHeaderNames(t *testing.T) {
	body := &countingReader{r: strings.NewReader("a large upload")}
	req, err := http.NewRequest("PUT", "https://h.example.com/v1/objects/big", body)
	require.NoError(t, err)
	req.ContentLength = 14
	req.Header["x-sdk-content-sha256"] = []string{" " + UnsignedPayload + " "}
	req.Header["authorization"] = []string{"SDK-HMAC-SHA256 Access=OLD, SignedHeaders=host, Signature=00"}
	req.Header["x-sdk-date"] = []string{"20000101T000000Z"}
	req.Header["x-security-token"] = []string{"stale-token"}
	req.Header["user-agent"] = []string{"hss-go/1.0"}
	require.NoError(t, Request(req, temporaryKey, vectorTime))
	assert.Zero(t, body.n, "the body was read: X-Sdk-Content-Sha256 was not found")
	signed, _ := authorization(t, req.Header)
	assert.Equal(t, "host;user-agent;x-sdk-content-sha256;x-sdk-date;x-security-token", signed)
	assert.Equal(t, http.Header{
		"Authorization":        req.Header["Authorization"],
		"User-Agent":           {"hss-go/1.0"},
		"X-Sdk-Content-Sha256": {" " + UnsignedPayload + " "},
		"X-Sdk-Date":           {vectorDate},
		"X-Security-Token":     {testToken},
	}, req.Header)
	srv := receive(t, wire(t, req))
	_, err = sigcheck.Verify(srv, lookup(temporaryKey), vectorTime, skew)
	require.NoError(t, err)
	assert.Equal(t, []string{"hss-go/1.0"}, srv.Header.Values("User-Agent"), "net/http's own User-Agent is not sent beside it")

	spellings := func() http.Header {
		return http.Header{"X-Custom": {"b"}, "x-custom": {"a"}, "X-CUSTOM": {"c", "d"}, "user-agent": {"ua"}}
	}
	req, err = http.NewRequest("GET", "https://h.example.com/x", nil)
	require.NoError(t, err)
	req.Header = spellings()
	require.NoError(t, Request(req, permanentKey, vectorTime))
	assert.Equal(t, []string{"c", "d", "b", "a"}, req.Header["X-Custom"], "in the order of the spellings")
	verify(t, req, permanentKey)
	for range 5 { // HTTP/2 sends a Header in map order
		sendSigned(t, permanentKey, func(u string) *http.Request {
			req, err := http.NewRequest("GET", u+"/x", nil)
			require.NoError(t, err)
			req.Header = spellings()
			return req
		})
	}
}

// The zone of an IPv6 literal is not sent, so it is not signed.
func TestRequestStripsTheIPv6Zone(t *testing.T) {
	for _, c := range []struct{ rawURL, host, want string }{
		{"http://[fe80::1%25eth0]:8080/x", "", "[fe80::1]:8080"},
		{"http://[fe80::1%25eth0]/x", "", "[fe80::1]"},
		{"http://h.example.com/x", "[fe80::abcd%25en0]:443", "[fe80::abcd]:443"},
		{"http://[::1]:9000/x", "", "[::1]:9000"},
	} {
		req, err := http.NewRequest("GET", c.rawURL, nil)
		require.NoError(t, err)
		if c.host != "" {
			req.Host, err = url.PathUnescape(c.host)
			require.NoError(t, err)
		}
		require.NoError(t, Request(req, permanentKey, vectorTime))
		srv := receive(t, wire(t, req))
		assert.Equal(t, c.want, srv.Host, c.rawURL)
		_, err = sigcheck.Verify(srv, lookup(permanentKey), vectorTime, skew)
		require.NoError(t, err, c.rawURL)
	}
}

// A host net/http would not send as given (it sends an empty Host, or
// refuses the request) is a *HostError inside an *Error, and the request
// is left unsigned; valid hosts sign.
func TestRequestRefusesInvalidHosts(t *testing.T) {
	for _, host := range []string{
		"h.example.com/x", "h.example.com/", "h example.com", " h.example.com", "h.example.com\t", "h\x00", "h\r\nX-Evil: 1",
		"user@h.example.com", "h.example.com?x", "h.example.com#f", `h"x`, "h<x>", "h\\x", "h{x}", "h|x", "h^x", "h`x",
		"[::1", "[::1]x", "[zz::1]", "[]", "[1.2.3.4]", "::1", "a:b:c", ":80", "h:port", "h:123456", "h:-1", "h%zz", "h%4",
		"[fe80::1%eth/0]", "例え.jp", "h.example.com\u00a0", "",
	} {
		req := &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "h.example.com", Path: "/x"}, Host: host, Header: http.Header{"X-A": {"b"}}}
		if host == "" {
			req.URL.Host = ""
		}
		err := Request(req, permanentKey, vectorTime)
		var se *Error
		var he *HostError
		require.ErrorAs(t, err, &se, "%q", host)
		require.ErrorAs(t, err, &he, "%q", host)
		assert.Equal(t, host, he.Host)
		assert.True(t, strings.HasPrefix(err.Error(), "sign: cannot sign the request: the host (Request.Host, else URL.Host) is not valid: host "), err.Error())
		assert.NotContains(t, err.Error(), "\n")
		assert.Equal(t, http.Header{"X-A": {"b"}}, req.Header, "%q: the request is left unsigned", host)
	}
	long := strings.Repeat("h", 10000) + "/"
	err := Request(&http.Request{URL: &url.URL{Host: long}}, permanentKey, vectorTime)
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 300, "a long host is quoted short")

	for _, host := range []string{
		"h.example.com", "h.example.com:", "h.example.com:8443", "H.Example.COM", "127.0.0.1:9000", "[::1]", "[::1]:443",
		"[2001:db8::ff00:42:8329]:8443", "[::ffff:192.0.2.1]", "[fe80::1%eth0]:80", "xn--r8jz45g.jp", "a_b-c~d.example.com", "a!$&'()*+,;=b", "h%41",
	} {
		req := &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "h.example.com", Path: "/x"}, Host: host}
		require.NoError(t, Request(req, permanentKey, vectorTime), host)
		srv := receive(t, wire(t, req))
		_, err := sigcheck.Verify(srv, lookup(permanentKey), vectorTime, skew)
		require.NoError(t, err, host)
	}
}

// The Transport refuses an invalid host before sending anything.
func TestTransportRefusesInvalidHosts(t *testing.T) {
	tr := &Transport{Key: permanentKey, Base: roundTripperFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("sent")
	})}
	req, err := http.NewRequest("GET", "https://h.example.com/x", nil)
	require.NoError(t, err)
	req.Host = "h.example.com/evil"
	_, err = tr.RoundTrip(req)
	var he *HostError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, "h.example.com/evil", he.Host)
	assert.Equal(t, `host "h.example.com/evil" holds '/', which a host cannot have`, he.Error())
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
