// Nil receivers: every exported method on a pointer receiver answers a nil receiver without panicking.
package sign_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss/sign"
)

// TestNilReceivers calls every exported method on a pointer receiver of
// the package with a nil receiver: errors read "<nil>" and unwrap to nil,
// a nil Skew has learned nothing, and a nil Transport or Signer refuses to
// sign with an *Error, closing the body it was given.
func TestNilReceivers(t *testing.T) {
	var (
		keyErr  *sign.KeyError
		signErr *sign.Error
		hostErr *sign.HostError
		skew    *sign.Skew
		tr      *sign.Transport
		signer  *sign.Signer
	)
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	isSignError := func(err error) any {
		var se *sign.Error
		if errors.As(err, &se) && se != nil {
			return "sign.Error"
		}
		return err
	}
	for _, tc := range []struct {
		name string
		call func() any
		want any
	}{
		{"(*KeyError).Error", func() any { return keyErr.Error() }, "<nil>"},
		{"(*Error).Error", func() any { return signErr.Error() }, "<nil>"},
		{"(*Error).Unwrap", func() any { return signErr.Unwrap() }, nil},
		{"(*HostError).Error", func() any { return hostErr.Error() }, "<nil>"},
		{"(*Skew).Now", func() any { return skew.Now(at) }, at},
		{"(*Skew).Offset", func() any { return skew.Offset() }, time.Duration(0)},
		{"(*Skew).Learn", func() any { return skew.Learn(at, &http.Response{StatusCode: 200, Header: http.Header{}}, nil) }, false},
		{"(*Transport).RoundTrip", func() any {
			body := &closeCounter{Reader: strings.NewReader("x")}
			req, err := http.NewRequest(http.MethodPost, "https://h.example.com/x", body)
			require.NoError(t, err)
			resp, err := tr.RoundTrip(req)
			assert.Nil(t, resp)
			assert.Equal(t, 1, body.closed, "the body is closed")
			return isSignError(err)
		}, "sign.Error"},
		{"(*Transport).CloseIdleConnections", func() any { tr.CloseIdleConnections(); return nil }, nil},
		{"(*Signer).Sign", func() any {
			req, err := http.NewRequest(http.MethodGet, "https://h.example.com/x", nil)
			require.NoError(t, err)
			return isSignError(signer.Sign(req, at))
		}, "sign.Error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got any
			require.NotPanics(t, func() { got = tc.call() })
			assert.Equal(t, tc.want, got)
		})
	}
}

// closeCounter is a request body that counts its Close calls.
type closeCounter struct {
	*strings.Reader
	closed int
}

func (c *closeCounter) Close() error {
	c.closed++
	return nil
}
