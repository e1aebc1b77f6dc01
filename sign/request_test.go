// Request and Signer: the headers they set, the host and body they sign, the keys and requests they refuse, the key checked once by a Signer, and concurrent use.
package sign

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsskit/hss/internal/sigcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAK    = "QTWAOYTTINDUT2QVKYUC"
	testSK    = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
	testToken = "security-token-0123456789-SECRET"
)

var (
	permanentKey = Key{AccessKey: testAK, SecretKey: testSK}
	temporaryKey = Key{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken}
)

// verify checks req as the server receives it, after sending it over the
// wire, and returns the body the server read.
func verify(t *testing.T, req *http.Request, key Key) string {
	t.Helper()
	srv := receive(t, wire(t, req))
	_, err := sigcheck.Verify(srv, lookup(key), vectorTime, skew)
	require.NoError(t, err)
	body, err := io.ReadAll(srv.Body)
	require.NoError(t, err)
	return string(body)
}

func TestRequestSetsHeaders(t *testing.T) {
	for _, key := range []Key{permanentKey, temporaryKey} {
		req, err := http.NewRequest("GET", "https://hss.example.com/v5/p/x?b=1&a=2", nil)
		require.NoError(t, err)
		req.Header.Set("X-Project-Id", "0123456789abcdef0123456789abcdef")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Length", "0")
		req.Header.Set("Connection", "keep-alive")
		req.Header.Set("Transfer-Encoding", "identity")
		req.Header["X_Underscore"] = []string{"dropped by proxies"}
		req.Header.Set("User-Agent", "  hss-go/1.0  ")
		require.NoError(t, Request(req, key, vectorTime))

		signed, _ := authorization(t, req.Header)
		want := "host;user-agent;x-project-id;x-sdk-date"
		if key.SecurityToken != "" {
			want += ";x-security-token"
		}
		assert.Equal(t, want, signed, "Content-Type, hop-by-hop headers and names with '_' are not signed")
		assert.Equal(t, vectorDate, req.Header.Get(HeaderDate))
		assert.Equal(t, key.SecurityToken, req.Header.Get(HeaderSecurityToken))
		assert.True(t, strings.HasPrefix(req.Header.Get("Authorization"), "SDK-HMAC-SHA256 Access="+testAK+", "))

		req.Header.Del("Transfer-Encoding") // the wire form needs a real one
		verify(t, req, key)
	}
}

// A request signed again (a retry) gets a new date and signature; a
// security token left from a temporary key is dropped when the new key has
// none; a stale Authorization header never reaches the canonical request.
func TestRequestSignsAgain(t *testing.T) {
	req, err := http.NewRequest("GET", "https://hss.example.com/v5/p/x", nil)
	require.NoError(t, err)
	require.NoError(t, Request(req, temporaryKey, vectorTime.Add(-time.Hour)))
	_, first := authorization(t, req.Header)

	require.NoError(t, Request(req, permanentKey, vectorTime))
	signed, second := authorization(t, req.Header)
	assert.NotEqual(t, first, second)
	assert.Equal(t, "host;x-sdk-date", signed)
	assert.Empty(t, req.Header.Values(HeaderSecurityToken))
	assert.Len(t, req.Header.Values("Authorization"), 1)
	assert.Equal(t, []string{vectorDate}, req.Header.Values(HeaderDate))
	verify(t, req, permanentKey)
}

// The Host field wins over the URL's host, as it does on the wire.
func TestRequestSignsHost(t *testing.T) {
	req, err := http.NewRequest("GET", "https://10.0.0.1:8443/v5/p", nil)
	require.NoError(t, err)
	req.Host = "hss.example.com"
	require.NoError(t, Request(req, permanentKey, vectorTime))
	raw := wire(t, req)

	srv := receive(t, raw)
	assert.Equal(t, "hss.example.com", srv.Host)
	_, err = sigcheck.Verify(srv, lookup(permanentKey), vectorTime, skew)
	require.NoError(t, err)

	srv = receive(t, raw)
	srv.Host = "10.0.0.1:8443"
	_, err = sigcheck.Verify(srv, lookup(permanentKey), vectorTime, skew)
	require.Error(t, err, "the signature is bound to the host")

	// Without a Host field the URL's host is signed.
	req = &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "h.example.com:443", Path: "/x"}}
	require.NoError(t, Request(req, permanentKey, vectorTime))
	assert.NotNil(t, req.Header, "a nil Header is made")
	verify(t, req, permanentKey)
}

// %2F and '/' name the same decoded path, so they sign alike, as the
// official signer and the gateway have it.
func TestRequestEscapedSlashIsASeparator(t *testing.T) {
	sig := func(rawURL string) string {
		req, err := http.NewRequest("GET", rawURL, nil)
		require.NoError(t, err)
		require.NoError(t, Request(req, permanentKey, vectorTime))
		verify(t, req.Clone(req.Context()), permanentKey)
		_, s := authorization(t, req.Header)
		return s
	}
	assert.Equal(t, sig("https://h.example.com/v5/p/tasks/a/b"), sig("https://h.example.com/v5/p/tasks/a%2Fb"))
	assert.Equal(t, sig("https://h.example.com/v5/p/tasks/a/b"), sig("https://h.example.com/v5/p/tasks/a%2fb"))
	assert.NotEqual(t, sig("https://h.example.com/v5/p/tasks/a/b"), sig("https://h.example.com/v5/p/tasks/a%252Fb"))
}

// A body with GetBody is hashed through GetBody and left unread.
func TestRequestBodyThroughGetBody(t *testing.T) {
	req, err := http.NewRequest("POST", "https://h.example.com/x", strings.NewReader(`{"k":"v"}`))
	require.NoError(t, err)
	body := req.Body
	require.NoError(t, Request(req, permanentKey, vectorTime))
	assert.True(t, body == req.Body, "the body is not replaced")
	assert.Equal(t, int64(9), req.ContentLength)
	assert.Equal(t, `{"k":"v"}`, verify(t, req, permanentKey))
}

// TestRequestGetBodyReturningNothingDoesNotPanic: a request whose
// GetBody returns no body and no error (a hand-built request, or a parent
// SDK's that has no second copy) is refused with an *Error or signed over
// req.Body, never a panic: net/http would have sent it without calling
// GetBody at all.
func TestRequestGetBodyReturningNothingDoesNotPanic(t *testing.T) {
	req, err := http.NewRequest(http.MethodPost, "https://h.example.com/x", strings.NewReader(`{"a":1}`))
	require.NoError(t, err)
	req.GetBody = func() (io.ReadCloser, error) { return nil, nil }
	var signErr error
	require.NotPanics(t, func() { signErr = Request(req, permanentKey, vectorTime) })
	if signErr != nil {
		var se *Error
		assert.ErrorAs(t, signErr, &se)
	}
}

// onlyReader hides the concrete type of a reader, so http.NewRequest
// cannot set GetBody.
type onlyReader struct{ io.Reader }

// A body without GetBody is read, and put back: readable again, and
// through GetBody as often as a retry needs.
func TestRequestBodyBuffered(t *testing.T) {
	req, err := http.NewRequest("PUT", "https://h.example.com/x", onlyReader{strings.NewReader("payload")})
	require.NoError(t, err)
	require.Nil(t, req.GetBody)
	require.NoError(t, Request(req, permanentKey, vectorTime))
	require.NotNil(t, req.GetBody)
	assert.Equal(t, int64(7), req.ContentLength)
	for range 2 {
		rc, err := req.GetBody()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.Equal(t, "payload", string(b))
	}
	assert.Equal(t, "payload", verify(t, req, permanentKey))
}

// An empty body and http.NoBody hash as the empty string.
func TestRequestEmptyBodies(t *testing.T) {
	for _, body := range []io.Reader{nil, http.NoBody, strings.NewReader(""), onlyReader{strings.NewReader("")}} {
		req, err := http.NewRequest("POST", "https://h.example.com/x", body)
		require.NoError(t, err)
		require.NoError(t, Request(req, permanentKey, vectorTime))
		assert.Empty(t, verify(t, req, permanentKey))
	}
}

// With X-Sdk-Content-Sha256 set the body is not read: its value is signed
// as the body hash, and the body travels untouched.
func TestRequestUnsignedPayload(t *testing.T) {
	body := &countingReader{r: strings.NewReader("a large upload")}
	req, err := http.NewRequest("PUT", "https://h.example.com/v1/objects/big", body)
	require.NoError(t, err)
	req.ContentLength = 14
	req.Header.Set(HeaderContentSHA256, UnsignedPayload)
	require.NoError(t, Request(req, permanentKey, vectorTime))
	assert.Zero(t, body.n, "the body was read")
	signed, _ := authorization(t, req.Header)
	assert.Equal(t, "host;x-sdk-content-sha256;x-sdk-date", signed)

	raw := wire(t, req)
	srv := receive(t, raw)
	_, err = sigcheck.Verify(srv, lookup(permanentKey), vectorTime, skew)
	require.NoError(t, err)

	// What UNSIGNED-PAYLOAD means: a different body of the same request
	// still verifies, a different declared hash does not.
	srv = receive(t, []byte(strings.Replace(string(raw), "a large upload", "another body!!", 1)))
	_, err = sigcheck.Verify(srv, lookup(permanentKey), vectorTime, skew)
	require.NoError(t, err)
	srv = receive(t, raw)
	srv.Header.Set(HeaderContentSHA256, emptyBodyHash)
	_, err = sigcheck.Verify(srv, lookup(permanentKey), vectorTime, skew)
	require.Error(t, err)
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// Keys with characters a header cannot carry, or that Huawei Cloud keys
// never have, are a *KeyError naming the part at fault; never a panic, and
// never quoting a secret. The request is left as it was.
func TestRequestRefusesBadKeys(t *testing.T) {
	cases := []struct {
		name  string
		key   Key
		field string
	}{
		{"empty access key", Key{SecretKey: testSK}, "AccessKey"},
		{"long access key", Key{AccessKey: strings.Repeat("A", 129), SecretKey: testSK}, "AccessKey"},
		{"access key with space", Key{AccessKey: "AK AK", SecretKey: testSK}, "AccessKey"},
		{"access key with leading space", Key{AccessKey: " " + testAK, SecretKey: testSK}, "AccessKey"},
		{"access key with comma", Key{AccessKey: "AK,Signature=0", SecretKey: testSK}, "AccessKey"},
		{"access key with newline", Key{AccessKey: testAK + "\n", SecretKey: testSK}, "AccessKey"},
		{"access key with tilde", Key{AccessKey: "AK~1", SecretKey: testSK}, "AccessKey"},
		{"access key not ASCII", Key{AccessKey: "AKé", SecretKey: testSK}, "AccessKey"},
		{"empty secret key", Key{AccessKey: testAK}, "SecretKey"},
		{"long secret key", Key{AccessKey: testAK, SecretKey: strings.Repeat("s", 257)}, "SecretKey"},
		{"secret key with newline", Key{AccessKey: testAK, SecretKey: testSK + "\n"}, "SecretKey"},
		{"secret key with NUL", Key{AccessKey: testAK, SecretKey: "a\x00" + testSK}, "SecretKey"},
		{"secret key with DEL", Key{AccessKey: testAK, SecretKey: testSK + "\x7fx"}, "SecretKey"},
		{"secret key with C1 control", Key{AccessKey: testAK, SecretKey: testSK + "\u0085x"}, "SecretKey"},
		{"secret key with tab inside", Key{AccessKey: testAK, SecretKey: "ab\tcd" + testSK}, "SecretKey"},
		{"secret key with trailing space", Key{AccessKey: testAK, SecretKey: testSK + " "}, "SecretKey"},
		{"secret key with leading space", Key{AccessKey: testAK, SecretKey: " " + testSK}, "SecretKey"},
		{"secret key with no-break space", Key{AccessKey: testAK, SecretKey: testSK + "\u00a0"}, "SecretKey"},
		{"secret key not UTF-8", Key{AccessKey: testAK, SecretKey: "\xff" + testSK}, "SecretKey"},
		{"token with CRLF", Key{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken + "\r\nX-Evil: 1"}, "SecurityToken"},
		{"token with trailing space", Key{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken + " "}, "SecurityToken"},
		{"token with leading tab", Key{AccessKey: testAK, SecretKey: testSK, SecurityToken: "\t" + testToken}, "SecurityToken"},
		{"token not UTF-8", Key{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken + "\xc3"}, "SecurityToken"},
		{"long token", Key{AccessKey: testAK, SecretKey: testSK, SecurityToken: strings.Repeat("t", 32769)}, "SecurityToken"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.NotPanics(t, func() {
				req, err := http.NewRequest("GET", "https://h.example.com/x", nil)
				require.NoError(t, err)
				err = Request(req, c.key, vectorTime)
				var ke *KeyError
				require.ErrorAs(t, err, &ke)
				assert.Equal(t, c.field, ke.Field)
				assert.True(t, strings.HasPrefix(err.Error(), "sign: invalid "+c.field+": "), err.Error())
				for _, secret := range []string{c.key.SecretKey, c.key.SecurityToken, strings.TrimSpace(c.key.SecretKey), strings.TrimSpace(c.key.SecurityToken)} {
					if len(secret) >= 8 {
						assert.NotContains(t, err.Error(), secret)
					}
				}
				assert.Empty(t, req.Header, "a refused key leaves the request alone")
				assert.Equal(t, err, c.key.Validate())
			})
		})
	}
	// The edges that are allowed.
	for _, key := range []Key{
		{AccessKey: strings.Repeat("A", 128), SecretKey: strings.Repeat("s", 256), SecurityToken: strings.Repeat("t", 32768)},
		{AccessKey: "a-b_c.D9", SecretKey: "s k/+=é😀"},
	} {
		require.NoError(t, key.Validate())
	}
}

// TestSignerChecksTheKeyOnce: NewSigner refuses what Request refuses, with
// the same *KeyError; a Signer signs as Request does; and Sign does not
// check the key again, which a Signer holding a key Validate refuses (made
// here without NewSigner) shows. A nil or zero Signer gives an *Error.
func TestSignerChecksTheKeyOnce(t *testing.T) {
	for _, key := range []Key{{SecretKey: testSK}, {AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken + "\r\nX-Evil: 1"}} {
		s, err := NewSigner(key)
		assert.Nil(t, s)
		var ke *KeyError
		require.ErrorAs(t, err, &ke)
		assert.Equal(t, key.Validate(), err)
	}

	for _, key := range []Key{permanentKey, temporaryKey} {
		s, err := NewSigner(key)
		require.NoError(t, err)
		byRequest, err := http.NewRequest("POST", "https://h.example.com/v5/p/x?b=2&a=1", strings.NewReader("body"))
		require.NoError(t, err)
		bySigner, err := http.NewRequest("POST", "https://h.example.com/v5/p/x?b=2&a=1", strings.NewReader("body"))
		require.NoError(t, err)
		require.NoError(t, Request(byRequest, key, vectorTime))
		require.NoError(t, s.Sign(bySigner, vectorTime))
		assert.Equal(t, byRequest.Header, bySigner.Header)
		assert.Equal(t, "body", verify(t, bySigner, key))
	}

	unchecked := Key{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken + " "}
	require.Error(t, unchecked.Validate())
	req, err := http.NewRequest("GET", "https://h.example.com/x", nil)
	require.NoError(t, err)
	require.NoError(t, (&Signer{key: func() Key { return unchecked }}).Sign(req, vectorTime), "Sign checks nothing of the key")
	assert.NotEmpty(t, req.Header.Get("Authorization"))

	for _, s := range []*Signer{nil, {}} {
		var se *Error
		require.ErrorAs(t, s.Sign(req, vectorTime), &se)
		assert.Equal(t, "sign: cannot sign the request: the Signer was not made by NewSigner", se.Error())
	}
}

// Requests that cannot be signed as the gateway verifies them are an
// *Error, with the request left unsigned.
func TestRequestRefusesUnsignableRequests(t *testing.T) {
	nonASCII, err := http.NewRequest("GET", "https://例え.jp/x", nil)
	require.NoError(t, err)
	nonASCIIHost, err := http.NewRequest("GET", "https://xn--r8jz45g.jp/x", nil)
	require.NoError(t, err)
	nonASCIIHost.Host = "例え.jp"
	badQuery, err := http.NewRequest("GET", "https://h.example.com/x", nil)
	require.NoError(t, err)
	badQuery.URL.RawQuery = "a=%zz"
	cases := []struct {
		name string
		req  *http.Request
		want string
	}{
		{"nil request", nil, "nil"},
		{"nil URL", &http.Request{Method: "GET", Header: http.Header{}}, "nil"},
		{"opaque URL", &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Opaque: "//h.example.com/x"}, Header: http.Header{}}, "opaque"},
		{"non-ASCII URL host", nonASCII, "punycode"},
		{"non-ASCII Host field", nonASCIIHost, "punycode"},
		{"malformed query escape", badQuery, "malformed %-escape"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Request(c.req, temporaryKey, vectorTime)
			var se *Error
			require.ErrorAs(t, err, &se)
			assert.Contains(t, err.Error(), c.want)
			assert.True(t, strings.HasPrefix(err.Error(), "sign: cannot sign the request: "), err.Error())
			assert.NotContains(t, err.Error(), testSK)
			assert.NotContains(t, err.Error(), testToken)
			if c.req != nil {
				assert.Empty(t, c.req.Header.Get("Authorization"))
			}
		})
	}
	// Punycode is what goes on the wire, and is signed.
	req, err := http.NewRequest("GET", "https://xn--r8jz45g.jp/x", nil)
	require.NoError(t, err)
	require.NoError(t, Request(req, permanentKey, vectorTime))
	verify(t, req, permanentKey)
}

// failingBody fails to read; it records whether it was closed.
type failingBody struct{ closed bool }

func (b *failingBody) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }
func (b *failingBody) Close() error             { b.closed = true; return nil }

// A body that cannot be read is an *Error wrapping the cause.
func TestRequestBodyErrors(t *testing.T) {
	body := &failingBody{}
	req, err := http.NewRequest("POST", "https://h.example.com/x", body)
	require.NoError(t, err)
	err = Request(req, temporaryKey, vectorTime)
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.EqualError(t, errors.Unwrap(err), "disk on fire")
	assert.Equal(t, "sign: cannot sign the request: reading the body: disk on fire", err.Error())
	assert.True(t, body.closed)

	cause := errors.New("no second copy")
	req, err = http.NewRequest("POST", "https://h.example.com/x", strings.NewReader("x"))
	require.NoError(t, err)
	req.GetBody = func() (io.ReadCloser, error) { return nil, cause }
	err = Request(req, temporaryKey, vectorTime)
	require.ErrorAs(t, err, &se)
	assert.ErrorIs(t, err, cause)

	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(&failingBody{}), nil }
	err = Request(req, temporaryKey, vectorTime)
	require.ErrorAs(t, err, &se)
	assert.Contains(t, err.Error(), "disk on fire")
}

// A Header built by hand may hold one name in two spellings; net/http
// sends both lines, and the server reads them as one header with two
// values. Request must either sign what the server reads or refuse with an
// *Error; it must not sign one of the two values at random.
func TestRequestHeaderNameSpellings(t *testing.T) {
	for range 20 { // map order varies from run to run
		req, err := http.NewRequest("GET", "https://h.example.com/x", nil)
		require.NoError(t, err)
		req.Header = http.Header{"X-Custom": {"b"}, "x-custom": {"a"}}
		err = Request(req, permanentKey, vectorTime)
		if err != nil {
			var se *Error
			require.ErrorAs(t, err, &se)
			continue
		}
		signed, _ := authorization(t, req.Header)
		assert.Equal(t, "host;x-custom;x-sdk-date", signed)
		verify(t, req, permanentKey)
	}
}

// Request is safe to call from many goroutines at once (the canonical
// request buffers are pooled).
func TestRequestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				req, err := http.NewRequest("POST", "https://h.example.com/v5/p/"+strings.Repeat("seg/", g*i%40),
					strings.NewReader(strings.Repeat("b", i*100)))
				if !assert.NoError(t, err) {
					return
				}
				if !assert.NoError(t, Request(req, temporaryKey, vectorTime)) {
					return
				}
				_, err = sigcheck.Verify(req, lookup(temporaryKey), vectorTime, skew)
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
}

func BenchmarkRequest(b *testing.B) {
	req, err := http.NewRequest("GET", "https://hss.cn-north-4.myhuaweicloud.com/v5/0123456789abcdef0123456789abcdef/image/image-sync/tasks/task-1/registries?limit=200&offset=0&registry_name=my+reg&registry_type=SwrPrivate%2CHarbor", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("X-Project-Id", "0123456789abcdef0123456789abcdef")
	b.ReportAllocs()
	for b.Loop() {
		if err := Request(req, temporaryKey, vectorTime); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignLongSecurityToken: a temporary key's security token of 8
// KiB, signed in by every request, is read by Key.Validate on every call of
// Request and once in all by a Signer.
func BenchmarkSignLongSecurityToken(b *testing.B) {
	key := Key{AccessKey: testAK, SecretKey: testSK, SecurityToken: strings.Repeat("QjV7mZ2xKp9RtL4wNc8YbH3sGf6DuE1a", 256)}
	req, err := http.NewRequest("GET", "https://hss.cn-north-4.myhuaweicloud.com/v5/0123456789abcdef0123456789abcdef/image/image-sync/tasks/task-1/registries?limit=200", nil)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := NewSigner(key)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		sign func() error
	}{
		{"Request", func() error { return Request(req, key, vectorTime) }},
		{"Signer", func() error { return signer.Sign(req, vectorTime) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.sign(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
