// Fuzzing of Request: it never panics, its errors are fixed texts, and what it signs verifies with sigcheck.
package sign

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/hsskit/hss/internal/sigcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyReason matches every KeyError reason Validate gives; none has room
// for a secret.
var keyReason = regexp.MustCompile(`^(must be 1-\d+ (characters|bytes), got \d+` +
	`|must be at most \d+ bytes, got \d+` +
	`|must hold only A-Z, a-z, 0-9, '-', '_' and '\.'` +
	`|must be valid UTF-8|must not contain control characters|must not start or end with white space)$`)

// requestReasons are the Error reasons Request gives for a request whose
// body reads fine, besides a host's.
var requestReasons = map[string]bool{
	"the request or its URL is nil":            true,
	"opaque URLs are not signed; set URL.Path": true,
	"malformed %-escape in the query":          true,
}

// hostReason matches every HostError reason; none has room for more than
// one byte of the host.
var hostReason = regexp.MustCompile(`^(is empty; the request has no host|is not ASCII; use its punycode \(xn--\) form` +
	`|holds ('.'|a space|byte 0x[0-9A-F]{2}), which a host cannot have` +
	`|opens an IPv6 literal with '\[' and never closes it|holds an IPv6 literal that is not an IPv6 address` +
	`|has something other than a port after its IPv6 literal|has a port but no name` +
	`|holds ':', '\[' or '\]' outside an IPv6 literal|holds a '%' that does not start a two-digit escape` +
	`|has a port that is not a number of at most five digits)$`)

// Whatever the request and key, Request never panics; its errors are
// drawn from fixed texts (so hold neither the SK nor a signature); and
// what it signs verifies with the independent verifier, body intact.
func FuzzRequest(f *testing.F) {
	f.Add("GET", "h.example.com", "/v5/p/image/image-sync/tasks/task-1/registries", "limit=20&registry_name=my+reg", []byte(nil), "AccessKey", "SecretKey", "", false, false)
	f.Add("POST", "hss.cn-north-4.myhuaweicloud.com", "/v5/p/任务/a%2Fb", "q=a%3Db%26c&q=&z&uni=%C3%BC", []byte(`{"a":1}`), "AK", "sk/+=", "tok", true, false)
	f.Add("PUT", "[::1]:443", "", "", []byte("large"), "AK", "SK", "", false, true)
	f.Add("", "例え.jp", "/x", "a=%zz", []byte{}, "A K", " sk", "tok\n", false, false)
	f.Add("DELETE", "h", "//..//%", "=&&=+&;=", []byte{0xff}, "AK", "\xff", "", true, true)
	f.Add("GET", "[fe80::1%eth0]:8080", "/x", "", []byte(nil), "AK", "SK", "", false, false)
	f.Add("GET", "h.example.com/evil", "/x", "", []byte(nil), "AK", "SK", "", false, false)
	f.Add("GET", "", "/x", "", []byte(nil), "AK", "SK", "", false, false)
	f.Fuzz(func(t *testing.T, method, host, path, query string, body []byte, ak, sk, token string, getBody, unsigned bool) {
		req := &http.Request{
			Method: method,
			URL:    &url.URL{Scheme: "https", Host: host, Path: path, RawQuery: query},
			Host:   host,
			Header: http.Header{},
		}
		if body != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
			if getBody {
				req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			}
		}
		if unsigned {
			req.Header.Set(HeaderContentSHA256, UnsignedPayload)
		}
		key := Key{AccessKey: ak, SecretKey: sk, SecurityToken: token}

		err := Request(req, key, vectorTime)
		if err != nil {
			var ke *KeyError
			var se *Error
			var he *HostError
			switch {
			case errors.As(err, &ke):
				require.Contains(t, []string{"AccessKey", "SecretKey", "SecurityToken"}, ke.Field)
				require.Regexp(t, keyReason, ke.Reason)
				require.Equal(t, "sign: invalid "+ke.Field+": "+ke.Reason, err.Error())
			case errors.As(err, &he):
				require.Equal(t, host, he.Host)
				require.Regexp(t, hostReason, he.Reason)
				require.ErrorAs(t, err, &se)
				require.Equal(t, "sign: cannot sign the request: the host (Request.Host, else URL.Host) is not valid: "+he.Error(), err.Error())
			case errors.As(err, &se):
				require.True(t, requestReasons[se.Reason], "unexpected reason %q", se.Reason)
				require.NoError(t, se.Err)
				require.Equal(t, "sign: cannot sign the request: "+se.Reason, err.Error())
			default:
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		require.NoError(t, key.Validate())
		_, sig := authorization(t, req.Header)
		require.Len(t, sig, 64)

		// sigcheck reads the query with url.ParseQuery, which drops pairs
		// holding ';'; such a query cannot be compared.
		if _, err := url.ParseQuery(query); err != nil {
			return
		}
		req.Host = removeZone(req.Host) // as net/http sends it (nethttp_test.go checks that on the wire)
		_, err = sigcheck.Verify(req, lookup(key), vectorTime, skew)
		require.NoError(t, err)
		if body != nil {
			got, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			assert.Equal(t, body, got, "the body is left readable")
		}
	})
}
