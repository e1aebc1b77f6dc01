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
// body reads fine.
var requestReasons = map[string]bool{
	"the request or its URL is nil":                       true,
	"opaque URLs are not signed; set URL.Path":            true,
	"the host is not ASCII; use its punycode (xn--) form": true,
	"malformed %-escape in the query":                     true,
}

// Whatever the request and key, Request never panics; its errors are
// drawn from fixed texts (so hold neither the SK nor a signature); and
// what it signs verifies with the independent verifier, body intact.
func FuzzRequest(f *testing.F) {
	f.Add("GET", "h.example.com", "/v5/p/image/image-sync/tasks/task-1/registries", "limit=20&registry_name=my+reg", []byte(nil), "AccessKey", "SecretKey", "", false, false)
	f.Add("POST", "hss.cn-north-4.myhuaweicloud.com", "/v5/p/任务/a%2Fb", "q=a%3Db%26c&q=&z&uni=%C3%BC", []byte(`{"a":1}`), "AK", "sk/+=", "tok", true, false)
	f.Add("PUT", "[::1]:443", "", "", []byte("large"), "AK", "SK", "", false, true)
	f.Add("", "例え.jp", "/x", "a=%zz", []byte{}, "A K", " sk", "tok\n", false, false)
	f.Add("DELETE", "h", "//..//%", "=&&=+&;=", []byte{0xff}, "AK", "\xff", "", true, true)
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
			switch {
			case errors.As(err, &ke):
				require.Contains(t, []string{"AccessKey", "SecretKey", "SecurityToken"}, ke.Field)
				require.Regexp(t, keyReason, ke.Reason)
				require.Equal(t, "sign: invalid "+ke.Field+": "+ke.Reason, err.Error())
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
		_, err = sigcheck.Verify(req, lookup(key), vectorTime, skew)
		require.NoError(t, err)
		if body != nil {
			got, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			assert.Equal(t, body, got, "the body is left readable")
		}
	})
}
